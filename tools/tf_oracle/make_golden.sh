#!/usr/bin/env bash
# Regenerates the committed golden files from real TensorFlow:
#   golden/tf-2.21-cpu.h5  (eager, TF's CPU kernel)      golden/tf-2.21-xla.h5  (jit_compile=True, XLA on CPU)
# Cases come from `qdq golden generate --cases-jsonl`, answers from tools/tf_oracle/oracle.py in the
# pinned venv of setup.sh. Takes about 15 minutes on 2 cores (XLA compiles each case). TF is not
# needed anywhere else: CI checks the committed files with `qdq golden check-inputs` and `verify`.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/build.sh
python=$(tools/tf_oracle/setup.sh)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for pair in "tf-cpu kernel cpu" "tf-xla xla xla"; do
  set -- $pair
  build/bin/qdq golden generate --profile "$1" --cases-jsonl "$work/$3-cases.jsonl"
  "$python" tools/tf_oracle/oracle.py --mode "$2" "$work/$3-cases.jsonl" "$work/$3-answers.jsonl"
  build/bin/qdq golden generate --profile "$1" --answers "$work/$3-answers.jsonl" -o "golden/tf-2.21-$3.h5"
done
