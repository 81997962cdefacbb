#!/usr/bin/env python3
"""Times TensorFlow 2.21's CPU kernel (eager tf.raw_ops.QuantizeAndDequantizeV4, the oracle's venv)
on the shapes `qdq bench` uses, with the same number of threads, and prints our/TF ratios.

  build/bin/qdq bench --benchmark_out=ours.json --benchmark_out_format=json
  $(tools/tf_oracle/setup.sh) tools/bench_tf.py ours.json [--threads N] [--max-bytes N]

Shapes (as in tools/qdq/bench_command.cc): per-tensor [n]; per-channel [max(1, n / (256 * 64)), 256, 64], axis 1
(so never below 256 x 64 elements),
range [-5, 5]. TF 2.21 rejects per-channel given ranges and has no bfloat16/float16 kernel, so those rows have
no TF time. Time per call is the
median of several timed batches after a warm-up; bytes are those the op must move (2 or 3 per element).
"""
import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

CHANNELS = 256


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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ours", help="qdq bench --benchmark_out JSON")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--max-bytes", type=int, default=1 << 30)
    args = ap.parse_args()
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    ours = {}
    for b in json.load(open(args.ours))["benchmarks"]:
        name = b["name"].replace("/real_time", "")
        if name.startswith("qdq/") and b.get("run_type", "iteration") == "iteration":
            ours[name] = b["real_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
    print("TensorFlow %s, %d threads" % (tf.__version__, args.threads))
    print("%-46s %12s %12s %10s" % ("case", "ours (s)", "TF (s)", "ours/TF speed"))
    for name in sorted(ours, key=lambda s: (s.rsplit("/", 1)[0], int(s.rsplit("/", 1)[1]))):
        _, dtype, layout, rng, size = name.split("/")
        size = int(size)
        if size > args.max_bytes:
            continue
        per_channel, given = layout == "per-channel", rng == "given"
        if dtype not in ("float32", "float64"):
            print("%-46s %12.3e %12s %10s" % (name, ours[name], "no kernel", "-"))
            continue
        n = size // (4 if dtype == "float32" else 8)
        if per_channel and given:
            print("%-46s %12.3e %12s %10s" % (name, ours[name], "rejected", "-"))
            continue
        t = tf_seconds(dtype, n, per_channel, given)
        print("%-46s %12.3e %12.3e %9.2fx" % (name, ours[name], t, t / ours[name]))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
