#!/usr/bin/env python3
"""Times TensorFlow 2.21 on the CPU (the oracle's venv) on the shapes `qdq bench` uses, with the same number
of threads, and prints our/TF speed ratios. float32/float64: its CPU kernel (eager
tf.raw_ops.QuantizeAndDequantizeV4), against our tf-cpu profile. bfloat16/float16, which that kernel lacks: the
op compiled by XLA (tf.function(jit_compile=True)), against our tf-xla profile, whose semantics are XLA's.
For each case it runs `qdq bench` on that one case right before timing TF (tools/bench_pairs.py), so both are
measured in the same minute of a shared machine.

  $(tools/tf_oracle/setup.sh) tools/bench_tf.py build/bin/qdq [--threads N] [--max-bytes N] [--json OUT]

Shapes (as in tools/qdq/bench_cases.h): per-tensor [n]; per-channel [max(1, n / (256 * 64)), 256, 64], axis 1
(so never below 256 x 64 elements), range [-5, 5]. TF 2.21's kernel rejects per-channel given ranges, so those
float32/float64 cases have no TF time (XLA takes them). Time per TF call is the median of five timed batches
after a warm-up (the XLA compilation happens in the warm-up).
"""
import argparse
import json
import os
import sys

from bench_pairs import CHANNELS, cases, inputs, median_seconds, ours_seconds, shape_of

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

XLA_DTYPES = ("bfloat16", "float16")  # timed through XLA: TF's CPU kernel has none


def tf_seconds(dtype, size, per_channel, given):
    shape = shape_of(dtype, size, per_channel)
    tdt = getattr(tf, dtype)
    x = tf.constant(inputs(shape), dtype=tf.float64)
    x = tf.cast(x, tdt)
    rshape = [CHANNELS] if per_channel else []
    lo, hi = tf.cast(tf.fill(rshape, -5.0), tdt), tf.cast(tf.fill(rshape, 5.0), tdt)

    def op(x, lo, hi):
        return tf.raw_ops.QuantizeAndDequantizeV4(input=x, input_min=lo, input_max=hi, range_given=given,
                                                  axis=1 if per_channel else -1)

    if dtype in XLA_DTYPES:
        compiled = tf.function(op, jit_compile=True)
        call = lambda: compiled(x, lo, hi)  # noqa: E731
    else:
        call = lambda: op(x, lo, hi)  # noqa: E731
    return median_seconds(call, int(np.prod(shape)))


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
    # TF 2.21's kernel rejects per-channel given ranges (XLA takes them)
    skip = lambda dtype, layout, rng: dtype not in XLA_DTYPES and layout == "per-channel" and rng == "given"  # noqa: E731
    for name, size in cases(("float32", "float64") + XLA_DTYPES, args.max_bytes, skip):
        _, dtype, layout, rng = name.split("/")
        ours = ours_seconds(args.qdq, name, size)
        theirs = tf_seconds(dtype, size, layout == "per-channel", rng == "given")
        kernel = "xla" if dtype in XLA_DTYPES else "cpu kernel"
        results.append({"case": "%s/%d" % (name, size), "ours_s": ours, "tf_s": theirs, "tf": kernel})
        print("%-46s %12.3e %12.3e %9.2fx  (%s)" % ("%s/%d" % (name, size), ours, theirs, theirs / ours, kernel))
        sys.stdout.flush()
    if args.json:
        json.dump(results, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
