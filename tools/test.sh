#!/usr/bin/env bash
# The test suite CI runs: installs dependencies if missing, builds, checks that the known-answer
# files are what their generator makes, and runs the CTest label `quick` (pass -L full, or any
# other ctest arguments, to run something else).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
python3 tools/known_answers/make_known_answers.py --check
if [ $# -eq 0 ]; then set -- -L quick; fi
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
