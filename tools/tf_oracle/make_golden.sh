#!/usr/bin/env bash
# Regenerates the committed files that hold real TensorFlow's answers, one golden file per distinct behaviour:
#   golden/tf-2.21-cpu.h5  profile tf-cpu       answers of TF 2.21 (eager, TF's CPU kernel)
#   golden/tf-2.20-cpu.h5  profile tf-cpu@2.20  answers of TF 2.20 (stands for 2.16-2.20)
#   golden/tf-2.15-cpu.h5  profile tf-cpu@2.15  answers of TF 2.15 (stands for 2.13-2.15)
#   golden/tf-2.21-xla.h5  profile tf-xla       answers of TF 2.21 (tf.function(jit_compile=True), XLA on CPU)
#   golden/tf-2.20-xla.h5  profile tf-xla@2.20  answers of TF 2.20 (stands for 2.12-2.15, 2.18-2.20)
#   golden/tf-2.17-xla.h5  profile tf-xla@2.17  answers of TF 2.17 (stands for 2.16-2.17)
#   fuzz/regressions/tf-2.21-<cpu|xla>.h5  the named cases of fuzz/regressions/<tf-cpu|tf-xla>.jsonl, where that exists
# Which releases a profile stands for is checked by tools/tf_oracle/compare_releases.sh, not here.
# Suite cases come from `qdq golden generate --cases-jsonl`, answers from tools/tf_oracle/oracle.py in the venv of
# setup.sh RELEASE. Time on 2 cores: seconds per kernel file; XLA compiles each case: about 30 minutes for 2.21,
# 10 to 15 for older releases. `--regressions-only` redoes the regression files alone (seconds); `--only NAME`
# (e.g. tf-2.20-xla) one golden file. TF is not needed anywhere else: CI checks the committed files with
# `qdq golden check-inputs` and `verify`.
set -euo pipefail
cd "$(dirname "$0")/../.."
only=
case "${1:-}" in
  --regressions-only) only=none ;;
  --only) only=${2:?--only needs a file name such as tf-2.20-xla} ;;
  "") ;;
  *) echo "usage: $0 [--regressions-only | --only tf-RELEASE-cpu|xla]" >&2; exit 2 ;;
esac
tools/build.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# profile, TF release that answers, oracle mode, file name
golden_files=(
  "tf-cpu 2.21 kernel tf-2.21-cpu" "tf-cpu@2.20 2.20 kernel tf-2.20-cpu" "tf-cpu@2.15 2.15 kernel tf-2.15-cpu"
  "tf-xla 2.21 xla tf-2.21-xla" "tf-xla@2.20 2.20 xla tf-2.20-xla" "tf-xla@2.17 2.17 xla tf-2.17-xla"
)
for entry in "${golden_files[@]}"; do
  set -- $entry
  [ -z "$only" ] || [ "$only" = "$4" ] || continue
  python=$(tools/tf_oracle/setup.sh "$2")
  build/bin/qdq golden generate --profile "$1" --cases-jsonl "$work/$4-cases.jsonl"
  "$python" tools/tf_oracle/oracle.py --mode "$3" --chunk 2000 "$work/$4-cases.jsonl" "$work/$4-answers.jsonl"
  build/bin/qdq golden generate --profile "$1" --answers "$work/$4-answers.jsonl" -o "golden/$4.h5"
done

[ -z "$only" ] || [ "$only" = none ] || exit 0
python=$(tools/tf_oracle/setup.sh 2.21)
for pair in "tf-cpu kernel cpu" "tf-xla xla xla"; do
  set -- $pair
  cases=fuzz/regressions/$1.jsonl
  if [ -f "$cases" ]; then
    "$python" tools/tf_oracle/oracle.py --mode "$2" "$cases" "$work/$3-regression-answers.jsonl"
    build/bin/qdq golden generate --profile "$1" --cases "$cases" --answers "$work/$3-regression-answers.jsonl" \
      -o "fuzz/regressions/tf-2.21-$3.h5"
  fi
done
