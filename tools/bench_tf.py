#!/usr/bin/env python3
"""Times TensorFlow 2.21's CPU kernel (eager tf.raw_ops.QuantizeAndDequantizeV4, the oracle's venv) on the
shapes `qdq bench` uses, with the same number of threads, and prints our/TF speed ratios. For each case it runs
`qdq bench` on that one case right before timing TF, so both are measured in the same minute of a shared machine.

  $(tools/tf_oracle/setup.sh) tools/bench_tf.py build/bin/qdq [--threads N] [--max-bytes N] [--json OUT]

Shapes (as in tools/qdq/bench_command.cc): per-tensor [n]; per-channel [max(1, n / (256 * 64)), 256, 64], axis 1
(so never below 256 x 64 elements), range [-5, 5]. TF 2.21 rejects per-channel given ranges and has no
bfloat16/float16 kernel, so those cases have no TF time. Time per TF call is the median of five timed batches
after a warm-up.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

CHANNELS = 256
SIZES = [4096 * 8 ** k for k in range(7)]  # 4 KiB .. 1 GiB, as qdq bench


def tf_seconds(dtype, n, per_channel, given):
    npt = np.float32 if dtype == "float32" else np.float64
    shape = [max(1, n // (CHANNELS * 64)), CHANNELS, 64] if per_channel else [n]
    i = np.arange(int(np.prod(shape)), dtype=np.int64)
    x = ((i * 2654435761) % 20001 - 10000).astype(np.float64) / 1000.0
    x = tf.constant(x.astype(npt).reshape(shape))
    rshape = [CHANNELS] if per_channel else []
    lo, hi = tf.constant(np.full(rshape, -5, npt)), tf.constant(np.full(rshape, 5, npt))
    call = lambda: tf.raw_ops.QuantizeAndDequantizeV4(input=x, input_min=lo, input_max=hi, range_given=given,
                                                      axis=1 if per_channel else -1)
    call()
    reps = max(1, min(200, int(2e8 // max(n, 1))))
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(reps):
            call()
        times.append((time.perf_counter() - t0) / reps)
    return statistics.median(times)


def ours_seconds(qdq, name, size):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([qdq, "bench", "--max-bytes", str(size), "--benchmark_min_time=0.3",
                        "--benchmark_filter=^%s/%d/real_time$" % (name, size), "--benchmark_out=" + out.name,
                        "--benchmark_out_format=json"], check=True, capture_output=True)
        runs = json.load(open(out.name))["benchmarks"]
    run = [b for b in runs if b.get("run_type", "iteration") == "iteration"][0]
    return run["real_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[run["time_unit"]]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("qdq", help="the qdq binary (build/bin/qdq)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--max-bytes", type=int, default=1 << 27)
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    print("TensorFlow %s, %d threads" % (tf.__version__, args.threads))
    print("%-46s %12s %12s %10s" % ("case", "ours (s)", "TF (s)", "ours/TF speed"))
    results = []
    for dtype in ("float32", "float64"):
        for layout in ("per-tensor", "per-channel"):
            for rng in ("given", "measured"):
                if layout == "per-channel" and rng == "given":
                    continue  # rejected by TF 2.21
                for size in SIZES:
                    if size > args.max_bytes:
                        continue
                    name = "qdq/%s/%s/%s" % (dtype, layout, rng)
                    ours = ours_seconds(args.qdq, name, size)
                    n = size // (4 if dtype == "float32" else 8)
                    theirs = tf_seconds(dtype, n, layout == "per-channel", rng == "given")
                    results.append({"case": "%s/%d" % (name, size), "ours_s": ours, "tf_s": theirs})
                    print("%-46s %12.3e %12.3e %9.2fx" % ("%s/%d" % (name, size), ours, theirs, theirs / ours))
                    sys.stdout.flush()
    if args.json:
        json.dump(results, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
