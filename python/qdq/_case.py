"""One case of the op: its inputs and attributes, what it answers, and the check of an answer."""

import hashlib
import os
import shlex
import tempfile

import numpy as np

from . import _graph_mode, _qdq, _tf_errors
from ._arrays import DLPackTensor, bits_to_values, dtype_name_of, numpy_dtype, to_array, to_shape_and_bytes

_GRADIENT_OUTPUTS = ("input_backprop", "input_min_backprop", "input_max_backprop")


class OpError(Exception):
    """The op's rejection of a case, as TensorFlow reports it: `code` is "InvalidArgument",
    "NotFound" or "Unimplemented", `message` TF's message. qdq.reference raises it; a kernel under
    qdq.check raises it to reject a case."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    @classmethod
    def from_tf(cls, exc):
        """The OpError for an exception TensorFlow raised: tf.errors.* by its error code (its class:
        InvalidArgumentError is "InvalidArgument"), or the ValueError of a shape function that
        refuses the op while a graph is traced ("InvalidArgument"); TF's wrappers
        ({{function_node ...}}, [Op:...], node names, "in user code:" traces) are stripped from the
        message. TensorFlow need not be imported here. Raises TypeError for any other exception."""
        if isinstance(exc, OpError):
            return exc
        if not isinstance(exc, BaseException):
            raise TypeError(f"OpError.from_tf: expected an exception, got {type(exc).__name__}")
        code, message = _tf_errors.from_tf(exc)
        return cls(code, message)


class Unchecked(Exception):
    """Raised by Case.check where nothing could be compared: every element of the answer is
    unconstrained (TF's own answer is not known there, e.g. a NaN inside a range that TF's CPU kernel
    measures), so the answer was neither passed nor failed. `verdict` is the dict check() would
    have returned. Pass allow_unchecked=True to have that dict returned instead."""

    def __init__(self, case_id, verdict):
        n = verdict["unconstrained_elements"]
        super().__init__(f"case {case_id}: nothing checked: all {n} element(s) are unconstrained "
                         "(TensorFlow's answer there is not known); not a pass")
        self.verdict = verdict


def _outcome(result, dtype):
    """A core outcome as the package returns it: an array, three arrays, or OpError (returned)."""
    if result[0] == "error":
        return OpError(result[1], result[2])
    arrays = tuple(to_array(t, dtype) for t in result[1])
    return arrays[0] if len(arrays) == 1 else arrays


class Case:
    """A case: `id`, `op` ("forward" or "gradient"), `profile`, `dtype` (a name; `numpy_dtype`),
    `attrs` (signed_input, num_bits, range_given, round_mode, narrow_range, axis), the arrays
    `input`, `input_min`, `input_max` and, for the gradient, `gradients`. `expected` is what the op
    answers (an array, or the gradient's three), None where it rejects the case; then
    `expected_error` is the OpError. `expected_from` says whose answer that is."""

    def __init__(self, core, origin=("python",)):
        self._core = core
        self._origin = origin
        self._expected = None

    @classmethod
    def from_arrays(cls, op="forward", profile="tf-cpu", input=None, input_min=None, input_max=None, gradients=None,
                    id="python", **attrs):
        """A case made here: arrays of one dtype (input_min and input_max default to scalar zeros)."""
        if input is None:
            raise TypeError("from_arrays: input= is required")
        dtype = dtype_name_of(input, "input")
        zero = np.zeros((), numpy_dtype(dtype))
        tensors = {"input": to_shape_and_bytes(input, dtype, "input"),
                   "input_min": to_shape_and_bytes(zero if input_min is None else input_min, dtype, "input_min"),
                   "input_max": to_shape_and_bytes(zero if input_max is None else input_max, dtype, "input_max")}
        if op == "gradient":
            if gradients is None:
                raise TypeError("from_arrays: gradients= is required for op='gradient'")
            tensors["gradients"] = to_shape_and_bytes(gradients, dtype, "gradients")
        elif gradients is not None:
            raise TypeError("from_arrays: gradients= is for op='gradient' only")
        return cls(_qdq.make_case(id, op, profile, dtype, attrs, tensors))

    id = property(lambda self: self._core.id)
    op = property(lambda self: self._core.op)
    profile = property(lambda self: self._core.profile)
    dtype = property(lambda self: self._core.dtype)
    source = property(lambda self: self._core.source)
    attrs = property(lambda self: dict(self._core.attrs))
    numpy_dtype = property(lambda self: numpy_dtype(self.dtype))
    input = property(lambda self: to_array(self._core.tensor("input"), self.dtype))
    input_min = property(lambda self: to_array(self._core.tensor("input_min"), self.dtype))
    input_max = property(lambda self: to_array(self._core.tensor("input_max"), self.dtype))

    def dlpack(self, name="input"):
        """The tensor `name` (input, input_min, input_max, gradients) for any framework's
        from_dlpack: torch.from_dlpack(case.dlpack("input")), bfloat16 included."""
        if name not in ("input", "input_min", "input_max", "gradients") or (name == "gradients" and self.op != "gradient"):
            raise ValueError(f"dlpack: no tensor {name!r} in a {self.op} case (input, input_min, input_max"
                             f"{', gradients' if self.op == 'gradient' else ''})")
        return DLPackTensor(self._core.tensor(name), self.dtype)

    @property
    def gradients(self):
        return to_array(self._core.tensor("gradients"), self.dtype) if self.op == "gradient" else None

    def _expected_outcome(self):
        if self._expected is None:
            known = self._core.known()
            self._expected = _outcome(known if known is not None else self._core.reference(""), self.dtype)
        return self._expected

    @property
    def expected(self):
        e = self._expected_outcome()
        return None if isinstance(e, OpError) else e

    @property
    def expected_error(self):
        e = self._expected_outcome()
        return e if isinstance(e, OpError) else None

    @property
    def graph_error(self):
        """Where TensorFlow answers this case eagerly but refuses it when the op is traced into a graph
        (tf.function, and so every converter: TF's shape functions run at trace time): the OpError
        it raises there, measured with TF 2.21 (conformance/graph_mode/); else None."""
        found = _graph_mode.refusal(self._origin, self.id)
        return OpError(*found) if found else None

    @property
    def expected_from(self):
        return self.source or "TF's answer" if self._core.known() is not None else f"the reference under {self.profile}"

    def reference(self, profile=None):
        """The reference's answer under `profile` (default: the case's); raises OpError where the op rejects the case."""
        out = _outcome(self._core.reference(profile or ""), self.dtype)
        if isinstance(out, OpError):
            raise out
        return out

    def json(self):
        """The case as a `qdq eval` JSON line."""
        return self._core.json()

    def _answer(self, y=None, error=None):
        """The core's answer tuple for an output (or the gradient's three) or an OpError."""
        if isinstance(y, OpError):
            y, error = None, y
        if error is not None:
            if not isinstance(error, OpError):
                raise TypeError(f"case {self.id}: error= must be a qdq.OpError or an exception TensorFlow raised, got {type(error).__name__}")
            return ("error", error.code, error.message)
        if self.op == "forward":
            return ("ok", [to_shape_and_bytes(y, self.dtype, f"case {self.id}: output")])
        if not isinstance(y, (tuple, list)) or len(y) != 3:
            raise TypeError(f"case {self.id}: the gradient's answer is three arrays ({', '.join(_GRADIENT_OUTPUTS)})")
        return ("ok", [to_shape_and_bytes(a, self.dtype, f"case {self.id}: {n}") for a, n in zip(y, _GRADIENT_OUTPUTS)])

    def check(self, y=None, *, error=None, max_shown=10, allow_unchecked=False):
        """Judges an answer bit for bit: y (forward: the output array; gradient: its three arrays),
        or error=OpError(code, message) (or a TensorFlow exception, mapped by OpError.from_tf)
        where the kernel rejects the case.

        A wrong answer raises AssertionError, one line per differing element (whose answer it
        contradicts, the input, expected and got bits and values, the distance in ULPs and in
        quantization steps) and the `qdq explain` command for the first. Where every element is
        unconstrained, nothing can be compared: raises qdq.Unchecked (allow_unchecked=True returns
        the dict instead). Otherwise returns the verdict, a dict:
        "verdict": "passed" (or "unchecked", only with allow_unchecked=True);
        "bounded": {element: [allowed values, hex]}: implementation-defined elements where TF's
        answer is one of a known set, each checked against it (the first value is the reference's);
        "unconstrained": [elements] left out (nothing is known of TF's answer there);
        "bounded_elements", "unconstrained_elements": how many of each the deciding comparison
        counted (against TF's answer where the case carries one, else the reference's);
        "mismatches": [] (a failed check raises instead)."""
        if error is not None and not isinstance(error, OpError) and isinstance(error, BaseException):
            error = OpError.from_tf(error)
        if isinstance(y, BaseException) and not isinstance(y, OpError):
            y = OpError.from_tf(y)
        verdict = self._core.judge(self._answer(y, error))
        if verdict["verdict"] == "failed":
            raise AssertionError(self._report(verdict["mismatches"], max_shown))
        if verdict["verdict"] == "unchecked" and not allow_unchecked:
            raise Unchecked(self.id, verdict)
        return verdict

    def _report(self, mismatches, max_shown):
        a = self.attrs
        layout = "per-tensor" if a["axis"] == -1 else f"axis {a['axis']}"
        lines = [f"case {self.id} ({self.profile}/{self.dtype} {self.op}, {a['round_mode']}, {layout}, num_bits {a['num_bits']}): "
                 f"{len(mismatches)} mismatch(es) against {self.expected_from}"]
        for m in mismatches[:max_shown]:
            if m["element"] < 0:
                lines.append(f"  {m['output']}: expected {m['expected']}{_whose(m)}, got {m['got']}")
                continue
            values = ""
            try:
                values = (f" ({bits_to_values(m['input'], self.dtype)!r} -> expected {bits_to_values(m['expected'], self.dtype)!r},"
                          f" got {bits_to_values(m['got'], self.dtype)!r})")
            except (ValueError, KeyError):
                pass
            expected = m["expected"]
            if m.get("allowed"):  # an implementation-defined element: TF's answer is one of these
                allowed = ", ".join(m["allowed"])
                expected = (f"one of {{{allowed}}}" if m["expected"] in m["allowed"]
                            else f"{m['expected']}, none of the allowed {{{allowed}}},")
            distance = f" ({m['distance']})" if m["distance"] else ""
            lines.append(f"  {m['output']}[{m['element']}]: input {m['input']} expected {expected}{_whose(m)} got {m['got']}"
                         f"{distance}{values}")
        if len(mismatches) > max_shown:
            lines.append(f"  ... {len(mismatches) - max_shown} more")
        lines.append(f"explain: {self.explain_command(mismatches[0]['element'])}")
        return "\n".join(lines)

    def explain_command(self, element=-1):
        """The `qdq explain` command that shows this case's element step by step (the whole case
        where element < 0), naming where the case comes from: its suite, golden file or case file.
        A case made in memory is written to a case file in the temporary folder first."""
        kind = self._origin[0]
        if kind == "suite":
            where = f"--suite {self._origin[1]} --profile {self.profile} --dtype {self.dtype} --seed {self._origin[2]}"
        elif kind == "golden":
            where = f"--golden {shlex.quote(self._origin[1])}"
        elif kind == "case":
            where = f"--case {shlex.quote(self._origin[1])}"
        else:
            where = f"--case {shlex.quote(self._written_out())}"
        at = f" --element {element}" if element >= 0 else ""
        return f"qdq explain {where} --id {shlex.quote(self.id)}{at}"

    def _written_out(self):
        """A case file holding this case alone, named by its contents (written once)."""
        line = self.json()
        digest = hashlib.sha256(line.encode()).hexdigest()[:16]
        path = os.path.join(tempfile.gettempdir(), f"qdq-case-{digest}.jsonl")
        if not os.path.exists(path):
            with open(path + ".part", "w", encoding="utf-8") as f:
                f.write(line + "\n")
            os.replace(path + ".part", path)
        return path

    def __repr__(self):
        # Small cases in full (Hypothesis prints a falsifying example so): attributes and input bits.
        shape = self._core.tensor("input")[0]
        if int(np.prod(shape, dtype=np.int64)) > 8:
            return f"<qdq.Case {self.id} {self.profile}/{self.dtype} {self.op}>"
        return f"<qdq.Case {self.id} {self.profile}/{self.dtype} {self.op}: {self.json()}>"

    def __str__(self):
        return self.id


def _whose(m):
    """" (TensorFlow)", " (the reference)", " (TensorFlow and the reference)": whose answer a mismatch
    contradicts, where two judge the case; with the reference's own value where the two differ."""
    by = m.get("expected_by")
    if not by:
        return ""
    other = m.get("reference_expected")
    return f" ({by}; the reference: {other})" if other else f" ({by})"


def judge(fn, case):
    """Runs fn(case) and judges what it does: its answer with case.check(y); its rejection (a
    qdq.OpError, or an exception TensorFlow raised) with case.check(error=...). Any other exception
    is fn's own failure and propagates. Returns the verdict dict; raises AssertionError on a wrong
    answer and qdq.Unchecked where nothing can be compared."""
    try:
        y = fn(case)
    except OpError as e:
        return case.check(error=e)
    except Exception as e:  # noqa: BLE001 -- TF's exception is a rejection; anything else is fn's failure
        try:
            error = OpError.from_tf(e)
        except TypeError:
            raise e from None
        return case.check(error=error)
    return case.check(y)
