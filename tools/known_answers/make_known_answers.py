#!/usr/bin/env python3
"""Writes conformance/known_answers/*.jsonl: TensorFlow's own test vectors for
QuantizeAndDequantizeV2/V3/V4/V4Grad as `qdq eval` cases with "expect", "match" and "source".

Inputs and expected values are built exactly as TF's tests build them:
  - tensorflow/core/kernels/quantize_and_dequantize_op_test.cc (float32, TF's CPU kernel: tf-cpu);
    ScalePerSliceAlongAxis draws indices with glibc rand_r(seed = 123), called here through ctypes,
    and multiplies in float32 (float * int, rounded once);
  - tensorflow/compiler/tests/unary_ops_test.py (XLA, every float type: tf-xla).
V3 tests appear as V4 cases with the same attributes (V3 always rounds HALF_TO_EVEN; its num_bits
input becomes the attribute). "match" is "bits" where TF's test asserts equality or the expected
values are exact dyadic numbers, else TF's own tolerance. Run: python3 tools/known_answers/make_known_answers.py [--check]
(--check: fail if the committed files differ from what this script makes; CI runs it).
"""
import ctypes
import json
import os
import sys
from fractions import Fraction

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "conformance", "known_answers")
KERNEL_TEST = "tensorflow/core/kernels/quantize_and_dequantize_op_test.cc"
XLA_TEST = "tensorflow/compiler/tests/unary_ops_test.py"

# precision, emin, emax, width
FORMATS = {"bfloat16": (8, -126, 127, 16), "float16": (11, -14, 15, 16),
           "float32": (24, -126, 127, 32), "float64": (53, -1022, 1023, 64)}


def to_bits(x, dtype):
    """Nearest value of dtype to the rational x (ties to even), as raw bits."""
    p, emin, emax, width = FORMATS[dtype]
    x = Fraction(x)
    sign = 1 << (width - 1) if x < 0 else 0
    m = abs(x)
    if m == 0:
        return sign
    e = m.numerator.bit_length() - m.denominator.bit_length()
    if Fraction(2) ** e > m:
        e -= 1
    qe = max(e, emin) - (p - 1)
    scaled = m / Fraction(2) ** qe
    n = scaled.numerator // scaled.denominator
    rem = scaled - n
    if rem > Fraction(1, 2) or (rem == Fraction(1, 2) and n % 2 == 1):
        n += 1
    if n >> p:
        n >>= 1
        qe += 1
    if n < (1 << (p - 1)):
        return sign | n
    exp = qe + p - 1
    if exp > emax:
        return sign | (((1 << (width - p)) - 1) << (p - 1))
    return sign | ((exp + emax) << (p - 1)) | (n - (1 << (p - 1)))


def from_bits(b, dtype):
    p, emin, emax, width = FORMATS[dtype]
    frac = b & ((1 << (p - 1)) - 1)
    biased = (b >> (p - 1)) & ((1 << (width - p)) - 1)
    v = Fraction(frac, 1 << (p - 1) - emin) if biased == 0 else \
        Fraction((1 << (p - 1)) | frac) * Fraction(2) ** (biased - emax - (p - 1))
    return -v if b >> (width - 1) else v


def hexs(bits, dtype):
    return "0x%0*x" % (FORMATS[dtype][3] // 4, bits)


def f32(x):
    """A C++ literal (double) or expression stored in a float."""
    return from_bits(to_bits(Fraction(x), "float32"), "float32")


def tensor(shape, values, dtype="float32"):
    return {"shape": list(shape), "data": [hexs(to_bits(v, dtype), dtype) for v in values]}


LIBC = ctypes.CDLL("libc.so.6")
LIBC.rand_r.argtypes = [ctypes.POINTER(ctypes.c_uint)]


def scale_per_slice_along_axis(dims, axis, data):
    """TF's ScalePerSliceAlongAxis<float>: data[rand_r(&seed) % n] * (slice + 1), in float32."""
    seed = ctypes.c_uint(123)
    size = 1
    for d in dims:
        size *= d
    minor = 1
    for d in dims[axis + 1:] if axis != -1 else []:
        minor *= d
    slices = 1 if axis == -1 else dims[axis]
    out = []
    for j in range(size):
        idx = LIBC.rand_r(ctypes.byref(seed)) % len(data)
        out.append(f32(f32(data[idx]) * ((j // minor) % slices + 1)))
    return out


def case(cid, profile, dtype, inp, attrs, expect, match, source, mn=None, mx=None):
    c = {"id": cid, "op": "forward", "profile": profile, "dtype": dtype, "input": inp, "attrs": attrs}
    if mn is not None:
        c["input_min"], c["input_max"] = mn, mx
    c.update({"expect": expect, "match": match, "source": source})
    return c


def kernel_cases():
    out = []
    near = "abs:1e-05"  # test::ExpectTensorNear<float>(expected, output, 1e-5)

    def simple(name, attrs, shape, x, lo, hi, y, match=near):
        out.append(case("tf-kernel/" + name, "tf-cpu", "float32", tensor(shape, map(f32, x)), attrs,
                        {"output": tensor(shape, map(f32, y))}, match, KERNEL_TEST + ": " + name,
                        tensor([], [f32(lo)]), tensor([], [f32(hi)])))

    s8 = {"signed_input": True, "num_bits": 8, "range_given": False}
    simple("Convert_scalar_tensor", s8, [1], [-3.5], 0, 0, [-3.5], "bits")   # ExpectTensorEqual
    simple("Convert_scalar_tensor_V3", s8, [1], [-3.5], 0, 0, [-3.5], "bits")
    x6 = [-1, -0.5, 0, 0.3, 0.8, 0.555]
    simple("Convert_1D_tensor_with_int8_V3", s8, [6], x6, 0, 0,
           [-1, -0.5, 0, Fraction(38, 128), Fraction(102, 128), Fraction(71, 128)])
    s4 = {"signed_input": True, "num_bits": 4, "range_given": False}
    x4 = [-1, -0.5, 0, 0.3125, 0.8, 0.555]
    simple("Convert_1D_tensor_with_int4", s4, [6], x4, 0, 0, [-1, -0.5, 0, 0.25, 0.75, 0.5])
    simple("Convert_1D_tensor_with_int4_round_half_up", dict(s4, round_mode="HALF_UP"), [6], x4, 0, 0,
           [-1, -0.5, 0, 0.375, 0.75, 0.5])
    simple("Convert_1D_tensor_with_int4_V3", s4, [6], x6, 0, 0, [-1, -0.5, 0, 0.25, 0.75, 0.5])
    rg8 = {"signed_input": True, "num_bits": 8, "range_given": True}
    x8 = [-0.8, -0.5, 0, 0.3, 0.8, 0.555, -2, 33]
    even = [Fraction(k, 127) for k in (-102, -64, 0, 38, 102, 70, -128)] + [1]
    up = [Fraction(k, 127) for k in (-102, -63, 0, 38, 102, 70, -128)] + [1]
    simple("Convert_2D_tensor_with_int8_range_given", rg8, [2, 4], x8, -1, 1, even)
    simple("Convert_2D_tensor_with_int8_range_given_round_half_up", dict(rg8, round_mode="HALF_UP"), [2, 4], x8, -1, 1, up)
    simple("Convert_2D_tensor_with_int8_range_given_V3", rg8, [2, 4], x8, -1, 1, even)
    u8 = {"signed_input": False, "num_bits": 8, "range_given": True}
    xu = [-0.5, 0, 0.3, 0.8]
    simple("Convert_4D_tensor_with_uint8_range_given", u8, [2, 2, 1, 1], xu, 0, 1, [0, 0, Fraction(76, 255), Fraction(204, 255)])
    simple("Convert_4D_tensor_with_uint8_range_given_round_half_up", dict(u8, round_mode="HALF_UP"), [2, 2, 1, 1], xu, 0, 1,
           [0, 0, Fraction(77, 255), Fraction(204, 255)])
    simple("Convert_4D_tensor_with_uint8_range_given_V3", u8, [2, 2, 1, 1], xu, 0, 1, [0, 0, Fraction(76, 255), Fraction(204, 255)])
    z = {"signed_input": False, "num_bits": 8, "range_given": False}
    simple("Convert_tensor_with_all_0", z, [2, 2, 1, 1], [0, 0, 0, 0], 0, 0, [0, 0, 0, 0])
    simple("Convert_tensor_with_all_0_V3", z, [2, 2, 1, 1], [0, 0, 0, 0], 0, 0, [0, 0, 0, 0])
    for name in ("Invalid_range_given", "Invalid_range_given_V3"):
        out.append(case("tf-kernel/" + name, "tf-cpu", "float32", tensor([2, 2, 1, 1], map(f32, xu)),
                        {"num_bits": 8, "range_given": True},
                        {"error": {"code": "InvalidArgument", "message": "Invalid range: input_min 1 > input_max 0"}},
                        "bits", KERNEL_TEST + ": " + name + " (TF checks that the status contains this message)",
                        tensor([], [1]), tensor([], [0])))

    data = [-1, -0.5, 0, 0.3, 0.8, 0.555, 0.50390625]
    per_slice = [
        ("Convert_4D_tensor_with_int8", [2, 3, 4, 5], {}, [-1, -0.5, 0, 38.0 / 128, 102.0 / 128, 71.0 / 128, 0.5]),
        ("Convert_4D_tensor_with_int8_round_half_up", [5, 7, 11, 13], {"round_mode": "HALF_UP"},
         [-1, -0.5, 0, 38.0 / 128, 102.0 / 128, 71.0 / 128, 65.0 / 128]),
        ("Convert_4D_tensor_with_int8_round_half_up_narrow_range", [2, 3, 4, 5], {"round_mode": "HALF_UP", "narrow_range": True},
         [-1, -63.0 / 127, 0, 38.0 / 127, 102.0 / 127, 70.0 / 127, 64.0 / 127]),
        ("Convert_4D_tensor_with_int8_narrow_range_V3", [2, 3, 4, 5], {"narrow_range": True},
         [-1, -64.0 / 127, 0, 38.0 / 127, 102.0 / 127, 70.0 / 127, 64.0 / 127]),
    ]
    for name, dims, extra, expected in per_slice:
        for axis in (-1, 1, 3):
            slices = 1 if axis == -1 else dims[axis]
            rshape = [] if axis == -1 else [slices]
            attrs = dict(s8, axis=axis, **extra)
            out.append(case("tf-kernel/%s/axis%d" % (name, axis), "tf-cpu", "float32",
                            tensor(dims, scale_per_slice_along_axis(dims, axis, data)), attrs,
                            {"output": tensor(dims, scale_per_slice_along_axis(dims, axis, expected))}, near,
                            KERNEL_TEST + ": " + name + " (axis %d)" % axis,
                            tensor(rshape, [0] * slices), tensor(rshape, [0] * slices)))
    dims = [2, 3, 4, 5]
    for axis in (-1, 1, 3):
        slices = 1 if axis == -1 else dims[axis]
        rshape = [] if axis == -1 else [slices]
        grads = scale_per_slice_along_axis(dims, axis, [1, -2, -3, 4, 5, 6, -7, -8, -9, -10, 11])
        inputs = scale_per_slice_along_axis(dims, axis, [-1, -0.5, 0, 0.3, 0.8, 0.55, 0.6])
        hi = [f32(f32(0.8) + f32(i * f32(0.4))) for i in range(slices)]   # 0.8f + i * 0.4f
        lo = [-h for h in hi]
        minor = 1
        for d in (dims[axis + 1:] if axis != -1 else []):
            minor *= d
        expected = [g if lo[(j // minor) % slices] <= x <= hi[(j // minor) % slices] else 0
                    for j, (g, x) in enumerate(zip(grads, inputs))]
        zeros = tensor(rshape, [0] * slices)
        out.append({"id": "tf-kernel/GradientV4_op/axis%d" % axis, "op": "gradient", "profile": "tf-cpu", "dtype": "float32",
                    "gradients": tensor(dims, grads), "input": tensor(dims, inputs),
                    "input_min": tensor(rshape, lo), "input_max": tensor(rshape, hi), "attrs": {"axis": axis},
                    "expect": {"input_backprop": tensor(dims, expected), "input_min_backprop": zeros,
                               "input_max_backprop": zeros},
                    "match": near, "source": KERNEL_TEST + ": GradientV4_op (axis %d)" % axis})
    return out


def xla_cases():
    out = []
    for dtype in ("bfloat16", "float16", "float32", "float64"):
        # V2/V3/V4 with a measured range: exact dyadic expectations, checked bit for bit.
        for op_name in ("QuantizeAndDequantizeV2", "QuantizeAndDequantizeV3", "QuantizeAndDequantizeV4"):
            rng = {"input_min": tensor([], [-127], dtype), "input_max": tensor([], [127], dtype)}
            c = case("tf-xla/%s/measured/%s" % (op_name, dtype), "tf-xla", dtype,
                     tensor([4], [-1, -0.5, 0, Fraction(3, 10)], dtype), {"range_given": False},
                     {"output": tensor([4], [-1, -0.5, 0, Fraction(19, 64)], dtype)}, "bits",
                     XLA_TEST + ": testQuantizeAndDequantize (%s; expected values are exact dyadic numbers, "
                     "TF checks them with assertAllCloseAccordingToType)" % op_name, rng["input_min"], rng["input_max"])
            out.append(c)
        # range [-1, 1] given, both round modes: expected k/127 in dtype, TF's per-dtype tolerance.
        tol = {"bfloat16": "close:0.01,0.01", "float16": "close:0.001,0.001",
               "float32": "close:1e-06,1e-06", "float64": "close:1e-06,1e-06"}[dtype]
        for mode in ("HALF_UP", "HALF_TO_EVEN"):
            out.append(case("tf-xla/range_given/%s/%s" % (mode, dtype), "tf-xla", dtype,
                            tensor([7], [Fraction(-8, 10), Fraction(-4, 10), 0, Fraction(3, 10), Fraction(8, 10), -2, 33], dtype),
                            {"range_given": True, "round_mode": mode},
                            {"output": tensor([7], [Fraction(k, 127) for k in (-102, -51, 0, 38, 102, -128, 127)], dtype)},
                            tol, XLA_TEST + ": testQuantizeAndDequantize (range [-1, 1] given, round_mode %s)" % mode,
                            tensor([], [-1], dtype), tensor([], [1], dtype)))
    return out


SPEC_VECTORS = os.path.join(os.path.dirname(ROOT), "shared", "spec", "tf-kernel-test-vectors.txt")
SPEC_BLOCKS = {"V2 int8 HALF_TO_EVEN dims=[2,3,4,5]": "Convert_4D_tensor_with_int8",
               "V2 int8 HALF_UP dims=[5,7,11,13]": "Convert_4D_tensor_with_int8_round_half_up",
               "V2 int8 HALF_UP narrow dims=[2,3,4,5]": "Convert_4D_tensor_with_int8_round_half_up_narrow_range",
               "V3 int8 narrow (HALF_TO_EVEN) dims=[2,3,4,5]": "Convert_4D_tensor_with_int8_narrow_range_V3"}


def check_against_spec(cases):
    """The spec's regenerated vectors (axis 1) must equal ours: input and TF's expected value."""
    if not os.path.exists(SPEC_VECTORS):
        print("note: %s not found; cross-check skipped" % SPEC_VECTORS)
        return
    by_id = {c["id"]: c for c in cases}
    for block in open(SPEC_VECTORS).read().split("## ")[1:]:
        lines = block.splitlines()
        name = next(v for k, v in SPEC_BLOCKS.items() if lines[0].startswith(k))
        c = by_id["tf-kernel/%s/axis1" % name]
        rows = [l.split() for l in lines[2:] if l.strip()]
        for idx, inp, _, expected, _model in rows:
            i = int(idx)
            assert c["input"]["data"][i] == inp and c["expect"]["output"]["data"][i] == expected, (name, i)
        print("%s: %d rows agree with %s" % (name, len(rows), SPEC_VECTORS))


def write(name, cases, check_only):
    """Writes the file atomically; with check_only, fails if the committed file differs."""
    path = os.path.join(OUT, name)
    text = "".join(json.dumps(c, separators=(",", ":")) + "\n" for c in cases)
    if check_only:
        current = open(path).read() if os.path.exists(path) else None
        if current != text:
            sys.exit("%s is not what %s generates: rerun it and commit the result" % (path, sys.argv[0]))
        print("%s: %d cases, up to date" % (path, len(cases)))
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)
    print("%s: %d cases" % (path, len(cases)))


if __name__ == "__main__":
    check_only = "--check" in sys.argv[1:]
    os.makedirs(OUT, exist_ok=True)
    kernel = kernel_cases()
    check_against_spec(kernel)
    write("tf_kernel_tests.jsonl", kernel, check_only)
    write("tf_xla_tests.jsonl", xla_cases(), check_only)
