#!/usr/bin/env python3
"""Per-query A/B of two zhengsou builds on the same index.

  benches/ab.py run URL OUT.json [QUERIES]   # every `q=` line of QUERIES (default
                                             # benches/queries.txt), 3 times each, sequentially;
                                             # keeps the median latency, total, approximate, hit ids
  benches/ab.py compare OLD.json NEW.json    # same hits?, median and sum, the slowest ratios

Used for the session-4 figures in benches/README.md ("sampled counts and pruned top-k"): run
against the old build, stop it, start the new one on the same index, run again, compare.
"""
import json
import statistics
import sys
import time
import urllib.parse
import urllib.request


def run(url, out, queries="benches/queries.txt"):
    lines = [l.strip() for l in open(queries, encoding="utf-8") if l.startswith("q=")]
    res = {}
    for line in lines:
        u = "%s/api/search?%s" % (url.rstrip("/"), urllib.parse.quote(line, safe="&=%"))
        times = []
        for _ in range(3):
            t = time.perf_counter()
            d = json.load(urllib.request.urlopen(u))
            times.append((time.perf_counter() - t) * 1000)
        res[line] = (statistics.median(times), d["total"], d.get("approximate"), [h["id"] for h in d["hits"]])
    json.dump(res, open(out, "w", encoding="utf-8"), ensure_ascii=False)


def compare(old_path, new_path):
    old, new = json.load(open(old_path)), json.load(open(new_path))
    rows, differ = [], 0
    for q, (t_old, _, _, hits_old) in old.items():
        t_new, total, approx, hits_new = new[q]
        if hits_old != hits_new:
            differ += 1
            print("different hits:", q)
        rows.append((t_new / t_old, q, t_old, t_new, total, approx))
    rows.sort()
    print("queries %d, same hits %d, approximate %d" % (len(rows), len(rows) - differ, sum(1 for r in rows if r[5])))
    print("median %.1f -> %.1f ms, sum %.0f -> %.0f ms" % (
        statistics.median(r[2] for r in rows), statistics.median(r[3] for r in rows),
        sum(r[2] for r in rows), sum(r[3] for r in rows)))
    for r in rows[:5] + rows[-10:]:
        print("%.2f  %s  %.1f -> %.1f ms  total %s approximate %s" % r)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "run":
        run(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
