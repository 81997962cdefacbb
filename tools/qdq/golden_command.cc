#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <variant>

#include "conformance/backends.h"
#include "conformance/case_io.h"
#include "conformance/golden_io.h"
#include "conformance/grid.h"
#include "conformance/known_answers.h"
#include "conformance/report.h"
#include "conformance/suites.h"
#include "conformance/golden_diff.h"
#include "conformance/run_report.h"
#include "tools/qdq/commands.h"
#include "tools/qdq/run_reports.h"
#include "tools/qdq/provenance.h"

namespace qdq::tools {
namespace {

using conformance::SuiteCase;

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// The cases a golden file holds for a profile: every dtype, every suite, in that order.
std::vector<SuiteCase> build_cases(ProfileId profile, const std::vector<std::string>& dtypes,
                                   const std::vector<std::string>& suites, std::uint64_t seed, const std::string& known_dir) {
  std::vector<SuiteCase> out;
  for (const std::string& t : dtypes) {
    for (const std::string& s : suites) {
      for (SuiteCase& c : conformance::suite_cases(s, profile, *parse_dtype(t), seed, known_dir)) out.push_back(std::move(c));
    }
  }
  return out;
}

// The cases of a `qdq eval` JSON-lines file, every one of profile `profile`. A bad line or another
// profile is an error naming the file and the line.
std::vector<SuiteCase> read_cases(const std::string& path, ProfileId profile) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open cases " + path);
  std::vector<SuiteCase> out;
  conformance::for_each_case_line(in, [&](long line, auto parsed) {
    if (auto* bad = std::get_if<conformance::BadCase>(&parsed)) throw std::runtime_error(path + ": " + bad->message);
    auto& c = std::get<conformance::CaseLine>(parsed);
    if (c.op_case.profile != profile) {
      throw std::runtime_error(fmt::format("{}: line {}: case '{}' has profile {}, not {}", path, line, c.id,
                                           profile_name(c.op_case.profile), profile_name(profile)));
    }
    out.push_back({c.id, std::move(c.op_case), {}, {}, "file " + path});
  });
  if (out.empty()) throw std::runtime_error(path + ": no cases");
  return out;
}

struct GenerateArgs {
  std::string profile, output, backend = "reference", answers, cases_jsonl, cases_from;
  std::vector<std::string> dtypes, suites;
  std::uint64_t seed = conformance::kDefaultSeed;
  std::string known_dir = conformance::default_known_answers_dir();
};

int generate(const GenerateArgs& a) {
  const ProfileId profile = *parse_profile(a.profile);
  std::vector<std::string> dtypes = a.dtypes, suites = a.suites;
  if (dtypes.empty()) {
    for (DType t : kAllDTypes) dtypes.emplace_back(dtype_name(t));
  }
  if (suites.empty()) suites = conformance::case_suite_names();
  const std::vector<SuiteCase> cases =
      a.cases_from.empty() ? build_cases(profile, dtypes, suites, a.seed, a.known_dir) : read_cases(a.cases_from, profile);
  if (!a.cases_from.empty()) {
    // the file's own cases: its name in place of the suites, the dtypes it holds
    suites = {"cases:" + std::filesystem::path(a.cases_from).filename().string()};
    dtypes.clear();
    for (DType t : kAllDTypes) {
      if (std::any_of(cases.begin(), cases.end(), [&](const SuiteCase& c) { return c.op_case.input.dtype == t; })) {
        dtypes.emplace_back(dtype_name(t));
      }
    }
  }
  if (!a.cases_jsonl.empty()) {
    const std::string tmp = a.cases_jsonl + ".tmp";
    {
      std::ofstream out(tmp);
      for (const SuiteCase& c : cases) out << conformance::json_line(conformance::case_json(c.id, c.op_case)) << "\n";
      if (!out) throw std::runtime_error("cannot write " + a.cases_jsonl);
    }
    std::rename(tmp.c_str(), a.cases_jsonl.c_str());
    std::cerr << fmt::format("qdq golden generate: {} cases written to {}\n", cases.size(), a.cases_jsonl);
    if (a.output.empty()) return 0;
  }
  if (a.output.empty()) throw std::runtime_error("golden generate: -o FILE is required (or --cases-jsonl alone)");
  golden::Provenance p;
  p.generator = "qdq golden generate";
  p.generator_version = QDQ_VERSION;
  p.profile = std::string(profile_name(profile));
  p.created = utc_now();
  p.git_commit = git_commit();
  p.suites = fmt::format("{}", fmt::join(suites, ","));
  p.dtypes = fmt::format("{}", fmt::join(dtypes, ","));
  p.seed = a.seed;
  golden::GoldenFile file;
  if (!a.answers.empty()) {
    std::ifstream in(a.answers);
    if (!in) throw std::runtime_error("cannot open answers " + a.answers);
    try {
      file = conformance::golden_from_answers(cases, in, p);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(a.answers + ": " + e.what());
    }
  } else {
    auto backend = conformance::make_backend(a.backend);
    if (!backend) throw std::runtime_error("unknown backend '" + a.backend + "'");
    p.answers_from = "backend:" + std::string(backend->name());
    p.device = "CPU";
    file = conformance::golden_from_backend(cases, *backend, p);
  }
  golden::write_golden(a.output, file);
  std::cerr << fmt::format("qdq golden generate: {} cases, answers from {}, written to {}\n", file.cases.size(),
                           file.provenance.answers_from, a.output);
  return 0;
}

int verify(const std::string& path, std::vector<std::string> backends, std::size_t max_mismatches, double case_timeout_s,
           ReportOptions reports) {
  check_report_options(reports);
  const golden::GoldenFile file = golden::read_golden(path);
  if (backends.empty()) backends = conformance::backend_names();
  const std::string suite = "golden " + path;
  std::vector<conformance::SuiteCase> cases = conformance::golden_suite_cases(file);
  conformance::RunReport report;
  report.info = run_info("golden verify", "file=" + path, file.provenance.seed, backends, reports.shard);
  report.info.cases_in_run[suite] = static_cast<long>(cases.size());
  cases = conformance::shard_cases(std::move(cases), reports.shard);
  ProgressLine progress(suite, cases.size(), reports.quiet);
  report.results = conformance::run_suite(suite, cases, backends,
                                          conformance::RunOptions{max_mismatches, 0, {case_timeout_s},
                                                                  [&progress](std::size_t n) { progress.advance(n); }});
  std::cout << fmt::format("qdq golden verify: {} ({} cases{}, profile {}, answers from {} {})\n", path, file.cases.size(),
                           reports.shard.whole() ? "" : fmt::format(", shard {} with {}", reports.shard_spec, cases.size()),
                           file.provenance.profile, file.provenance.answers_from, file.provenance.tf_version);
  conformance::print_report(std::cout, report.results);
  write_reports(reports, report);
  long failed = 0;
  for (const auto& r : report.results) failed += r.total().failed;
  return failed ? 1 : 0;
}

int diff(const std::string& a_path, const std::string& b_path, std::size_t max_lines) {
  const golden::GoldenFile a = golden::read_golden(a_path), b = golden::read_golden(b_path);
  const conformance::GoldenDiff d = conformance::diff_golden(a, b, max_lines);
  auto describe = [](const golden::GoldenFile& f) {
    return fmt::format("profile {}, answers from {} {}, {} cases", f.provenance.profile, f.provenance.answers_from,
                       f.provenance.tf_version, f.cases.size());
  };
  std::cout << fmt::format("A: {} ({})\nB: {} ({})\n", a_path, describe(a), b_path, describe(b));
  for (const conformance::Mismatch& m : d.lines) std::cout << "DIFFERS " << conformance::format_mismatch(m) << "\n";
  if (d.answers_differ > 0 && static_cast<std::size_t>(d.answers_differ) > d.lines.size()) {
    std::cout << "(expected = A's answer, observed = B's; the first lines only)\n";
  }
  auto ids = [](const char* what, const std::vector<std::string>& v) {
    if (v.empty()) return;
    std::cout << fmt::format("{} {}: {}{}\n", v.size(), what, fmt::join(v.begin(), v.begin() + std::min<std::size_t>(v.size(), 10), ", "),
                             v.size() > 10 ? ", ..." : "");
  };
  ids("cases only in A", d.only_a);
  ids("cases only in B", d.only_b);
  ids("cases with the same id but other inputs (not compared)", d.inputs_differ);
  std::cout << fmt::format("qdq golden diff: {} cases compared, {} with different answers, {} the same; {} implementation-defined "
                           "elements not compared\n",
                           d.compared, d.answers_differ, d.compared - d.answers_differ, d.undefined);
  return d.answers_differ || !d.only_a.empty() || !d.only_b.empty() || !d.inputs_differ.empty() ? 1 : 0;
}

int inspect(const std::string& path) {
  const golden::GoldenFile file = golden::read_golden(path);
  const golden::Provenance& p = file.provenance;
  std::cout << fmt::format(
      "file: {}\nschema_version: {}\ngenerator: {} {}\nprofile: {}\nanswers_from: {}\ntf_version: {}\ntf_mode: {}\n"
      "device: {}\ncreated: {}\ngit_commit: {}\nsuites: {}\ndtypes: {}\nseed: {}\ncontent_crc32: {:08x} (verified)\n"
      "cases: {}\n",
      path, p.schema_version, p.generator, p.generator_version, p.profile, p.answers_from, p.tf_version, p.tf_mode,
      p.device, p.created, p.git_commit, p.suites, p.dtypes, p.seed, p.content_crc32, file.cases.size());
  // The releases whose answers the profile (and so the file) stands for, observed with the oracle.
  if (const auto id = parse_profile(p.profile); id && !profile(*id).releases.empty()) {
    std::string releases(profile(*id).releases);
    std::replace(releases.begin(), releases.end(), ',', ' ');
    std::cout << fmt::format("tf_releases_covered: {}\n", releases);
  }
  std::map<std::string, long> by_kind, reasons;
  long undefined_elements = 0;
  for (const auto& c : file.cases) {
    const std::string status = c.answer.status.ok() ? "OK" : std::string(code_name(c.answer.status.code));
    ++by_kind[fmt::format("{} {} {}", c.op_case.op == Op::Forward ? "forward" : "gradient", dtype_name(c.op_case.input.dtype), status)];
    for (auto u : c.answer.undefined) undefined_elements += u;
    if (!c.answer.undefined_reason.empty()) ++reasons[c.answer.undefined_reason];
  }
  for (const auto& [k, n] : by_kind) std::cout << fmt::format("  {:<40} {}\n", k, n);
  std::cout << fmt::format("implementation-defined elements: {}\n", undefined_elements);
  for (const auto& [r, n] : reasons) std::cout << fmt::format("  {} cases: {}\n", n, r);
  return 0;
}

bool same_case(const OpCase& a, const OpCase& b) {
  return a.op == b.op && a.profile == b.profile && a.attrs == b.attrs && a.input == b.input && a.input_min == b.input_min &&
         a.input_max == b.input_max && (a.op == Op::Forward || a.gradients == b.gradients);
}

int check_inputs(const std::string& path, const std::string& known_dir) {
  const golden::GoldenFile file = golden::read_golden(path);
  const golden::Provenance& p = file.provenance;
  const auto profile = parse_profile(p.profile);
  if (p.suites.rfind("cases:", 0) == 0) {
    throw golden::GoldenError(path + ": its cases come from a case file (" + p.suites.substr(6) +
                              "), not from the suites: there is nothing to regenerate");
  }
  const std::vector<SuiteCase> cases = build_cases(*profile, split(p.dtypes), split(p.suites), p.seed, known_dir);
  const std::size_t n = std::min(cases.size(), file.cases.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (cases[i].id != file.cases[i].id || !same_case(cases[i].op_case, file.cases[i].op_case)) {
      std::cout << fmt::format("{}: case {} differs: the file has '{}', regenerating gives '{}'\n", path, i, file.cases[i].id,
                               cases[i].id);
      return 1;
    }
  }
  if (cases.size() != file.cases.size()) {
    std::cout << fmt::format("{}: {} cases in the file, {} regenerated\n", path, file.cases.size(), cases.size());
    return 1;
  }
  std::cout << fmt::format("{}: all {} case inputs are what the generator makes today\n", path, n);
  return 0;
}

}  // namespace

Command add_golden_command(CLI::App& app) {
  CLI::App* golden = app.add_subcommand("golden", "Generate, verify and inspect golden files (HDF5)");
  golden->require_subcommand(1);
  std::vector<std::string> dtype_names;
  for (DType t : kAllDTypes) dtype_names.emplace_back(dtype_name(t));

  auto g = std::make_shared<GenerateArgs>();
  CLI::App* gen = golden->add_subcommand("generate", "Make a golden file: cases from the suites, answers from a backend or TF");
  gen->add_option("--profile", g->profile, "profile of every case")->required()->check(profile_check());
  gen->add_option("--dtype", g->dtypes, "dtype(s) (default: all four)")->check(CLI::IsMember(dtype_names));
  gen->add_option("--suite", g->suites, "known, grid, edge, random (default: all)")
      ->check(CLI::IsMember(conformance::case_suite_names()));
  gen->add_option("--seed", g->seed, "seed of the grid's and the random suite's values")->capture_default_str();
  gen->add_option("-o,--output", g->output, "golden file to write (atomically)");
  gen->add_option("--backend", g->backend, "answers from this backend")->capture_default_str()->check(backend_check());
  gen->add_option("--answers", g->answers, "answers from the TF oracle's JSON lines instead");
  gen->add_option("--cases-jsonl", g->cases_jsonl, "also (or only) write the cases as JSON lines, for the TF oracle");
  gen->add_option("--cases", g->cases_from, "cases from this `qdq eval` JSON-lines file instead of the suites")
      ->excludes("--suite");
  gen->add_option("--known-answers", g->known_dir, "folder of known-answer .jsonl files")->capture_default_str();

  auto file = std::make_shared<std::string>();
  auto backends = std::make_shared<std::vector<std::string>>();
  auto max_mismatches = std::make_shared<std::size_t>(20);
  CLI::App* ver = golden->add_subcommand("verify", "Run every case of a golden file through backends");
  ver->add_option("file", *file, "golden file")->required();
  ver->add_option("--backend", *backends, "backend(s) (default: every one usable here)")->check(backend_check());
  auto case_timeout = std::make_shared<double>(conformance::BackendOptions{}.case_timeout_s);
  add_case_timeout_option(ver, *case_timeout);
  auto reports = std::make_shared<ReportOptions>();
  add_report_options(ver, *reports, true);
  ver->add_option("--max-mismatches", *max_mismatches, "mismatch lines shown per backend")->capture_default_str();
  auto ins_file = std::make_shared<std::string>();
  CLI::App* ins = golden->add_subcommand("inspect", "Print a golden file's provenance and a summary");
  ins->add_option("file", *ins_file, "golden file")->required();
  auto chk_file = std::make_shared<std::string>();
  auto chk_known = std::make_shared<std::string>(conformance::default_known_answers_dir());
  CLI::App* chk = golden->add_subcommand("check-inputs", "Check that regenerating the cases gives the file's inputs exactly");
  chk->add_option("file", *chk_file, "golden file")->required();
  chk->add_option("--known-answers", *chk_known, "folder of known-answer .jsonl files")->capture_default_str();

  auto diff_files = std::make_shared<std::vector<std::string>>();
  auto diff_lines = std::make_shared<std::size_t>(20);
  CLI::App* dif = golden->add_subcommand("diff", "Which cases' answers differ between two golden files; exit 0 none, 1 some, 2 bad input");
  dif->add_option("files", *diff_files, "golden files A and B")->required()->expected(2);
  dif->add_option("--max-mismatches", *diff_lines, "differing elements shown")->capture_default_str();

  return {golden, [=] {
            try {
              if (gen->parsed()) return generate(*g);
              if (dif->parsed()) return diff((*diff_files)[0], (*diff_files)[1], *diff_lines);
              if (ver->parsed()) return verify(*file, *backends, *max_mismatches, *case_timeout, *reports);
              if (ins->parsed()) return inspect(*ins_file);
              return check_inputs(*chk_file, *chk_known);
            } catch (const golden::GoldenError& e) {
              std::cerr << "qdq golden: " << e.what() << "\n";
              return 2;
            }
          }};
}

}  // namespace qdq::tools
