#!/usr/bin/env bash
# Regenerates conformance/graph_mode/tf-2.21.jsonl from scratch: the cases TensorFlow 2.21 answers eagerly but
# refuses when the op is traced into a graph (a plain tf.function with the case's shapes static, as a converter
# such as tf2onnx or TFLite traces it; TF's shape functions run at trace time).
#   tools/tf_oracle/graph_mode.sh            (from anywhere; 3 to 6 minutes on 2 cores)
# Cases: every forward and gradient case of the suites known, grid, edge, random and layout for the profile tf-cpu
# (default seed), and the cases of golden/tf-2.21-cpu.h5, written by build/bin/qdq (QDQ=PATH to use another; it is
# not built here). Each runs through tools/tf_oracle/oracle.py --mode kernel (eager) and --mode graph, in the
# pinned venv of tools/tf_oracle/setup.sh (made on the first run; downloads tensorflow-cpu), one process at a time.
# Writes, atomically and nothing else in the tree (a rerun writes the same files but for the provenance's date, and
# in tf_exceptions.jsonl TF's raw "str" where TF lists attributes in a hash order):
#   conformance/graph_mode/tf-2.21.jsonl              provenance line, then one line per case graph mode refuses
#                                                     while eager mode answers: id, source, op, dtype, code, message
#   conformance/graph_mode/tf-2.21-differences.jsonl  the other eager/graph differences, grouped, with counts
#   python/tests/data/tf_exceptions.jsonl             real TF exceptions (eager, graph, XLA) for
#                                                     qdq.OpError.from_tf's tests (graph_mode_exceptions.py)
# Set GRAPH_MODE_KEEP=DIR to keep the case and answer files in DIR (default: a temporary folder, removed).
set -euo pipefail
cd "$(dirname "$0")/../.."
qdq=${QDQ:-build/bin/qdq}
golden=golden/tf-2.21-cpu.h5
suites="known grid edge random layout"
if [ ! -x "$qdq" ]; then
  echo "graph_mode.sh: $qdq not found; build the harness first (or set QDQ)" >&2
  exit 1
fi
py=$(tools/tf_oracle/setup.sh 2.21)

if [ -n "${GRAPH_MODE_KEEP:-}" ]; then
  work=$GRAPH_MODE_KEEP
  mkdir -p "$work"
  rm -f "$work"/*.jsonl
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/graph_mode.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi

sources=()
exceptions=()
for suite in $suites golden; do
  if [ "$suite" = golden ]; then
    name="golden ${golden##*/}"
    "$qdq" cases --golden "$golden" -o "$work/$suite.jsonl" 2> >(grep -v "^qdq cases: [0-9]* cases$" >&2)
  else
    name="suite $suite"
    "$qdq" cases --suite "$suite" --profile tf-cpu -o "$work/$suite.jsonl" 2> >(grep -v "^qdq cases: [0-9]* cases$" >&2)
  fi
  for mode in kernel graph; do
    start=$SECONDS
    nice "$py" tools/tf_oracle/oracle.py --mode "$mode" "$work/$suite.jsonl" "$work/$suite.$mode.jsonl" \
      2> >(grep -v -e '^WARNING: All log messages' -e 'oneDNN custom operations' -e '^oracle: [0-9]* cases$' >&2)
    echo "graph_mode.sh: $name, $mode: $(($(wc -l < "$work/$suite.jsonl"))) cases in $((SECONDS - start)) s" >&2
  done
  sources+=(--source "$name" "$work/$suite.jsonl" "$work/$suite.kernel.jsonl" "$work/$suite.graph.jsonl")
  exceptions+=(--source "$work/$suite.jsonl" "$work/$suite.kernel.jsonl" "$work/$suite.graph.jsonl")
done

nice "$py" tools/tf_oracle/graph_mode_compare.py "${sources[@]}" \
  --refusals conformance/graph_mode/tf-2.21.jsonl --differences conformance/graph_mode/tf-2.21-differences.jsonl
nice "$py" tools/tf_oracle/graph_mode_exceptions.py "${exceptions[@]}" -o python/tests/data/tf_exceptions.jsonl \
  2> >(grep -v -e '^WARNING: All log messages' -e 'oneDNN custom operations' >&2)
refusals=$(($(wc -l < conformance/graph_mode/tf-2.21.jsonl) - 1))
echo "graph_mode.sh: wrote conformance/graph_mode/tf-2.21.jsonl ($refusals refusals)" >&2
