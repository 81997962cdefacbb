// Shards, report JSON and its merge, JUnit XML: the union of a run's shards is the run, exactly;
// a report reads back as written; a merge refuses what does not fit; XML text is always well formed.
#include "conformance/run_report.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <tuple>

#include "conformance/golden_io.h"
#include "conformance/known_answers.h"
#include "conformance/suites.h"
#include "golden/golden_file.h"
#include "reference/exact/reference_backend.h"

namespace qdq::conformance {
namespace {

std::vector<SuiteCase> numbered(int n) {
  std::vector<SuiteCase> cases(static_cast<std::size_t>(n));
  // fmt rather than string concatenation: GCC 12 warns falsely (-Wrestrict, GCC bug 105651).
  for (int i = 0; i < n; ++i) cases[static_cast<std::size_t>(i)].id = fmt::format("c{}", i);
  return cases;
}

TEST(Shard, TheShardsOfARunHoldEachCaseExactlyOnce) {
  for (int size : {0, 1, 5, 64, 101}) {
    for (int n = 1; n <= 7; ++n) {
      std::multiset<std::string> seen;
      for (int i = 1; i <= n; ++i) {
        for (const SuiteCase& c : shard_cases(numbered(size), Shard{i, n})) seen.insert(c.id);
      }
      std::multiset<std::string> all;
      for (const SuiteCase& c : numbered(size)) all.insert(c.id);
      EXPECT_EQ(seen, all) << size << " cases in " << n << " shards";
    }
  }
}

// The suites' real cases, many strata: the shards still hold each case once, and shard 1 holds
// every combination of op, profile, dtype, rounding mode, signedness, narrow_range, range_given and
// per-tensor/per-channel that the whole suite has (what the sanitizer tree's --shard 1/8 relies on).
TEST(Shard, ShardOneHoldsEveryAttributeCombinationOfTheSuites) {
  using Combination = std::tuple<Op, ProfileId, DType, std::string, bool, bool, bool, bool>;
  auto combination = [](const SuiteCase& c) {
    const Attrs& a = c.op_case.attrs;
    return Combination{c.op_case.op, c.op_case.profile, c.op_case.input.dtype, a.round_mode, a.signed_input,
                       a.narrow_range, a.range_given, a.axis == -1};
  };
  for (const char* suite : {"known", "grid", "edge", "random", "layout"}) {
    std::vector<SuiteCase> all;
    for (ProfileId p : {ProfileId::TfCpu, ProfileId::TfXla}) {  // two, for time: the split ignores which
      for (DType t : kAllDTypes) {
        for (SuiteCase& c : suite_cases(suite, p, t, 20261127, default_known_answers_dir())) {
          c.op_case.input.bytes.clear();  // only the attributes matter here; 8 copies stay cheap
          all.push_back(std::move(c));
        }
      }
    }
    std::set<Combination> in_run, in_first;
    for (const SuiteCase& c : all) in_run.insert(combination(c));
    std::multiset<std::string> ids, seen;
    for (const SuiteCase& c : all) ids.insert(c.id);
    for (int i = 1; i <= 8; ++i) {
      for (const SuiteCase& c : shard_cases(all, Shard{i, 8})) {
        seen.insert(c.id);
        if (i == 1) in_first.insert(combination(c));
      }
    }
    EXPECT_EQ(seen, ids) << suite;
    EXPECT_EQ(in_first.size(), in_run.size()) << suite << ": combinations of the run missing from shard 1";
    EXPECT_GT(in_run.size(), 1u) << suite;
  }
}

TEST(Shard, SpecsAreIOfN) {
  EXPECT_EQ(parse_shard("2/4").index, 2);
  EXPECT_EQ(parse_shard("1/1").count, 1);
  for (const char* bad : {"3/2", "0/0", "-1/4", "a/b", "1/", "/2", "1/2/3", "0/4", "2", "", " 1/2", "1/2 "}) {
    EXPECT_THROW(parse_shard(bad), std::invalid_argument) << bad;
  }
}

SuiteResult result(const std::string& suite, long passed, long failed, const std::string& id) {
  SuiteResult r;
  r.suite = suite;
  r.backend = "cpu";
  r.cells["tf-cpu/float32"]["HALF_UP/per-tensor"] = Tally{passed, failed, 0, 0, 0};
  r.cases = passed + failed;
  r.mismatch_count = failed;
  if (failed) {
    Mismatch m{id, "output", 3, "0x3ea00000", "0x3e800000", "0x3ec00000", "+4194304 ulp, ~+1 step", 4194304, 1, "tf-cpu/float32",
               "HALF_UP/per-tensor"};
    r.mismatches.push_back(m);
    r.cell_mismatches["tf-cpu/float32"]["HALF_UP/per-tensor"].push_back(m);
    r.distances.add(m);
  }
  return r;
}

RunReport shard(int i, int n, long passed, long failed) {
  RunReport r;
  r.info.command = "conformance";
  r.info.selection = "suites=known";
  r.info.shard = {i, n};
  r.info.cases_in_run["known"] = 10;
  r.results.push_back(result("known", passed, failed, fmt::format("case-of-{}", i)));
  return r;
}

TEST(Report, ReadsBackAsWritten) {
  const RunReport r = shard(2, 3, 3, 1);
  const RunReport back = parse_report(report_json(r), "r.json");
  EXPECT_EQ(back.info.shard.index, 2);
  EXPECT_EQ(back.info.cases_in_run.at("known"), 10);
  ASSERT_EQ(back.results.size(), 1u);
  EXPECT_EQ(back.results[0].cells, r.results[0].cells);
  EXPECT_EQ(back.results[0].mismatches.at(0).distance, "+4194304 ulp, ~+1 step");
  EXPECT_EQ(back.results[0].cell_mismatches.at("tf-cpu/float32").at("HALF_UP/per-tensor").at(0).case_id, "case-of-2");
  EXPECT_EQ(back.results[0].distances.ulps, r.results[0].distances.ulps);
  EXPECT_EQ(back.results[0].distances.steps[1], 1);  // one step: [0.5, 1.5)
}

TEST(Report, OtherSchemasAndMalformedFieldsAreNamed) {
  nlohmann::json j = report_json(shard(1, 1, 10, 0));
  j["schema_version"] = 2;
  EXPECT_THROW(
      {
        try {
          parse_report(j, "r.json");
        } catch (const ReportError& e) {
          EXPECT_STREQ(e.what(), "r.json: report schema version 2, this qdq reads version 1");
          throw;
        }
      },
      ReportError);
  j = report_json(shard(1, 1, 10, 0));
  j["suites"][0]["cells"][0]["passed"] = -1;
  EXPECT_THROW(parse_report(j, "r.json"), ReportError);
  EXPECT_THROW(parse_report(nlohmann::json::array(), "r.json"), ReportError);
}

TEST(Report, MergeSumsTheShards) {
  const RunReport m = merge_reports({shard(1, 3, 3, 1), shard(2, 3, 3, 0), shard(3, 3, 2, 1)}, {"a", "b", "c"}, 20);
  ASSERT_EQ(m.results.size(), 1u);
  EXPECT_EQ(m.results[0].total().passed, 8);
  EXPECT_EQ(m.results[0].total().failed, 2);
  EXPECT_EQ(m.results[0].mismatches.size(), 2u);
  EXPECT_EQ(m.results[0].cell_mismatches.at("tf-cpu/float32").at("HALF_UP/per-tensor").size(), 2u);
  EXPECT_EQ(m.results[0].distances.ulps[5], 2);
  EXPECT_TRUE(m.info.shard.whole());
}

TEST(Report, MergeRefusesWhatDoesNotFit) {
  auto message = [](const std::vector<RunReport>& shards) {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < shards.size(); ++i) names.push_back(fmt::format("s{}", i));
    try {
      merge_reports(shards, names, 20);
    } catch (const ReportError& e) {
      return std::string(e.what());
    }
    return std::string("merged");
  };
  EXPECT_EQ(message({shard(1, 2, 3, 1), shard(1, 2, 3, 1)}), "report merge: shard 1/2 twice (s0 and s1): the cases would be counted twice");
  EXPECT_EQ(message({shard(1, 3, 3, 1), shard(2, 3, 3, 1)}), "report merge: shard 3/3 is missing: its cases would be lost");
  EXPECT_EQ(message({shard(1, 2, 3, 1), shard(2, 3, 3, 1)}),
            "report merge: s1 is shard 2/3, s0 is shard 1/2: not shards of one split");
  RunReport other = shard(2, 2, 5, 1);
  other.info.selection = "suites=edge";
  EXPECT_NE(message({shard(1, 2, 3, 1), other}).find("is another run"), std::string::npos);
  // Shards whose cases do not add up to the run's (a shard of another size of run).
  EXPECT_EQ(message({shard(1, 2, 3, 1), shard(2, 2, 3, 1)}), "report merge: suite known / cpu: the shards hold 8 cases, the run 10");
  EXPECT_EQ(message({}), "report merge: no reports");
}

// Golden cases whose reference outcome has Bounded elements (XLA: the contraction and the sign of
// a measured zero) and Unconstrained ones (CPU: a NaN in a measured range), with TF's answers as
// known answers; and what the reference says of them.
struct ImplementationDefinedRun {
  std::vector<SuiteCase> cases;
  long bounded = 0, unconstrained = 0, wholly = 0;
};
ImplementationDefinedRun implementation_defined_cases() {
  ImplementationDefinedRun run;
  ReferenceBackend reference;
  for (const auto& [file, want_bounded] : {std::pair{"tf-2.21-xla.h5", true}, std::pair{"tf-2.21-cpu.h5", false}}) {
    int taken = 0;
    for (SuiteCase& c : golden_suite_cases(golden::read_golden(default_golden_dir() + "/" + file))) {
      const Outcome r = reference.run(c.op_case);
      const bool has_unconstrained = !r.undefined.empty() && r.undefined_reason.size() > 0;
      if (want_bounded ? r.alternatives.empty() : !has_unconstrained) continue;
      long unconstrained = 0;
      for (std::size_t k = 0; k < r.undefined.size(); ++k) unconstrained += r.element_class(k) == ElementClass::Unconstrained;
      run.bounded += static_cast<long>(r.alternatives.size());
      run.unconstrained += unconstrained;
      run.wholly += unconstrained == static_cast<long>(r.outputs[0].size());
      run.cases.push_back(std::move(c));
      if (++taken == 40) break;
    }
  }
  return run;
}

// The counts of a run through the engine, in the JSON report, read back and merged from shards:
// bounded elements checked, unconstrained ones left out, each as the reference says.
TEST(Report, BoundedAndUnconstrainedCountsOfARealRun) {
  const ImplementationDefinedRun want = implementation_defined_cases();
  ASSERT_GT(want.bounded, 0);
  ASSERT_GT(want.unconstrained, 0);
  RunOptions options;
  options.threads = 2;
  const std::vector<SuiteResult> whole = run_suite("golden", want.cases, {"cpu-scalar"}, options);
  ASSERT_EQ(whole.size(), 1u);
  const Tally t = whole[0].total();
  EXPECT_EQ(t.failed, 0);
  EXPECT_EQ(t.bounded, want.bounded);
  EXPECT_EQ(t.undefined, want.unconstrained);
  EXPECT_EQ(t.undefined_cases, want.wholly);
  RunReport r;
  r.info.command = "golden verify";
  r.info.selection = "test";
  r.info.cases_in_run["golden"] = static_cast<long>(want.cases.size());
  r.results = whole;
  const nlohmann::ordered_json j = report_json(r);
  EXPECT_EQ(j["totals"]["bounded_elements"], want.bounded);
  EXPECT_EQ(j["totals"]["implementation_defined_elements"], want.unconstrained);
  EXPECT_EQ(parse_report(j, "r.json").results[0].cells, whole[0].cells);
  // A report of a qdq before bounded_elements existed reads as none.
  nlohmann::json older = j;
  older["suites"][0]["cells"][0].erase("bounded_elements");
  const Tally first = parse_report(older, "old.json").results[0].cells.begin()->second.begin()->second;
  EXPECT_EQ(first.bounded, 0);
  // Two shards merged: the same counts.
  std::vector<RunReport> shards;
  for (int i = 1; i <= 2; ++i) {
    RunReport s = r;
    s.info.shard = {i, 2};
    s.results = run_suite("golden", shard_cases(want.cases, Shard{i, 2}), {"cpu-scalar"}, options);
    shards.push_back(parse_report(report_json(s), "shard.json"));
  }
  const RunReport merged = merge_reports(shards, {"s1", "s2"}, 20);
  EXPECT_EQ(merged.results[0].total(), t);
  EXPECT_NE(junit_xml(merged).find(fmt::format("{} implementation-defined elements checked against their allowed values",
                                               merged.results[0].cells.begin()->second.begin()->second.bounded)),
            std::string::npos);
}

// A mismatch of a Bounded element keeps its allowed values through the JSON report.
TEST(Report, AllowedValuesOfAMismatchReadBack) {
  const ImplementationDefinedRun run = implementation_defined_cases();
  const SuiteCase& sc = run.cases.front();
  const Outcome ref = ReferenceBackend().run(sc.op_case);
  ASSERT_FALSE(ref.alternatives.empty());
  const Alternatives& a = ref.alternatives[0];
  Outcome wrong = ref;
  wrong.outputs[0].set_bits(a.element, a.values[0] ^ 0x10);  // none of them: the values differ in the last bits only
  ASSERT_EQ(std::count(a.values.begin(), a.values.end(), a.values[0] ^ 0x10), 0);
  RunReport r;
  r.info.command = "verify";
  r.info.cases_in_run["golden"] = 1;
  r.results.push_back(collect("golden", "answers", {sc}, {judge_outcome(sc, ref, wrong)}, RunOptions{}));
  ASSERT_FALSE(r.results[0].mismatches.empty());
  const Mismatch& m = r.results[0].mismatches[0];
  EXPECT_EQ(m.allowed.size(), a.values.size());
  const nlohmann::ordered_json j = report_json(r);
  EXPECT_EQ(j["suites"][0]["mismatches"][0]["allowed"].size(), a.values.size());
  const Mismatch back = parse_report(j, "r.json").results[0].mismatches[0];
  EXPECT_EQ(back.allowed, m.allowed);
  EXPECT_EQ(format_mismatch(back), format_mismatch(m));
  EXPECT_NE(format_mismatch(m).find("expected one of {"), std::string::npos) << format_mismatch(m);
}

TEST(Junit, OneTestcasePerCellAndWellFormedText) {
  RunReport r = shard(1, 1, 9, 1);
  r.results[0].cells["tf-xla/bfloat16"]["HALF_TO_EVEN/per-channel"] = Tally{0, 0, 4, 0, 0};
  r.results[0].cell_mismatches["tf-cpu/float32"]["HALF_UP/per-tensor"][0].case_id = "a<b>&\"c'\x01\xff";
  const std::string x = junit_xml(r);
  EXPECT_NE(x.find("<testsuites name=\"qdq conformance\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\">"), std::string::npos) << x;
  EXPECT_NE(x.find("<testcase classname=\"qdq.known.cpu\" name=\"tf-cpu/float32 HALF_UP/per-tensor\">"), std::string::npos);
  EXPECT_NE(x.find("<failure message=\"1 of 10 cases failed\" type=\"mismatch\">MISMATCH a&lt;b&gt;&amp;&quot;c&apos;\xEF\xBF\xBD\xEF\xBF\xBD output[3]"),
            std::string::npos)
      << x;
  EXPECT_NE(x.find("<skipped message="), std::string::npos);
}

}  // namespace
}  // namespace qdq::conformance
