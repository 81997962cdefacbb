#!/usr/bin/env python3
"""Asks real TensorFlow how QuantizeAndDequantizeV4/V4Grad reject bad calls, eagerly on TF's CPU
kernel, and prints each answer: the error class, TF's code and the message with Python's decorations
removed ("{{function_node ...}} " before it, " [Op:...] name: " after it). The harness's validation
(reference/contract/validate.cc) reproduces these; docs/tf-behaviour.md records them.
Run: $(tools/tf_oracle/setup.sh) tools/tf_oracle/probe_errors.py"""
import os
import re

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

F32, F16, BF16 = tf.float32, tf.float16, tf.bfloat16


def core_message(message):
    message = re.sub(r"^\{\{function_node [^}]*\}\} ", "", message)
    return re.sub(r" \[Op:[A-Za-z0-9]+\] name: $", "", message)


def ask(label, op, **kw):
    try:
        op(**kw)
        print("%-40s OK" % label)
    except tf.errors.OpError as e:
        print("%-40s %s (code %d): %r" % (label, type(e).__name__, e.error_code, core_message(e.message)))


def qdq(dtype=F32, shape=(2,), lo=0.0, hi=0.0, range_shape=(), **attrs):
    return dict(input=tf.zeros(shape, dtype), input_min=tf.fill(range_shape, tf.constant(lo, dtype)),
                input_max=tf.fill(range_shape, tf.constant(hi, dtype)), **attrs)


V4, GRAD = tf.raw_ops.QuantizeAndDequantizeV4, tf.raw_ops.QuantizeAndDequantizeV4Grad

if __name__ == "__main__":
    print("TensorFlow", tf.__version__)
    ask("per-channel range_given", V4, **qdq(shape=(2, 3), lo=-1.0, hi=1.0, range_shape=(2,), range_given=True, axis=0))
    ask("float16 kernel", V4, **qdq(F16, num_bits=3, axis=0, narrow_range=True, range_given=True,
                                   round_mode="HALF_UP", signed_input=False))
    ask("bfloat16 kernel", V4, **qdq(BF16))
    ask("float16 kernel, num_bits 0", V4, **qdq(F16, num_bits=0))
    ask("float16 kernel, bad round_mode", V4, **qdq(F16, round_mode="X"))
    ask("bad round_mode and num_bits 0", V4, **qdq(num_bits=0, round_mode="HALF_DOWN"))
    ask("num_bits 0", V4, **qdq(num_bits=0))
    ask("num_bits 2^31", V4, **qdq(num_bits=2 ** 31))
    ask("axis -2^31", V4, **qdq(axis=-2 ** 31))
    ask("axis 2^31-1", V4, **qdq(axis=2 ** 31 - 1))
    ask("invalid range 0.1234567 > -1e-7", V4, **qdq(lo=0.1234567, hi=-1e-7, range_given=True))
    ask("invalid range nan", V4, **qdq(lo=float("nan"), hi=1.0, range_given=True))
    ask("grad bfloat16 kernel", GRAD, gradients=tf.zeros([2], BF16), input=tf.zeros([2], BF16),
        input_min=tf.constant(0.0, BF16), input_max=tf.constant(0.0, BF16))
    ask("grad axis 5 on rank 1", GRAD, gradients=tf.zeros([2]), input=tf.zeros([2]),
        input_min=tf.constant(0.0), input_max=tf.constant(0.0), axis=5)
