"""The driving side of a run, shared by every converter: selects the golden file's forward cases,
hands them one at a time to a worker process (worker.py) that converts and runs them, judges each
answer with the harness (case.check) and sums the outcomes into a JSON result.

Outcomes, one per case:
  passed             case.check accepted the answer, or the converter refused a case that TF refuses
                     too ("passed as refusal", counted apart as well);
  wrong              case.check raised AssertionError, the answer had another dtype than the case, or
                     the converter answered a case that TF refuses;
  refused            the graph could not be built, converted or run, where TF answers;
  crashed            the worker died (signal, abort) or gave no answer within the per-case timeout;
  unchecked          every element was unconstrained: nothing could be compared.

This process never imports TensorFlow or a converter: only the harness's package (qdq) and numpy.
"""

import collections
import json
import os
import pickle
import re
import select
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from worker import HEADER, write_message  # noqa: E402

OUTCOMES = ("passed", "wrong", "refused", "crashed", "unchecked")
EXAMPLES_PER_CLASS = 5


class WorkerDied(Exception):
    def __init__(self, why):
        super().__init__(why)
        self.why = why


class Worker:
    """The worker process (worker.py) and its current child, which answers the cases. A case that
    kills the child or outlasts the timeout costs that case only: the worker forks a new child. Should
    the worker itself die, the next case starts a new one."""

    def __init__(self, module, python, start_timeout):
        self.module, self.python, self.start_timeout = module, python, start_timeout
        self.proc = None
        self.child = None
        self.versions = None
        self.starts = 0
        self.children = 0
        self.logdir = tempfile.mkdtemp(prefix="qdq-converters-")
        self.log_path = os.path.join(self.logdir, "worker.log")

    def start(self):
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
        with open(self.log_path, "ab") as log:  # appended to by the worker and its children
            self.proc = subprocess.Popen(
                [self.python, os.path.join(HERE, "worker.py"), self.module, str(to_child_r), str(from_child_w)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                pass_fds=(to_child_r, from_child_w), start_new_session=True)
        os.close(to_child_r)
        os.close(from_child_w)
        self.requests = os.fdopen(to_child_w, "wb")
        self.replies_fd = from_child_r
        self.starts += 1
        try:
            self.versions = self.receive(self.start_timeout)["versions"]
            self.await_child(self.start_timeout)
        except WorkerDied as d:  # not a case's crash: the converter's environment is broken
            raise RuntimeError(f"the worker ({self.module}) did not start: {d.why}{self.crash_site(0)}") from None

    def await_child(self, timeout):
        self.child = self.receive(timeout)["ready"]
        self.children += 1

    def receive(self, timeout):
        """The next message; WorkerDied when the worker process ended or nothing came in time."""
        deadline = time.monotonic() + timeout
        buf = b""
        need = HEADER.size
        while len(buf) < need:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no answer within {timeout:g} s")
            ready, _, _ = select.select([self.replies_fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.replies_fd, max(need - len(buf), 1 << 16))
            if not chunk:
                rc = self.proc.wait()
                self.close()
                raise WorkerDied(f"the worker process ended ({rc})")
            buf += chunk
            if need == HEADER.size and len(buf) >= HEADER.size:
                need = HEADER.size + HEADER.unpack(buf[:HEADER.size])[0]
        return pickle.loads(buf[HEADER.size:])

    def log_size(self):
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def crash_site(self, offset):
        """From the log written since `offset`: faulthandler's fatal error, the innermost frame of this
        folder's code or the converter's package (which phase crashed), and the last other lines (an
        abort's message)."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                text = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        fatal = [l.strip() for l in text if l.startswith("Fatal Python error")]
        frames = [l.strip() for l in text if l.strip().startswith('File "')]
        noise = ("I0000", "W0000", "WARNING", "INFO:", "To enable the following", "Current thread", "Thread 0x",
                 "Stack (most recent", "Extension modules:", 'File "', "<no Python frame>")
        last = [l.strip() for l in text if l.strip() and not l.startswith("Fatal Python error")
                and not l.strip().startswith(noise)][-3:]
        parts = []
        if fatal:
            parts.append(fatal[-1])
        if frames:  # faulthandler lists the innermost frame first
            frame = re.sub(r'File "[^"]*?(site-packages|converters)/', "", frames[0]).replace('"', "")
            parts.append("in " + frame)
        if last:
            parts.append("last output: " + " | ".join(l[:300] for l in last))
        return ("; " + "; ".join(parts)) if parts else ""

    def ask(self, request, timeout):
        """The child's reply to one request; WorkerDied (the case crashed) when the child died or hung."""
        if self.proc is None:
            self.start()
        offset = self.log_size()
        try:
            write_message(self.requests, request)
            reply = self.receive(timeout)
        except TimeoutError:
            try:
                os.kill(self.child, 9)
                self.receive(60)  # the worker's word of the death
                self.await_child(self.start_timeout)
            except (TimeoutError, WorkerDied, OSError):
                self.kill()
            raise WorkerDied(f"no answer within {timeout:g} s (hang){self.crash_site(offset)}") from None
        except (BrokenPipeError, OSError):
            self.kill()
            raise WorkerDied("the worker process ended" + self.crash_site(offset)) from None
        if reply.get("status") == "died":
            try:
                self.await_child(self.start_timeout)
            except (TimeoutError, WorkerDied):
                self.kill()
            raise WorkerDied(reply["why"] + self.crash_site(offset))
        return reply

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 9)  # the worker's own process group (start_new_session): it and its child
            except ProcessLookupError:
                pass
            self.proc.wait()
        self.close()

    def close(self):
        try:
            self.requests.close()
        except (AttributeError, OSError):
            pass
        try:
            os.close(self.replies_fd)
        except (AttributeError, OSError, TypeError):
            pass
        self.replies_fd = None
        self.proc = None

    def stop(self):
        if self.proc is not None:
            try:
                self.requests.close()
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                pass
            self.kill()
        try:
            os.remove(self.log_path)
            os.rmdir(self.logdir)
        except OSError:
            pass


def select_cases(qdq, golden, dtypes, limit, id_filter):
    cases = []
    for dtype in dtypes:
        try:
            cases += qdq.cases(golden=golden, profile="tf-cpu", dtype=dtype, op="forward")
        except ValueError:  # an empty selection
            pass
    if id_filter:
        cases = [c for c in cases if re.search(id_filter, c.id)]
    if limit and len(cases) > limit:
        # A spread over the whole list (dtypes, suites, attributes), not its first cases.
        cases = [cases[i * len(cases) // limit] for i in range(limit)]
    return cases


# --- naming the divergences -------------------------------------------------------------------

_LINE = re.compile(r"^\s+(known-answer )?output\[(\d+)\]: input (0x[0-9a-f]+) expected (.*?) got (0x[0-9a-f]+)")
_HEX = re.compile(r"0x[0-9a-f]+")


def _value(bits, dtype):
    np_dtype = {"float32": np.uint32, "float64": np.uint64, "float16": np.uint16, "bfloat16": np.uint16}[dtype]
    raw = np.array([int(bits, 16)], np_dtype)
    if dtype == "bfloat16":
        return float(np.array([int(bits, 16) << 16], np.uint32).view(np.float32)[0])
    return float(raw.view({"float32": np.float32, "float64": np.float64, "float16": np.float16}[dtype])[0])


def _tiny(dtype):
    return {"float32": 2.0 ** -126, "float64": 2.0 ** -1022, "float16": 2.0 ** -14, "bfloat16": 2.0 ** -126}[dtype]


def element_kind(line_match, dtype):
    x = _value(line_match.group(3), dtype)
    expected = _value(_HEX.search(line_match.group(4)).group(0), dtype)
    got = _value(line_match.group(5), dtype)
    if not np.isfinite(x):
        return "NaN/inf input"
    if np.isnan(expected) != np.isnan(got):
        return "NaN output" if np.isnan(got) else "NaN expected"
    if expected == 0 and got == 0:
        return "sign of zero"
    if 0 < abs(expected) < _tiny(dtype) or 0 < abs(got) < _tiny(dtype):
        return "subnormal"
    if 0 < abs(x) < _tiny(dtype):
        return "subnormal input"
    return "value"


def wrong_class(case, text):
    """A name for a wrong answer's divergence, from the case's attributes and the mismatch lines."""
    a = case.attrs
    lines = [m for m in (_LINE.match(l) for l in text.splitlines()) if m]
    known = [m for m in lines if m.group(1)] or lines
    if not known:
        return "shape or status (see text)"
    kinds = {element_kind(m, case.dtype) for m in known}
    special = kinds - {"value"}
    if kinds == special:  # every shown mismatch is at a special value
        return "special values: " + ", ".join(sorted(special))
    if a["num_bits"] != 8:
        return "num_bits other than 8"
    if case.dtype == "float64":
        return "float64, num_bits 8"
    if a["round_mode"] == "HALF_UP":
        return "float32, num_bits 8, HALF_UP"
    return f"float32, num_bits 8, HALF_TO_EVEN, range_given {a['range_given']}, signed {a['signed_input']}, narrow {a['narrow_range']}"


def _normalized(message, n=110):
    lines = [l.strip() for l in message.strip().splitlines() if l.strip()] or [""]
    errors = [l[l.index("error:"):] for l in lines if "error:" in l]  # MLIR's diagnostics: the error, not the location
    first = errors[0] if errors else lines[0]
    first = re.sub(r"/\S+/", "", first)
    first = re.sub(r"0x[0-9a-f]+|-?\d+(\.\d+)?(e[-+]?\d+)?", "N", first)
    first = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", first)
    return first[:n]


def tf_refusal_class(case):
    e = case.expected_error
    if e.code == "NotFound":
        return f"TF refuses (NotFound: no {case.dtype} kernel on TF's CPU)"
    return f"TF refuses ({e.code}: {_normalized(e.message, 60)})"


def family(klass):
    """The broad kind of a divergence class, for the summary."""
    if klass.startswith("answered where TF refuses (NotFound"):
        return "wrong: answers where TF's CPU has no kernel for the dtype"
    if klass.startswith("answered where"):
        return "wrong: answers a case that TF rejects"
    if klass.startswith("special values"):
        return "wrong: at NaN/inf, signed zero or subnormal elements only"
    if klass.startswith("num_bits other"):
        return "wrong: num_bits other than 8"
    if klass.startswith("float32, num_bits 8, HALF_UP"):
        return "wrong: num_bits 8, HALF_UP"
    if klass.startswith(("float32, num_bits 8", "float64, num_bits 8")):
        return "wrong: num_bits 8, HALF_TO_EVEN" if "HALF_TO_EVEN" in klass else "wrong: float64, num_bits 8"
    if klass.startswith("output dtype") or klass.startswith("shape"):
        return "wrong: " + klass
    if klass.startswith("refused at graph"):
        return "refused: TF's graph construction rejects what its kernel answers"
    if klass.startswith("refused at"):
        return "refused: at " + klass.split(":")[0][len("refused at "):]
    if klass.startswith("passed as refusal"):
        return klass
    return klass.split(":")[0]


def families(classes):
    out = collections.Counter()
    for klass, c in classes.items():
        out[family(klass)] += c["count"]
    return dict(out.most_common())


# --- one case ---------------------------------------------------------------------------------

def judge(case, reply):
    """(outcome, class, text) of a case from the worker's reply (None: it crashed, with `crash`)."""
    tf_refuses = case.expected_error is not None
    if reply["status"] == "crashed":
        why = reply["why"]
        site = re.search(r"in (?:[\w.-]+/)*(\w+)\.py, line \d+ in (\w+)", why)
        klass = "crashed: " + why.split(";")[0] + (f" in {site.group(1)}.{site.group(2)}" if site else "")
        return "crashed", klass, why
    if reply["status"] == "error":
        text = f"{reply['phase']}: {reply['type']}: {reply['message']}"
        if tf_refuses:
            sub = "refused by TF's own graph construction" if reply["phase"] == "graph" else f"refused at {reply['phase']}"
            return "passed", f"passed as refusal ({sub})", text
        return "refused", f"refused at {reply['phase']}: {reply['type']}: {_normalized(reply['message'])}", text
    y = reply["y"]
    if tf_refuses:
        try:
            case.check(y)
            text = "check accepted an answer where TF refuses"
        except AssertionError as e:
            text = str(e)
        except (TypeError, ValueError) as e:
            text = f"{type(e).__name__}: {e}"
        return "wrong", "answered where " + tf_refusal_class(case), text
    if not isinstance(y, np.ndarray) or y.dtype != case.numpy_dtype:
        got = getattr(y, "dtype", type(y).__name__)
        return "wrong", f"output dtype {got} for a {case.dtype} case", f"output dtype {got}, the case's dtype is {case.dtype}"
    try:
        verdict = case.check(y)
    except AssertionError as e:
        text = str(e)
        return "wrong", wrong_class(case, text), text
    except Exception as e:  # noqa: BLE001 - qdq.Unchecked, by name (the API may add it)
        if type(e).__name__ == "Unchecked":
            return "unchecked", "unchecked (every element unconstrained)", str(e)
        raise
    if isinstance(verdict, dict) and verdict.get("verdict") not in (None, "passed"):
        return "unchecked", "unchecked (every element unconstrained)", str(verdict.get("verdict"))
    return "passed", "passed", ""


def run(converter, python, golden, dtypes, limit, id_filter, timeout, start_timeout, details_path, progress):
    import qdq

    cases = select_cases(qdq, golden, dtypes, limit, id_filter)
    worker = Worker(converter, python, start_timeout)
    counts = {o: 0 for o in OUTCOMES}
    counts["passed_as_refusal"] = 0
    by_dtype = collections.defaultdict(lambda: dict.fromkeys(("cases",) + OUTCOMES + ("passed_as_refusal",), 0))
    classes = {}
    details = open(details_path, "w", encoding="utf-8") if details_path else None
    started = time.monotonic()
    try:
        for i, case in enumerate(cases):
            request = {"dtype": case.dtype, "input": case.input, "input_min": case.input_min,
                       "input_max": case.input_max, "attrs": case.attrs}
            try:
                reply = worker.ask(request, timeout)
            except WorkerDied as d:
                reply = {"status": "crashed", "why": d.why}
            outcome, klass, text = judge(case, reply)
            counts[outcome] += 1
            row = by_dtype[case.dtype]
            row["cases"] += 1
            row[outcome] += 1
            if klass.startswith("passed as refusal"):
                counts["passed_as_refusal"] += 1
                row["passed_as_refusal"] += 1
            if klass != "passed":
                c = classes.setdefault(klass, {"outcome": outcome, "count": 0, "examples": [], "first_text": text[:3000]})
                c["count"] += 1
                if len(c["examples"]) < EXAMPLES_PER_CLASS:
                    c["examples"].append(case.id)
            if details:
                details.write(json.dumps({"id": case.id, "dtype": case.dtype, "outcome": outcome, "class": klass,
                                          "text": text[:2000]}) + "\n")
            if progress and (i + 1) % progress == 0:
                print(f"run.py: {i + 1}/{len(cases)} {json.dumps(counts)} ({time.monotonic() - started:.0f} s)",
                      file=sys.stderr, flush=True)
    finally:
        worker.stop()
        if details:
            details.close()
    return {
        "module": converter,
        "golden": golden,
        "dtypes": dtypes,
        "limit": limit,
        "input_min_max": "constants in the graph",
        "versions": worker.versions,
        "seconds": round(time.monotonic() - started, 1),
        "worker_starts": worker.starts,
        "worker_children": worker.children,
        "cases": len(cases),
        "counts": counts,
        "by_dtype": dict(by_dtype),
        "families": families(classes),
        "classes": dict(sorted(classes.items(), key=lambda kv: -kv[1]["count"])),
    }
