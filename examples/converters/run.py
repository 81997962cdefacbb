#!/usr/bin/env python3
"""Checks a third-party translation of QuantizeAndDequantizeV4 against TensorFlow's own answers.

    examples/converters/make_venv.sh tf2onnx          # once per venv: tf2onnx, tflite, openvino
    examples/converters/run.py --converter tf2onnx --out tf2onnx.json

Each forward case of the golden file (TensorFlow 2.21's answers, profile tf-cpu) becomes one graph
around tf.raw_ops.QuantizeAndDequantizeV4, which the converter translates and its runtime runs on the
case's input; the harness's case.check judges the answer. The result (counts, per dtype, and each
class of divergence with example case ids and the first mismatch text) goes to --out as JSON.

Runs itself under the converter's venv (examples/converters/.venv-NAME/); exits 77 when that venv
is absent, 1 when the run itself failed or judged no case, 0 otherwise: divergences of the converter
are the findings, not failures of the run.
"""

import argparse
import json
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CONVERTERS = {  # name: (module, venv)
    "tf2onnx": ("tf2onnx_onnxruntime", "tf2onnx"),
    "tflite": ("tflite", "tflite"),
    "openvino-tf": ("openvino_tf", "openvino"),
    "openvino-onnx": ("openvino_onnx", "openvino"),
}
SKIP = 77


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--converter", required=True, choices=sorted(CONVERTERS))
    p.add_argument("--limit", type=int, default=0, help="at most N cases, spread over the selection (0: all)")
    p.add_argument("--out", help="the JSON result (default: stdout)")
    p.add_argument("--details", help="one JSON line per case (outcome, class, text)")
    p.add_argument("--dtype", action="append", help="a dtype to run (repeatable; default: all four)")
    p.add_argument("--id", help="only the cases whose id matches this regular expression")
    p.add_argument("--golden", default="golden/tf-2.21-cpu.h5", help="relative to the repository's root")
    p.add_argument("--qdq-python", default=os.environ.get("QDQ_PYTHONPATH", os.path.join(ROOT, "build", "python")),
                   help="the folder that holds the built qdq package (default: build/python)")
    p.add_argument("--timeout", type=float, default=60, help="seconds per case before it counts as a hang")
    p.add_argument("--start-timeout", type=float, default=300, help="seconds for the worker to import its converter")
    p.add_argument("--progress", type=int, default=500, help="a progress line on stderr every N cases (0: none)")
    return p.parse_args()


def in_venv(venv):
    return os.path.realpath(sys.prefix) == os.path.realpath(venv)


def main():
    args = parse()
    module, venv_name = CONVERTERS[args.converter]
    venv = os.path.join(HERE, f".venv-{venv_name}")
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        print(f"run.py: SKIP: no venv {venv} (make it with examples/converters/make_venv.sh {venv_name})", file=sys.stderr)
        return SKIP
    if not in_venv(venv):
        os.execv(python, [python, os.path.abspath(__file__)] + sys.argv[1:])
    out = os.path.abspath(args.out) if args.out else None
    details = os.path.abspath(args.details) if args.details else None
    os.chdir(ROOT)  # so that the harness's explain hints name the golden file as docs/converters.md does
    result = {"converter": args.converter, "harness_error": None}
    try:
        sys.path.insert(0, os.path.abspath(args.qdq_python))
        import driver

        result.update(driver.run(module, python, args.golden, args.dtype or ["float32", "float64", "float16", "bfloat16"],
                                 args.limit, args.id, args.timeout, args.start_timeout, details, args.progress))
        result["harness_error"] = None
    except Exception:  # noqa: BLE001 - the run's own failure, recorded in the result
        result["harness_error"] = traceback.format_exc()
    text = json.dumps(result, indent=1)
    if out:
        with open(out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        print(text)
    if result["harness_error"]:
        print(f"run.py: the run failed:\n{result['harness_error']}", file=sys.stderr)
        return 1
    c = result["counts"]
    judged = result["cases"] - c["crashed"]
    print(f"run.py: {args.converter}: {result['cases']} cases: {c['passed']} passed ({c['passed_as_refusal']} as refusal), "
          f"{c['wrong']} wrong, {c['refused']} refused, {c['crashed']} crashed, {c['unchecked']} unchecked "
          f"({result['seconds']} s)", file=sys.stderr)
    if judged == 0:
        print("run.py: no case was judged", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
