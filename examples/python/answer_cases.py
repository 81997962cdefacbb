"""A program that answers a `qdq cases` file with the numpy port, one JSON answer line per case
(the `qdq eval` format): the file route into the harness, which works the same from any language.

    build/bin/qdq cases --suite known --profile tf-cpu --dtype float32 -o cases.jsonl
    python examples/python/answer_cases.py cases.jsonl > answers.jsonl
    build/bin/qdq verify cases.jsonl answers.jsonl

Only numpy is needed (no qdq package): cases carry each element's bits as "0x..." hex strings.
Cases this port does not implement are answered {"error": {"code": "Unsupported"}}."""

import json
import sys

import numpy as np

import tf_cpu_float32


def tensor(t):
    bits = np.array([int(b, 16) for b in t["data"]], dtype=np.uint32)
    return bits.view(np.float32).reshape(t["shape"])


def encoded(a):
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "data": ["0x%08x" % b for b in a.reshape(-1).view(np.uint32)]}


def answer(case):
    if case["profile"] != "tf-cpu" or case["dtype"] != "float32":
        return {"error": {"code": "Unsupported", "message": "the port is tf-cpu float32 only"}}
    attrs, x = case["attrs"], tensor(case["input"])
    lo, hi = tensor(case["input_min"]), tensor(case["input_max"])
    try:
        if case["op"] == "forward":
            return {"output": encoded(tf_cpu_float32.quantize_and_dequantize(x, lo, hi, **attrs))}
        dx, dmin, dmax = tf_cpu_float32.quantize_and_dequantize_grad(tensor(case["gradients"]), x, lo, hi, attrs["axis"])
        return {"input_backprop": encoded(dx), "input_min_backprop": encoded(dmin), "input_max_backprop": encoded(dmax)}
    except tf_cpu_float32.Rejected as e:
        return {"error": {"code": e.code, "message": e.message}}


def main(path):
    with open(path, encoding="utf-8") as cases:
        for line in cases:
            if line.strip():
                case = json.loads(line)
                print(json.dumps({"id": case["id"], **answer(case)}))


if __name__ == "__main__":
    main(sys.argv[1])
