#!/usr/bin/env python3
"""Markdown tables for docs/performance.md from one `qdq bench` run and one `tools/bench_tf.py` run:

  build/bin/qdq bench --benchmark_min_time=0.3 --benchmark_out=ours.json --benchmark_out_format=json
  $(tools/tf_oracle/setup.sh) tools/bench_tf.py build/bin/qdq --threads 2 --max-bytes 134217728 --json tf.json
  python3 tools/perf_report.py ours.json tf.json

Each percentage is the op's bytes/s over the faster of the two bandwidth loops run right before it at the
same size (the machine's bandwidth drifts over minutes).
"""
import json
import sys


def human(b):
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= size:
            return "%d %s" % (b // size, unit)
    return "%d B" % b


def main(ours_path, tf_path):
    # In run order: the two bandwidth loops, then the op they are the bound for (same size).
    bound = {}      # (op name, size) -> the faster loop right before it
    rate = {}       # (op name, size) -> op bytes/s
    loops = {}      # size -> every faster-loop reading
    last = (None, 0.0)
    for b in json.load(open(ours_path))["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration" or "bytes_per_second" not in b:
            continue
        name, size = b["name"].replace("/real_time", "").rsplit("/", 1)
        size = int(size)
        if name.startswith("bandwidth/"):
            last = (size, max(last[1], b["bytes_per_second"]) if last[0] == size else b["bytes_per_second"])
        elif last[0] == size:
            rate[(name, size)] = b["bytes_per_second"]
            bound[(name, size)] = last[1]
            loops.setdefault(size, []).append(last[1])
            last = (None, 0.0)
    sizes = sorted(loops)
    print("| size | " + " | ".join(human(s) for s in sizes) + " |")
    print("| --- |" + " --- |" * len(sizes))
    print("| bandwidth loop (lowest-highest) | " +
          " | ".join("%.0f-%.0f GB/s" % (min(loops[s]) / 1e9, max(loops[s]) / 1e9) for s in sizes) + " |")
    for dtype in ("float32", "float64", "bfloat16", "float16"):
        for layout in ("per-tensor", "per-channel"):
            for rng in ("given", "measured"):
                name = "qdq/%s/%s/%s" % (dtype, layout, rng)
                cells = ["%.0f GB/s, %.0f %%" % (rate[(name, s)] / 1e9, 100 * rate[(name, s)] / bound[(name, s)]) for s in sizes]
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
