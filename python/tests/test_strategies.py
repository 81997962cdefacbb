"""qdq.strategies and qdq.fuzz: cases drawn with the harness's distributions, a port that passes
them, a planted defect shrunk to a small case, and clear errors for bounds no case can meet.
Expected values are the reference's (qdq's exact arithmetic under the case's profile)."""

import os
import sys

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import qdq  # noqa: E402
import qdq.strategies  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples", "python"))
import broken_ties_away  # noqa: E402
import tf_cpu_float32  # noqa: E402
from port_kernel import kernel as port  # noqa: E402

SETTINGS = settings(max_examples=150, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(qdq.strategies.cases(profile="tf-cpu", dtype="float32"))
def test_the_numpy_port_passes_drawn_cases(case):
    try:
        qdq.judge(port(tf_cpu_float32), case)
    except qdq.Unchecked:
        pass


@SETTINGS
@given(st.sampled_from(["tf-xla", "tf-gpu", "exact", "tf-cpu@2.15"]).flatmap(
    lambda p: st.sampled_from(["bfloat16", "float16", "float64"]).flatmap(lambda t: qdq.strategies.cases(profile=p, dtype=t))))
def test_drawn_cases_of_every_profile_and_dtype_are_answered(case):
    assert case.dtype in ("bfloat16", "float16", "float64")
    assert (case.expected is None) != (case.expected_error is None)


def test_the_distributions_reach_every_class():
    seen = set()

    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    @given(qdq.strategies.cases(profile="tf-xla", dtype="float16"))
    def collect(case):
        x = case.input.reshape(-1)
        bits = x.view(np.uint16)
        seen.update({"nan"} if np.isnan(x).any() else set())
        seen.update({"inf"} if np.isinf(x).any() else set())
        seen.update({"-0"} if (bits == 0x8000).any() else set())
        seen.update({"subnormal"} if (((bits & 0x7C00) == 0) & ((bits & 0x3FF) != 0)).any() else set())
        seen.add(case.op)
        seen.add("per-channel" if case.attrs.get("axis", -1) >= 0 else "per-tensor")
        if case.op == "forward":
            seen.add(case.attrs["round_mode"])
            seen.add("given" if case.attrs["range_given"] else "measured")
            seen.add("empty" if x.size == 0 else "non-empty")

    collect()
    assert seen >= {"nan", "inf", "-0", "subnormal", "forward", "gradient", "per-channel", "per-tensor", "HALF_UP",
                    "HALF_TO_EVEN", "given", "measured", "empty", "non-empty"}, seen


def test_a_planted_defect_is_shrunk_to_a_small_case():
    # Ties rounded away from zero (examples/python/broken_ties_away.py): found and shrunk.
    result = qdq.fuzz(port(broken_ties_away), seconds=60, seed=3, profile="tf-cpu", dtype="float32", op="forward")
    assert not result and result.failure is not None, str(result)
    case = result.failure["case"]
    assert case.input.size <= 4, str(result)
    assert " step)" in result.failure["message"], str(result)  # a value off by whole steps: a rounding defect
    assert case.attrs["round_mode"] == "HALF_TO_EVEN"
    qdq.judge(port(tf_cpu_float32), case)  # the right port passes the same case: the defect is the cause
    assert "qdq explain --case " in str(result)
    again = qdq.fuzz(port(broken_ties_away), seconds=60, seed=3, profile="tf-cpu", dtype="float32", op="forward")
    assert again.failure["json"] == result.failure["json"]  # the same seed, the same shrunk case


def test_fuzz_passes_a_right_port():
    a = qdq.fuzz(port(tf_cpu_float32), seconds=1, seed=5, max_elements=8)
    assert a and a.cases > 0 and a.failure is None


def test_impossible_bounds_are_named_at_once():
    with pytest.raises(ValueError, match=r"num_bits: no valid number of bits in \[5, 3\]"):
        qdq.strategies.cases(num_bits=(5, 3))
    with pytest.raises(ValueError, match="num_bits: no valid number of bits in \\[70, 80\\]"):
        qdq.strategies.cases(num_bits=(70, 80))
    with pytest.raises(ValueError, match="max_rank: expected an int from 0 to 5"):
        qdq.strategies.cases(max_rank=7)
    with pytest.raises(ValueError, match="per_channel=True needs max_rank >= 1"):
        qdq.strategies.cases(per_channel=True, max_rank=0)
    with pytest.raises(ValueError, match="max_elements: expected an int of at least 1"):
        qdq.strategies.cases(max_elements=0)
    with pytest.raises(ValueError, match="unknown dtype 'int8'"):
        qdq.strategies.cases(dtype="int8")
    with pytest.raises(ValueError, match="unknown profile 'tf-tpu'"):
        qdq.strategies.cases(profile="tf-tpu")
    with pytest.raises(ValueError, match="step must be a positive finite number"):
        qdq.strategies.values("float32", step=0)
    with pytest.raises(TypeError, match="fn must be callable"):
        qdq.fuzz(42)
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        qdq.fuzz(port(tf_cpu_float32), seed=-1)
    with pytest.raises(ValueError, match="seconds must be positive"):
        qdq.fuzz(port(tf_cpu_float32), seconds=0)
