#!/usr/bin/env python3
"""Markdown tables for docs/performance.md from one `qdq bench` run and one `tools/bench_tf.py` run:

  build/bin/qdq bench --benchmark_min_time=0.3 --benchmark_out=ours.json --benchmark_out_format=json
  $(tools/tf_oracle/setup.sh) tools/bench_tf.py build/bin/qdq --threads 2 --max-bytes 134217728 --json tf.json
  python3 tools/perf_report.py ours.json tf.json

Each percentage is the op's bytes/s over the bandwidth loop's at the same size, both from the same run.
"""
import json
import sys


def human(b):
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= size:
            return "%d %s" % (b // size, unit)
    return "%d B" % b


def main(ours_path, tf_path):
    rate = {}
    for b in json.load(open(ours_path))["benchmarks"]:
        if b.get("run_type", "iteration") == "iteration" and "bytes_per_second" in b:
            name, size = b["name"].replace("/real_time", "").rsplit("/", 1)
            rate[(name, int(size))] = b["bytes_per_second"]
    sizes = sorted({s for (n, s) in rate if n == "bandwidth/read-scale-write"})
    print("| size | " + " | ".join(human(s) for s in sizes) + " |")
    print("| --- |" + " --- |" * len(sizes))
    print("| bandwidth loop | " + " | ".join("%.1f GB/s" % (rate[("bandwidth/read-scale-write", s)] / 1e9) for s in sizes) + " |")
    for dtype in ("float32", "float64", "bfloat16", "float16"):
        for layout in ("per-tensor", "per-channel"):
            for rng in ("given", "measured"):
                name = "qdq/%s/%s/%s" % (dtype, layout, rng)
                cells = ["%.0f GB/s, %.0f %%" % (rate[(name, s)] / 1e9, 100 * rate[(name, s)] / rate[("bandwidth/read-scale-write", s)])
                         for s in sizes]
                print("| %s %s %s | %s |" % (dtype, layout, rng, " | ".join(cells)))
    ratios = {}
    for r in json.load(open(tf_path)):
        name, size = r["case"].rsplit("/", 1)
        ratios.setdefault(name, {})[int(size)] = r["tf_s"] / r["ours_s"]
    tsizes = sorted({s for v in ratios.values() for s in v})
    print()
    print("| ours/TF speed | " + " | ".join(human(s) for s in tsizes) + " |")
    print("| --- |" + " --- |" * len(tsizes))
    for name in sorted(ratios):
        print("| %s | %s |" % (name[4:].replace("/", " "), " | ".join("%.2fx" % ratios[name][s] for s in tsizes)))


if __name__ == "__main__":
    main(*sys.argv[1:3])
