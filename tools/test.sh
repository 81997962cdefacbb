#!/usr/bin/env bash
# The test suite CI runs: installs dependencies if missing, builds, checks that the known-answer
# files are what their generator makes, runs the CTest label `quick`, then the libFuzzer targets
# for 20 s each (tools/fuzz.sh: clang, ASan + UBSan). Arguments go to ctest instead of `-L quick`
# (e.g. `-L full`, `-L exhaustive`), and the libFuzzer run is then left out.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
python3 tools/known_answers/make_known_answers.py --check
if [ $# -gt 0 ]; then
  exec ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
fi
ctest --test-dir build --output-on-failure -j "$(nproc)" -L quick
tools/fuzz.sh 20
