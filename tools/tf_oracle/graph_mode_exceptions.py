#!/usr/bin/env python3
"""Real TensorFlow exceptions, as fixtures for qdq.OpError.from_tf: one line per distinct (mode, exception class,
wrapper form) met when the harness's cases run eagerly (oracle.py --mode kernel), in a traced graph (--mode graph)
and under XLA (--mode xla). Run by tools/tf_oracle/graph_mode.sh, in the TF venv:

  graph_mode_exceptions.py --source CASES EAGER GRAPH [--source ...] -o python/tests/data/tf_exceptions.jsonl

CASES is a `qdq cases` file, EAGER and GRAPH the oracle's answers to it: the first case of each distinct refusal
(Python class, code and message, numbers folded) in either mode is run again in all three modes, the exception kept.
Each line: {"mode": "eager"|"graph"|"xla", "case", "class", "module", "mro" (the class and its bases up to
Exception), "str": str(e), "message": e.message or null, "tf_code": TF's canonical code name of e.error_code or
null, "clean_code", "clean_message" (what the oracle writes; null for an exception that is not the op's refusal),
"wrapper" (the wrapper form, in words)}. Two lines are variants the oracle does not run, marked "variant": a graph
traced with autograph=False (no "in user code:" frame), and two Python TypeErrors that are no refusal of the op
(a string as input, a string as num_bits: clean_code null).
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402  (imports TensorFlow)

tf = oracle.tf
# TF's canonical codes by number, named as the harness names them (INVALID_ARGUMENT -> InvalidArgument)
TF_CODES = {getattr(tf.errors, n): "".join(w.capitalize() for w in n.split("_"))
            for n in dir(tf.errors) if n.isupper() and isinstance(getattr(tf.errors, n), int) and n != "OK"}
MODES = {"eager": "kernel", "graph": "graph", "xla": "xla"}


def fold(code, message):
    return code, re.sub(r"-?\b\d+\b", "N", re.sub(r"\[[^]\n]*\]", "[...]", message))


def wrapper(text):
    """The wrappers around TF's core message in str(e), in words."""
    parts = []
    if text.startswith("{{function_node __wrapped__"):
        parts.append("{{function_node __wrapped__OP_device_DEVICE}} prefix")
    elif text.startswith("{{function_node "):
        parts.append("{{function_node __inference_FN_N}} prefix")
    if text.startswith("in user code:"):
        m = re.search(r"\n    (\w+): ", text)
        parts.append("autograph 'in user code:' frames, then '%s: '" % (m.group(1) if m else "?"))
    if " with input shapes: " in text:
        parts.append("\" for '{{node N}} = OP[ATTRS](ARGS)' with input shapes: ...\" suffix")
    if "\n\t; NodeDef: " in text:
        parts.append("'\\n\\t; NodeDef: {{node N}}; Op<...>' suffix")
    if "with these attrs: [" in text:
        parts.append("'with these attrs: [...]' in a hash order")
    if re.search(r"\n\t \[\[\{\{node [^]]*\]\]", text):
        parts.append("'\\n\\t [[{{node N}}]]' suffix")
    elif re.search(r"\n\t \[\[[A-Za-z0-9_/]+\]\]", text):
        parts.append("'\\n\\t [[N]]' suffix")
    if "tf2xla conversion failed" in text:
        parts.append("'\\n\\ttf2xla conversion failed ...' suffix")
    if "The op is created at:" in text:
        parts.append("'The op is created at:' stack suffix")
    if re.search(r" \[Op:__inference_[^]]*\]$", text):
        parts.append("' [Op:__inference_FN_N]' suffix")
    elif re.search(r" \[Op:[A-Za-z0-9_]+\] name: $", text):
        parts.append("' [Op:OP] name: ' suffix")
    return "; ".join(parts) or "none (the core message alone)"


def record(mode, case_id, e, op_error=True, variant=None):
    cls = type(e)
    mro = []
    for c in cls.__mro__:
        mro.append(c.__name__)
        if c is Exception:
            break
    code, message = oracle.error_of(e) if op_error else (None, None)
    line = {"mode": mode, "case": case_id, "class": cls.__name__, "module": cls.__module__, "mro": mro,
            "str": str(e), "message": getattr(e, "message", None),
            "tf_code": TF_CODES.get(getattr(e, "error_code", None)), "clean_code": code, "clean_message": message,
            "wrapper": wrapper(str(e))}
    if variant:
        line["variant"] = variant
    return line


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", nargs=3, action="append", required=True, metavar=("CASES", "EAGER", "GRAPH"))
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()

    # The first case of each distinct refusal, in either mode
    candidates, seen = [], set()
    for cases_path, *answer_paths in args.source:
        answers = []
        for path in answer_paths:
            with open(path) as f:
                answers.append({a["id"]: a for a in map(json.loads, f.readlines()[1:])})
        with open(cases_path) as f:
            for line in f:
                case = json.loads(line)
                for n, mode_answers in enumerate(answers):
                    error = mode_answers[case["id"]].get("error")
                    key = error and (n, error.get("python_exception")) + fold(error["code"], error["message"])
                    if key and key not in seen:
                        seen.add(key)
                        if case not in candidates:
                            candidates.append(case)
    print("graph_mode_exceptions: %d cases to rerun" % len(candidates), file=sys.stderr)

    lines, forms = [], set()
    for mode, oracle_mode in MODES.items():
        runner = oracle.Runner(oracle_mode)
        for case in candidates:
            try:
                runner.run(case)
            except Exception as e:  # noqa: BLE001  (every class TF raises is wanted)
                key = (mode, type(e).__name__, wrapper(str(e)))
                if key not in forms:
                    forms.add(key)
                    lines.append(record(mode, case["id"], e))

    # Variants the oracle does not run. A graph built without autograph: the shape function's ValueError bare.
    case = next((c for c in candidates if c["id"] in {ln["case"] for ln in lines
                                                      if ln["mode"] == "graph" and ln["class"] == "ValueError"}), None)
    if case is not None:
        ins = {k: oracle.tensor(case[k], case["dtype"]) for k in ("input", "input_min", "input_max")}
        names = sorted(ins)
        spec = [tf.TensorSpec(ins[n].shape, ins[n].dtype, name=n) for n in names]

        def qdq_graph(*args):
            return tf.raw_ops.QuantizeAndDequantizeV4(**dict(zip(names, args)), **case["attrs"])
        try:
            tf.function(qdq_graph, input_signature=spec, autograph=False).get_concrete_function()
        except Exception as e:  # noqa: BLE001
            lines.append(record("graph", case["id"], e, variant="tf.function(autograph=False)"))
    # Python's own TypeErrors, raised before TF's op sees anything: no refusal of the op
    x, lo, hi = tf.constant([1.0]), tf.constant(0.0), tf.constant(1.0)
    for variant, call in (("a Python string as input", lambda: tf.raw_ops.QuantizeAndDequantizeV4(
                              input="1.5", input_min=lo, input_max=hi)),
                          ("a Python string as num_bits", lambda: tf.raw_ops.QuantizeAndDequantizeV4(
                              input=x, input_min=lo, input_max=hi, num_bits="8"))):
        try:
            call()
            print("graph_mode_exceptions: no exception for %s" % variant, file=sys.stderr)
        except Exception as e:  # noqa: BLE001
            lines.append(record("eager", None, e, op_error=False, variant=variant))

    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output + ".tmp", "w") as f:
        f.writelines(json.dumps(line) + "\n" for line in lines)
    os.replace(args.output + ".tmp", args.output)
    print("graph_mode_exceptions: %d lines" % len(lines), file=sys.stderr)


if __name__ == "__main__":
    main()
