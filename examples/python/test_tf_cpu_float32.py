"""The numpy port (tf_cpu_float32.py) checked with qdq through pytest, one test per case of TF's
own test vectors and the edge suite, then whole suites and the golden file of TensorFlow 2.21's
answers; and the broken port (broken_ties_away.py), showing what qdq reports.
Run: PYTHONPATH=build/python:examples/python python -m pytest examples/python"""

import os

import pytest

import qdq
import broken_ties_away
import tf_cpu_float32
from port_kernel import kernel

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "..", "golden", "tf-2.21-cpu.h5")
CASES = qdq.cases(suite=["known", "edge"], profile="tf-cpu", dtype="float32")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_case(case):
    try:
        y = kernel(tf_cpu_float32)(case)
    except qdq.OpError as e:
        case.check(error=e)
        return
    try:
        case.check(y)
    except qdq.Unchecked as e:  # every element unconstrained: neither a pass nor a failure
        pytest.skip(str(e))


def test_whole_suites():
    result = qdq.check(kernel(tf_cpu_float32), suite=["grid", "random", "layout"], profile="tf-cpu",
                       dtype="float32")
    assert result.failed == 0, result.text
    assert result.passed > 3000


def test_tensorflow_golden_file():
    result = qdq.check(kernel(tf_cpu_float32), golden=GOLDEN, profile="tf-cpu", dtype="float32")
    assert result.failed == 0, result.text
    assert result.passed > 3000


def test_broken_ties_away_is_reported():
    case = next(c for c in CASES if c.id == "tf-kernel/Convert_1D_tensor_with_int4")
    with pytest.raises(AssertionError) as report:
        case.check(kernel(broken_ties_away)(case))
    print(report.value)
    assert ("output[3]: input 0x3ea00000 expected 0x3e800000 (TensorFlow and the reference) got 0x3ec00000 (+4194304 ulp, ~+1 step)"
            in str(report.value))
    assert "qdq explain --suite known" in str(report.value)
    result = qdq.check(kernel(broken_ties_away), suite="known", profile="tf-cpu", dtype="float32")
    print(result)
    assert result.failed > 0 and result.passed > 0
