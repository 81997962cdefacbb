"""What a pytest user meets first: lists of cases, unchecked cases made explicit, empty selections
that say why, one mismatch line per element, `qdq explain` hints that run as printed, the `qdq`
command itself, and TensorFlow's exceptions taken as rejections. Expected values come from TF's own
test vectors (the known suite), TF's golden answers, and the reference."""

import json
import os
import shlex
import subprocess
import sys

import numpy as np
import pytest

import qdq

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
GOLDEN = os.path.join(ROOT, "golden", "tf-2.21-cpu.h5")
INT4 = "tf-kernel/Convert_1D_tensor_with_int4"


def _qdq_command(args):
    """`python -m qdq ARGS` in a fresh interpreter, as a user's shell runs it."""
    return subprocess.run([sys.executable, "-m", "qdq", *args], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ))


def _run_hint(hint):
    assert hint.startswith("qdq explain "), hint
    return _qdq_command(shlex.split(hint)[1:])


def test_the_qdq_command_comes_with_the_package():
    r = _qdq_command(["backends"])
    assert r.returncode == 0, r.stderr
    assert "reference" in r.stdout and "cpu" in r.stdout
    r = _qdq_command(["conformance", "--profile", "tf-tpu"])
    assert r.returncode != 0 and "tf-tpu" in r.stderr


def test_check_takes_a_list_of_cases():
    known = qdq.cases(suite="known", profile="tf-cpu", dtype="float32")
    sample = known[:5]
    r = qdq.check(lambda c: c.reference(), sample)
    assert r.passed + r.failed + r.skipped + r.unchecked == 5 and r.failed == 0
    assert "== suite cases given" in r.text
    one = next(c for c in known if c.id == INT4)
    r = qdq.check(lambda c: c.expected * 2, [one])
    assert r.failed == 1 and "explain the first: qdq explain --suite known" in r.text
    with pytest.raises(TypeError, match="not both"):
        qdq.check(lambda c: c.reference(), sample, suite="known")
    with pytest.raises(TypeError, match="qdq.Case objects, got str"):
        qdq.check(lambda c: c.reference(), ["tf-kernel/x"])
    with pytest.raises(qdq.EmptySelection, match="no case given"):
        qdq.check(lambda c: c.reference(), [])


def test_an_empty_selection_says_what_the_source_holds():
    with pytest.raises(qdq.EmptySelection) as e:
        qdq.cases(suite="known", profile="tf-cpu", dtype="float16")
    text = str(e.value)
    assert text.startswith("no case selected (profile tf-cpu; dtype float16)")
    assert "suite known: holds " in text and "tf-cpu/float32 forward" in text
    assert isinstance(e.value, ValueError)


def test_a_wholly_unconstrained_case_is_neither_passed_nor_failed():
    # The edge suite's all-NaN channel with a range measured by TF's CPU kernel: nothing is known.
    c = next(c for c in qdq.cases(suite="edge", profile="tf-cpu", dtype="float32")
             if c.id.startswith("edge/tf-cpu/float32/all-nan-measured/"))
    with pytest.raises(qdq.Unchecked, match="nothing checked: all 3 element\\(s\\) are unconstrained") as e:
        c.check(c.reference())
    assert e.value.verdict["verdict"] == "unchecked"
    verdict = c.check(np.zeros_like(c.input), allow_unchecked=True)  # any answer: nothing is compared
    assert verdict["verdict"] == "unchecked" and verdict["unconstrained_elements"] == 3
    assert set(verdict) == {"verdict", "bounded", "unconstrained", "bounded_elements", "unconstrained_elements", "mismatches"}
    r = qdq.check(lambda case: case.reference(), [c])
    assert (r.passed, r.failed, r.unchecked) == (0, 0, 1) and r.unconstrained_elements == 3


def test_one_line_per_element_naming_whose_answer():
    c = next(c for c in qdq.cases(golden=GOLDEN, profile="tf-cpu", dtype="float32", op="forward")
             if c.expected is not None and c.expected.size >= 4 and np.all(np.isfinite(c.expected)))
    y = c.expected.copy()
    y[0] = -y[0] if y[0] != 0 else np.float32(1)
    with pytest.raises(AssertionError) as e:
        c.check(y)
    lines = [line for line in str(e.value).splitlines() if line.startswith("  output[")]
    assert len(lines) == 1 and "(TensorFlow and the reference)" in lines[0]


def test_hints_run_as_printed_for_every_origin(tmp_path):
    known = qdq.cases(suite="known", profile="tf-cpu", dtype="float32")
    c = next(c for c in known if c.id == INT4)
    wrong = c.expected * 2
    # A suite's case, a case file's and one made in memory (written out for the hint).
    case_file = tmp_path / "cases.jsonl"
    case_file.write_text(c.json() + "\n")
    from_file = qdq.cases(case_file=str(case_file))[0]
    in_memory = qdq.Case.from_arrays(input=c.input, input_min=c.input_min, input_max=c.input_max, **c.attrs)
    for case in (c, from_file, in_memory):
        with pytest.raises(AssertionError) as e:
            case.check(wrong)
        hint = str(e.value).splitlines()[-1].removeprefix("explain: ")
        r = _run_hint(hint)
        assert r.returncode == 0, (hint, r.stdout, r.stderr)
        assert "element 0 of 6, input -1 (0xbf800000)" in r.stdout, r.stdout
    assert "--case " + str(case_file) in from_file.explain_command(0)
    # qdq.check over a case file names the file, not a suite.
    r = qdq.check(lambda case: case.expected * 2, case_file=str(case_file))
    explain = next(line for line in r.text.splitlines() if line.startswith("explain the first: "))
    assert "--case " + str(case_file) in explain
    assert _run_hint(explain.removeprefix("explain the first: ")).returncode == 0


class _FakeTFError(Exception):
    """Stands in for tf.errors.OpError where TensorFlow is not installed: its class and module names
    are what from_tf looks at."""


_FakeTFError.__name__ = "OpError"
_FakeTFError.__module__ = "tensorflow.python.framework.errors_impl"


class InvalidArgumentError(_FakeTFError):
    def __init__(self, message):
        super().__init__(message)
        self.error_code = 3
        self.message = message


def test_tf_exceptions_are_rejections():
    c = qdq.Case.from_arrays(input=np.array([1, 2], np.float32), num_bits=0)
    wrapped = ("{{function_node __wrapped__QuantizeAndDequantizeV4_device_/job:localhost/replica:0/task:0/device:CPU:0}} "
               f"{c.expected_error.message} [Op:QuantizeAndDequantizeV4] name: ")
    e = qdq.OpError.from_tf(InvalidArgumentError(wrapped))
    assert (e.code, e.message) == ("InvalidArgument", c.expected_error.message)
    c.check(error=InvalidArgumentError(wrapped))
    assert qdq.check(lambda case: (_ for _ in ()).throw(InvalidArgumentError(wrapped)), [c]).passed == 1
    with pytest.raises(TypeError, match="builtins.KeyError is not one of TensorFlow's op errors"):
        qdq.OpError.from_tf(KeyError("x"))
    with pytest.raises(TypeError, match="expected an exception, got str"):
        qdq.OpError.from_tf("InvalidArgument")


_CODE_NUMBERS = {"InvalidArgument": 3, "NotFound": 5, "Unimplemented": 12}
_FIXTURES = os.path.join(os.path.dirname(__file__), "data", "tf_exceptions.jsonl")


def _rebuilt(f):
    """An exception like the one TensorFlow raised (recorded by tools/tf_oracle/graph_mode_exceptions.py
    from TF 2.21): the same class names and module, error code, message and text."""
    if f["module"] == "builtins":
        return {"ValueError": ValueError, "TypeError": TypeError}[f["class"]](f["str"])
    base = Exception
    for name in reversed(f["mro"][:-1]):  # from OpError down to the class itself
        base = type(name, (base,), {"__module__": f["module"]})
    e = base(f["str"])
    e.error_code = _CODE_NUMBERS[f["tf_code"]]
    e.message = f["message"]
    return e


def test_real_tf_exceptions_map_as_the_oracle_maps_them():
    fixtures = [json.loads(line) for line in open(_FIXTURES, encoding="utf-8")]
    assert len(fixtures) >= 10 and {f["mode"] for f in fixtures} == {"eager", "graph", "xla"}
    for f in fixtures:
        e = _rebuilt(f)
        if f["clean_code"] is None:  # not an error of the op: refused by name
            with pytest.raises(TypeError, match="is not one of TensorFlow's op errors"):
                qdq.OpError.from_tf(e)
            continue
        got = qdq.OpError.from_tf(e)
        assert (got.code, got.message) == (f["clean_code"], f["clean_message"]), f


def test_cases_tf_refuses_in_a_graph_carry_the_graph_message():
    # Measured with TF 2.21 (tools/tf_oracle/graph_mode.sh): a scalar range with an axis set is
    # answered eagerly (the range is measured, the inputs unused) and refused by the shape function.
    edge = qdq.cases(suite="edge", profile="tf-cpu")
    c = next(c for c in edge if c.id == "edge/tf-cpu/float32/empty-per-channel/HALF_TO_EVEN")
    assert c.expected_error is None  # eager TF answers it
    assert (c.graph_error.code, c.graph_error.message) == ("InvalidArgument", "Shape must be rank 1 but is rank 0")
    refused = qdq.cases(suite="edge", profile="tf-cpu", graph_refused=True)
    kept = qdq.cases(suite="edge", profile="tf-cpu", graph_refused=False)
    assert len(refused) + len(kept) == len(edge) and 0 < len(refused) < 20
    assert all(x.graph_error is not None for x in refused) and all(x.graph_error is None for x in kept)
    golden = qdq.cases(golden=os.path.join(ROOT, "golden", "tf-2.21-cpu.h5"), graph_refused=True)
    assert len(golden) == len(refused)
    with pytest.raises(qdq.EmptySelection, match="graph_refused=True"):
        qdq.cases(suite="known", graph_refused=True)
    with pytest.raises(ValueError, match="graph_refused: expected None, True or False"):
        qdq.cases(suite="known", graph_refused="yes")
