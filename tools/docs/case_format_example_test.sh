#!/usr/bin/env bash
# docs/case-format.md §8, the worked example: its cases, run through `qdq eval` (the reference, the
# default backend), must give the answers the page shows, line for line, and the exit status it
# states (1: one case is malformed). The page folds long lines with a trailing `\`, the next line
# going on after one space; both blocks are unfolded first.
# Usage: tools/docs/case_format_example_test.sh QDQ PAGE
set -uo pipefail
qdq=$1
page=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The first two ``` blocks under the "## 8." heading: the cases, then the answers.
awk -v dir="$tmp" '
  /^## 8\./ { in8 = 1; next }
  /^## / && in8 { exit }
  in8 && /^```/ { if (inside) { inside = 0; n++ } else if (n < 2) inside = 1; next }
  inside {
    f = dir "/" (n == 0 ? "cases" : "answers")
    if (folded) sub(/^ /, "")
    folded = sub(/\\$/, "")
    if (folded) printf "%s", $0 > f; else print > f
  }
' "$page"
for f in cases answers; do
  [ -s "$tmp/$f" ] || { echo "FAILED: no $f block under '## 8.' in $page"; exit 1; }
done
grep -q "exits 1" "$page" || { echo "FAILED: $page no longer states the exit status this test expects (1)"; exit 1; }
"$qdq" eval <"$tmp/cases" >"$tmp/got"
rc=$?
status=0
if [ "$rc" -ne 1 ]; then
  echo "FAILED: qdq eval exited $rc; the page says 1"
  status=1
fi
if ! diff -u "$tmp/answers" "$tmp/got"; then
  echo "FAILED: qdq eval's answers (+) differ from the page's (-)"
  status=1
fi
[ "$status" -eq 0 ] && echo "the worked example's $(wc -l <"$tmp/cases") cases give the page's answers"
exit "$status"
