"""What tools/bench_tf.py and tools/bench_torch_cpu.py share: the shapes and inputs `qdq bench` uses
(tools/qdq/bench_cases.h), our time for one of its cases, and a timing loop for the other framework's
call. Each case is timed for us right before it is timed for the other framework, so that both are
measured in the same minute of a machine whose speed drifts.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

CHANNELS = 256
SIZES = [4096 * 8 ** k for k in range(7)]  # 4 KiB .. 1 GiB, as qdq bench
WIDTH = {"bfloat16": 2, "float16": 2, "float32": 4, "float64": 8}


LAYOUTS = ("per-tensor", "per-channel")
CHANNEL_LAST_LAYOUTS = ("per-channel-last", "per-4-channels-last")  # only with --channel-last


def channels_of(layout):
    """Channels on axis 1 (1 per tensor)."""
    return {"per-tensor": 1, "per-4-channels-last": 4}.get(layout, CHANNELS)


def shape_of(dtype, size, layout):
    """[n] per tensor; [max(1, n / (256 * 64)), 256, 64] per channel; [max(1, n / c), c] per channel with
    the channel axis last, c = 256 or 4 (all axis 1); n = size / element size."""
    n = size // WIDTH[dtype]
    if layout == "per-channel":
        return [max(1, n // (CHANNELS * 64)), CHANNELS, 64]
    if layout in CHANNEL_LAST_LAYOUTS:
        return [max(1, n // channels_of(layout)), channels_of(layout)]
    return [n]


def inputs(shape):
    """The bench's values (bench_value in bench_cases.h) as float64: a spread of magnitudes in [-10, 10]."""
    i = np.arange(int(np.prod(shape)), dtype=np.int64)
    return (((i * 2654435761) % 20001 - 10000).astype(np.float64) / 1000.0).reshape(shape)


def cases(dtypes, max_bytes, skip=lambda dtype, layout, rng: False, channel_last=False):
    """(name, size) of `qdq bench`'s cases: qdq/<dtype>/<per-tensor|per-channel>/<given|measured>, and
    the channel-last layouts with channel_last (as `qdq bench --channel-last`)."""
    for dtype in dtypes:
        for layout in LAYOUTS + (CHANNEL_LAST_LAYOUTS if channel_last else ()):
            for rng in ("given", "measured"):
                if skip(dtype, layout, rng):
                    continue
                for size in SIZES:
                    if size <= max_bytes:
                        yield "qdq/%s/%s/%s" % (dtype, layout, rng), size


def ours_seconds(qdq, name, size):
    """Seconds per call of one `qdq bench` case (its Google Benchmark run, 0.3 s at least)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([qdq, "bench", "--channel-last", "--max-bytes", str(size), "--benchmark_min_time=0.3",
                        "--benchmark_filter=^%s/%d/real_time$" % (name, size), "--benchmark_out=" + out.name,
                        "--benchmark_out_format=json"], check=True, capture_output=True)
        runs = json.load(open(out.name))["benchmarks"]
    run = [b for b in runs if b.get("run_type", "iteration") == "iteration"][0]
    return run["real_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[run["time_unit"]]


def median_seconds(call, n):
    """Seconds per call: one warm-up call, then the median of five batches (up to 200 calls, fewer
    for large n)."""
    call()
    reps = max(1, min(200, int(2e8 // max(n, 1))))
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(reps):
            call()
        times.append((time.perf_counter() - t0) / reps)
    return statistics.median(times)


def arguments(doc):
    """The command line both scripts take: the qdq binary, --threads, --max-bytes, --json, --channel-last,
    --layout."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("qdq", help="the qdq binary (build/bin/qdq)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--max-bytes", type=int, default=1 << 27)
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--channel-last", action="store_true", help="also per channel with the channel axis last")
    ap.add_argument("--layout", action="append", choices=LAYOUTS + CHANNEL_LAST_LAYOUTS,
                    help="time only this layout (repeatable; the channel-last ones need --channel-last)")
    args = ap.parse_args()
    if args.layout and not args.channel_last and set(args.layout) & set(CHANNEL_LAST_LAYOUTS):
        ap.error("--layout %s needs --channel-last" % "/".join(sorted(set(args.layout) & set(CHANNEL_LAST_LAYOUTS))))
    return args


def compare(args, label, key, dtypes, theirs_seconds, skip=lambda dtype, layout, rng: False, kind=lambda dtype: None):
    """Times each case for us, then theirs_seconds(dtype, size, layout, given); prints a line a case
    and writes [{"case", "ours_s", key, and "tf": kind(dtype) where kind gives one}] to --json."""
    print("%-46s %12s %12s %10s" % ("case", "ours (s)", "%s (s)" % label, "ours/%s speed" % label))
    results = []
    for name, size in cases(dtypes, args.max_bytes, skip, args.channel_last):
        _, dtype, layout, rng = name.split("/")
        if args.layout and layout not in args.layout:
            continue
        ours = ours_seconds(args.qdq, name, size)
        theirs = theirs_seconds(dtype, size, layout, rng == "given")
        row = {"case": "%s/%d" % (name, size), "ours_s": ours, key: theirs}
        if kind(dtype):
            row["tf"] = kind(dtype)
        results.append(row)
        print("%-46s %12.3e %12.3e %9.2fx%s" % (row["case"], ours, theirs, theirs / ours,
                                                "  (%s)" % kind(dtype) if kind(dtype) else ""))
        sys.stdout.flush()
    if args.json:
        json.dump(results, open(args.json, "w"), indent=1)
