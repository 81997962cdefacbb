#!/usr/bin/env bash
# The test suite CI runs: installs dependencies if missing, builds, checks that the known-answer
# files are what their generator makes, runs the CTest labels `quick` and `gpu` (the GPU tests
# report skipped, with the reason, where no CUDA device is usable), then the quick label again
# under ASan + UBSan (tools/sanitize.sh: clang, build-asan/, the heavy tests on one case in 8), then
# the libFuzzer targets for 20 s each (tools/fuzz.sh, from the same tree). Arguments go to ctest
# instead of the labels (e.g. `-L full`, `-L exhaustive`), and the sanitizer and libFuzzer runs are
# then left out. docs/ci.md gives what each part costs.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
python3 tools/known_answers/make_known_answers.py --check
if [ $# -gt 0 ]; then
  exec ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
fi
build/bin/qdq backends
ctest --test-dir build --output-on-failure -j "$(nproc)" -L 'quick|gpu'
tools/sanitize.sh
tools/fuzz.sh 20
