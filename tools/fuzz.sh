#!/usr/bin/env bash
# The libFuzzer targets (fuzz/libfuzzer/): builds them with clang, ASan and UBSan in build-asan/
# (tools/asan_tree.sh; tools/sanitize.sh runs the quick tests in the same tree) and runs each for
# SECONDS (default 20) from its seed corpus fuzz/corpus/<target>/. New inputs go to a scratch folder
# (the repo's corpus is not changed); a crash, a sanitizer report or a backend that differs from the
# reference leaves the input as build-asan/<target>-crash-* and fails the script.
#   tools/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
tools/asan_tree.sh --target fuzz_targets
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
for source in fuzz/libfuzzer/*_fuzzer.cc; do  # one target per source, as fuzz/CMakeLists.txt makes them
  target=$(basename "$source" _fuzzer.cc)
  mkdir -p "$scratch/$target"
  echo "tools/fuzz.sh: fuzz_$target for $seconds s"
  if ! build-asan/bin/fuzz_$target -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="build-asan/$target-" "$scratch/$target" "fuzz/corpus/$target" 2>"$scratch/$target.log"; then
    tail -40 "$scratch/$target.log" >&2
    echo "tools/fuzz.sh: fuzz_$target FAILED; input kept as build-asan/$target-*" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::new_units_added" "$scratch/$target.log" | tr '\n' ' '
    echo
  fi
done
exit $status
