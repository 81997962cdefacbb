// `qdq cases` writes cases for someone else's program to answer; `qdq verify` judges its answers.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>

#include "conformance/golden_io.h"
#include "conformance/grid.h"
#include "conformance/known_answers.h"
#include "conformance/report.h"
#include "conformance/suites.h"
#include "conformance/verify.h"
#include "conformance/run_report.h"
#include "tools/qdq/commands.h"
#include "tools/qdq/run_reports.h"

namespace qdq::tools {
namespace {

struct CasesArgs {
  std::vector<std::string> suites, goldens, profiles, dtypes;
  std::string op, output = "-";
  std::uint64_t seed = conformance::kDefaultSeed;
};

int write_cases(const CasesArgs& a) {
  using namespace conformance;
  std::vector<ProfileId> profiles;
  std::vector<DType> dtypes;
  for (const std::string& p : a.profiles) profiles.push_back(*parse_profile(p));
  for (const std::string& t : a.dtypes) dtypes.push_back(*parse_dtype(t));
  if (profiles.empty()) profiles.assign(kAllProfiles.begin(), kAllProfiles.end());
  if (dtypes.empty()) dtypes.assign(kAllDTypes.begin(), kAllDTypes.end());
  auto wanted = [&](const OpCase& c) {
    return std::find(profiles.begin(), profiles.end(), c.profile) != profiles.end() &&
           std::find(dtypes.begin(), dtypes.end(), c.input.dtype) != dtypes.end() &&
           (a.op.empty() || (a.op == "gradient") == (c.op == Op::Gradient));
  };
  std::vector<SuiteCase> cases;
  std::vector<std::string> suites = a.suites;
  if (suites.empty() && a.goldens.empty()) suites = case_suite_names();
  for (const std::string& suite : suites) {
    for (ProfileId p : profiles) {
      for (DType t : dtypes) {
        for (SuiteCase& c : suite_cases(suite, p, t, a.seed, default_known_answers_dir())) cases.push_back(std::move(c));
      }
    }
  }
  for (const std::string& file : a.goldens) {
    const golden::GoldenFile g = golden::read_golden(file);
    for (SuiteCase& c : golden_suite_cases(g)) {
      c.source = "golden " + file.substr(file.find_last_of('/') + 1) + " (" + g.provenance.answers_from + " " +
                 g.provenance.tf_version + ")";
      cases.push_back(std::move(c));
    }
  }
  std::ofstream file;
  if (a.output != "-") {
    file.open(a.output);
    if (!file) throw std::runtime_error("cannot write " + a.output);
  }
  std::ostream& out = a.output == "-" ? std::cout : file;
  long written = 0;
  for (const SuiteCase& c : cases) {
    if (!wanted(c.op_case)) continue;
    out << json_line(case_line_json(c)) << "\n";
    ++written;
  }
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + a.output);
  std::cerr << fmt::format("qdq cases: {} cases\n", written);
  return 0;
}

struct VerifyArgs {
  std::string cases, answers, backend;
  std::size_t max_mismatches = 20;
  int threads = 0;
  double case_timeout_s = conformance::BackendOptions{}.case_timeout_s;
  ReportOptions reports;
};

int verify(VerifyArgs a) {
  check_report_options(a.reports);
  if (a.answers.empty() == a.backend.empty()) throw std::invalid_argument("verify: give an answer file or --backend, not both");
  std::ifstream cases(a.cases);
  if (!cases) throw std::runtime_error(a.cases + ": cannot open");
  const conformance::RunOptions options{a.max_mismatches, a.threads, {a.case_timeout_s}};
  conformance::VerifyResult r;
  if (!a.backend.empty()) {
    r = conformance::verify_backend(cases, a.cases, a.backend, options);
  } else {
    std::ifstream answers(a.answers);
    if (!answers) throw std::runtime_error(a.answers + ": cannot open");
    r = conformance::verify_answers(cases, a.cases, answers, a.answers, options);
  }
  conformance::print_report(std::cout, {r.result});
  conformance::RunReport report;
  report.info = run_info("verify", "cases=" + a.cases, 0, {a.backend.empty() ? "answers " + a.answers : a.backend}, {});
  report.results = {r.result};
  write_reports(a.reports, report);
  const conformance::Tally t = r.result.total();
  for (const std::string& n : r.notes) std::cerr << "qdq verify: note: " << n << "\n";
  for (const std::string& p : r.problems) std::cerr << "qdq verify: " << p << "\n";
  std::cout << fmt::format("\nqdq verify: {} answers: {} passed, {} failed, {} unsupported; implementation-defined elements: "
                           "{} checked against their allowed values, {} left out as unconstrained; {} problem(s) with the input\n",
                           r.answered, t.passed, t.failed, t.skipped, t.bounded, t.undefined, r.problems.size());
  if (!r.problems.empty()) return 2;
  return t.failed ? 1 : 0;
}

}  // namespace

Command add_cases_command(CLI::App& app) {
  auto a = std::make_shared<CasesArgs>();
  std::vector<std::string> dtype_names;
  for (DType t : kAllDTypes) dtype_names.emplace_back(dtype_name(t));
  CLI::App* cmd = app.add_subcommand("cases", "Write cases as JSON lines (the qdq eval format) for a program to answer");
  cmd->add_option("--suite", a->suites, "known, grid, edge, random, layout (default: all, unless --golden)")
      ->check(CLI::IsMember(conformance::case_suite_names()));
  cmd->add_option("--golden", a->goldens, "the cases of a golden file, with TF's answers as \"expect\"")->check(CLI::ExistingFile);
  cmd->add_option("--profile", a->profiles, "profile(s) (default: all)")->check(profile_check());
  cmd->add_option("--dtype", a->dtypes, "dtype(s) (default: all)")->check(CLI::IsMember(dtype_names));
  cmd->add_option("--op", a->op, "forward or gradient (default: both)")->check(CLI::IsMember({"forward", "gradient"}));
  cmd->add_option("--seed", a->seed, "seed of the grid's, random and layout suites' values")->capture_default_str();
  cmd->add_option("-o,--output", a->output, "case file, or - for standard output")->capture_default_str();
  return {cmd, [a] { return write_cases(*a); }};
}

Command add_verify_command(CLI::App& app) {
  auto a = std::make_shared<VerifyArgs>();
  CLI::App* cmd = app.add_subcommand("verify", "Judge a program's answers to a case file; exit 0 pass, 1 mismatch, 2 bad input");
  cmd->add_option("cases", a->cases, "the case file (qdq cases)")->required();
  cmd->add_option("answers", a->answers, "the program's answers, one JSON line per case, in any order");
  cmd->add_option("--backend", a->backend, "answers from this backend instead (e.g. plugin:PATH)")->check(backend_check());
  cmd->add_option("--max-mismatches", a->max_mismatches, "mismatch lines shown")->capture_default_str();
  cmd->add_option("--threads", a->threads, "worker threads (0: all hardware threads)")->capture_default_str();
  add_case_timeout_option(cmd, a->case_timeout_s);
  add_report_options(cmd, a->reports, false);
  return {cmd, [a] { return verify(*a); }};
}

}  // namespace qdq::tools
