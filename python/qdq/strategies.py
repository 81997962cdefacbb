"""Hypothesis strategies for the op's cases, with the harness's own distributions (the RapidCheck
generators of fuzz/generators.cc, docs/fuzzing.md), so that a property test written with them
shrinks a failure to a small case:

    from hypothesis import given
    import qdq, qdq.strategies

    @given(qdq.strategies.cases(profile="tf-cpu", dtype="float32"))
    def test_my_kernel(case):
        qdq.judge(my_kernel, case)   # or case.check(my_kernel(...)), handling rejections

Values are drawn as bit patterns by class (zero, a point of the quantization grid, a tie between two
grid points or one ULP beside it, a magnitude near the range, subnormal, smallest and largest
normal, infinity, NaN with a payload, any bits) with a sign; ranges by kind (ordered, one-sided,
zero-width, inverted, infinite, NaN, subnormal, both zero); shapes of rank 0 to 5 with zero-sized
dimensions; every attribute over its valid range. Hypothesis shrinks toward the first class of each
list (a zero, an ordered range, fewer and smaller dimensions, fewer bits).
Needs Hypothesis (pip install hypothesis)."""

import numpy as np

try:
    from hypothesis import strategies as st
except ImportError as e:  # the package itself does not need Hypothesis; this module does
    raise ImportError("qdq.strategies needs Hypothesis: pip install hypothesis") from e

from . import _qdq
from ._arrays import numpy_dtype
from ._case import Case

_PRECISION = {"bfloat16": 8, "float16": 11, "float32": 24, "float64": 53}
_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}


class _Format:
    def __init__(self, dtype):
        if dtype not in _PRECISION:
            raise ValueError(f"dtype: unknown dtype {dtype!r} (bfloat16, float16, float32, float64)")
        self.dtype = dtype
        self.np = numpy_dtype(dtype)
        self.width = self.np.itemsize * 8
        p = _PRECISION[dtype]
        self.frac_mask = (1 << (p - 1)) - 1
        self.sign = 1 << (self.width - 1)
        self.exp_mask = self.sign - 1 - self.frac_mask
        self.p = p
        self.emax = (1 << (self.width - p - 1)) - 1

    def bits(self, value):
        """The bits of the value nearest to a float (numpy's and ml_dtypes' rounding, from float64)."""
        return int(np.array([value], np.float64).astype(self.np).view(_UINT[self.np.itemsize])[0])

    def value(self, bits):
        return np.array([bits], _UINT[self.np.itemsize]).view(self.np)[0]

    def step_ulps(self, bits, ulps):
        """bits moved by `ulps` steps of magnitude, staying within its sign's finite and infinite patterns."""
        sign, mag = bits & self.sign, bits & ~self.sign
        moved = mag + ulps
        return bits if moved < 0 or moved > self.exp_mask else sign | moved


# (weight, class), in the order Hypothesis shrinks toward: the simplest first.
_VALUE_CLASSES = [(2, "zero"), (5, "grid"), (5, "tie"), (4, "near-range"), (2, "subnormal"), (1, "smallest-normal"),
                  (1, "largest"), (1, "infinity"), (1, "nan"), (1, "any-bits")]


def _weighted(classes):
    table = [name for weight, name in classes for _ in range(weight)]
    return st.integers(0, len(table) - 1).map(table.__getitem__)


@st.composite
def _value_bits(draw, f, step, span):
    cls = draw(_weighted(_VALUE_CLASSES))
    sign = f.sign if draw(st.booleans()) else 0
    if cls == "zero":
        return sign
    if cls in ("grid", "tie"):
        k = draw(st.integers(-span, span))
        v = step * k + (step / 2 if cls == "tie" else 0)
        return f.step_ulps(f.bits(v), draw(st.sampled_from([0, 0, -1, 1])))
    if cls == "near-range":
        top = max(step * span, 1e-30)
        e = int(np.floor(np.log2(top))) + draw(st.integers(-12, 2))
        biased = min(max(e + f.emax, 1), 2 * f.emax)
        return sign | (biased << (f.p - 1)) | draw(st.integers(0, f.frac_mask))
    if cls == "subnormal":
        return sign | draw(st.integers(1, f.frac_mask))
    if cls == "smallest-normal":
        return sign | (f.frac_mask + 1 + draw(st.integers(0, 3)))
    if cls == "largest":
        return sign | (f.exp_mask - 1 - draw(st.integers(0, 3)))
    if cls == "infinity":
        return sign | f.exp_mask
    if cls == "nan":
        return sign | f.exp_mask | draw(st.integers(1, f.frac_mask))
    return draw(st.integers(0, (1 << f.width) - 1))


def values(dtype="float32", step=1 / 64, span=128):
    """Values of `dtype` (numpy scalars; bfloat16 as ml_dtypes.bfloat16) by class, aimed at the grid
    k * step for integers k in [-span, span]."""
    f = _Format(dtype)
    if not (step > 0 and np.isfinite(step)) or not isinstance(span, int) or span < 0:
        raise ValueError(f"values: step must be a positive finite number and span a non-negative int, got {step!r}, {span!r}")
    return _value_bits(f, step, span).map(f.value)


def _magnitude(draw):
    return 2.0 ** draw(st.integers(-8, 8)) * (8 + draw(st.integers(0, 7))) / 8


_RANGE_KINDS = [(8, "ordered"), (2, "positive"), (2, "negative"), (1, "zero-width"), (1, "inverted"), (1, "infinite"),
                (1, "nan"), (1, "subnormal"), (1, "both-zero")]


@st.composite
def _range_bits(draw, f):
    """(input_min, input_max) of one channel, as bits."""
    kind = draw(_weighted(_RANGE_KINDS))
    neg, inf = f.sign, f.exp_mask
    some_zero = lambda: neg if draw(st.booleans()) else 0  # noqa: E731
    if kind == "ordered":
        return f.bits(-_magnitude(draw)), f.bits(_magnitude(draw))
    if kind == "positive":
        hi = _magnitude(draw)
        return (some_zero() if draw(st.booleans()) else f.bits(hi / 4)), f.bits(hi)
    if kind == "negative":
        lo = -_magnitude(draw)
        return f.bits(lo), (some_zero() if draw(st.booleans()) else f.bits(lo / 4))
    if kind == "zero-width":
        v = f.bits(_magnitude(draw) * (1 if draw(st.booleans()) else -1))
        return v, v
    if kind == "inverted":
        return f.bits(_magnitude(draw)), f.bits(-_magnitude(draw))
    if kind == "infinite":
        which = draw(st.integers(0, 2))
        return [(neg | inf, f.bits(_magnitude(draw))), (f.bits(-_magnitude(draw)), inf), (neg | inf, inf)][which]
    if kind == "nan":
        nan = inf | (1 << (f.p - 2))
        return (nan, f.bits(_magnitude(draw))) if draw(st.booleans()) else (f.bits(-_magnitude(draw)), nan)
    if kind == "subnormal":
        return neg | 1, (3 if draw(st.booleans()) else f.bits(_magnitude(draw)))
    return some_zero(), 0


@st.composite
def _shape(draw, min_rank, max_rank, max_elements):
    rank = draw(st.integers(min_rank, max_rank))
    dims = [draw(_weighted([(3, "1"), (6, "2-5"), (1, "0"), (2, "6-40")]).flatmap(
        lambda k: {"1": st.just(1), "2-5": st.integers(2, 5), "0": st.just(0), "6-40": st.integers(6, 40)}[k]))
        for _ in range(rank)]
    while np.prod(dims, dtype=np.int64) > max_elements:  # the largest dimension halved until small enough
        i = int(np.argmax(dims))
        dims[i] = max(1, dims[i] // 2)
    return tuple(dims)


def _num_bits_strategy(signed, low, high):
    top = 61 if signed else 62
    parts = [(2, 8), (9, 16), (1, 1), (17, top)]
    pieces = [st.integers(max(a, low), min(b, high)) for a, b in parts if max(a, low) <= min(b, high)]
    return st.one_of(pieces) if pieces else None


def cases(profile="tf-cpu", dtype="float32", op=None, per_channel=None, range_given=None, num_bits=(1, 62),
          max_elements=96, max_rank=5):
    """qdq.Case objects of `profile` and `dtype` with the harness's distributions. op: "forward",
    "gradient" or None (both, forward six times as often); per_channel, range_given: True, False or
    None (either); num_bits: (low, high) bounds (1 to 61 for signed input, 62 unsigned);
    max_elements, max_rank: the input's size. The expected answer is the reference's under the
    profile (or TF's rejection). Raises ValueError at once for bounds no case can meet."""
    # Checked here, not while drawing, so that a mistake is named before any test runs.
    profile = _qdq.canonical_profile(profile)  # ValueError naming the profiles for an unknown one
    f = _Format(dtype)
    if op not in (None, "forward", "gradient"):
        raise ValueError(f"op: expected 'forward', 'gradient' or None, got {op!r}")
    for name, v in (("per_channel", per_channel), ("range_given", range_given)):
        if v not in (None, True, False):
            raise ValueError(f"{name}: expected True, False or None, got {v!r}")
    if not isinstance(max_rank, int) or not 0 <= max_rank <= 5:
        raise ValueError(f"max_rank: expected an int from 0 to 5, got {max_rank!r}")
    if not isinstance(max_elements, int) or max_elements < 1:
        raise ValueError(f"max_elements: expected an int of at least 1, got {max_elements!r}")
    if per_channel and max_rank < 1:
        raise ValueError("per_channel=True needs max_rank >= 1 (an axis to quantize along)")
    try:
        low, high = (int(b) for b in num_bits)
    except (TypeError, ValueError):
        raise ValueError(f"num_bits: expected (low, high), got {num_bits!r}") from None
    if _num_bits_strategy(True, low, high) is None and _num_bits_strategy(False, low, high) is None:
        raise ValueError(f"num_bits: no valid number of bits in [{low}, {high}] (1 to 61 signed, 62 unsigned)")

    @st.composite
    def draw_case(draw):
        gradient = op == "gradient" or (op is None and draw(st.integers(0, 6)) == 6)
        shape = draw(_shape(1 if per_channel else 0, max_rank, max_elements))
        rank = len(shape)
        want_axis = per_channel if per_channel is not None else (rank > 0 and draw(st.booleans()))
        axis = draw(st.integers(0, rank - 1)) if want_axis and rank > 0 else -1
        signed_options = [s for s in (True, False) if _num_bits_strategy(s, low, high) is not None]
        signed = draw(st.sampled_from(signed_options))
        bits = draw(_num_bits_strategy(signed, low, high))
        given = range_given if range_given is not None else draw(st.booleans())
        round_mode = draw(st.sampled_from(["HALF_TO_EVEN", "HALF_UP"]))
        narrow = draw(st.integers(0, 2)) == 2
        channels = shape[axis] if axis >= 0 else 1
        ranges = [draw(_range_bits(f)) for _ in range(max(channels, 1))]
        range_shape = (channels,) if axis >= 0 else ()
        n = int(np.prod(range_shape, dtype=np.int64))
        lo = np.array([ranges[k % len(ranges)][0] for k in range(n)], _UINT[f.np.itemsize]).view(f.np).reshape(range_shape)
        hi = np.array([ranges[k % len(ranges)][1] for k in range(n)], _UINT[f.np.itemsize]).view(f.np).reshape(range_shape)
        # Values aimed at the grid of the first channel's range, where that is an ordinary one.
        step, span = 1 / 64, 128
        top = max(abs(float(f.value(ranges[0][0]))), abs(float(f.value(ranges[0][1]))))
        if np.isfinite(top) and top > 0:
            levels = 1 << min(bits - (1 if signed else 0), 20)
            step, span = top / levels, levels + 2
        count = int(np.prod(shape, dtype=np.int64))
        x = np.array(draw(st.lists(_value_bits(f, step, span), min_size=count, max_size=count)),
                     _UINT[f.np.itemsize]).view(f.np).reshape(shape)
        attrs = dict(signed_input=signed, num_bits=bits, range_given=given, round_mode=round_mode,
                     narrow_range=narrow, axis=axis)
        if not gradient:
            return Case.from_arrays(op="forward", profile=profile, input=x, input_min=lo, input_max=hi, id="hypothesis",
                                    **attrs)
        g = np.array(draw(st.lists(_value_bits(f, 1 / 4, 16), min_size=count, max_size=count)),
                     _UINT[f.np.itemsize]).view(f.np).reshape(shape)
        return Case.from_arrays(op="gradient", profile=profile, input=x, input_min=lo, input_max=hi, gradients=g,
                                id="hypothesis", axis=axis)

    return draw_case()
