#!/usr/bin/env bash
# `qdq cases` and `qdq verify` as a user drives them (CTest): the reference's own answers pass in
# any order (exit 0); one flipped bit is a mismatch (exit 1); broken answer files are bad input
# (exit 2), each problem named by its line. Usage: verify_test.sh QDQ SCRATCH_DIR
set -uo pipefail
qdq=$1
dir=$2
mkdir -p "$dir" && cd "$dir" || exit 1
fail() { echo "FAILED: $*"; exit 1; }

"$qdq" cases --suite known --profile tf-cpu --dtype float32 -o cases.jsonl 2>/dev/null || fail "qdq cases"
n=$(wc -l <cases.jsonl)
[ "$n" -gt 20 ] || fail "only $n cases"
"$qdq" eval --backend reference cases.jsonl >answers.jsonl 2>/dev/null || fail "qdq eval"

tac answers.jsonl >reversed.jsonl  # every answer, out of order
out=$("$qdq" verify cases.jsonl reversed.jsonl --threads 2 2>&1); rc=$?
[ $rc -eq 0 ] || fail "reversed answers: exit $rc: $out"
echo "$out" | grep -q "answered out of order" || fail "no out-of-order note"
echo "$out" | grep -q "qdq verify: $n answers: .* 0 failed" || fail "reversed answers: $out"

# One bit of one output flipped: a mismatch, shown with the command's MISMATCH line.
first_id=$(head -1 answers.jsonl | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])')
python3 - answers.jsonl >wrong.jsonl <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
for i, line in enumerate(lines):
    a = json.loads(line)
    if "output" in a and a["output"]["data"]:
        a["output"]["data"][0] = "0x%08x" % (int(a["output"]["data"][0], 16) ^ 1)
        lines[i] = json.dumps(a)
        break
print("\n".join(lines))
PY
out=$("$qdq" verify cases.jsonl wrong.jsonl --threads 2 2>&1); rc=$?
[ $rc -eq 1 ] || fail "a flipped bit: exit $rc"
echo "$out" | grep -q "MISMATCH" || fail "a flipped bit: no MISMATCH line: $out"

# Broken answers: garbage, an unknown id, a duplicate, a missing answer, a wrong shape.
{
  echo "not json"
  echo '{"id":"no-such-case","output":{"shape":[],"data":["0x00000000"]}}'
  sed -n '2,$p' answers.jsonl
  tail -1 answers.jsonl
} >broken.jsonl
python3 - broken.jsonl <<'PY'
import json, sys
path = sys.argv[1]
lines = open(path).read().splitlines()
for i, line in enumerate(lines[2:], start=2):
    a = json.loads(line)
    if "output" in a and len(a["output"]["data"]) > 1:
        a["output"]["data"] = a["output"]["data"][:1]
        lines[i] = json.dumps(a)
        break
open(path, "w").write("\n".join(lines) + "\n")
PY
out=$("$qdq" verify cases.jsonl broken.jsonl --threads 2 2>&1); rc=$?
[ $rc -eq 2 ] || fail "broken answers: exit $rc"
for want in "broken.jsonl: line 1: not valid JSON" "broken.jsonl: line 2: answers 'no-such-case', which is no case" \
            "a second answer to" "case '$first_id' has no answer" "broken.jsonl: line [0-9]*: '.*': "; do
  echo "$out" | grep -q "$want" || fail "broken answers: no '$want' in: $out"
done
# Malformed "error" objects (what libFuzzer found crashing the reader): named, never a crash.
python3 - answers.jsonl >errors.jsonl <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
bad = [{"code": ["0x00000000"]}, "Unsupported", {"code": "InvalidArgument", "message": 5}, {"code": "BadCase", "message": [1]}]
for a, e in zip(lines, bad):
    for k in ("output", "input_backprop", "input_min_backprop", "input_max_backprop", "error"):
        a.pop(k, None)
    a["error"] = e
print("\n".join(json.dumps(a) for a in lines))
PY
out=$("$qdq" verify cases.jsonl errors.jsonl 2>&1); rc=$?
[ $rc -eq 2 ] || fail "malformed errors: exit $rc: $out"
for want in "errors.jsonl: line 1: .*error: expected an object with a string \"code\", got .\"code\":.\"0x00000000\"" \
            "errors.jsonl: line 2: .*error: expected an object with a string \"code\", got \"Unsupported\"" \
            "errors.jsonl: line 3: .*error.message: must be a string, got 5" \
            "errors.jsonl: line 4: the program did not answer"; do
  echo "$out" | grep -q "$want" || fail "malformed errors: no '$want' in: $out"
done
echo "verify_test: passed ($n cases)"
