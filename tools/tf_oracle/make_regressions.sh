#!/usr/bin/env bash
# Regenerates the regression golden files from real TensorFlow: for each fuzz/regressions/tf-cpu.jsonl
# and tf-xla.jsonl (named cases, one per bug the fuzzers found), TF's answers from oracle.py, written
# to fuzz/regressions/tf-2.21-cpu.h5 and tf-2.21-xla.h5. CTest replays them with `qdq golden verify`.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/build.sh
python=$(tools/tf_oracle/setup.sh)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for pair in "tf-cpu kernel cpu" "tf-xla xla xla"; do
  set -- $pair
  cases=fuzz/regressions/$1.jsonl
  [ -f "$cases" ] || continue
  "$python" tools/tf_oracle/oracle.py --mode "$2" "$cases" "$work/$3-answers.jsonl"
  build/bin/qdq golden generate --profile "$1" --cases "$cases" --answers "$work/$3-answers.jsonl" \
    -o "fuzz/regressions/tf-2.21-$3.h5"
done
