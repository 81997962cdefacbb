#!/usr/bin/env bash
# Runs every ```sh block of a page of docs/ in order, as a reader would from the repository's root,
# and checks each block's exit status: 0, or N where the block's opening line says `exit=N`. Each
# block runs as one bash script with `set -e`. The blocks run in SCRATCH, a folder that links to
# the repository's examples/, golden/, tools/, python/ and .venv-py/ and to BUILD as build/ (default:
# the repository's build/), so what they write lands there and not in the repository.
# Usage: tools/doc_commands_test.sh PAGE SCRATCH [BUILD]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
page=$1
scratch=$2
rm -rf "$scratch" && mkdir -p "$scratch" || exit 1
for d in examples golden tools python conformance .venv-py; do ln -s "$root/$d" "$scratch/$d"; done
ln -s "${3:-$root/build}" "$scratch/build"
blocks=$(mktemp -d)
trap 'rm -rf "$blocks"' EXIT
# Split the page into blocks/N.sh, with the expected status in blocks/N.rc.
awk -v dir="$blocks" '
  /^```sh/ { n++; inside = 1; rc = 0; if (match($0, /exit=[0-9]+/)) rc = substr($0, RSTART + 5, RLENGTH - 5);
             print rc > (dir "/" n ".rc"); print "set -e" > (dir "/" n ".sh"); next }
  /^```/ && inside { inside = 0; next }
  inside { print > (dir "/" n ".sh") }
' "$page"
count=$(ls "$blocks"/*.sh 2>/dev/null | wc -l)
[ "$count" -gt 0 ] || { echo "FAILED: no sh blocks in $page"; exit 1; }
status=0
for i in $(seq 1 "$count"); do
  want=$(cat "$blocks/$i.rc")
  echo "== block $i of $page (expect exit $want):"
  sed 1d "$blocks/$i.sh"
  out=$(cd "$scratch" && bash "$blocks/$i.sh" 2>&1)
  got=$?
  echo "$out" | tail -8
  if [ "$got" -ne "$want" ]; then
    echo "FAILED: block $i exited $got, expected $want"
    status=1
  fi
done
[ $status -eq 0 ] && echo "ok: $count blocks of $page ran as written"
exit $status
