#!/usr/bin/env python3
"""Compares two answer files of the TF oracle (oracle.py's output), case by case.

  diff_answers.py BASE.jsonl OTHER.jsonl [--examples N] [--ids FILE]

Both files answer the same case file (e.g. TF 2.21 and another release). A case differs when its error code or
message differs, or when any output element differs in its bits (two NaNs with different payloads count as a
difference of their own kind, `nan-payload`). Differences are grouped into families (the case id without its
last component, profile and dtype) with counts and examples: the first differing elements as index, BASE bits,
OTHER bits. Exit 0 when every case answers alike, 1 otherwise, 2 on bad input. `--ids FILE` writes the differing
case ids, one a line.
"""
import argparse
import json
import re
import sys
from collections import OrderedDict, defaultdict

OUTPUTS = ("output", "input_backprop", "input_min_backprop", "input_max_backprop")


def load(path):
    answers, provenance = OrderedDict(), {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                a = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit("diff_answers: %s: line %d: %s" % (path, n, e))
            if "provenance" in a:
                provenance = a["provenance"]
            elif "id" in a:
                answers[a["id"]] = a
            else:
                sys.exit("diff_answers: %s: line %d: neither provenance nor an answer" % (path, n))
    return provenance, answers


# (exponent bits, significand bits) of each dtype
FORMATS = {"bfloat16": (8, 7), "float16": (5, 10), "float32": (8, 23), "float64": (11, 52)}


def is_nan(bits_hex, dtype):
    exp_bits, mant = FORMATS[dtype]
    v = int(bits_hex, 16)
    exp_mask = ((1 << exp_bits) - 1) << mant
    return (v & exp_mask) == exp_mask and (v & ((1 << mant) - 1)) != 0


def dtype_of(case_id):
    return next((p for p in case_id.split("/") if p in FORMATS), None)


def compare(a, b, dtype):
    """(kind, details): kind None when alike, else 'error', 'status', 'shape', 'bits' or 'nan-payload'."""
    ea, eb = a.get("error"), b.get("error")
    if ea or eb:
        if not (ea and eb):
            return "status", "%s vs %s" % (ea["code"] + ": " + ea["message"][:120] if ea else "outputs",
                                           eb["code"] + ": " + eb["message"][:120] if eb else "outputs")
        if (ea["code"], ea["message"]) != (eb["code"], eb["message"]):
            return "error", "%s: %r vs %s: %r" % (ea["code"], ea["message"][:160], eb["code"], eb["message"][:160])
        return None, ""
    kind, diffs = None, []
    for name in OUTPUTS:
        if name not in a and name not in b:
            continue
        ta, tb = a.get(name), b.get(name)
        if not ta or not tb or ta["shape"] != tb["shape"]:
            return "shape", name
        for i, (x, y) in enumerate(zip(ta["data"], tb["data"])):
            if x == y:
                continue
            if dtype and is_nan(x, dtype) and is_nan(y, dtype):
                kind = kind or "nan-payload"
            else:
                kind = "bits"
            diffs.append("%s[%d] %s %s" % (name, i, x, y))
    return kind, diffs


def family(case_id):
    parts = case_id.split("/")
    # suite/profile/dtype/... : keep the suite and the descriptive middle, drop profile and the last part
    rest = parts[3:-1] if len(parts) > 4 else parts[3:]
    rest = [re.sub(r"^(b|s)\d+$", r"\1N", p) for p in rest]
    return "/".join([parts[0], parts[2] if len(parts) > 2 else ""] + rest)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("base")
    ap.add_argument("other")
    ap.add_argument("--examples", type=int, default=2)
    ap.add_argument("--ids")
    args = ap.parse_args()
    pa, a = load(args.base)
    pb, b = load(args.other)
    missing = [i for i in a if i not in b] + [i for i in b if i not in a]
    groups = defaultdict(list)
    for case_id, x in a.items():
        if case_id in b:
            kind, details = compare(x, b[case_id], dtype_of(case_id))
            if kind:
                groups[(kind, family(case_id))].append((case_id, details))
    print("base  %s (%s)" % (pa.get("tf_version", "?"), pa.get("tf_mode", "?")))
    print("other %s (%s)" % (pb.get("tf_version", "?"), pb.get("tf_mode", "?")))
    total = sum(len(v) for v in groups.values())
    print("%d cases compared, %d differ, %d in one file only" % (sum(1 for i in a if i in b), total, len(missing)))
    for (kind, fam), items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        print("  %5d  %-11s %s" % (len(items), kind, fam))
        for case_id, details in items[:args.examples]:
            shown = details if isinstance(details, str) else "; ".join(details[:3]) + (
                " (+%d)" % (len(details) - 3) if len(details) > 3 else "")
            print("           %s: %s" % (case_id, shown))
    if args.ids:
        with open(args.ids, "w") as f:
            for items in groups.values():
                for case_id, _ in items:
                    f.write(case_id + "\n")
    return 1 if total or missing else 0


if __name__ == "__main__":
    sys.exit(main())
