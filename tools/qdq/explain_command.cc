// `qdq explain`: one case's element computed step by step (conformance/explain.h).
#include <fstream>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "conformance/case_io.h"
#include "conformance/explain.h"
#include "conformance/golden_io.h"
#include "conformance/grid.h"
#include "conformance/known_answers.h"
#include "conformance/suites.h"
#include "tools/qdq/commands.h"

namespace qdq::tools {
namespace {

struct ExplainArgs {
  std::string case_file, golden, suite, id, answer_file, profile, dtype;
  std::uint64_t seed = conformance::kDefaultSeed;
  std::int64_t element = -1;
};

// The case with that id from a case file, a golden file or a suite.
conformance::SuiteCase find_case(const ExplainArgs& a) {
  using namespace conformance;
  if (!a.case_file.empty()) {
    std::ifstream in(a.case_file);
    if (!in) throw std::runtime_error(a.case_file + ": cannot open");
    std::optional<SuiteCase> found;
    for_each_case_line(in, [&](long, std::variant<CaseLine, BadCase> parsed) {
      if (auto* c = std::get_if<CaseLine>(&parsed); c && c->id == a.id && !found) found = SuiteCase{c->id, c->op_case, c->expect, c->match, c->source};
    });
    if (!found) throw std::runtime_error(a.case_file + ": no case '" + a.id + "'");
    return *found;
  }
  if (!a.golden.empty()) {
    for (SuiteCase& c : golden_suite_cases(golden::read_golden(a.golden))) {
      if (c.id == a.id) return c;
    }
    throw std::runtime_error(a.golden + ": no case '" + a.id + "'");
  }
  for (ProfileId p : kAllProfiles) {
    if (!a.profile.empty() && p != *parse_profile(a.profile)) continue;
    for (DType t : kAllDTypes) {
      if (!a.dtype.empty() && t != *parse_dtype(a.dtype)) continue;
      for (SuiteCase& c : suite_cases(a.suite, p, t, a.seed, default_known_answers_dir())) {
        if (c.id == a.id) return c;
      }
    }
  }
  throw std::runtime_error("suite " + a.suite + ": no case '" + a.id + "'");
}

std::optional<Outcome> find_answer(const std::string& path, const conformance::SuiteCase& c) {
  if (path.empty()) return std::nullopt;
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::string line;
  for (long number = 1; std::getline(in, line); ++number) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("id") || j["id"] != c.id) continue;
    try {
      return conformance::parse_answer(j, c.op_case);
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ": line " + std::to_string(number) + ": " + e.what());
    }
  }
  throw std::runtime_error(path + ": no answer to '" + c.id + "'");
}

}  // namespace

Command add_explain_command(CLI::App& app) {
  auto a = std::make_shared<ExplainArgs>();
  std::vector<std::string> dtype_names;
  for (DType t : kAllDTypes) dtype_names.emplace_back(dtype_name(t));
  CLI::App* cmd = app.add_subcommand("explain", "Compute one element of a case step by step, beside the exact op, and say why they differ");
  auto* from_case = cmd->add_option("--case", a->case_file, "a case file (qdq cases, qdq eval format)")->check(CLI::ExistingFile);
  auto* from_golden = cmd->add_option("--golden", a->golden, "a golden file (also a fuzz failure file)")->check(CLI::ExistingFile);
  auto* from_suite = cmd->add_option("--suite", a->suite, "a suite: known, grid, edge, random, layout")
                         ->check(CLI::IsMember(conformance::case_suite_names()));
  from_case->excludes(from_golden)->excludes(from_suite);
  from_golden->excludes(from_suite);
  cmd->add_option("--id", a->id, "the case's id")->required();
  cmd->add_option("--profile", a->profile, "with --suite: the profile to look in (default: all)")->check(profile_check());
  cmd->add_option("--dtype", a->dtype, "with --suite: the dtype to look in (default: all)")->check(CLI::IsMember(dtype_names));
  cmd->add_option("--seed", a->seed, "with --suite: the suite's seed")->capture_default_str();
  cmd->add_option("--element", a->element, "the flat index to explain (default: the first the answer gets wrong, else 0)");
  cmd->add_option("--answer", a->answer_file, "a file of answers (qdq eval format) holding the kernel's answer to the case");
  return {cmd, [=] {
            if (a->case_file.empty() && a->golden.empty() && a->suite.empty()) {
              throw std::runtime_error("explain: name where the case is: --case FILE, --golden FILE or --suite NAME");
            }
            const conformance::SuiteCase c = find_case(*a);
            const std::optional<Outcome> answer = find_answer(a->answer_file, c);
            std::cout << conformance::explain_case(c.id, c.op_case, answer,
                                                   a->element >= 0 ? std::optional<std::int64_t>(a->element) : std::nullopt);
            return 0;
          }};
}

}  // namespace qdq::tools
