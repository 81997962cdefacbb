#!/usr/bin/env bash
# `qdq sweep-float32` as a user and CI meet it (CTest; docs/float32-sweep.md), on limited sweeps (the
# reference judges every input, so a whole sweep takes hours):
#   - a limited sweep on cpu passes, says it is partial (output, JSON, JUnit), and writes reports
#     that parse; every configuration is valid under every profile, and docs/float32-sweep.md's
#     table is the one the program prints;
#   - a planted defect (the plug-in that rounds ties away from zero) fails a HALF_TO_EVEN sweep:
#     exit 1, MISMATCH lines, and the `qdq explain` command printed for the first one runs;
#   - shards 1/2 and 2/2 of a limited sweep, joined by `qdq report merge`, equal the whole one;
#   - bad input is an error naming what is wrong (exit 2): a configuration TF rejects (TF's own
#     message), an unknown configuration (the known ones listed), shard specs out of range, a merge
#     of shards of different configurations;
#   - SIGINT and SIGTERM stop a sweep with 130 and 143, say how far it got, and leave no report and
#     no temporary file.
# Usage: sweep_test.sh QDQ PLUGIN_DIR SCRATCH_DIR DOC (docs/float32-sweep.md, whose table must be the program's)
set -uo pipefail
qdq=$1
plugins=$2
dir=$3
doc=$4
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1
fail() { echo "FAILED: $*"; exit 1; }
# expect RC PATTERN... -- ARGS: `qdq ARGS` exits RC and its output matches each extended regex.
expect() {
  local rc=$1 patterns=()
  shift
  while [ "$1" != "--" ]; do patterns+=("$1"); shift; done
  shift
  local out got
  out=$("$qdq" "$@" 2>&1)
  got=$?
  [ "$got" -eq "$rc" ] || { echo "$out" | tail -20; fail "qdq $*: exit $got, expected $rc"; }
  for p in "${patterns[@]}"; do
    grep -Eq -- "$p" <<< "$out" || { echo "$out" | tail -20; fail "qdq $*: no line matches '$p'"; }
  done
  echo "ok: qdq $* (exit $rc)"
}

# 1. Every documented configuration is one TF accepts under every profile (the command checks its
#    table at start-up and exits 2 otherwise).
for p in tf-cpu tf-cpu@2.20 tf-cpu@2.15 tf-gpu tf-xla tf-xla@2.20 tf-xla@2.17 exact; do
  "$qdq" sweep-float32 --list-configs --profile "$p" >"list-$p.txt" 2>&1 || { cat "list-$p.txt"; fail "--list-configs --profile $p"; }
done
"$qdq" sweep-float32 --list-configs --names >names.txt || fail "--list-configs --names"
[ "$(wc -l <names.txt)" -ge 20 ] || fail "fewer than 20 configurations"
python3 - list-tf-cpu.txt "$doc" <<'PY' || exit 1
import sys
listing, doc = open(sys.argv[1]).read().splitlines()[2:], open(sys.argv[2], encoding="utf-8").read()
for line in listing:
    name, s, bits, narrow, mode, lo, hi, shape, note = line.split(None, 8)
    row = f"| `{name}` | {'signed' if s == 'true' else 'unsigned'} | {bits} | {narrow} | {mode} | [{lo}, {hi}] | {shape} | {note.strip()} |"
    assert row in doc, f"docs/float32-sweep.md lacks the row\n{row}"
print(f"ok: the page's table has the {len(listing)} configurations as the program lists them")
PY

# 2. A limited sweep on cpu passes (two chunks and a bit: 65536 + 65536 + 4096 inputs).
limit=135168
sel=(--config s8-sym1-even --config u8-0to6-up --limit "$limit" --quiet)
expect 0 "PARTIAL sweep: only the first $limit of the 4294967296" "270336 inputs judged: 270336 passed, 0 mismatched" \
  -- sweep-float32 "${sel[@]}" --json whole.json --junit whole.xml

# 3. Shards 1/2 and 2/2 of it (chunks 0 and 2, and chunk 1), merged, equal the whole sweep.
"$qdq" sweep-float32 "${sel[@]}" --shard 1/2 --json shard1.json >shard1.txt 2>&1 || { cat shard1.txt; fail "shard 1/2"; }
"$qdq" sweep-float32 "${sel[@]}" --shard 2/2 --json shard2.json >shard2.txt 2>&1 || { cat shard2.txt; fail "shard 2/2"; }
grep -q "shard 1/2: 2 chunks of 65536, 69632 inputs a configuration" shard1.txt || { cat shard1.txt; fail "shard 1/2's share"; }
expect 0 "2 shards of one sweep-float32 run" -- report merge shard2.json shard1.json --json merged.json --junit merged.xml

# 4. The planted defect: ties rounded away from zero. Under s2-sym1-even (scale 1) the inputs +-0.5
#    are ties; under u8-0to6-even (scale 42.5) the inputs 1, 3 and 5.
expect 1 "MISMATCH sweep-float32/tf-cpu/s2-sym1-even/chunk-0 output\[252\] input 0x3f000000 expected 0x00000000 observed 0x3f800000" \
  "MISMATCH sweep-float32/tf-cpu/u8-0to6-even/chunk-0 output\[[0-9]+\] input 0x3f800000 expected 0x3f7cfcfd observed 0x3f818182" \
  "^explain the first: qdq explain --case <\(echo '\{" "8192 inputs judged: 8188 passed, 4 mismatched" \
  -- sweep-float32 --config s2-sym1-even --config u8-0to6-even --backend "plugin:$plugins/broken_ties_away.so" --limit 4096 --quiet \
  --json failing.json --junit failing.xml
"$qdq" sweep-float32 --config s2-sym1-even --backend "plugin:$plugins/broken_ties_away.so" --limit 4096 --quiet >failing.txt 2>&1
explain=$(sed -n 's/^explain the first: qdq //p' failing.txt | head -1)
[ -n "$explain" ] || fail "no explain command"
out=$(bash -c "\"$qdq\" $explain" 2>&1) || { echo "$out"; fail "the printed explain command does not run"; }
grep -q "rint: the integer r *0 (0x00000000)" <<< "$out" || { echo "$out"; fail "the explain command does not show the tie"; }
echo "ok: the explain command of the first mismatch runs"

python3 - "$limit" <<'PY' || exit 1
import json, sys, xml.etree.ElementTree as ET
limit = int(sys.argv[1])
whole, merged, s1, s2, failing = (json.load(open(f)) for f in ("whole.json", "merged.json", "shard1.json", "shard2.json", "failing.json"))
for r in (whole, merged, s1, s2, failing):
    assert r["schema"] == "qdq-report" and r["schema_version"] == 1
    assert r["provenance"]["command"] == "sweep-float32"
    assert "(partial)" in r["provenance"]["selection"], "a partial sweep's report does not say so"
    for s in r["suites"]:
        assert "(partial: first" in s["suite"], s["suite"]
        assert len(s["cells"]) == 1, "one matrix cell per configuration"
strip = lambda r: [(s["suite"], s["backend"], s["cases_in_run"], s["cases"], s["totals"], s["cells"], s["mismatch_count"], s["distances"]) for s in r["suites"]]
assert strip(whole) == strip(merged), "the merged shards differ from the whole sweep"
assert whole["totals"] == merged["totals"] and merged["shard"] == {"index": 1, "count": 1}
for s in whole["suites"]:
    assert s["cases_in_run"] == s["cases"] == limit and s["totals"]["passed"] == limit
assert [s["cases"] for s in s1["suites"]] == [65536 + 4096] * 2 and [s["cases"] for s in s2["suites"]] == [65536] * 2
assert failing["totals"]["failed"] == 4 and sum(s["mismatch_count"] for s in failing["suites"]) == 4
for s in failing["suites"]:
    c = s["cells"][0]
    assert c["failed"] == 2 and c["first_mismatches"] and c["first_mismatches"][0]["line"].startswith("sweep-float32/tf-cpu/")
for name, n_fail in (("whole.xml", 0), ("merged.xml", 0), ("failing.xml", 2)):
    root = ET.parse(name).getroot()
    assert int(root.get("tests")) == 2 and int(root.get("failures")) == n_fail, name
    for tc in root.iter("testcase"):
        assert "(partial: first" in tc.get("classname"), tc.get("classname")
print("ok: reports parse; the merged shards equal the whole sweep; a partial sweep says so")
PY

# 5. Bad input: exit 2, naming what is wrong.
expect 2 "configuration custom \(name=custom,num_bits=0,.*\) is one TF rejects under tf-cpu: InvalidArgument \"num_bits is out of range: 0 with signed_input_ 1\"" \
  -- sweep-float32 --custom 'num_bits=0,signed=true,narrow=true,min=-1,max=1,mode=HALF_UP' --limit 10
expect 2 "is one TF rejects under tf-gpu: InvalidArgument \"Invalid range: input_min 1 > input_max -1\"" \
  -- sweep-float32 --profile tf-gpu --custom 'num_bits=8,min=1,max=-1' --limit 10
expect 2 "one TF rejects under tf-cpu: InvalidArgument \"Value for attr 'round_mode' of \"HALF_DOWN\" is not in the list of allowed values" \
  -- sweep-float32 --custom 'num_bits=8,min=-1,max=1,mode=HALF_DOWN' --limit 10
expect 2 "unknown key 'bits'" -- sweep-float32 --custom 'bits=8,min=-1,max=1' --limit 10
expect 2 "unknown configuration 'no-such-config' \(configurations: s8-sym1-even, .*u15-huge-even; or --custom SPEC\)" \
  -- sweep-float32 --config no-such-config --limit 10
expect 2 "name a configuration: --config NAME, --all-configs or --custom SPEC" -- sweep-float32 --limit 10
for spec in 0/4 5/4 1/0; do
  expect 2 "shard '$spec': expected I/N with 1 <= I <= N" -- sweep-float32 --config s8-sym1-even --shard "$spec" --limit 10
done
expect 2 "--limit 0: expected 1 to 4294967296" -- sweep-float32 --config s8-sym1-even --limit 0
expect 2 "the reference is what every backend is judged against" -- sweep-float32 --config s8-sym1-even --backend reference --limit 10
expect 2 "does not implement tf-xla for float32" \
  -- sweep-float32 --config s8-sym1-even --profile tf-xla --backend "plugin:$plugins/broken_ties_away.so" --limit 10
# A merge of shards of different configurations (or limits) is refused.
"$qdq" sweep-float32 --config s8-sym1-up --config u8-0to6-up --limit "$limit" --quiet --shard 2/2 --json other2.json >/dev/null 2>&1 ||
  fail "the other configuration's shard"
expect 2 "other2.json is another sweep than shard1.json: configurations differ \(only in this one: name=s8-sym1-up,.*only in the other: name=s8-sym1-even," \
  -- report merge shard1.json other2.json
"$qdq" sweep-float32 "${sel[@]/$limit/200000}" --shard 2/2 --json longer2.json >/dev/null 2>&1 || fail "the longer shard"
expect 2 "longer2.json is another sweep than shard1.json: inputs first 200000 of 4294967296 \(partial\) against first $limit" \
  -- report merge shard1.json longer2.json

# 6. Interrupted: no report, no temporary file, 130 (SIGINT) or 143 (SIGTERM), and how far it got.
set -m  # background jobs keep SIGINT (without job control a shell starts them with SIGINT ignored)
for sig in INT TERM; do
  rm -f int.json int.xml int.json.tmp-* int.xml.tmp-*
  "$qdq" sweep-float32 --config s8-sym1-even --json int.json --junit int.xml >int.out 2>int.err &
  pid=$!
  for _ in $(seq 100); do grep -q "^qdq sweep-float32: profile" int.out && break; sleep 0.1; done
  sleep 1
  kill -"$sig" "$pid"
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fail "SIG$sig: still running 30 s later"; fi
  wait "$pid"
  rc=$?
  want=$([ "$sig" = INT ] && echo 130 || echo 143)
  [ "$rc" -eq "$want" ] || { cat int.out int.err; fail "SIG$sig: exit $rc, expected $want"; }
  grep -Eq "^qdq sweep-float32: interrupted by SIG$sig in configuration s8-sym1-even \(1 of 1\): [0-9]+ of its 4294967296 inputs here judged.*no report written" int.err ||
    { cat int.out int.err; fail "SIG$sig: no line saying it was interrupted and how far it got"; }
  left=$(ls int.json* int.xml* 2>/dev/null)
  [ -z "$left" ] || fail "SIG$sig: left $left"
  echo "ok: SIG$sig: exit $rc, $(sed 's/.*: \([0-9]* of its\)/\1/' int.err | cut -c1-60)..., no report"
done
echo "ok: every sweep check passed"
