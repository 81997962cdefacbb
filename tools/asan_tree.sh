#!/usr/bin/env bash
# Configures and builds build-asan/, the sanitizer tree that tools/sanitize.sh and tools/fuzz.sh share:
# clang, AddressSanitizer and UndefinedBehaviorSanitizer on every library, test and tool, the
# libFuzzer targets (QDQ_LIBFUZZER), no CUDA or Python. Its heavy tests run one case in 8
# (QDQ_TEST_STRIDE; docs/ci.md says what that covers and costs). Arguments go to the build (a
# target: `--target fuzz_targets`).
#   tools/asan_tree.sh [CMAKE --build ARGS]
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQDQ_CUDA=OFF -DQDQ_PYTHON=OFF \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DQDQ_BUILD_TESTS=ON -DQDQ_LIBFUZZER=ON \
  -DQDQ_TEST_STRIDE=8 >/dev/null
cmake --build build-asan "$@" -- -j"$(nproc)"
