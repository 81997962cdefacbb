#!/usr/bin/env python3
"""Times TensorFlow 2.21 on the CPU (the oracle's venv) on the shapes `qdq bench` uses, with the same number
of threads, and prints our/TF speed ratios. float32/float64: its CPU kernel (eager
tf.raw_ops.QuantizeAndDequantizeV4), against our tf-cpu profile. bfloat16/float16, which that kernel lacks: the
op compiled by XLA (tf.function(jit_compile=True)), against our tf-xla profile, whose semantics are XLA's.
For each case it runs `qdq bench` on that one case right before timing TF (tools/bench_pairs.py), so both are
measured in the same minute of a shared machine.

  $(tools/tf_oracle/setup.sh) tools/bench_tf.py build/bin/qdq [--threads N] [--max-bytes N] [--json OUT] [--channel-last] [--layout L ...]

Shapes (as in tools/qdq/bench_cases.h): per-tensor [n]; per-channel [max(1, n / (256 * 64)), 256, 64], axis 1
(so never below 256 x 64 elements); with --channel-last also [max(1, n / 256), 256] and [max(1, n / 4), 4], axis 1;
range [-5, 5]. TF 2.21's kernel rejects per-channel given ranges, so those
float32/float64 cases have no TF time (XLA takes them). Time per TF call is the median of five timed batches
after a warm-up (the XLA compilation happens in the warm-up).
"""
import os

from bench_pairs import arguments, channels_of, compare, inputs, median_seconds, shape_of

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

XLA_DTYPES = ("bfloat16", "float16")  # timed through XLA: TF's CPU kernel has none


def tf_seconds(dtype, size, layout, given):
    shape = shape_of(dtype, size, layout)
    per_channel = layout != "per-tensor"
    tdt = getattr(tf, dtype)
    x = tf.constant(inputs(shape), dtype=tf.float64)
    x = tf.cast(x, tdt)
    rshape = [channels_of(layout)] if per_channel else []
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
    args = arguments(__doc__)
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    print("TensorFlow %s, %d threads" % (tf.__version__, args.threads))
    # TF 2.21's kernel rejects per-channel given ranges (XLA takes them)
    skip = lambda dtype, layout, rng: dtype not in XLA_DTYPES and layout != "per-tensor" and rng == "given"  # noqa: E731
    compare(args, "TF", "tf_s", ("float32", "float64") + XLA_DTYPES, tf_seconds, skip,
            kind=lambda dtype: "xla" if dtype in XLA_DTYPES else "cpu kernel")

if __name__ == "__main__":
    main()
