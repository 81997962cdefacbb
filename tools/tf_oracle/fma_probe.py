#!/usr/bin/env python3
"""Shows, element by element, whether XLA on this CPU computes HALF_UP's v*scale + 0.5 as one fused multiply-add.

  fma_probe.py --dtype float32 --shape 4x4 --axis 0 [--given] [--num-bits 26]   one case, a class per element
  fma_probe.py --sweep [--dtype float64]                                          a summary line per shape and axis

Run it in the oracle's venv: $(tools/tf_oracle/setup.sh) tools/tf_oracle/fma_probe.py ... (XLA_FLAGS such as
--xla_cpu_max_isa=AVX2 change the code XLA generates, and so the answer). Each channel gets the signed range
[-R, R] (R from a short list, given or placed in the channel so the measured range is the same); every other element
is chosen so that the fused and the separate results differ, using tf-xla's arithmetic (Q folded in T, scale = Q / R,
inv = R * fl(1/Q)). TF's output then names its class: F (fused), U (separate, two roundings), N (neither, which
would mean the model above is wrong), . (an element placed to fix the measured range). docs/tf-behaviour.md has
what it found.
"""
import argparse
import os
import random
from fractions import Fraction

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

FORMATS = {"float32": (np.float32, 24), "float64": (np.float64, 53)}
RANGES = [786432.0, 1048578.0, 917504.0, 655360.0]


def rne(x, p):
    """x rounded to p significant bits, ties to even (normal numbers only; enough here)."""
    if x == 0:
        return Fraction(0)
    sign, a = (-1 if x < 0 else 1), abs(x)
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1
    unit = Fraction(2) ** (e - p + 1)
    n, rem = divmod(a, unit)
    n = int(n)
    if rem > unit / 2 or (rem == unit / 2 and n % 2):
        n += 1
    return sign * n * unit


def floor(x):
    return x.numerator // x.denominator


class Channel:
    """tf-xla's parameters for the range [-r, r] and a pool of values whose two HALF_UP results differ."""

    def __init__(self, dtype, r, num_bits, rng):
        kind, p = FORMATS[dtype]
        self.kind, self.r = kind, Fraction(r)
        qmax = rne(Fraction(2) ** (num_bits - 1) - 1, p)
        self.scale = rne(qmax / self.r, p)  # the max side wins: |Qmin| > Qmax
        self.inv = rne(self.r * rne(1 / qmax, p), p)
        self.lo = rne(-(Fraction(2) ** (num_bits - 1)) * self.inv, p)
        self.pool = []
        for _ in range(20000):
            if len(self.pool) >= 256:
                break
            k = rng.randrange(-floor(self.r * self.scale), floor(self.r * self.scale))
            v = kind(float((k + Fraction(1, 2)) / self.scale))
            for _ in range(rng.randint(0, 3)):
                v = np.nextafter(v, kind(np.inf) if rng.random() < 0.5 else kind(-np.inf))
            fused, separate = self.results(Fraction(float(v)), p)
            if fused != separate:
                self.pool.append((v, kind(float(fused)), kind(float(separate))))

    def results(self, v, p):
        v = min(max(v, self.lo), self.r)
        product = v * self.scale
        fused = rne(floor(rne(product + Fraction(1, 2), p)) * self.inv, p)
        separate = rne(floor(rne(rne(product, p) + Fraction(1, 2), p)) * self.inv, p)
        return fused, separate


def probe(dtype, shape, axis, given, num_bits, seed=1):
    kind, _ = FORMATS[dtype]
    rng = random.Random(seed)
    channels = shape[axis] if axis >= 0 else 1
    params = [Channel(dtype, RANGES[c % len(RANGES)], num_bits, random.Random(c)) for c in range(channels)]
    x = np.zeros(shape, kind)
    expect = np.zeros(shape + [2], kind)
    placed = np.zeros(shape, bool)
    view = np.moveaxis(x, axis, 0) if axis >= 0 else x[None]
    expect_view = np.moveaxis(expect, axis, 0) if axis >= 0 else expect[None]
    placed_view = np.moveaxis(placed, axis, 0) if axis >= 0 else placed[None]
    for c, ch in enumerate(params):
        for index in np.ndindex(view[c].shape):
            v, fused, separate = ch.pool[rng.randrange(len(ch.pool))]
            view[c][index], expect_view[c][index] = v, (fused, separate)
        if not given:  # both ends of the range in the channel, so the measured range is [-r, r]
            for j, index in enumerate(list(np.ndindex(view[c].shape))[:2]):
                view[c][index] = kind(float(ch.r if j == 0 else -ch.r))
                placed_view[c][index] = True
    lo = np.array([-RANGES[c % len(RANGES)] for c in range(channels)], kind)
    hi = -lo
    if axis < 0:
        lo, hi = lo[0], hi[0]
    f = tf.function(lambda a, b, c: tf.raw_ops.QuantizeAndDequantizeV4(
        input=a, input_min=b, input_max=c, signed_input=True, num_bits=num_bits, range_given=given,
        round_mode="HALF_UP", narrow_range=False, axis=axis), jit_compile=True)
    y = f(tf.constant(x), tf.constant(lo), tf.constant(hi)).numpy()
    cls = np.full(shape, "N")
    cls[y == expect[..., 0]] = "F"
    cls[y == expect[..., 1]] = "U"
    cls[placed] = "."
    return cls


def summary(cls):
    counts = {k: int((cls == k).sum()) for k in "FUN"}
    last = cls.reshape(-1, cls.shape[-1]) if cls.ndim else cls.reshape(1, 1)
    by_inner = " ".join("".join(sorted(set(last[:, j]) - {"."})) or "-" for j in range(min(last.shape[1], 8)))
    return "F %(F)d U %(U)d N %(N)d" % counts + "  by innermost index: " + by_inner


SWEEP = ([[n] for n in (1, 4, 5, 8, 16, 17, 64, 100, 1000)] + [[m, n] for m in (2, 4, 8, 16) for n in (3, 4, 5, 8)] +
         [[2, 3, 4], [4, 4, 4], [2, 16, 3], [2, 3, 4, 5], [3, 8, 8, 3], [1, 2, 3, 4, 5]])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dtype", choices=sorted(FORMATS), default="float32")
    ap.add_argument("--shape", default="4x4", help="dims joined by x, e.g. 2x3x4")
    ap.add_argument("--axis", type=int, default=0, help="-1: per tensor")
    ap.add_argument("--given", action="store_true", help="range_given (default: measured)")
    ap.add_argument("--num-bits", type=int, help="default: p + 2 (26 for float32, 55 for float64)")
    ap.add_argument("--sweep", action="store_true", help="every axis of a list of shapes, given and measured")
    args = ap.parse_args()
    num_bits = args.num_bits or FORMATS[args.dtype][1] + 2
    print("tf %s, XLA_FLAGS=%s, %s, num_bits %d" % (tf.__version__, os.environ.get("XLA_FLAGS", ""), args.dtype, num_bits))
    if not args.sweep:
        shape = [int(d) for d in args.shape.split("x")]
        cls = probe(args.dtype, shape, args.axis, args.given, num_bits)
        print(summary(cls))
        print(cls)
        return
    for shape in SWEEP:
        for axis in range(-1, len(shape)):
            for given in (True, False):
                cls = probe(args.dtype, shape, axis, given, num_bits)
                print("%-16s axis %2d %-8s %s" % ("x".join(map(str, shape)), axis, "given" if given else "measured",
                                                  summary(cls)))


if __name__ == "__main__":
    main()
