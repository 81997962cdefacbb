#!/usr/bin/env bash
# The test suite. Installs dependencies if missing, builds (Release), checks that the known-answer
# files are what their generator makes, then:
#   tools/test.sh         the CTest labels quick, gpu (the GPU tests report skipped, with the reason,
#                         where no CUDA device is usable) and exhaustive (every bfloat16/float16
#                         pattern through every backend): what a newcomer waits for, about 12 minutes
#                         from a clean clone on 2 cores
#   tools/test.sh --ci    the same, then the quick label again under ASan + UBSan (tools/sanitize.sh:
#                         clang, build-asan/, the heavy tests on one case in 8) and the libFuzzer
#                         targets for 20 s each (tools/fuzz.sh, from the same tree); what .ci/run runs
#   tools/test.sh ARGS    ctest ARGS instead of the labels (e.g. `-L full`, `-L fuzz`)
# docs/ci.md gives what each part costs.
set -euo pipefail
cd "$(dirname "$0")/.."
ci=false
if [ "${1:-}" = --ci ]; then
  ci=true
  shift
fi
tools/build.sh
python3 tools/known_answers/make_known_answers.py --check
if [ $# -gt 0 ]; then
  exec ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
fi
build/bin/qdq backends
ctest --test-dir build --output-on-failure -j "$(nproc)" -L 'quick|gpu|exhaustive'
if $ci; then
  tools/sanitize.sh
  tools/fuzz.sh 20
fi
