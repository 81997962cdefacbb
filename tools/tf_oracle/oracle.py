#!/usr/bin/env python3
"""The TF oracle: runs `qdq eval`-format case lines through real TensorFlow and writes answer lines.

  oracle.py --mode kernel CASES.jsonl ANSWERS.jsonl   eager tf.raw_ops on TF's CPU kernel (profile tf-cpu)
  oracle.py --mode xla    CASES.jsonl ANSWERS.jsonl   inside tf.function(jit_compile=True): XLA on CPU (tf-xla)

The first answer line is {"provenance": {"tf_version", "tf_mode", "device", "numpy_version", "python"}}; then one
answer per case, in order, as `qdq eval` writes them: outputs as raw bits, or TF's error code and message with
Python's decorations removed. `qdq golden generate --answers ANSWERS.jsonl` turns them into a golden file.
Cases come from `qdq golden generate --cases-jsonl`, so the oracle and the harness see the same inputs.
Run it with the pinned venv: $(tools/tf_oracle/setup.sh) tools/tf_oracle/oracle.py ...
"""
import argparse
import json
import os
import platform
import re
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import ml_dtypes  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

DTYPES = {"bfloat16": (ml_dtypes.bfloat16, np.uint16), "float16": (np.float16, np.uint16),
          "float32": (np.float32, np.uint32), "float64": (np.float64, np.uint64)}
CODES = {3: "InvalidArgument", 5: "NotFound", 12: "Unimplemented"}
MODES = {"kernel": "eager, TF's CPU kernel (tf.raw_ops)", "xla": "tf.function(jit_compile=True), XLA on CPU"}


def tensor(t, dtype):
    value_type, bits_type = DTYPES[dtype]
    bits = np.array([int(h, 16) for h in t["data"]], dtype=bits_type).reshape(t["shape"])
    return tf.constant(bits.view(value_type))


def bits_json(t, dtype):
    _, bits_type = DTYPES[dtype]
    width = np.dtype(bits_type).itemsize * 2
    return {"shape": list(t.shape), "data": ["0x%0*x" % (width, v) for v in t.numpy().view(bits_type).ravel()]}


def core_message(message):
    """TF's message without what depends on the caller: Python's decorations, the traced function's
    generated name, stack frames and hints."""
    message = re.sub(r"^\{\{function_node [^}]*\}\} ", "", message)
    message = re.sub(r" \[Op:[A-Za-z0-9_<>]+\]( name: )?$", "", message)
    # Graph construction (tf.function tracing): "in user code: ... ValueError: CORE for '{{node ...' with input shapes"
    m = re.search(r"ValueError: (.*?)( for '\{\{node .*)?$", message, re.S)
    if message.startswith("in user code:") and m:
        return m.group(1).strip()
    # tf2xla: "CORE\n\t [[{{node ...}}]]\n\ttf2xla conversion failed ..."
    message = re.sub(r"\n\t \[\[\{\{node [^]]*\]\]\n\ttf2xla conversion failed.*$", "", message, flags=re.S)
    # XLA compilation of an op without an XLA kernel
    message = re.sub(r"compile graph __inference_[^ ]* on", "compile graph on", message)
    message = re.sub(r"\)\{\{node [A-Za-z0-9]+\}\}\nThe op is created at: .*$", ")", message, flags=re.S)
    return message


class Runner:
    def __init__(self, mode):
        self.mode = mode
        self.compiled = {}

    def call(self, op, attrs, tensors):
        if self.mode == "kernel":
            return op(**tensors, **attrs)
        # One compiled function per op, attributes and input signature (XLA compiles per shape).
        key = (op.__name__, json.dumps(attrs, sort_keys=True),
               tuple((n, tuple(t.shape), t.dtype.name) for n, t in sorted(tensors.items())))
        if key not in self.compiled:
            names = sorted(tensors)
            self.compiled[key] = tf.function(lambda *args: op(**dict(zip(names, args)), **attrs), jit_compile=True)
        return self.compiled[key](*[tensors[n] for n in sorted(tensors)])

    def answer(self, case):
        dtype, attrs = case["dtype"], case.get("attrs", {})
        ins = {k: tensor(case[k], dtype) for k in ("input", "input_min", "input_max")}
        try:
            if case.get("op", "forward") == "forward":
                out = self.call(tf.raw_ops.QuantizeAndDequantizeV4, attrs, ins)
                return {"id": case["id"], "output": bits_json(out, dtype)}
            ins["gradients"] = tensor(case["gradients"], dtype)
            outs = self.call(tf.raw_ops.QuantizeAndDequantizeV4Grad, {"axis": attrs.get("axis", -1)}, ins)
            names = ("input_backprop", "input_min_backprop", "input_max_backprop")
            return dict({"id": case["id"]}, **{n: bits_json(t, dtype) for n, t in zip(names, outs)})
        except (tf.errors.OpError, ValueError, TypeError) as e:
            if isinstance(e, tf.errors.OpError):
                code, message = CODES.get(e.error_code, "Code%d" % e.error_code), e.message
            else:  # raised by Python while tracing (shape functions): TF's InvalidArgument text
                code, message = "InvalidArgument", str(e)
            return {"id": case["id"], "error": {"code": code, "message": core_message(message),
                                               "python_exception": type(e).__name__}}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=sorted(MODES), required=True)
    ap.add_argument("cases")
    ap.add_argument("answers")
    args = ap.parse_args()
    runner = Runner(args.mode)
    tmp = args.answers + ".tmp"
    with open(args.cases) as cases, open(tmp, "w") as out:
        provenance = {"tf_version": tf.__version__, "tf_mode": MODES[args.mode], "device": "CPU",
                      "numpy_version": np.__version__, "python": platform.python_version()}
        out.write(json.dumps({"provenance": provenance}) + "\n")
        for n, line in enumerate(cases, 1):
            if line.strip():
                out.write(json.dumps(runner.answer(json.loads(line))) + "\n")
            if n % 1000 == 0:
                print("oracle: %d cases" % n, file=sys.stderr, flush=True)
    os.replace(tmp, args.answers)


if __name__ == "__main__":
    main()
