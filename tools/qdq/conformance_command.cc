#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include "conformance/backends.h"
#include "conformance/golden_io.h"
#include "conformance/grid.h"
#include "conformance/known_answers.h"
#include "conformance/report.h"
#include "conformance/suites.h"
#include "conformance/run_report.h"
#include "tools/qdq/commands.h"
#include "tools/qdq/run_reports.h"

namespace qdq::tools {
namespace {

struct Args {
  std::vector<std::string> backends, profiles, dtypes, suites;
  std::uint64_t seed = conformance::kDefaultSeed;
  std::string known_dir = conformance::default_known_answers_dir();
  std::string golden_dir = conformance::default_golden_dir();
  std::size_t max_mismatches = 20;
  int threads = 0;
  double case_timeout_s = conformance::BackendOptions{}.case_timeout_s;
  ReportOptions reports;
};

int run(Args args) {
  using namespace conformance;
  check_report_options(args.reports);
  if (args.backends.empty()) args.backends = backend_names();
  if (args.suites.empty()) args.suites = {"known", "grid", "edge", "random", "layout", "traps", "golden"};
  std::vector<ProfileId> profiles;
  std::vector<DType> dtypes;
  for (const std::string& p : args.profiles) profiles.push_back(*parse_profile(p));
  for (const std::string& t : args.dtypes) dtypes.push_back(*parse_dtype(t));
  if (profiles.empty()) profiles.assign(kAllProfiles.begin(), kAllProfiles.end());
  if (dtypes.empty()) dtypes.assign(kAllDTypes.begin(), kAllDTypes.end());
  auto selected = [&](const OpCase& c) {
    return std::find(profiles.begin(), profiles.end(), c.profile) != profiles.end() &&
           std::find(dtypes.begin(), dtypes.end(), c.input.dtype) != dtypes.end();
  };
  const Shard shard = args.reports.shard;
  std::cout << fmt::format("qdq conformance: backends {}; suites {}; seed {}{}\n", fmt::join(args.backends, ", "),
                           fmt::join(args.suites, ", "), args.seed, shard.whole() ? "" : "; shard " + args.reports.shard_spec);
  RunReport report;
  report.info = run_info("conformance",
                         fmt::format("suites={} profiles={} dtypes={} golden-dir={}", fmt::join(args.suites, ","),
                                     fmt::join(args.profiles, ","), fmt::join(args.dtypes, ","), args.golden_dir),
                         args.seed, args.backends, shard);
  std::vector<SuiteResult>& results = report.results;
  auto run_one = [&](const std::string& name, std::vector<SuiteCase> cases, std::vector<std::string> backends) {
    std::erase_if(cases, [&](const SuiteCase& c) { return !selected(c.op_case); });
    report.info.cases_in_run[name] = static_cast<long>(cases.size());
    cases = shard_cases(std::move(cases), shard);
    std::cerr << fmt::format("suite {}: {} cases\n", name, cases.size());
    ProgressLine progress("suite " + name, cases.size(), args.reports.quiet);
    RunOptions options{args.max_mismatches, args.threads, {args.case_timeout_s}, [&progress](std::size_t n) { progress.advance(n); }};
    for (SuiteResult& r : run_suite(name, cases, backends, options)) results.push_back(std::move(r));
  };
  for (const std::string& suite : args.suites) {
    if (suite == "golden") {
      // Each committed golden file, every backend judged by the file's answers.
      for (const std::string& file : golden_files_in(args.golden_dir)) {
        run_one("golden " + file.substr(file.find_last_of('/') + 1), golden_suite_cases(golden::read_golden(file)),
                args.backends);
      }
      continue;
    }
    std::vector<SuiteCase> cases;
    for (ProfileId p : profiles) {
      for (DType t : dtypes) {
        for (SuiteCase& c : suite_cases(suite, p, t, args.seed, args.known_dir)) cases.push_back(std::move(c));
      }
    }
    std::vector<std::string> backends = args.backends;
    // Without a known answer the reference is the oracle: comparing it with itself would prove nothing.
    if (suite != "known") std::erase(backends, "reference");
    if (!backends.empty()) run_one(suite, std::move(cases), backends);
  }
  print_report(std::cout, results);
  write_reports(args.reports, report);
  long failed = 0, passed = 0;
  for (const SuiteResult& r : results) {
    failed += r.total().failed;
    passed += r.total().passed;
  }
  std::cout << fmt::format("\nqdq conformance: {} passed, {} failed\n", passed, failed);
  return failed ? 1 : 0;
}

}  // namespace

Command add_conformance_command(CLI::App& app) {
  auto args = std::make_shared<Args>();
  std::vector<std::string> dtype_names;
  for (DType t : kAllDTypes) dtype_names.emplace_back(dtype_name(t));
  std::vector<std::string> suite_choices = conformance::case_suite_names();
  suite_choices.push_back("golden");
  CLI::App* conf = app.add_subcommand("conformance", "Run the conformance suites on every backend, print the matrix");
  conf->add_option("--backend", args->backends, "backend(s) to check (default: every one usable here)")->check(backend_check());
  conf->add_option("--profile", args->profiles, "profile(s) (default: all)")->check(profile_check());
  conf->add_option("--dtype", args->dtypes, "dtype(s) (default: all)")->check(CLI::IsMember(dtype_names));
  conf->add_option("--suite", args->suites, "known, grid, edge, random, layout, golden (default: all)")
      ->check(CLI::IsMember(suite_choices));
  conf->add_option("--seed", args->seed, "seed of the grid's and the random suite's values")->capture_default_str();
  conf->add_option("--known-answers", args->known_dir, "folder of known-answer .jsonl files")->capture_default_str();
  conf->add_option("--golden-dir", args->golden_dir, "folder of golden .h5 files")->capture_default_str();
  conf->add_option("--max-mismatches", args->max_mismatches, "mismatch lines shown per suite and backend")->capture_default_str();
  conf->add_option("--threads", args->threads, "worker threads (0: all hardware threads)")->capture_default_str();
  add_case_timeout_option(conf, args->case_timeout_s);
  add_report_options(conf, args->reports, true);
  return {conf, [args] { return run(*args); }};
}

}  // namespace qdq::tools
