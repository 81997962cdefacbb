#!/usr/bin/env python3
"""The TF oracle: runs `qdq eval`-format case lines through real TensorFlow and writes answer lines.

  oracle.py --mode kernel CASES.jsonl ANSWERS.jsonl   eager tf.raw_ops on TF's CPU kernel (profile tf-cpu)
  oracle.py --mode xla    CASES.jsonl ANSWERS.jsonl   inside tf.function(jit_compile=True): XLA on CPU (tf-xla)
  oracle.py --mode graph  CASES.jsonl ANSWERS.jsonl   inside a plain tf.function (no jit_compile) traced with the
                                                      case's shapes as static shapes, then run on TF's CPU kernel:
                                                      what a converter (tf2onnx, TFLite) sees. Shape functions run
                                                      while tracing and refuse some cases eager mode answers
                                                      (tools/tf_oracle/graph_mode.sh, conformance/graph_mode/)

The first answer line is {"provenance": {"tf_version", "tf_mode", "device", "numpy_version", "python",
"tf_release", "tf_git_version"}}; then one answer per case, in order, as `qdq eval` writes them: outputs as raw
bits, or TF's error code and message with Python's decorations removed. `qdq golden generate --answers
ANSWERS.jsonl` turns them into a golden file. Cases come from `qdq golden generate --cases-jsonl`, so the oracle
and the harness see the same inputs.
Run it with the pinned venv: $(tools/tf_oracle/setup.sh) tools/tf_oracle/oracle.py ... (--chunk 2000 for long XLA runs)
or under another TensorFlow release (setup.sh --list names them; tf_release in the provenance says which):
  $(tools/tf_oracle/setup.sh 2.15) tools/tf_oracle/oracle.py ...
"""
import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

# TF's numpy bfloat16: ml_dtypes.bfloat16 from 2.14 on, a type of its own in 2.12 and 2.13.
DTYPES = {"bfloat16": (tf.bfloat16.as_numpy_dtype, np.uint16), "float16": (np.float16, np.uint16),
          "float32": (np.float32, np.uint32), "float64": (np.float64, np.uint64)}
# TF's error codes and the cleaning of its messages are the Python package's (python/qdq/_tf_errors.py,
# standard library only), loaded by path: this venv has TensorFlow, not the package.
_spec = importlib.util.spec_from_file_location(
    "qdq_tf_errors", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python", "qdq", "_tf_errors.py"))
_tf_errors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_tf_errors)
CODES = _tf_errors.CODES
core_message = _tf_errors.core_message
MODES = {"kernel": "eager, TF's CPU kernel (tf.raw_ops)", "xla": "tf.function(jit_compile=True), XLA on CPU",
         "graph": "tf.function traced with the case's static shapes, TF's CPU kernel"}


def tensor(t, dtype):
    value_type, bits_type = DTYPES[dtype]
    bits = np.array([int(h, 16) for h in t["data"]], dtype=bits_type).reshape(t["shape"])
    return tf.constant(bits.view(value_type))


def bits_json(t, dtype):
    _, bits_type = DTYPES[dtype]
    width = np.dtype(bits_type).itemsize * 2
    return {"shape": list(t.shape), "data": ["0x%0*x" % (width, v) for v in t.numpy().view(bits_type).ravel()]}


class Runner:
    def __init__(self, mode):
        self.mode = mode
        self.compiled = {}

    def call(self, op, attrs, tensors):
        if self.mode == "kernel":
            return op(**tensors, **attrs)
        # One compiled (xla) or traced (graph) function per op, attributes and input signature.
        names = sorted(tensors)
        key = (op.__name__, json.dumps(attrs, sort_keys=True),
               tuple((n, tuple(tensors[n].shape), tensors[n].dtype.name) for n in names))
        if key not in self.compiled:
            if self.mode == "xla":  # XLA compiles per shape, at the first call
                self.compiled[key] = tf.function(lambda *args: op(**dict(zip(names, args)), **attrs),
                                                 jit_compile=True)
            else:  # graph: traced here, with every input's exact shape and dtype static (TensorSpec), so the op's
                # shape function refuses here what it refuses in a converter's graph; a refusal is not cached
                spec = [tf.TensorSpec(tensors[n].shape, tensors[n].dtype, name=n) for n in names]
                self.compiled[key] = tf.function(lambda *args: op(**dict(zip(names, args)), **attrs),
                                                 input_signature=spec).get_concrete_function()
        return self.compiled[key](*[tensors[n] for n in names])

    def run(self, case):
        """The answer line for `case` (outputs), or raises what TF raised."""
        dtype, attrs = case["dtype"], case.get("attrs", {})
        ins = {k: tensor(case[k], dtype) for k in ("input", "input_min", "input_max")}
        if case.get("op", "forward") == "forward":
            out = self.call(tf.raw_ops.QuantizeAndDequantizeV4, attrs, ins)
            return {"id": case["id"], "output": bits_json(out, dtype)}
        ins["gradients"] = tensor(case["gradients"], dtype)
        outs = self.call(tf.raw_ops.QuantizeAndDequantizeV4Grad, {"axis": attrs.get("axis", -1)}, ins)
        names = ("input_backprop", "input_min_backprop", "input_max_backprop")
        return dict({"id": case["id"]}, **{n: bits_json(t, dtype) for n, t in zip(names, outs)})

    def answer(self, case):
        try:
            return self.run(case)
        except (tf.errors.OpError, ValueError, TypeError) as e:
            code, message = error_of(e)
            return {"id": case["id"], "error": {"code": code, "message": message,
                                               "python_exception": type(e).__name__}}


def error_of(e):
    """(code, message) as the oracle writes them for what TF raised."""
    if isinstance(e, tf.errors.OpError):
        return CODES.get(e.error_code, "Code%d" % e.error_code), core_message(e.message)
    # raised by Python while tracing (shape functions, the op's attribute checks): TF's InvalidArgument text
    return "InvalidArgument", core_message(str(e))


def provenance(mode):
    return {"tf_version": tf.__version__, "tf_mode": MODES[mode], "device": "CPU", "numpy_version": np.__version__,
            "python": platform.python_version(), "tf_release": ".".join(tf.__version__.split(".")[:2]),
            "tf_git_version": tf.version.GIT_VERSION}


def answer_lines(mode, lines, out, first=0):
    """Answers `lines` (case lines) in this process, one answer line each."""
    runner = Runner(mode)
    for n, line in enumerate(lines, first + 1):
        out.write(json.dumps(runner.answer(json.loads(line))) + "\n")
        out.flush()
        if n % 1000 == 0:
            print("oracle: %d cases" % n, file=sys.stderr, flush=True)


def answer_in_chunks(args, lines, out):
    """Answers `lines` in child processes of `args.chunk` cases each. Long XLA runs in one process die (a
    segfault in TF after about 12,000 compilations, TF 2.21): a fresh process per chunk avoids it. A child that
    dies is restarted after the last case it answered; a case that kills a fresh process twice is answered as
    ProcessAbort with the signal, and the run goes on."""
    start, fatal = 0, 0
    while start < len(lines):
        end = min(start + args.chunk, len(lines))
        part = "%s.part%d" % (args.answers, start)
        with open(part + ".cases", "w") as f:
            f.writelines(lines[start:end])
        rc = subprocess.call([sys.executable, __file__, "--mode", args.mode, "--child", str(start),
                              part + ".cases", part])
        with open(part) as f:
            answered = [line for line in f if line.strip()][1:]  # after the provenance line
        out.writelines(answered)
        os.remove(part)
        os.remove(part + ".cases")
        start += len(answered)
        if rc == 0:
            continue
        print("oracle: a TF process died (exit %d) after %d cases of this chunk" % (rc, len(answered)),
              file=sys.stderr, flush=True)
        fatal = fatal + 1 if not answered else 1
        if fatal == 2:  # the same case killed two fresh processes
            case = json.loads(lines[start])
            out.write(json.dumps({"id": case["id"], "error": {
                "code": "ProcessAbort", "message": "TF's process died (exit status %d)" % rc}}) + "\n")
            start, fatal = start + 1, 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=sorted(MODES), required=True)
    ap.add_argument("--chunk", type=int, default=0,
                    help="cases per child process (default: 0, all in this one; 2000 suits long XLA runs)")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)  # the first case's number, for progress
    ap.add_argument("cases")
    ap.add_argument("answers")
    args = ap.parse_args()
    with open(args.cases) as f:
        lines = [line for line in f if line.strip()]
    tmp = args.answers + ".tmp"
    with open(tmp, "w") as out:
        out.write(json.dumps({"provenance": provenance(args.mode)}) + "\n")
        if args.chunk > 0 and args.child is None:
            answer_in_chunks(args, lines, out)
        else:
            answer_lines(args.mode, lines, out, args.child or 0)
    os.replace(tmp, args.answers)


if __name__ == "__main__":
    main()
