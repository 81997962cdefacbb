"""The qdq package's own behaviour: cases, the reference, checks and their reports, and clear
errors for every malformed argument or file. Expected values come from TF's own test vectors
(the known suite's cases carry them) and from the reference."""

import os

import numpy as np
import pytest

import ml_dtypes
import qdq
from qdq import _qdq

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
GOLDEN = os.path.join(ROOT, "golden", "tf-2.21-cpu.h5")
GOLDEN_XLA = os.path.join(ROOT, "golden", "tf-2.21-xla.h5")


@pytest.fixture(scope="module")
def known():
    return qdq.cases(suite="known", profile="tf-cpu", dtype="float32")


def test_names():
    assert qdq.suites() == ["known", "grid", "edge", "random", "layout", "traps"]
    assert "tf-xla@2.20" in qdq.profiles() and "exact" in qdq.profiles()
    assert qdq.dtypes() == ["bfloat16", "float16", "float32", "float64"]


def test_a_known_case_carries_tf_s_answer(known):
    # TF's test Convert_1D_tensor_with_int4 (quantize_and_dequantize_op_test.cc): 4 bits,
    # [-1, -0.5, 0, 0.3125, 0.8, 0.555] -> [-1, -0.5, 0, 0.25, 0.75, 0.5].
    c = next(c for c in known if c.id == "tf-kernel/Convert_1D_tensor_with_int4")
    assert c.attrs["num_bits"] == 4 and c.op == "forward" and c.input.dtype == np.float32
    np.testing.assert_array_equal(c.input, np.array([-1, -0.5, 0, 0.3125, 0.8, 0.555], np.float32))
    np.testing.assert_array_equal(c.expected, np.array([-1, -0.5, 0, 0.25, 0.75, 0.5], np.float32))
    assert "quantize_and_dequantize_op_test.cc" in c.expected_from
    assert c.check(c.expected)["verdict"] == "passed"
    assert c.check(c.reference())["verdict"] == "passed"


def test_a_wrong_bit_is_reported_with_element_bits_and_distances(known):
    c = next(c for c in known if c.id == "tf-kernel/Convert_1D_tensor_with_int4")
    y = c.expected.copy()
    y[3] = np.float32(0.375)
    with pytest.raises(AssertionError) as e:
        c.check(y)
    text = str(e.value)
    # One line for the element, naming both answers that expect 0.25: TF's (its test) and the reference's.
    assert "output[3]: input 0x3ea00000 expected 0x3e800000 (TensorFlow and the reference) got 0x3ec00000 (+4194304 ulp, ~+1 step)" in text
    assert text.count("output[3]") == 1
    assert "(0.3125 -> expected 0.25, got 0.375)" in text
    assert "qdq explain --suite known --profile tf-cpu --dtype float32" in text


def test_signed_zeros_differ(known):
    c = next(c for c in known if c.id == "tf-kernel/Convert_1D_tensor_with_int4")
    y = c.expected.copy()
    y[2] = np.float32(-0.0)  # TF answers +0
    # TF's own test compares with a tolerance (its -0 would pass there), so the reference alone says +0.
    with pytest.raises(AssertionError, match=r"output\[2\]: input 0x00000000 expected 0x00000000 \(the reference\) got 0x80000000"):
        c.check(y)


def test_rejections_are_checked_by_code_and_message():
    c = qdq.Case.from_arrays(input=np.array([1, 2], np.float32), num_bits=0)
    assert c.expected is None
    err = c.expected_error
    assert (err.code, err.message) == ("InvalidArgument", "num_bits is out of range: 0 with signed_input_ 1")
    c.check(error=err)
    with pytest.raises(AssertionError, match="status"):
        c.check(error=qdq.OpError("InvalidArgument", "another message"))
    with pytest.raises(qdq.OpError, match="num_bits is out of range"):
        qdq.reference(c)


def test_reference_under_any_profile():
    x = np.array([0.3, -1, 2.5], np.float32)
    tf = qdq.reference(input=x, num_bits=3)
    exact = qdq.reference(input=x, num_bits=3, profile="exact")
    assert tf.dtype == np.float32 and tf.shape == (3,)
    assert exact.shape == (3,)
    grads = qdq.reference(op="gradient", input=x, gradients=np.ones(3, np.float32), input_min=np.float32(-1),
                          input_max=np.float32(1))
    np.testing.assert_array_equal(grads[0], np.array([1, 1, 0], np.float32))
    assert grads[1].shape == () and grads[2].shape == ()


def test_bfloat16_through_ml_dtypes():
    cs = qdq.cases(suite="edge", profile="tf-xla", dtype="bfloat16")
    assert cs and cs[0].input.dtype == ml_dtypes.bfloat16
    for c in cs[:50]:
        if c.expected is not None:
            c.check(c.expected)


def test_check_returns_the_matrix():
    r = qdq.check(lambda c: c.reference(), suite="known", profile="tf-cpu")
    assert r and r.failed == 0 and r.passed > 0
    assert ("tf-cpu/float32", "HALF_TO_EVEN/per-tensor") in r.cells
    assert "== suite known / backend <lambda>" in r.text
    skipped = qdq.check(lambda c: c.reference(), suite="known", profile="tf-cpu", supports=lambda c: c.dtype == "float64")
    assert skipped.skipped > 0 and skipped.failed == 0


def test_a_kernel_that_raises_fails_only_its_case(known):
    def kernel(case):
        if case.id.endswith("int4"):
            raise RuntimeError("boom")
        return case.reference()

    r = qdq.check(kernel, suite="known", profile="tf-cpu", dtype="float32")
    assert r.failed == 1 and r.passed == len(known) - 1
    assert "RuntimeError: boom" in r.mismatches[0]["got"]


def test_golden_cases_carry_tf_answers():
    cs = qdq.cases(golden=GOLDEN, dtype="float32", op="gradient")
    assert cs and all(c.op == "gradient" for c in cs)
    for c in cs[:20]:
        c.check(c.expected if c.expected is not None else None, error=c.expected_error)


def _with_bits(y, k, hex_bits):
    """y with element k (flat) set to the bits hex_bits."""
    y = y.copy()
    y.reshape(-1).view({2: np.uint16, 4: np.uint32, 8: np.uint64}[y.dtype.itemsize])[k] = int(hex_bits, 16)
    return y


def test_bounded_elements_pass_with_any_allowed_value_and_fail_with_another():
    # XLA's HALF_UP contraction and the sign of a measured zero (docs/op-spec.md §9): TF's answer, the
    # golden file's, is one of the values the reference allows; an answer passes with any of them.
    seen = set()
    for c in qdq.cases(golden=GOLDEN_XLA, op="forward", dtype=["float32", "float64", "bfloat16"]):
        if c.expected is None:
            continue
        verdict = c.check(c.expected)
        if not verdict["bounded"]:
            continue
        assert verdict["verdict"] == "passed" and verdict["bounded_elements"] == len(verdict["bounded"])
        k, allowed = next(iter(verdict["bounded"].items()))
        assert len(allowed) >= 2 and allowed[0] == "0x" + c.reference().reshape(-1)[k:k + 1].tobytes()[::-1].hex()
        for v in allowed:
            c.check(_with_bits(c.expected, k, v))
        third = next(f"0x{int(allowed[0], 16) ^ b:0{len(allowed[0]) - 2}x}" for b in (1, 2, 4, 8) if
                     f"0x{int(allowed[0], 16) ^ b:0{len(allowed[0]) - 2}x}" not in allowed)
        with pytest.raises(AssertionError) as e:
            c.check(_with_bits(c.expected, k, third))
        assert f"output[{k}]: input " in str(e.value)
        assert f"expected one of {{{', '.join(allowed)}}} (TensorFlow and the reference) got {third}" in str(e.value)
        seen.add(c.dtype)
        if len(seen) == 3:
            break
    assert seen == {"float32", "float64", "bfloat16"}


def test_unconstrained_elements_are_left_out():
    # A NaN inside a range measured by TF's CPU kernel: the channel is unconstrained, never compared.
    c = next(c for c in qdq.cases(golden=GOLDEN, dtype="float32", op="forward")
             if c.expected is not None and c.check(c.expected, allow_unchecked=True)["unconstrained"])
    verdict = c.check(c.expected, allow_unchecked=True)
    assert verdict["unconstrained_elements"] == len(verdict["unconstrained"]) and not verdict["bounded"]
    y = c.expected
    for k in verdict["unconstrained"]:
        y = _with_bits(y, k, "0x12345678")
    assert c.check(y, allow_unchecked=True)["unconstrained"] == verdict["unconstrained"]


def test_check_counts_bounded_elements():
    half_up = lambda c: c.attrs["round_mode"] == "HALF_UP"
    r = qdq.check(lambda c: c.reference(), golden=GOLDEN_XLA, dtype="float64", op="forward", supports=half_up)
    assert r and r.unconstrained_elements == 0
    expected = sum(len(c.check(c.expected)["bounded"]) for c in qdq.cases(golden=GOLDEN_XLA, dtype="float64", op="forward")
                   if half_up(c) and c.expected is not None)
    assert r.bounded_elements == expected > 0
    assert "checked against their allowed values" in r.text


def test_release_aliases_select_their_profile():
    assert {c.profile for c in qdq.cases(suite="known", profile="tf-cpu@2.18")} == {"tf-cpu@2.20"}


# Bad input: each gets a clear error naming the argument, the case or the file.

def test_unknown_names():
    with pytest.raises(ValueError, match="unknown suite 'nope' \\(suites: known, grid, edge, random, layout, traps\\)"):
        qdq.cases(suite="nope")
    with pytest.raises(ValueError, match="unknown profile 'tf-tpu'"):
        qdq.cases(suite="known", profile="tf-tpu")
    with pytest.raises(ValueError, match="unknown dtype 'int8'"):
        qdq.cases(suite="known", dtype="int8")
    with pytest.raises(ValueError, match="op: unknown op 'backward'"):
        qdq.cases(suite="known", op="backward")
    with pytest.raises(ValueError, match="seed"):
        qdq.cases(suite="grid", seed=-1)
    with pytest.raises(TypeError, match="fn must be callable"):
        qdq.check(42, suite="known")


def test_answers_of_the_wrong_kind(known):
    c = next(c for c in known if c.op == "forward")
    with pytest.raises(TypeError, match=f"case {c.id}: output: dtype float64, but the case's dtype is float32"):
        c.check(c.expected.astype(np.float64))
    with pytest.raises(TypeError, match=r"expected an array of dtype float32 \(numpy, or any with __dlpack__\), got list"):
        c.check([0.0])
    g = next(c for c in known if c.op == "gradient")
    with pytest.raises(TypeError, match="the gradient's answer is three arrays"):
        g.check(g.expected[:2])
    with pytest.raises(TypeError, match="error= must be a qdq.OpError"):
        c.check(error="InvalidArgument")


def test_a_wrong_shape_is_a_mismatch(known):
    c = next(c for c in known if c.id == "tf-kernel/Convert_1D_tensor_with_int4")
    with pytest.raises(AssertionError, match=r"output: expected shape \[6\] \(TensorFlow and the reference\), got shape \[3\]"):
        c.check(c.expected[:3])


def test_bad_files(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        qdq.cases(golden=str(tmp_path / "missing.h5"))
    text = tmp_path / "text.h5"
    text.write_text("not hdf5\n")
    with pytest.raises(ValueError, match="not a qdq golden file"):
        qdq.cases(golden=str(text))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id":"a","profile":"tf-cpu","dtype":"float32","input":{"shape":[2],"data":["1"]}}\n')
    with pytest.raises(ValueError, match="bad.jsonl: line 1"):
        qdq.cases(case_file=str(bad))
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b'{"id":"\xff\xfe"}\n')
    with pytest.raises(ValueError, match="binary.jsonl: not UTF-8 text"):
        qdq.cases(case_file=str(binary))


def test_hostile_tensors_at_the_core():
    scalar = ((), np.zeros((), np.float32).tobytes())
    claims = {"input": ((2**31,), b""), "input_min": scalar, "input_max": scalar}
    with pytest.raises(ValueError, match=r"input: shape \[2147483648\] holds 2147483648 elements, the data 0"):
        _qdq.make_case("x", "forward", "tf-cpu", "float32", {}, claims)
    overflow = {"input": ((2**62, 2**62), b""), "input_min": scalar, "input_max": scalar}
    with pytest.raises(ValueError, match="too many elements"):
        _qdq.make_case("x", "forward", "tf-cpu", "float32", {}, overflow)
    with pytest.raises(TypeError, match="missing tensor 'input_max'"):
        _qdq.make_case("x", "forward", "tf-cpu", "float32", {}, {"input": scalar, "input_min": scalar})
    with pytest.raises(TypeError, match="unknown attribute 'bits'"):
        _qdq.make_case("x", "forward", "tf-cpu", "float32", {"bits": 8}, {"input": scalar, "input_min": scalar,
                                                                            "input_max": scalar})
    nan_payload = np.array([0x7FC01234], np.uint32).view(np.float32)  # a NaN with a payload goes through as bits
    c = qdq.Case.from_arrays(input=nan_payload)
    assert c.input.view(np.uint32)[0] == 0x7FC01234
    with pytest.raises(TypeError, match="dtype int32 is none of"):
        qdq.Case.from_arrays(input=np.array([1], np.int32))
