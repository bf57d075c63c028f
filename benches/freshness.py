#!/usr/bin/env python3
"""File-to-searchable latency under load on a served corpus.

Usage: benches/freshness.py URL DOCS_DIR [FILES] [CONCURRENCY]
Needs a running `zhengsou serve --docs DOCS_DIR` at URL. Starts `zhengsou bench` at the given
concurrency (ZHENGSOU=binary, default target/release/zhengsou), writes FILES new documents (one
every 1.5 s) into DOCS_DIR/zz-freshness/, and for each measures the time from the write
completing to the first search that finds it; removes them at the end. Prints one JSON line.
"""
import json, os, shutil, subprocess, sys, time, urllib.parse, urllib.request

url, docs = sys.argv[1].rstrip("/"), sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 30
conc = sys.argv[4] if len(sys.argv) > 4 else "16"
bin_ = os.environ.get("ZHENGSOU", "target/release/zhengsou")
folder = os.path.join(docs, "zz-freshness")
os.makedirs(folder, exist_ok=True)
load = subprocess.Popen([bin_, "bench", "--url", url, "--concurrency", conc, "--duration", str(int(n * 1.5 + 30)),
                         "--json"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
time.sleep(5)
marks = "甲乙丙丁戊己庚辛壬癸"
lat = []
for i in range(n):
    marker = f"新鲜度测量标记{marks[i % 10]}{i}号{os.getpid()}"
    path = os.path.join(folder, f"{i}.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"某县推行{marker}做法\n\n某县推行{marker}做法，成效明显。\n")
    written = time.perf_counter()
    q = url + "/api/search?" + urllib.parse.urlencode({"q": marker, "facets": "false", "snippets": "false"})
    while True:
        if json.load(urllib.request.urlopen(q))["total"] >= 1:
            lat.append(time.perf_counter() - written)
            break
        if time.perf_counter() - written > 30:
            lat.append(float("inf"))
            break
        time.sleep(0.01)
    time.sleep(max(0.0, 1.5 - (time.perf_counter() - written)))
report = json.loads(load.communicate()[0] or "{}")
shutil.rmtree(folder)
lat.sort()
pct = lambda p: round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000)
print(json.dumps({"files": n, "p50_ms": pct(0.5), "p99_ms": pct(0.99), "max_ms": round(lat[-1] * 1000),
                  "load": report}))
