"""qdq: check a kernel of TensorFlow's QuantizeAndDequantizeV4 (and its gradient) bit for bit.

    import qdq

    for case in qdq.cases(suite="known", profile="tf-cpu", dtype="float32"):
        case.check(my_kernel(case.input, case.input_min, case.input_max, **case.attrs))

Each case holds its inputs and attributes as numpy arrays and a dict, and what the op answers:
TF's own answer where the case has one (TF's test vectors, golden files made with TensorFlow),
else the harness's reference under the case's profile. `case.check(y)` compares y bit for bit
(+0 and -0 differ; where the profile leaves an element implementation-defined, any of the values TF
may answer passes, or the element is skipped and counted when nothing is known of it)
and raises AssertionError listing the first mismatches. `qdq.check(fn, ...)` runs a callable over
whole suites and returns the result matrix; `qdq.reference(...)` answers any case under any
profile. bfloat16 arrays use ml_dtypes.bfloat16.
"""

import os

from . import _qdq
from ._case import Case, OpError, Unchecked, judge
from ._fuzz import FuzzResult, fuzz

__all__ = ["Case", "EmptySelection", "FuzzResult", "OpError", "Result", "Unchecked", "cases", "check", "dtypes", "fuzz", "judge",
           "profiles", "reference", "suites"]

_HERE = os.path.dirname(os.path.abspath(__file__))


def suites():
    """The suite names: known, grid, edge, random, layout."""
    return list(_qdq.suite_names())


def profiles():
    """The profile names (tf-cpu, tf-xla@2.20, exact, ...)."""
    return list(_qdq.profile_names())


def dtypes():
    """The dtype names: bfloat16, float16, float32, float64."""
    return list(_qdq.dtype_names())


def _names(value, all_names, what):
    if value is None:
        return list(all_names)
    names = [value] if isinstance(value, str) else list(value)
    for n in names:
        if not isinstance(n, str):
            raise TypeError(f"{what}: expected a name or a list of names, got {type(n).__name__}")
    return names


def _known_dir():
    # An installed package carries TF's test vectors beside it; a build uses the source tree's.
    packaged = os.path.join(_HERE, "share", "qdq", "conformance", "known_answers")
    return packaged if os.path.isdir(packaged) else ""


class EmptySelection(ValueError):
    """Raised by qdq.cases (and qdq.check) where the selection holds no case: the message says what
    each source holds for the profiles, dtypes and op asked for."""


def cases(suite=None, golden=None, case_file=None, profile=None, dtype=None, op=None, seed=None, graph_refused=None):
    """The cases of suites (`suite`: a name or a list; all when nothing is given), of golden files
    (`golden`: a path or a list; their cases carry TensorFlow's answers) and of case files
    (`case_file`: `qdq cases` output), filtered by profile, dtype and op ("forward" or "gradient").
    `graph_refused`: None keeps every case; False leaves out the cases TF answers eagerly but refuses
    when traced into a graph (Case.graph_error), as a converter's test wants; True keeps only those.
    Returns a list of Case, in a stable order; use it with pytest.mark.parametrize (ids=str).
    Raises EmptySelection, saying what each source holds, where nothing is selected."""
    if graph_refused not in (None, True, False):
        raise ValueError(f"graph_refused: expected None, True or False, got {graph_refused!r}")
    profile_list = _names(profile, _qdq.profile_names(), "profile")
    dtype_list = _names(dtype, _qdq.dtype_names(), "dtype")
    if op not in (None, "forward", "gradient"):
        raise ValueError(f"op: unknown op {op!r} (forward, gradient)")
    if seed is None:
        seed = _qdq.default_seed
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed: expected a non-negative int, got {seed!r}")
    sources = []  # (what, cases)
    suite_list = _names(suite, _qdq.suite_names(), "suite") if suite is not None or (golden is None and case_file is None) else []
    for s in suite_list:
        found = [Case(core, ("suite", s, seed)) for core in _qdq.suite_cases(s, profile_list, dtype_list, seed, _known_dir())]
        sources.append((f"suite {s}", found))
    for path in _names(golden, [], "golden"):
        sources.append((f"golden file {os.fspath(path)}", [Case(core, ("golden", os.fspath(path))) for core in _qdq.golden_cases(os.fspath(path))]))
    for path in _names(case_file, [], "case_file"):
        try:
            with open(path, encoding="utf-8", errors="strict") as f:
                text = f.read()
        except UnicodeDecodeError as e:
            raise ValueError(f"{os.fspath(path)}: not UTF-8 text (byte {e.start}: {e.reason})") from None
        sources.append((f"case file {os.fspath(path)}", [Case(core, ("case", os.fspath(path))) for core in _qdq.parse_cases(text, os.fspath(path))]))
    # A release alias (tf-cpu@2.18) selects the profile that covers it (tf-cpu@2.20).
    canonical = {_qdq.canonical_profile(p) for p in profile_list}
    out = [c for _, found in sources for c in found
           if c.profile in canonical and c.dtype in dtype_list and (op is None or c.op == op)]
    if graph_refused is not None:
        out = [c for c in out if (c.graph_error is not None) == graph_refused]
    if not out:
        why = _why_empty(sources, profile_list, dtype_list, op, seed)
        if graph_refused is not None:
            why += f"\n  (graph_refused={graph_refused}: only cases {'' if graph_refused else 'not '}refused in a graph)"
        raise EmptySelection(why)
    return out


_select_cases = cases  # for check(), whose argument `cases` hides the function


def _why_empty(sources, profiles, dtypes, op, seed):
    asked = f"profile {', '.join(profiles)}; dtype {', '.join(dtypes)}" + (f"; op {op}" if op else "")
    lines = [f"no case selected ({asked})"]
    if not sources:
        lines.append("  no source given")
    for what, found in sources:
        if what.startswith("suite "):  # made for the selection only: made again whole, to say what it holds
            found = [Case(core) for core in _qdq.suite_cases(what[6:], _qdq.profile_names(), _qdq.dtype_names(), seed, _known_dir())]
        held = sorted({f"{c.profile}/{c.dtype} {c.op}" for c in found})
        lines.append(f"  {what}: " + (f"holds {', '.join(held)}" if held else "holds no case"))
    return "\n".join(lines)


def reference(case=None, *, profile=None, op="forward", input=None, input_min=None, input_max=None, gradients=None, **attrs):
    """The op's answer under `profile` (default: the case's own): for a Case, or for arrays and
    attributes given here (input, input_min, input_max, gradients for op="gradient", and
    signed_input, num_bits, range_given, round_mode, narrow_range, axis). Returns the output array
    (forward) or the three gradient arrays; raises OpError where the op rejects the case."""
    if case is None:
        if input is None:
            raise TypeError("reference: give a Case or at least input=")
        case = Case.from_arrays(op=op, profile=profile or "tf-cpu", input=input, input_min=input_min, input_max=input_max,
                                gradients=gradients, **attrs)
    elif not isinstance(case, Case):
        raise TypeError(f"reference: expected a qdq.Case, got {type(case).__name__}")
    return case.reference(profile)


class Result:
    """What qdq.check returns: counts, the matrix (cells[(row, column)] = (passed, failed, skipped)),
    the first mismatches, and `text`, the matrix as `qdq conformance` prints it, ending with the
    `qdq explain` command for the first mismatch. A Result is true when nothing failed.
    `bounded_elements` counts the implementation-defined elements checked against their allowed
    values; `unconstrained_elements` those left out (nothing is known of TF's answer there);
    `unchecked` the cases wholly unconstrained (neither passed nor failed)."""

    def __init__(self, report, explain=None):
        lines = [line for line in report["text"].splitlines() if not line.startswith("explain the first: ")]
        if explain:
            lines.append(f"explain the first: {explain}")
        self.text = "\n".join(lines) + "\n"
        self.passed = report["passed"]
        self.failed = report["failed"]
        self.skipped = report["skipped"]
        self.unchecked = report["implementation_defined_cases"]
        self.unconstrained_elements = report["implementation_defined_elements"]
        self.bounded_elements = report["bounded_elements"]
        self.cells = dict(report["cells"])
        self.mismatches = list(report["mismatches"])
        self.mismatch_count = report["mismatch_count"]

    def __bool__(self):
        return self.failed == 0

    def __str__(self):
        return self.text

    def __repr__(self):
        return f"<qdq.Result passed={self.passed} failed={self.failed} skipped={self.skipped} unchecked={self.unchecked}>"


def check(fn, cases=None, *, suite=None, golden=None, case_file=None, profile=None, dtype=None, op=None, seed=None,
          supports=None, max_mismatches=20, name=None):
    """Runs fn(case) over `cases` (a list of qdq.Case, e.g. a sample of qdq.cases(...) or cases made
    with Case.from_arrays), or over the cases that qdq.cases(suite=..., golden=..., case_file=...,
    profile=..., dtype=..., op=..., seed=...) selects, and judges every answer as
    `qdq conformance` judges a backend. fn returns the output array (forward) or the three
    gradient arrays, or raises OpError (or TensorFlow's own exception, mapped by OpError.from_tf)
    to reject a case as TF does; any other exception is that case's failure. `supports(case)`,
    where given, says which cases fn implements (the others are skipped, never passed). Returns a
    Result."""
    if not callable(fn):
        raise TypeError(f"check: fn must be callable, got {type(fn).__name__}")
    if cases is not None:
        if any(x is not None for x in (suite, golden, case_file)):
            raise TypeError("check: give cases= or suite=/golden=/case_file=, not both")
        selected = [cases] if isinstance(cases, Case) else list(cases)
        for c in selected:
            if not isinstance(c, Case):
                raise TypeError(f"check: cases must be qdq.Case objects, got {type(c).__name__}")
        wanted_profiles = None if profile is None else {_qdq.canonical_profile(p) for p in _names(profile, [], "profile")}
        selected = [c for c in selected if (wanted_profiles is None or c.profile in wanted_profiles)
                    and (dtype is None or c.dtype in _names(dtype, [], "dtype")) and (op is None or c.op == op)]
        if not selected:
            raise EmptySelection("check: no case given" if not cases else "check: none of the cases given is of the profile, dtype and op asked for")
    else:
        selected = _select_cases(suite=suite, golden=golden, case_file=case_file, profile=profile, dtype=dtype, op=op, seed=seed)
    answers = []
    for c in selected:
        if supports is not None and not supports(c):
            answers.append(("unsupported",))
            continue
        try:
            answers.append(c._answer(fn(c)))
        except OpError as e:
            answers.append(("error", e.code, e.message))
        except Exception as e:  # noqa: BLE001 -- TF's refusal, or the kernel's failure on this case
            try:
                tf_error = OpError.from_tf(e)
            except TypeError:
                answers.append(("failure", f"{type(e).__name__}: {e}"))
            else:
                answers.append(("error", tf_error.code, tf_error.message))
    label = name or getattr(fn, "__name__", "fn")
    # The matrix's heading names where the cases came from, as `qdq conformance` names a suite.
    suites_given, goldens = _names(suite, [], "suite"), _names(golden, [], "golden")
    if cases is not None:
        where = "cases given"
    elif len(suites_given) == 1 and not goldens and case_file is None:
        where = suites_given[0]
    elif len(goldens) == 1 and suite is None and case_file is None:
        where = "golden " + os.fspath(goldens[0])
    else:
        where = "selection"
    report = _qdq.report([c._core for c in selected], answers, where, label, max_mismatches)
    explain = None
    if report["mismatches"]:
        first = report["mismatches"][0]
        by_id = {c.id: c for c in selected}
        if first["case"] in by_id:
            explain = by_id[first["case"]].explain_command(first["element"])
    return Result(report, explain)
