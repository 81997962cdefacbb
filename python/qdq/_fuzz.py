"""qdq.fuzz: a property run of a kernel without writing a property test (Hypothesis underneath)."""

import time

from ._case import Unchecked, judge


class FuzzResult:
    """What qdq.fuzz returns: `cases` run, `unchecked` (nothing comparable), `seconds`, `seed`, and
    `failure`: None, or the smallest failing case Hypothesis shrank to ({"case": qdq.Case, "message":
    the AssertionError's text or fn's exception, "json": the case as a `qdq eval` line, "explain": the
    `qdq explain` command}). True when nothing failed."""

    def __init__(self, cases, unchecked, seconds, seed, failure):
        self.cases, self.unchecked, self.seconds, self.seed, self.failure = cases, unchecked, seconds, seed, failure

    def __bool__(self):
        return self.failure is None

    def __str__(self):
        head = f"qdq.fuzz: {self.cases} cases in {self.seconds:.1f} s (seed {self.seed}), {self.unchecked} unchecked"
        if self.failure is None:
            return head + ", no failure"
        explain = "" if "\nexplain: " in self.failure["message"] else f"\nexplain: {self.failure['explain']}"
        return f"{head}; failed, shrunk to:\n{self.failure['json']}\n{self.failure['message']}{explain}"

    def __repr__(self):
        return f"<qdq.FuzzResult cases={self.cases} failed={self.failure is not None}>"


def fuzz(fn, seconds=10.0, seed=0, **strategy):
    """Runs fn(case) on cases drawn by qdq.strategies.cases(**strategy) (profile, dtype, op,
    per_channel, range_given, num_bits, max_elements, max_rank) for about `seconds`, judging each as
    qdq.judge does; stops at the first failure, which Hypothesis shrinks to a small case. The same
    seed draws the same cases. Returns a FuzzResult."""
    try:
        from hypothesis import HealthCheck, Phase, given, settings
        from hypothesis import seed as fixed_seed
    except ImportError as e:
        raise ImportError("qdq.fuzz needs Hypothesis: pip install hypothesis") from e
    from . import strategies

    if not callable(fn):
        raise TypeError(f"fuzz: fn must be callable, got {type(fn).__name__}")
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"fuzz: seed must be a non-negative int, got {seed!r}")
    if not seconds > 0:
        raise ValueError(f"fuzz: seconds must be positive, got {seconds!r}")
    cases = strategies.cases(**strategy)
    counts = {"cases": 0, "unchecked": 0}
    last_failure = {}

    def property_of(case):
        counts["cases"] += 1
        try:
            judge(fn, case)
        except Unchecked:
            counts["unchecked"] += 1
        except Exception as e:
            last_failure.update(case=case, error=e)  # Hypothesis replays the smallest failure last
            raise

    start = time.monotonic()
    batch = 0
    while time.monotonic() - start < seconds:
        run = settings(max_examples=50, deadline=None, database=None, derandomize=False, print_blob=False,
                       phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))(given(cases)(property_of))
        try:
            fixed_seed(seed * 1_000_003 + batch)(run)()
        except Exception:  # noqa: BLE001 -- reported through last_failure
            break
        batch += 1
    failure = None
    if last_failure:
        case, error = last_failure["case"], last_failure["error"]
        message = str(error) if isinstance(error, AssertionError) else f"{type(error).__name__}: {error}"
        failure = {"case": case, "message": message, "json": case.json(), "explain": case.explain_command()}
    return FuzzResult(counts["cases"], counts["unchecked"], time.monotonic() - start, seed, failure)
