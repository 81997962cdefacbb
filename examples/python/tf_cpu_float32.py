"""TensorFlow's CPU kernel of QuantizeAndDequantizeV4 (and V4Grad) for float32, ported to numpy:
what a kernel under test looks like from Python. test_tf_cpu_float32.py checks it with qdq.

TF's CPU threads run with x86's flush-to-zero (FTZ) and denormals-are-zero (DAZ) set, which numpy
does not do, so each float32 operation is computed here in float64 (exact for a product; rounded
once to float32 afterwards, which is correct for +, *, / of float32 values) and then flushed:
a result below the smallest normal once rounded to 24 bits becomes a zero of its sign (FTZ), and a
subnormal operand is read as a zero of its sign (DAZ).
"""

import numpy as np

_TINY = np.float32(2.0**-126)  # the smallest normal float32


def daz(x):
    """Subnormal operands read as zeros of their sign."""
    x = np.asarray(x, dtype=np.float32)
    return np.where(np.abs(x) < _TINY, np.copysign(np.float32(0), x), x)


def ftz(r):
    """A float64 result of one float32 operation, rounded to float32 with flush to zero: tiny when
    it rounds below 2^-126 at 24 bits with the exponent unbounded (scaled by 2^100 to see that)."""
    r = np.asarray(r, dtype=np.float64)
    with np.errstate(over="ignore"):  # overflow to infinity is IEEE's answer, as on TF's CPU
        y = r.astype(np.float32)
        tiny = np.abs((r * 2.0**100).astype(np.float32)) < np.float32(2.0**-26)
    return np.where(tiny, np.copysign(np.float32(0), r).astype(np.float32), y)


# IEEE's answers (inf, NaN) are wanted here, without numpy's warnings about them.
def mul(a, b):
    with np.errstate(all="ignore"):
        return ftz(daz(a).astype(np.float64) * daz(b).astype(np.float64))


def add(a, b):
    with np.errstate(all="ignore"):
        return ftz(daz(a).astype(np.float64) + daz(b).astype(np.float64))


def div(a, b):
    with np.errstate(all="ignore"):
        return ftz(daz(a).astype(np.float64) / daz(b).astype(np.float64))


class Rejected(Exception):
    """TF's rejection of a call: code ("InvalidArgument") and message."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


def _invalid(message):
    return Rejected("InvalidArgument", message)


def _int32(v):
    return -(2**31) <= v < 2**31


def _g6(v):
    """A float as TF prints it in messages: %.6g, and nan whatever its sign."""
    v = float(daz(v))
    return "nan" if np.isnan(v) else "%.6g" % v


_ROUND_MODE_MESSAGE = (
    "Value for attr 'round_mode' of \"{}\" is not in the list of allowed values: \"HALF_TO_EVEN\", \"HALF_UP\"\n\t; "
    "NodeDef: {{{{node QuantizeAndDequantizeV4}}}}; Op<name=QuantizeAndDequantizeV4; signature=input:T, input_min:T, "
    "input_max:T -> output:T; attr=signed_input:bool,default=true; attr=num_bits:int,default=8; "
    "attr=range_given:bool,default=false; attr=T:type,allowed=[DT_BFLOAT16, DT_HALF, DT_FLOAT, DT_DOUBLE]; "
    "attr=round_mode:string,default=\"HALF_TO_EVEN\",allowed=[\"HALF_TO_EVEN\", \"HALF_UP\"]; "
    "attr=narrow_range:bool,default=false; attr=axis:int,default=-1>")


def _check_forward(x, lo, hi, signed_input, num_bits, range_given, round_mode, narrow_range, axis):
    if round_mode not in ("HALF_TO_EVEN", "HALF_UP"):
        raise _invalid(_ROUND_MODE_MESSAGE.format(round_mode))
    if not _int32(axis):
        raise _invalid(f"Attr axis has value {axis} out of range for an int32")
    if not _int32(num_bits):
        raise _invalid(f"Attr num_bits has value {num_bits} out of range for an int32")
    if num_bits <= 0 or num_bits >= (62 if signed_input else 63):
        raise _invalid(f"num_bits is out of range: {num_bits} with signed_input_ {int(signed_input)}")
    if axis < -1:
        raise _invalid(f"Axis must be at least -1. Found {axis}")
    if axis != -1 and axis >= x.ndim:
        wrapped = (axis + 1 + 2**31) % 2**32 - 2**31  # TF keeps axis in an int
        raise _invalid(f"Shape must be at least rank {wrapped} but is rank {x.ndim}")
    if not range_given:
        return
    if lo.ndim != 0:
        raise _invalid("input_min must be a scalar.")
    if hi.ndim != 0:
        raise _invalid("input_max must be a scalar.")
    if axis != -1:
        raise _invalid("Shape must be rank 1 for input_min_tensor when the axis is specified")
    if not daz(lo) <= daz(hi):
        raise _invalid(f"Invalid range: input_min {_g6(lo)} > input_max {_g6(hi)}")


def _first_extreme(values, pick):
    """min or max as a loop `if x < lo: lo = x` finds it: the first of the equal extremes (so the
    first zero's sign wins among -0 and +0)."""
    target = pick(values)
    return values[np.argmax(values == target)]


def quantize_and_dequantize(x, input_min, input_max, signed_input=True, num_bits=8, range_given=False,
                            round_mode="HALF_TO_EVEN", narrow_range=False, axis=-1, half_to_even=np.rint):
    """The forward op on float32 arrays; raises Rejected as TF would."""
    x, lo_in, hi_in = (np.asarray(a, dtype=np.float32) for a in (x, input_min, input_max))
    _check_forward(x, lo_in, hi_in, signed_input, num_bits, range_given, round_mode, narrow_range, axis)
    qlo = (-(1 << (num_bits - 1)) + (1 if narrow_range else 0)) if signed_input else 0
    qhi = ((1 << (num_bits - 1)) - 1) if signed_input else (1 << num_bits) - 1
    qmin, qmax = np.float32(qlo), np.float32(qhi)  # one rounding each, to nearest
    # As [outer, channels, inner]; per tensor, one channel of everything.
    if axis == -1:
        outer, channels, inner = 1, 1, x.size
    else:
        outer, channels, inner = int(np.prod(x.shape[:axis])), x.shape[axis], int(np.prod(x.shape[axis + 1:]))
    view = x.reshape(outer, channels, inner)
    out = np.empty_like(view)
    for ch in range(channels):
        v = view[:, ch, :].ravel()
        if range_given:
            lo, hi = lo_in, hi_in
        else:  # the channel's range, NaN skipped (what TF does with NaN here is not defined)
            finite = daz(v[~np.isnan(v)])
            lo = _first_extreme(finite, np.min) if finite.size else np.float32(np.inf)
            hi = _first_extreme(finite, np.max) if finite.size else np.float32(-np.inf)
        s_lo = div(qmin, lo) if mul(qmin, lo) > 0 else np.float32(np.finfo(np.float32).max)
        s_hi = div(qmax, hi) if mul(qmax, hi) > 0 else np.float32(np.finfo(np.float32).max)
        if s_lo < s_hi:
            scale, inv = s_lo, div(lo, qmin)
            clamp_lo, clamp_hi = lo, mul(qmax, inv)
        else:
            scale, inv = s_hi, div(hi, qmax)
            clamp_lo, clamp_hi = mul(qmin, inv), hi
        if range_given:  # std::max(std::min(v, hi'), lo'): comparisons under DAZ, a NaN stays
            m = np.where(daz(clamp_hi) < daz(v), clamp_hi, v)
            v = np.where(daz(m) < daz(clamp_lo), clamp_lo, m)
        s = mul(v, scale)
        r = np.floor(add(s, np.float32(0.5))) if round_mode == "HALF_UP" else half_to_even(s)
        out[:, ch, :] = mul(r, inv).reshape(out[:, ch, :].shape)
    return out.reshape(x.shape)


def _check_gradient(g, x, lo, hi, axis):
    if not _int32(axis):
        raise _invalid(f"Attr axis has value {axis} out of range for an int32")
    if axis < -1:
        raise _invalid(f"Axis must be at least -1. Found {axis}")
    if axis != -1 and axis >= x.ndim:
        raise _invalid(f"Axis should be -1 or 0 or a positive value less than {x.ndim}but given axis value was {axis}")
    if g.shape != x.shape:
        raise _invalid("gradient and input must be the same size")
    for t, name in ((lo, "min"), (hi, "max")):
        if t.ndim > 1:
            raise _invalid(f"Input {name} tensor must have dimension 0 or 1. Received {t.ndim}.")
    if axis != -1:
        for t, name in ((lo, "min"), (hi, "max")):
            if t.ndim != 1:
                raise _invalid(f"Shape must be rank 1 for input_{name}_tensor when the axis is specified")
        for t, name in ((lo, "min"), (hi, "max")):
            if t.shape[0] != x.shape[axis]:
                raise _invalid(f"{name} has incorrect size, expected {x.shape[axis]} was {t.shape[0]}")
        return
    for t, name in ((lo, "min"), (hi, "max")):
        if t.ndim != 0:
            raise _invalid(f"input_{name} must be a scalar if axis is unspecified")


def quantize_and_dequantize_grad(gradients, x, input_min, input_max, axis=-1):
    """The gradient op: (input_backprop, input_min_backprop, input_max_backprop); raises Rejected."""
    g, x, lo, hi = (np.asarray(a, dtype=np.float32) for a in (gradients, x, input_min, input_max))
    _check_gradient(g, x, lo, hi, axis)
    if axis == -1:
        lo_e, hi_e = lo, hi
    else:  # each element's channel bounds
        shape = [1] * x.ndim
        shape[axis] = x.shape[axis]
        lo_e, hi_e = lo.reshape(shape), hi.reshape(shape)
    inside = (daz(lo_e) <= daz(x)) & (daz(x) <= daz(hi_e))
    with np.errstate(invalid="ignore"):
        dx = mul(g, np.where(inside, np.float32(1), np.float32(0)))
    return dx.astype(np.float32), np.zeros_like(lo), np.zeros_like(lo)
