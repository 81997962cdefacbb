#!/usr/bin/env bash
# The test suite CI runs: installs dependencies if missing, builds, checks that the known-answer
# files are what their generator makes, runs the CTest labels `quick` and `gpu` (the GPU tests
# report skipped, with the reason, where no CUDA device is usable), then the libFuzzer targets
# for 20 s each (tools/fuzz.sh: clang, ASan + UBSan, build-asan/). Arguments go to ctest instead of
# the labels (e.g. `-L full`, `-L exhaustive`), and the libFuzzer run is then left out.
# (tools/sanitize.sh runs the quick label under ASan + UBSan; not here yet: it takes over 30 minutes
# on 2 cores, docs/ci.md.)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
python3 tools/known_answers/make_known_answers.py --check
if [ $# -gt 0 ]; then
  exec ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
fi
build/bin/qdq backends
ctest --test-dir build --output-on-failure -j "$(nproc)" -L 'quick|gpu'
tools/fuzz.sh 20
