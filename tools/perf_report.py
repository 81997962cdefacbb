#!/usr/bin/env python3
"""Markdown tables, and pictures, for docs/performance.md from one or more `qdq bench` runs and,
optionally, one `tools/bench_tf.py` run and one `tools/bench_torch_cpu.py` run:

  build/bin/qdq bench --max-bytes 134217728 --benchmark_min_time=0.3 --benchmark_out=ours.json --benchmark_out_format=json
  $(tools/tf_oracle/setup.sh) tools/bench_tf.py build/bin/qdq --threads 2 --max-bytes 134217728 --json tf.json
  $(tools/bench_env.sh) tools/bench_torch_cpu.py build/bin/qdq --threads 2 --max-bytes 134217728 --json torch.json
  python3 tools/perf_report.py ours.json [ours-2.json ...] [--tf tf.json] [--torch torch.json] [--svg DIR]

Each percentage is the op's bytes/s over the faster of the two bandwidth loops run right before it at the
same size (the machine's bandwidth drifts over minutes). Given several runs of the same `qdq bench`
command, each cell shows the median over the runs of the op's bytes/s and of that ratio (each run's ratio
taken within the run), then the lowest and highest ratio: on a machine whose bandwidth moves by 2x from
minute to minute, one run can put a cell on either side of a target. TF's and PyTorch's times were each taken right after
ours for the same case (see those scripts), so their ratios to ours are same-minute ratios; their bytes/s in
the pictures count the bytes our op moves (given: a read and a write per element; measured: one more read).

With --svg DIR (needs matplotlib: tools/bench_env.sh), one picture per dtype, DIR/<dtype>.svg: GB/s (log
scale) against tensor size, per tensor and per channel (and per channel with the channel axis last, where
the run has it) side by side, one line per configuration (ours, TF, PyTorch; range
given and measured), the bound as a band from the slowest to the fastest reading of the faster bandwidth loop
at that size.
"""
import argparse
import json
import os

DTYPES = ("float32", "float64", "bfloat16", "float16")
LAYOUTS = ("per-tensor", "per-channel", "per-channel-last", "per-4-channels-last")  # the last two only from `qdq bench --channel-last`
RANGES = ("given", "measured")


def human(b):
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= size:
            return "%d %s" % (b // size, unit)
    return "%d B" % b


def read_ours(path):
    """(rate, bound, loops): rate[(name, size)] op bytes/s; bound[(name, size)] the faster loop right before
    it; loops[size] every faster-loop reading at that size."""
    bound, rate, loops = {}, {}, {}
    last = (None, 0.0)
    for b in json.load(open(path))["benchmarks"]:
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
    return rate, bound, loops


def read_pairs(path, key):
    """{(name, size): (ours seconds, theirs seconds, extra)} from bench_tf.py / bench_torch_cpu.py JSON."""
    out = {}
    for r in json.load(open(path)):
        name, size = r["case"].rsplit("/", 1)
        out[(name, int(size))] = (r["ours_s"], r[key], r.get("tf"))
    return out


def moved_bytes(name, size):
    return size * (2 if name.endswith("/given") else 3)


def ratio_table(title, pairs):
    names = sorted({n for n, _ in pairs}, key=lambda n: (DTYPES.index(n.split("/")[1]), n))
    sizes = sorted({s for _, s in pairs})
    print()
    print("| %s | %s |" % (title, " | ".join(human(s) for s in sizes)))
    print("| --- |" + " --- |" * len(sizes))
    for name in names:
        cells = []
        for s in sizes:
            p = pairs.get((name, s))
            cells.append("%.2fx" % (p[1] / p[0]) if p else "")
        kind = {p[2] for (n, _), p in pairs.items() if n == name} - {None}
        label = name[4:].replace("/", " ") + (" (%s)" % ", ".join(sorted(kind)) if kind else "")
        print("| %s | %s |" % (label, " | ".join(cells)))


def cell(rate, ratios):
    text = "%.0f GB/s, %.0f %%" % (rate / 1e9, 100 * median(ratios))
    return text + (" (%.0f-%.0f)" % (100 * min(ratios), 100 * max(ratios)) if len(ratios) > 1 else "")


def layouts_in(rate):
    """The layouts the run timed, in LAYOUTS' order."""
    seen = {name.split("/")[2] for name, _ in rate}
    return [layout for layout in LAYOUTS if layout in seen]


def median(values):
    v = sorted(values)
    return (v[(len(v) - 1) // 2] + v[len(v) // 2]) / 2


def combine(runs):
    """(rate, ratios, loops) over several read_ours results: rate[(name, size)] the median op bytes/s,
    ratios[(name, size)] each run's op/bound ratio, loops[size] every run's faster-loop readings."""
    rate, ratios, loops = {}, {}, {}
    for r, bnd, lps in runs:
        for key, v in r.items():
            ratios.setdefault(key, []).append(v / bnd[key])
        for size, readings in lps.items():
            loops.setdefault(size, []).extend(readings)
    for key in ratios:
        rate[key] = median([r[key] for r, _, _ in runs if key in r])
    return rate, ratios, loops


def tables(rate, ratios, loops, tf, torch):
    sizes = sorted(loops)
    runs = max(len(v) for v in ratios.values())
    if runs > 1:
        print("medians of %d runs; in brackets the lowest and highest of the runs' percentages" % runs)
        print()
    print("| size | " + " | ".join(human(s) for s in sizes) + " |")
    print("| --- |" + " --- |" * len(sizes))
    print("| bandwidth loop (lowest-highest) | " +
          " | ".join("%.0f-%.0f GB/s" % (min(loops[s]) / 1e9, max(loops[s]) / 1e9) for s in sizes) + " |")
    for dtype in DTYPES:
        for layout in layouts_in(rate):
            for rng in RANGES:
                name = "qdq/%s/%s/%s" % (dtype, layout, rng)
                cells = [cell(rate[(name, s)], ratios[(name, s)]) if (name, s) in rate else "" for s in sizes]
                print("| %s %s %s | %s |" % (dtype, layout, rng, " | ".join(cells)))
    if tf:
        ratio_table("ours/TF speed", tf)
    if torch:
        ratio_table("ours/PyTorch speed", torch)


def pictures(rate, loops, tf, torch, out_dir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller files, searchable
    matplotlib.rcParams["svg.hashsalt"] = "qdq"   # the same run gives the same file
    os.makedirs(out_dir, exist_ok=True)
    sizes = sorted(loops)
    colors = {"given": "tab:blue", "measured": "tab:orange"}
    for dtype in DTYPES:
        layouts = layouts_in(rate)
        fig, axes = plt.subplots(1, len(layouts), figsize=(5.5 * len(layouts), 4.2), sharey=True, squeeze=False)
        axes = axes[0]
        for ax, layout in zip(axes, layouts):
            ax.fill_between(sizes, [min(loops[s]) / 1e9 for s in sizes], [max(loops[s]) / 1e9 for s in sizes],
                            color="0.85", label="bound (bandwidth loop, slowest-fastest)")
            for rng in RANGES:
                name = "qdq/%s/%s/%s" % (dtype, layout, rng)
                xs = [s for s in sizes if (name, s) in rate]
                ax.plot(xs, [rate[(name, s)] / 1e9 for s in xs], "-o", ms=3, color=colors[rng], label="ours, range " + rng)
                for other, style, label in ((tf, "--", "TF"), (torch, ":", "PyTorch")):
                    if not other:
                        continue
                    xs = [s for s in sizes if (name, s) in other]
                    if xs:
                        kinds = {other[(name, s)][2] for s in xs} - {None}
                        tag = label + (" (%s)" % ", ".join(sorted(kinds)) if kinds else "")
                        ax.plot(xs, [moved_bytes(name, s) / other[(name, s)][1] / 1e9 for s in xs], style, marker=".",
                                color=colors[rng], label="%s, range %s" % (tag, rng))
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")  # TF and PyTorch are tens of times slower in places: both in view
            ax.set_xticks(sizes, [human(s) for s in sizes])
            ax.set_title("%s %s" % (dtype, layout))
            ax.set_xlabel("tensor size")
            ax.grid(True, color="0.92")
        axes[0].set_ylabel("GB/s (bytes the op moves)")
        for ax in axes:
            ax.legend(fontsize=6.5, loc="lower right")
        fig.tight_layout()
        path = os.path.join(out_dir, "%s.svg" % dtype)
        fig.savefig(path, metadata={"Date": None})
        plt.close(fig)
        print("wrote", path, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ours", nargs="+", help="qdq bench's JSON (--benchmark_out), one or more runs of the same command")
    ap.add_argument("--tf", help="tools/bench_tf.py's JSON")
    ap.add_argument("--torch", help="tools/bench_torch_cpu.py's JSON")
    ap.add_argument("--svg", metavar="DIR", help="also draw DIR/<dtype>.svg (matplotlib)")
    args = ap.parse_args()
    runs = []
    for path in args.ours:
        runs.append(read_ours(path))
        if not runs[-1][2]:
            ap.error("%s holds no op timed right after a bandwidth loop of its size (a `qdq bench` JSON?)" % path)
    rate, ratios, loops = combine(runs)
    tf = read_pairs(args.tf, "tf_s") if args.tf else None
    torch = read_pairs(args.torch, "torch_s") if args.torch else None
    tables(rate, ratios, loops, tf, torch)
    if args.svg:
        try:
            pictures(rate, loops, tf, torch, args.svg)
        except ImportError as e:
            ap.error("--svg needs matplotlib (tools/bench_env.sh makes a venv with it): %s" % e)


if __name__ == "__main__":
    main()
