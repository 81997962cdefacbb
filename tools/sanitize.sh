#!/usr/bin/env bash
# The quick CTest label under AddressSanitizer and UndefinedBehaviorSanitizer: everything built with
# clang in build-asan/ (QDQ_LIBFUZZER: every library, test and tool instrumented, and the libFuzzer
# targets, which tools/fuzz.sh then runs from the same tree), without CUDA and Python. Tests that
# check the release build itself (label release-only: the Python package, the pages' commands, the
# installed tree and the .deb) are left to the Release tree. Arguments go to ctest.
#   tools/sanitize.sh [CTEST ARGS]
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQDQ_CUDA=OFF -DQDQ_PYTHON=OFF \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DQDQ_BUILD_TESTS=ON -DQDQ_LIBFUZZER=ON >/dev/null
cmake --build build-asan -- -j"$(nproc)"
if [ $# -eq 0 ]; then set -- -L quick -LE release-only; fi
ctest --test-dir build-asan --output-on-failure -j "$(nproc)" "$@"
