#!/usr/bin/env bash
# The quick CTest label under AddressSanitizer and UndefinedBehaviorSanitizer, in build-asan/
# (tools/asan_tree.sh: clang, everything instrumented, the heavy tests on one case in 8). Tests
# that check the Release build itself (label release-only: the Python package, the pages'
# commands, the installed tree and the .deb) are left to the Release tree. Arguments go to ctest
# instead of the label.
#   tools/sanitize.sh [CTEST ARGS]
set -euo pipefail
cd "$(dirname "$0")/.."
tools/asan_tree.sh
if [ $# -eq 0 ]; then set -- -L quick -LE release-only; fi
# A sanitizer report ends the process with a failure (-fno-sanitize-recover, ASan's default), so
# the test fails and prints it.
ctest --test-dir build-asan --output-on-failure -j "$(nproc)" "$@"
