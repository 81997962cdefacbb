#!/usr/bin/env bash
# `qdq cases` and `qdq verify` as a user drives them (CTest): the reference's own answers pass in
# any order (exit 0); one flipped bit is a mismatch (exit 1); broken answer files are bad input
# (exit 2), each problem named by its line. Usage: verify_test.sh QDQ SCRATCH_DIR
set -uo pipefail
qdq=$1
dir=$2
root=$(cd "$(dirname "$0")/../.." && pwd)  # the source tree: the golden files
mkdir -p "$dir" && cd "$dir" || exit 1
fail() { echo "FAILED: $*"; exit 1; }

"$qdq" cases --suite known --profile tf-cpu --dtype float32 -o cases.jsonl 2>/dev/null || fail "qdq cases"
n=$(wc -l <cases.jsonl)
[ "$n" -gt 20 ] || fail "only $n cases"
"$qdq" eval --backend reference cases.jsonl >answers.jsonl 2>/dev/null || fail "qdq eval"

tac answers.jsonl >reversed.jsonl  # every answer, out of order
out=$("$qdq" verify cases.jsonl reversed.jsonl --threads 2 2>&1); rc=$?
[ $rc -eq 0 ] || fail "reversed answers: exit $rc: $out"
grep -q "answered out of order" <<< "$out" || fail "no out-of-order note"
grep -q "qdq verify: $n answers: .* 0 failed" <<< "$out" || fail "reversed answers: $out"

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
grep -q "MISMATCH" <<< "$out" || fail "a flipped bit: no MISMATCH line: $out"

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
  grep -q "$want" <<< "$out" || fail "broken answers: no '$want' in: $out"
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
  grep -q "$want" <<< "$out" || fail "malformed errors: no '$want' in: $out"
done
# Implementation-defined elements whose TF answer is one of a known set (docs/op-spec.md §9: XLA's HALF_UP
# contraction, the sign of a measured zero): the cases and TF's answers are the committed golden file's,
# the allowed values what `qdq eval` lists under "bounded". Any allowed value passes; another is a
# mismatch whose line lists the set.
golden=$root/golden/tf-2.21-xla.h5
"$qdq" cases --golden "$golden" --dtype float32 --dtype bfloat16 --op forward -o xla.jsonl 2>/dev/null || fail "qdq cases --golden"
"$qdq" eval --backend reference xla.jsonl >xla_answers.jsonl 2>/dev/null || fail "qdq eval of the golden cases"
want=$(python3 - xla_answers.jsonl xla.jsonl <<'PY'
import json, sys
answers = [json.loads(l) for l in open(sys.argv[1])]
inputs = {c["id"]: c["input"]["data"] for c in map(json.loads, open(sys.argv[2]))}
bounded = [a for a in answers if "bounded" in a]
assert bounded, "no bounded elements in the golden file's float32 cases"
# Every bounded element takes another allowed value than the reference's output.
with open("other.jsonl", "w") as f:
    for a in answers:
        for b in a.get("bounded", []):
            a["output"]["data"][b["element"]] = b["values"][1]
        f.write(json.dumps(a) + "\n")
# One element takes a value outside its set.
a, b = bounded[0], bounded[0]["bounded"][0]
width = len(b["values"][0]) - 2
third = next(v for v in (f"0x{int(b['values'][0], 16) ^ x:0{width}x}" for x in (1, 2, 4, 8)) if v not in b["values"])
for x in answers:
    if x is a:
        x["output"]["data"][b["element"]] = third
with open("third.jsonl", "w") as f:
    f.write("".join(json.dumps(x) + "\n" for x in answers))
k = b["element"]
print(f"{a['id']} output[{k}] input {inputs[a['id']][k]} expected one of {{{', '.join(b['values'])}}} (TensorFlow and the reference) observed {third}")
with open("bounded_element.txt", "w") as f:
    f.write(f"{a['id']}\n{k}\n")
PY
) || fail "making the answers with other allowed values"
out=$("$qdq" verify xla.jsonl other.jsonl --threads 2 2>&1); rc=$?
[ $rc -eq 0 ] || fail "other allowed values: exit $rc: $(echo "$out" | grep MISMATCH | head -3)"
grep -q "implementation-defined elements: [1-9][0-9]* checked against their allowed values, 0 left out" <<< "$out" ||
  fail "other allowed values: no bounded count: $(echo "$out" | tail -2)"
out=$("$qdq" verify xla.jsonl third.jsonl --threads 2 2>&1); rc=$?
[ $rc -eq 1 ] || fail "a value outside the allowed set: exit $rc"
grep -qF -- "MISMATCH $want" <<< "$out" || fail "a value outside the allowed set: no '$want' in: $(echo "$out" | grep MISMATCH)"
# qdq explain names the element's allowed values and says that the other one is one of them.
id=$(sed -n 1p bounded_element.txt)
k=$(sed -n 2p bounded_element.txt)
out=$("$qdq" explain --case xla.jsonl --id "$id" --element "$k" --answer other.jsonl 2>&1) || fail "explain: $out"
grep -q "implementation-defined under the profile, bounded: TF answers one of {" <<< "$out" || fail "explain: no allowed values: $out"
grep -q "^answer: .*: is one of the values tf-xla allows here" <<< "$out" || fail "explain: the other allowed value: $out"
echo "verify_test: passed ($n cases)"
