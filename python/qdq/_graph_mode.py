"""The cases TensorFlow answers eagerly but refuses when the op is traced into a graph (a plain
tf.function with static shapes, as every converter traces it: TF's shape functions run at trace
time). The list is measured with real TensorFlow by tools/tf_oracle/graph_mode.sh and kept in
conformance/graph_mode/; the package carries it in share/qdq/conformance/graph_mode/."""

import json
import os

_HERE = os.path.dirname(os.path.abspath(__file__))
_FILE = os.path.join(_HERE, "share", "qdq", "conformance", "graph_mode", "tf-2.21.jsonl")
_refusals = None


def _load():
    """{(source, case id): (code, message)}; source is "suite NAME" or "golden FILE-NAME"."""
    global _refusals
    if _refusals is None:
        table = {}
        with open(_FILE, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                entry = json.loads(line)
                if "provenance" in entry:
                    continue
                try:
                    table[(entry["source"], entry["id"])] = (entry["code"], entry["message"])
                except KeyError as e:
                    raise ValueError(f"{_FILE}: line {n}: no {e.args[0]!r}") from None
        _refusals = table
    return _refusals


def refusal(origin, case_id):
    """(code, message) where TF refuses the case in a graph while it answers it eagerly, else None.
    origin: the Case's ("suite", name, seed), ("golden", path), ...; only the measured sources
    (the tf-cpu suites and golden/tf-2.21-cpu.h5) can carry a refusal."""
    if origin[0] == "suite":
        key = (f"suite {origin[1]}", case_id)
    elif origin[0] == "golden":
        key = (f"golden {os.path.basename(origin[1])}", case_id)
    else:
        return None
    return _load().get(key)
