#!/usr/bin/env bash
# Regenerates the committed files that hold real TensorFlow's answers:
#   golden/tf-2.21-cpu.h5  (eager, TF's CPU kernel)      golden/tf-2.21-xla.h5  (jit_compile=True, XLA on CPU)
#   fuzz/regressions/tf-2.21-cpu.h5, tf-2.21-xla.h5      (the named cases of fuzz/regressions/tf-cpu.jsonl, tf-xla.jsonl)
# Suite cases come from `qdq golden generate --cases-jsonl`, answers from tools/tf_oracle/oracle.py in the
# pinned venv of setup.sh. The golden files take about 15 minutes on 2 cores (XLA compiles each case);
# `--regressions-only` redoes the regression files alone (seconds). TF is not needed anywhere else: CI checks
# the committed files with `qdq golden check-inputs` and `verify`.
set -euo pipefail
[ "${1:-}" = --regressions-only ] && regressions_only=yes
cd "$(dirname "$0")/../.."
tools/build.sh
python=$(tools/tf_oracle/setup.sh)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for pair in "tf-cpu kernel cpu" "tf-xla xla xla"; do
  set -- $pair
  if [ "${regressions_only:-}" != yes ]; then
    build/bin/qdq golden generate --profile "$1" --cases-jsonl "$work/$3-cases.jsonl"
    "$python" tools/tf_oracle/oracle.py --mode "$2" "$work/$3-cases.jsonl" "$work/$3-answers.jsonl"
    build/bin/qdq golden generate --profile "$1" --answers "$work/$3-answers.jsonl" -o "golden/tf-2.21-$3.h5"
  fi
  cases=fuzz/regressions/$1.jsonl
  if [ -f "$cases" ]; then
    "$python" tools/tf_oracle/oracle.py --mode "$2" "$cases" "$work/$3-regression-answers.jsonl"
    build/bin/qdq golden generate --profile "$1" --cases "$cases" --answers "$work/$3-regression-answers.jsonl" \
      -o "fuzz/regressions/tf-2.21-$3.h5"
  fi
done
