#!/usr/bin/env bash
# Reports and shards as CI uses them (CTest): the JSON and JUnit reports of a run agree with each
# other and parse back; N shards merged equal the unsharded run exactly (conformance and golden
# verify); a failing run's JUnit carries its MISMATCH lines; bad shard specs, unwritable report
# paths and merges that do not fit are errors (exit 2), and no half-written file is left.
# Usage: reports_test.sh QDQ PLUGIN_DIR GOLDEN_FILE SCRATCH_DIR
set -uo pipefail
qdq=$1
plugins=$2
golden=$3
dir=$4
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1
fail() { echo "FAILED: $*"; exit 1; }
select=(--suite known --suite edge --backend cpu-scalar --profile tf-cpu --profile tf-xla --quiet)

"$qdq" conformance "${select[@]}" --json whole.json --junit whole.xml --html whole.html >/dev/null 2>err.txt || fail "whole run: $(cat err.txt)"
for i in 1 2 3; do
  "$qdq" conformance "${select[@]}" --shard "$i/3" --json "shard$i.json" >/dev/null 2>&1 || fail "shard $i/3"
done
"$qdq" report merge shard3.json shard1.json shard2.json --json merged.json --junit merged.xml >/dev/null || fail "merge"
"$qdq" golden verify "$golden" --backend cpu-scalar --quiet --json gwhole.json >/dev/null 2>&1 || fail "golden verify"
for i in 1 2; do "$qdq" golden verify "$golden" --backend cpu-scalar --quiet --shard "$i/2" --json "g$i.json" >/dev/null 2>&1 || fail "golden shard $i"; done
"$qdq" report merge g1.json g2.json --json gmerged.json >/dev/null || fail "golden merge"
fuzz=(fuzz --checks 30 --seed 11 --cases 10 --backend cpu-scalar --quiet)
"$qdq" "${fuzz[@]}" --json fwhole.json --junit fwhole.xml >/dev/null 2>&1 || fail "fuzz"
for i in 1 2 3; do "$qdq" "${fuzz[@]}" --shard "$i/3" --json "f$i.json" >/dev/null 2>&1 || fail "fuzz shard $i"; done
"$qdq" report merge f1.json f2.json f3.json --json fmerged.json >/dev/null || fail "fuzz merge"
"$qdq" conformance --suite known --backend "plugin:$plugins/broken_ties_away.so" --profile tf-cpu --dtype float32 --quiet \
  --json failing.json --junit failing.xml --html failing.html >/dev/null 2>&1
[ $? -eq 1 ] || fail "the broken plug-in's run did not exit 1"

python3 - <<'PY' || exit 1
import json, sys, xml.etree.ElementTree as ET
from html.parser import HTMLParser

class Cells(HTMLParser):
    """The data-* counts of the page's matrix cells and sections, and whether it fetches anything."""
    def __init__(self):
        super().__init__()
        self.cells, self.sections, self.fetches = [], [], []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "td" and "data-passed" in a:
            self.cells.append((self.sections[-1], a["data-row"], a["data-column"], int(a["data-passed"]), int(a["data-failed"]),
                               int(a["data-skipped"]), int(a["data-impl-cases"]), int(a["data-impl-elements"]),
                               int(a["data-bounded-elements"])))
        if tag == "section":
            self.sections.append((a["data-suite"], a["data-backend"]))
        for k in ("src", "href"):
            if k in a:
                self.fetches.append(a[k])

def check_html(name, report):
    p = Cells()
    p.feed(open(name, encoding="utf-8").read())
    want = sorted(((s["suite"], s["backend"]), c["row"], c["column"], c["passed"], c["failed"], c["skipped"],
                   c["implementation_defined_cases"], c["implementation_defined_elements"], c["bounded_elements"])
                  for s in report["suites"] for c in s["cells"])
    assert sorted(p.cells) == want, "the HTML page's counts differ from the JSON report's"
    assert not p.fetches, f"the page fetches {p.fetches}"

def load(name):
    return json.load(open(name))

def matrix(report):
    return [(s["suite"], s["backend"], s["cases"], s["totals"], s["mismatch_count"], s["distances"],
             sorted(tuple(sorted(c.items())) for c in s["cells"])) for s in report["suites"]]

def check_junit(xml_name, report):
    root = ET.parse(xml_name).getroot()  # well-formed XML, or this raises
    assert root.tag == "testsuites", root.tag
    cases = root.findall("./testsuite/testcase")
    cells = [c for s in report["suites"] for c in s["cells"]]
    assert int(root.get("tests")) == len(cases) == len(cells), (root.get("tests"), len(cases), len(cells))
    failing = [c for c in cells if c["failed"] > 0]
    assert int(root.get("failures")) == len(failing) == len(root.findall("./testsuite/testcase/failure"))
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))
        assert int(suite.get("skipped")) == len(suite.findall("testcase/skipped"))
    return root

whole, merged = load("whole.json"), load("merged.json")
assert whole["schema"] == "qdq-report" and whole["schema_version"] == 1
assert matrix(whole) == matrix(merged), "3 shards merged differ from the whole run"
assert whole["totals"] == merged["totals"] and whole["totals"]["passed"] > 500
shards = [load(f"shard{i}.json") for i in (1, 2, 3)]
for s in range(len(whole["suites"])):
    assert sum(x["suites"][s]["cases"] for x in shards) == whole["suites"][s]["cases"] == whole["suites"][s]["cases_in_run"]
assert matrix(load("gwhole.json")) == matrix(load("gmerged.json")), "golden shards merged differ"
# The golden file's implementation-defined elements: those whose TF answer is one of a known set are
# checked (the sign of a measured zero), the others left out (a NaN in a measured range); the
# merged report sums both.
gtotals = load("gwhole.json")["totals"]
assert gtotals["bounded_elements"] > 0 and gtotals["implementation_defined_elements"] > 0, gtotals
assert load("gmerged.json")["totals"] == gtotals
fuzz_whole = load("fwhole.json")
assert matrix(fuzz_whole) == matrix(load("fmerged.json")), "fuzz shards merged differ"
assert fuzz_whole["suites"][0]["cases"] == 30 and fuzz_whole["totals"]["passed"] == 30
check_junit("fwhole.xml", fuzz_whole)
check_junit("whole.xml", whole)
check_html("whole.html", whole)
check_junit("merged.xml", merged)
failing = load("failing.json")
assert failing["totals"]["failed"] > 0 and failing["suites"][0]["mismatches"]
root = check_junit("failing.xml", failing)
check_html("failing.html", failing)
assert "<details><summary>" in open("failing.html").read() and "<svg" in open("failing.html").read()
text = root.find("./testsuite/testcase/failure").text
assert "MISMATCH tf-kernel/" in text and "ulp" in text, text
print("reports agree: whole", whole["totals"], "== merged; junit parses with", len(root.findall('./testsuite/testcase')), "testcases")
PY

for spec in 3/2 0/0 -1/4 a/b; do
  out=$("$qdq" conformance --suite known --shard "$spec" 2>&1); rc=$?
  [ $rc -eq 2 ] && grep -q "shard '$spec': expected I/N" <<< "$out" || fail "shard $spec: exit $rc: $out"
done
out=$("$qdq" fuzz --shard 1/2 --seconds 1 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q -- "--shard needs --checks N" <<< "$out" || fail "fuzz shard without --checks: $rc: $out"
out=$("$qdq" conformance --suite grid --json /nonexistent-dir/r.json 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q -- "--json /nonexistent-dir/r.json: cannot write there" <<< "$out" || fail "unwritable: $rc: $out"
! grep -q "suite grid" <<< "$out" || fail "the run started before the report path was checked"
expect_merge_error() {
  local want=$1
  shift
  out=$("$qdq" report merge "$@" 2>&1); rc=$?
  [ $rc -eq 2 ] && grep -q -- "$want" <<< "$out" || fail "merge $*: exit $rc: $out"
}
expect_merge_error "shard 1/3 twice" shard1.json shard1.json shard2.json
expect_merge_error "shard 3/3 is missing" shard1.json shard2.json
expect_merge_error "is another run" shard1.json g2.json
python3 -c 'import json; j = json.load(open("shard1.json")); j["schema_version"] = 7; json.dump(j, open("v7.json", "w"))'
expect_merge_error "report schema version 7, this qdq reads version 1" v7.json shard2.json shard3.json
echo '{"not": "a report"}' > other.json
expect_merge_error "not a qdq report" other.json
echo 'not json' > text.json
expect_merge_error "not JSON" text.json
ls ./*.tmp-* >/dev/null 2>&1 && fail "a temporary report file was left behind"
echo "ok: reports, shards and merges"
