#!/usr/bin/env python3
"""Scaling plot from the JSON lines of benches/run.sh: p50/p99 at concurrency 1 and QPS at
concurrency 16 against corpus size (medians of the runs), written as a PNG.

    python3 benches/plot.py docs/scaling.png 10k=/root/idx/bench-10k.jsonl \
        100k=/root/idx/bench-100k.jsonl 1M=/root/idx/bench-1m.jsonl

Needs matplotlib (pip install matplotlib==3.9.2). Prints the medians it plots as a Markdown table.
"""
import json
import statistics
import sys


def articles(label):
    n = label.lower().replace(",", "")
    for suffix, mul in (("m", 1_000_000), ("k", 1_000)):
        if n.endswith(suffix):
            return float(n[:-1]) * mul
    return float(n)


def medians(path):
    runs = {1: [], 16: []}
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line:
            continue
        r = json.loads(line)["report"]
        runs.setdefault(r["concurrency"], []).append(r)
    out = {}
    for c, rs in runs.items():
        if rs:
            out[c] = {k: statistics.median(r[k] for r in rs) for k in ("qps", "p50_ms", "p99_ms", "errors")}
            out[c]["runs"] = len(rs)
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    png = sys.argv[1]
    points = []
    for arg in sys.argv[2:]:
        label, path = arg.split("=", 1)
        points.append((articles(label), label, medians(path)))
    points.sort()

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [p[0] for p in points]
    labels = [p[1] for p in points]
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.2))
    for key, style, name in (("p50_ms", "o-", "p50"), ("p99_ms", "s--", "p99")):
        ys = [p[2].get(1, {}).get(key) for p in points]
        a.plot(xs, ys, style, label=f"{name}, concurrency 1")
    for key, style, name in (("p50_ms", "^-", "p50"), ("p99_ms", "v--", "p99")):
        ys = [p[2].get(16, {}).get(key) for p in points]
        a.plot(xs, ys, style, alpha=0.5, label=f"{name}, concurrency 16")
    a.axhline(2, color="green", lw=0.8, ls=":", label="target p50 ≤ 2 ms (c=1)")
    a.axhline(15, color="red", lw=0.8, ls=":", label="target p99 ≤ 15 ms (c=1)")
    a.set_xscale("log")
    a.set_yscale("log")
    a.set_xticks(xs, labels)
    a.set_xlabel("articles")
    a.set_ylabel("latency, ms (log)")
    a.set_title("Latency, default query mix, facets + snippets")
    a.legend(fontsize=7)
    qps = [p[2].get(16, {}).get("qps") for p in points]
    b.plot(xs, qps, "o-", label="concurrency 16")
    b.plot(xs, [p[2].get(1, {}).get("qps") for p in points], "s--", label="concurrency 1")
    b.axhline(2000, color="green", lw=0.8, ls=":", label="target ≥ 2,000 QPS (c=16)")
    b.set_xscale("log")
    b.set_yscale("log")
    b.set_xticks(xs, labels)
    b.set_xlabel("articles")
    b.set_ylabel("queries per second (log)")
    b.set_title("Throughput (client on the same 2 cores)")
    b.legend(fontsize=7)
    fig.suptitle("zhengsou scaling (zhengsou bench, medians of 3 runs of 20 s)", fontsize=10)
    fig.tight_layout()
    fig.savefig(png, dpi=110)

    print("| corpus | c | QPS | p50 ms | p99 ms | errors | runs |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for _, label, m in points:
        for c in sorted(m):
            r = m[c]
            print(f"| {label} | {c} | {r['qps']:.1f} | {r['p50_ms']:.2f} | {r['p99_ms']:.1f} | {r['errors']:.0f} | {r['runs']} |")


if __name__ == "__main__":
    main()
