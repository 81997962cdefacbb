#!/usr/bin/env bash
# GoogleTest's own sharding splits a test binary exactly: with GTEST_TOTAL_SHARDS=N, the shards
# GTEST_SHARD_INDEX=0..N-1 together run each of the binary's tests once, none twice, none lost
# (how CI machines can share one binary's tests).
#   tools/gtest_shards_test.sh BINARY N
set -euo pipefail
bin=$1
n=$2
# --gtest_list_tests prints "Suite." and then "  Test" lines (a parameter after a '#').
all=$("$bin" --gtest_list_tests | awk '/^[^ ]/ { suite = $1 } /^  / { print suite $1 }' | sort)
ran=""
for ((i = 0; i < n; i++)); do
  mine=$(GTEST_TOTAL_SHARDS=$n GTEST_SHARD_INDEX=$i "$bin" | sed -n 's/^\[       OK \] \([^ ]*\) .*/\1/p')
  if [ -z "$mine" ]; then
    echo "shard $i of $n ran no test" >&2
    exit 1
  fi
  ran+="$mine"$'\n'
done
together=$(printf '%s' "$ran" | sort)
if [ "$together" != "$all" ]; then
  echo "the $n shards together did not run each test of $bin once (< listed, > run):" >&2
  diff <(echo "$all") <(echo "$together") >&2 || true
  exit 1
fi
echo "$n shards ran each of the $(echo "$all" | wc -l) tests of $bin once"
