// qdq: the command-line program of the conformance harness.
//   qdq eval [--backend B] [FILE|-]     one JSON case a line in, one JSON answer a line out
//   qdq conformance [filters]           the main job: suites × backends, the result matrix
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "conformance/backends.h"
#include "conformance/eval.h"
#include "conformance/grid.h"
#include "conformance/known_answers.h"
#include "conformance/report.h"

namespace qc = qdq::conformance;

namespace {

int eval_command(const std::string& backend_name, const std::string& file) {
  auto backend = qc::make_backend(backend_name);
  if (!backend) {
    std::cerr << "qdq eval: unknown backend '" << backend_name << "'\n";
    return 2;
  }
  qc::EvalCounts counts;
  if (file == "-") {
    counts = qc::run_eval(std::cin, std::cout, *backend);
  } else {
    std::ifstream in(file);
    if (!in) {
      std::cerr << "qdq eval: cannot open '" << file << "'\n";
      return 2;
    }
    counts = qc::run_eval(in, std::cout, *backend);
  }
  std::cerr << fmt::format("qdq eval: {} cases ({} rejected by the op, {} unsupported by {}), {} bad lines\n",
                           counts.cases, counts.errors, counts.unsupported, backend->name(), counts.bad_cases);
  return counts.bad_cases ? 1 : 0;
}

struct ConformanceArgs {
  std::vector<std::string> backends, profiles, dtypes, suites;
  std::uint64_t seed = qc::kDefaultSeed;
  std::string known_dir = qc::default_known_answers_dir();
  std::size_t max_mismatches = 20;
  int threads = 0;
};

int conformance_command(ConformanceArgs args) {
  if (args.backends.empty()) args.backends = qc::backend_names();
  if (args.suites.empty()) args.suites = {"known", "grid"};
  std::vector<qdq::ProfileId> profiles;
  std::vector<qdq::DType> dtypes;
  for (const std::string& p : args.profiles) profiles.push_back(*qdq::parse_profile(p));
  for (const std::string& t : args.dtypes) dtypes.push_back(*qdq::parse_dtype(t));
  if (profiles.empty()) profiles.assign(qdq::kAllProfiles.begin(), qdq::kAllProfiles.end());
  if (dtypes.empty()) dtypes.assign(qdq::kAllDTypes.begin(), qdq::kAllDTypes.end());
  auto selected = [&](const qdq::OpCase& c) {
    return std::find(profiles.begin(), profiles.end(), c.profile) != profiles.end() &&
           std::find(dtypes.begin(), dtypes.end(), c.input.dtype) != dtypes.end();
  };
  std::cout << fmt::format("qdq conformance: backends {}; suites {}; seed {}\n", fmt::join(args.backends, ", "),
                           fmt::join(args.suites, ", "), args.seed);
  const qc::RunOptions options{args.max_mismatches, args.threads};
  std::vector<qc::SuiteResult> results;
  for (const std::string& suite : args.suites) {
    std::vector<qc::SuiteCase> cases;
    std::vector<std::string> backends = args.backends;
    if (suite == "known") {
      for (qc::SuiteCase& c : qc::load_known_answers(args.known_dir)) {
        if (selected(c.op_case)) cases.push_back(std::move(c));
      }
    } else {
      // The reference is the grid's oracle: comparing it with itself would prove nothing.
      std::erase(backends, "reference");
      for (qdq::ProfileId p : profiles) {
        for (qdq::DType t : dtypes) {
          for (qc::GridCase& g : qc::grid_cases(p, t, args.seed)) cases.push_back({std::move(g.id), std::move(g.op_case), {}, {}, ""});
        }
      }
    }
    std::cerr << fmt::format("suite {}: {} cases\n", suite, cases.size());
    if (backends.empty()) continue;
    for (qc::SuiteResult& r : qc::run_suite(suite, cases, backends, options)) results.push_back(std::move(r));
  }
  qc::print_report(std::cout, results);
  long failed = 0, passed = 0;
  for (const qc::SuiteResult& r : results) {
    failed += r.total().failed;
    passed += r.total().passed;
  }
  std::cout << fmt::format("\nqdq conformance: {} passed, {} failed\n", passed, failed);
  return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"qdq: conformance harness for TensorFlow's QuantizeAndDequantizeV4 and V4Grad"};
  app.require_subcommand(1);

  std::string eval_backend = "reference", eval_file = "-";
  CLI::App* eval = app.add_subcommand("eval", "Answer JSON case lines (design.md format), one answer a line");
  eval->add_option("--backend", eval_backend, "reference, cpu, cpu-scalar")->capture_default_str();
  eval->add_option("file", eval_file, "case file, or - for standard input")->capture_default_str();

  ConformanceArgs args;
  std::vector<std::string> profile_names, dtype_names;
  for (qdq::ProfileId p : qdq::kAllProfiles) profile_names.emplace_back(qdq::profile_name(p));
  for (qdq::DType t : qdq::kAllDTypes) dtype_names.emplace_back(qdq::dtype_name(t));
  std::vector<std::string> backend_choices = qc::backend_names();
  backend_choices.push_back("cpu");
  CLI::App* conf = app.add_subcommand("conformance", "Run the conformance suites on every backend, print the matrix");
  conf->add_option("--backend", args.backends, "backend(s) to check (default: all built)")
      ->check(CLI::IsMember(backend_choices));
  conf->add_option("--profile", args.profiles, "profile(s) (default: all)")->check(CLI::IsMember(profile_names));
  conf->add_option("--dtype", args.dtypes, "dtype(s) (default: all)")->check(CLI::IsMember(dtype_names));
  conf->add_option("--suite", args.suites, "known, grid (default: both)")->check(CLI::IsMember({"known", "grid"}));
  conf->add_option("--seed", args.seed, "seed of the grid's random values")->capture_default_str();
  conf->add_option("--known-answers", args.known_dir, "folder of known-answer .jsonl files")->capture_default_str();
  conf->add_option("--max-mismatches", args.max_mismatches, "mismatch lines shown per suite and backend")->capture_default_str();
  conf->add_option("--threads", args.threads, "worker threads (0: all hardware threads)")->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  try {
    if (eval->parsed()) return eval_command(eval_backend, eval_file);
    return conformance_command(args);
  } catch (const std::exception& e) {
    std::cerr << "qdq: " << e.what() << "\n";
    return 2;
  }
}
