#!/usr/bin/env python3
"""Compares the TF oracle's eager answers (--mode kernel) with its graph-mode answers (--mode graph), case by case,
and writes what a converter's graph refuses that eager TF answers. Run by tools/tf_oracle/graph_mode.sh.

  graph_mode_compare.py --source "suite known" CASES EAGER GRAPH [--source ...] --refusals OUT --differences OUT2

CASES is a `qdq cases` file, EAGER and GRAPH the oracle's answers to it (first line the provenance).
OUT: a provenance line, then one line per case graph mode refuses while eager mode answers
  {"id", "source", "op", "dtype", "code", "message"}   (the graph's error as the oracle writes it)
OUT2: every other difference, grouped: one line per (kind, source, op, dtype, eager error, graph error) with the
  messages' numbers and attribute lists folded (N, [...]) so that a group is one kind of message:
  {"kind", "source", "op", "dtype", "eager", "graph", "count", "examples": [up to 3 case ids]}
  kind: "error differs" (both refuse, another code or message), "outputs differ" (both answer, other bits),
  "graph answers, eager refuses". A line {"summary": ...} ends it with the counts per source.
Only the standard library is used; needs no TensorFlow.
"""
import argparse
import collections
import datetime
import json
import os
import re
import subprocess
import sys


def read_answers(path):
    with open(path) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    if not lines or "provenance" not in lines[0]:
        sys.exit("graph_mode_compare: %s: no provenance line" % path)
    return lines[0]["provenance"], {a["id"]: a for a in lines[1:]}


def outcome(answer):
    return answer.get("error") or {k: v for k, v in answer.items() if k != "id"}


def fold(error):
    """An error's code and message with numbers and bracketed lists folded, so that one group is one message kind."""
    message = re.sub(r"\[[^]\n]*\]", "[...]", error["message"])
    message = re.sub(r"-?\b\d+(\.\d+)?(e[-+]?\d+)?\b", "N", message)
    return {"code": error["code"], "message": message}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", nargs=4, action="append", required=True, metavar=("NAME", "CASES", "EAGER", "GRAPH"))
    ap.add_argument("--refusals", required=True)
    ap.add_argument("--differences", required=True)
    args = ap.parse_args()

    refusals, groups, summary, provenance = [], collections.OrderedDict(), collections.OrderedDict(), None
    for name, cases_path, eager_path, graph_path in args.source:
        eager_prov, eager = read_answers(eager_path)
        graph_prov, graph = read_answers(graph_path)
        if eager_prov["tf_version"] != graph_prov["tf_version"]:
            sys.exit("graph_mode_compare: %s: eager and graph answers from different TF releases" % name)
        provenance = provenance or graph_prov
        counts = collections.Counter()
        with open(cases_path) as f:
            cases = [json.loads(line) for line in f if line.strip()]
        for case in cases:
            cid, op, dtype = case["id"], case.get("op", "forward"), case["dtype"]
            if cid not in eager or cid not in graph:
                sys.exit("graph_mode_compare: %s: case %s has no eager or no graph answer" % (name, cid))
            e, g = outcome(eager[cid]), outcome(graph[cid])
            counts["cases"] += 1
            counts["eager refuses" if "code" in e else "eager answers"] += 1
            counts["graph refuses" if "code" in g else "graph answers"] += 1
            if "code" not in e and "code" in g:
                counts["graph refuses, eager answers"] += 1
                refusals.append({"id": cid, "source": name, "op": op, "dtype": dtype,
                                 "code": g["code"], "message": g["message"]})
                continue
            if "code" in e and "code" in g:
                if (e["code"], e["message"]) == (g["code"], g["message"]):
                    continue
                kind, ek, gk = "error differs", fold(e), fold(g)
            elif "code" in e:
                kind, ek, gk = "graph answers, eager refuses", fold(e), "outputs"
            elif e != g:
                kind, ek, gk = "outputs differ", "outputs", "outputs"
            else:
                continue
            counts[kind] += 1
            key = json.dumps([kind, name, op, dtype, ek, gk], sort_keys=True)
            group = groups.setdefault(key, {"kind": kind, "source": name, "op": op, "dtype": dtype, "eager": ek,
                                            "graph": gk, "count": 0, "examples": []})
            group["count"] += 1
            if len(group["examples"]) < 3:
                group["examples"].append(cid)
        summary[name] = dict(counts)
        print("graph_mode_compare: %s: %s" % (name, json.dumps(dict(counts))), file=sys.stderr)

    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                                cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip() or None
    except OSError:
        commit = None
    prov = {"tf_version": provenance["tf_version"], "tf_git_version": provenance["tf_git_version"],
            "python": provenance["python"], "numpy_version": provenance["numpy_version"],
            "date": datetime.date.today().isoformat(), "device": provenance["device"],
            "eager": "oracle.py --mode kernel (eager tf.raw_ops, TF's CPU kernel)",
            "graph": "oracle.py --mode graph (plain tf.function traced with the case's static shapes)",
            "sources": [s[0] for s in args.source], "harness_commit": commit,
            "generator": "tools/tf_oracle/graph_mode.sh",
            "lines": "one per case graph mode refuses while eager mode answers"}
    for path, lines in ((args.refusals, [{"provenance": prov}] + refusals),
                        (args.differences, list(groups.values()) + [{"summary": summary}])):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path + ".tmp", "w") as f:
            f.writelines(json.dumps(line) + "\n" for line in lines)
        os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()
