"""Broken on purpose: tf_cpu_float32.py with HALF_TO_EVEN rounding ties away from zero (as C's
round() does), a common slip in ports. test_tf_cpu_float32.py shows how qdq reports it."""

import numpy as np

import tf_cpu_float32


def round_ties_away(s):
    return np.copysign(np.floor(np.abs(s) + np.float32(0.5)), s).astype(np.float32)


def quantize_and_dequantize(*args, **kwargs):
    return tf_cpu_float32.quantize_and_dequantize(*args, half_to_even=round_ties_away, **kwargs)
