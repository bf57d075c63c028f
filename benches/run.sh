#!/usr/bin/env bash
# Serves an indexed corpus and runs the default query mix at concurrency 1 and 16, three runs
# each, one JSON line per run (appended to OUT). Usage:
#   benches/run.sh DOCS INDEX OUT [DURATION] [QUERIES]
# ZHENGSOU (default: target/release/zhengsou) and PORT (18080) may be set.
set -euo pipefail
docs=$1 index=$2 out=$3 duration=${4:-20} queries=${5:-}
bin=${ZHENGSOU:-target/release/zhengsou}
port=${PORT:-18080}
"$bin" serve --docs "$docs" --index "$index" --addr "127.0.0.1:$port" 2>"$out.server.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 600); do
  if curl -fs "http://127.0.0.1:$port/api/health" | grep -q '"ready":true'; then break; fi
  sleep 0.5
done
curl -fs "http://127.0.0.1:$port/api/health" | grep -q '"ready":true' || { echo "server not ready" >&2; exit 1; }
pid_status() { grep -E '^(VmRSS|RssAnon)' "/proc/$server/status" | tr -s ' \t' ' ' | tr '\n' ' '; }
for c in 1 16; do
  for run in 1 2 3; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    line=$("$bin" bench --url "http://127.0.0.1:$port" --concurrency "$c" --duration "$duration" --json \
      ${queries:+--queries "$queries"} 2>>"$out.bench.log" || true)
    echo "{\"corpus\":\"$docs\",\"run\":$run,\"loadavg_before\":$load,\"server\":\"$(pid_status)\",\"report\":$line}" | tee -a "$out"
  done
done
