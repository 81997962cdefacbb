#!/usr/bin/env bash
# A command-line check for CTest: runs COMMAND, shows the end of its output, and passes when it
# exits with status RC and its output (stdout and stderr) matches every extended regex PATTERN.
#   expect_run.sh RC [PATTERN ...] -- COMMAND [ARG ...]
set -uo pipefail
rc=$1
shift
patterns=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  patterns+=("$1")
  shift
done
[ $# -gt 1 ] || { echo "usage: expect_run.sh RC [PATTERN ...] -- COMMAND [ARG ...]" >&2; exit 2; }
shift
out=$("$@" 2>&1)
got=$?
echo "$out" | tail -25
[ "$got" -eq "$rc" ] || { echo "FAILED: exit status $got, expected $rc: $*"; exit 1; }
for p in "${patterns[@]}"; do
  grep -Eq -- "$p" <<< "$out" || { echo "FAILED: no line matches '$p'"; exit 1; }
done
echo "ok: exit $rc and ${#patterns[@]} pattern(s) matched"
