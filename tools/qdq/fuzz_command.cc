// `qdq fuzz`: the properties of fuzz/ for a time budget, outside GoogleTest. A progress line on
// stderr; each failure printed with its case (a `qdq eval` line) and how to replay it; the shrunk
// failures written, one file per profile, to golden files (answers from the reference) that
// `qdq golden verify` replays. Exit status: 0 no failure, 1 failures, 2 usage or I/O error.
#include <fmt/format.h>

#include <iostream>
#include <map>
#include <memory>
#include <random>

#include <unistd.h>

#include "conformance/backends.h"
#include "conformance/case_io.h"
#include "conformance/golden_io.h"
#include "conformance/run_report.h"
#include "fuzz/runner.h"
#include "tools/qdq/commands.h"
#include "tools/qdq/provenance.h"
#include "tools/qdq/run_reports.h"

namespace qdq::tools {
namespace {

struct FuzzArgs {
  fuzz::FuzzOptions options;
  std::vector<std::string> properties;
  bool seed_given = false;
  std::string failures = "fuzz-failures";
  ReportOptions reports;
};

// The run as a report: one suite "fuzz", a row per property, the column "checks"; each failure a
// mismatch line naming its property, backend and seed.
conformance::RunReport fuzz_report(const fuzz::FuzzResult& r, const fuzz::FuzzOptions& o, const ReportOptions& reports,
                                   const std::vector<std::string>& properties) {
  const std::vector<std::string> backends = o.backends.empty() ? conformance::backend_names() : o.backends;
  conformance::RunReport report;
  report.info = run_info("fuzz", fmt::format("properties={} checks={} cases={}", fmt::join(properties, ","), o.max_checks, o.cases),
                         o.seed, backends, reports.shard);
  conformance::SuiteResult s;
  s.suite = "fuzz";
  s.backend = fmt::format("{}", fmt::join(backends, ","));
  for (const auto& [name, c] : r.by_property) {
    s.cells[name]["checks"] = conformance::Tally{c.passed, c.failed, c.skipped, 0, 0};
    s.cases += c.passed + c.failed + c.skipped;
  }
  for (const fuzz::FoundFailure& f : r.failures) {
    conformance::Mismatch m{fmt::format("fuzz/{}/{}/seed{}", f.failure.property, f.failure.backend, f.seed), "property", -1, "",
                            "holds", f.failure.message, ""};
    m.row = f.failure.property;
    m.column = "checks";
    s.mismatch_count += 1;
    s.distances.add(m);
    s.mismatches.push_back(m);
    s.cell_mismatches[m.row][m.column].push_back(m);
  }
  report.info.cases_in_run["fuzz"] = o.max_checks > 0 ? static_cast<long>(o.max_checks) : s.cases;
  report.results.push_back(std::move(s));
  return report;
}

void print_failure(const fuzz::FoundFailure& f, const fuzz::FuzzOptions& o) {
  const fuzz::Failure& x = f.failure;
  std::cerr << fmt::format("\nFAIL {} on {} ({}/{}) after {} passing cases, shrunk in {} steps: {}\n  case: {}\n", x.property,
                           x.backend, profile_name(x.op_case.profile), dtype_name(x.op_case.input.dtype), f.cases_before,
                           f.shrinks, x.message,
                           conformance::case_json("fuzz/" + x.property, x.op_case).dump());
  std::string backends;
  for (const std::string& b : o.backends) backends += " --backend " + b;
  std::cerr << fmt::format("  rerun the check: qdq fuzz --property {}{} --seed {} --cases {}\n", x.property, backends, f.seed,
                           o.cases);
  std::cerr << fmt::format("  replay exactly:  qdq fuzz --property {}{} --reproduce '{}'\n", x.property, backends, f.reproduce);
}

// One golden file per profile: <prefix>.<profile>.h5.
void write_failures(const std::vector<fuzz::FoundFailure>& found, const std::string& prefix, std::uint64_t seed) {
  std::map<ProfileId, std::vector<conformance::SuiteCase>> by_profile;
  for (const fuzz::FoundFailure& f : found) {
    const fuzz::Failure& x = f.failure;
    if (x.backend.empty()) continue;  // the property failed without reporting a case
    by_profile[x.op_case.profile].push_back(
        {fmt::format("fuzz/{}/{}/seed{}", x.property, x.backend, f.seed), x.op_case, {}, {}, x.message});
  }
  auto reference = conformance::make_backend("reference");
  for (const auto& [profile, cases] : by_profile) {
    golden::Provenance p;
    p.generator = "qdq fuzz";
    p.generator_version = QDQ_VERSION;
    p.profile = std::string(profile_name(profile));
    p.answers_from = "backend:reference";
    p.device = "CPU";
    p.created = utc_now();
    p.git_commit = git_commit();
    p.suites = "fuzz";
    p.seed = seed;
    std::string dtypes;
    for (const auto& c : cases) dtypes += (dtypes.empty() ? "" : ",") + std::string(dtype_name(c.op_case.input.dtype));
    p.dtypes = dtypes;
    const std::string path = fmt::format("{}.{}.h5", prefix, profile_name(profile));
    golden::write_golden(path, conformance::golden_from_backend(cases, *reference, p));
    std::cerr << fmt::format("qdq fuzz: {} failure(s) written to {} (replay: qdq golden verify {})\n", cases.size(), path, path);
  }
}

}  // namespace

Command add_fuzz_command(CLI::App& app) {
  auto a = std::make_shared<FuzzArgs>();
  std::vector<std::string> property_names;
  for (const fuzz::Property& p : fuzz::properties()) property_names.push_back(p.name);
  CLI::App* cmd = app.add_subcommand("fuzz", "Run the op's properties (fuzz/) for a time budget");
  cmd->add_option("--seconds", a->options.seconds, "time budget")->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", a->options.seed, "seed of the first check (default: from the clock, printed)");
  cmd->add_option("--backend", a->options.backends, "backend(s) to check (default: every one usable here)")
      ->check(backend_check());
  add_case_timeout_option(cmd, a->options.backend_options.case_timeout_s);
  cmd->add_option("--property", a->properties, "propert(ies) to run (default: all)")->check(CLI::IsMember(property_names));
  cmd->add_option("--cases", a->options.cases, "cases per check")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--failures", a->failures, "write failures to PREFIX.<profile>.h5")->capture_default_str();
  cmd->add_option("--reproduce", a->options.reproduce, "replay one failure from RapidCheck's reproduce string");
  cmd->add_option("--checks", a->options.max_checks, "run exactly checks 0..N-1, whatever the time (needed by --shard)");
  add_report_options(cmd, a->reports, true);
  return {cmd, [=] {
            fuzz::FuzzOptions o = a->options;
            check_report_options(a->reports);
            if (!a->reports.shard.whole()) {
              if (o.max_checks == 0) throw std::invalid_argument("--shard needs --checks N: a time budget does not split a run exactly");
              if (cmd->count("--seed") == 0) throw std::invalid_argument("--shard needs --seed: every shard must draw from the same seed");
              o.shard_index = a->reports.shard.index;
              o.shard_count = a->reports.shard.count;
            }
            if (cmd->count("--seed") == 0) o.seed = std::random_device{}();
            std::cerr << fmt::format("qdq fuzz: seed {}, {} s, {} cases per check\n", o.seed, o.seconds, o.cases);
            // One progress line, redrawn each second on a terminal, else a line every 10 s.
            const bool tty = isatty(STDERR_FILENO) != 0;
            double shown = 0;
            const fuzz::FuzzResult r = fuzz::run_fuzz(fuzz::select_properties(a->properties), o, [&](const fuzz::FuzzResult& so_far) {
              if (so_far.seconds < shown + (tty ? 1 : 10)) return;
              shown = so_far.seconds;
              std::cerr << fmt::format("{}qdq fuzz: {:.0f} s of {:.0f}, {} checks, {} cases, {} failure(s){}", tty ? "\r" : "",
                                       so_far.seconds, o.seconds, so_far.checks, so_far.cases, so_far.failures.size(),
                                       tty ? "   " : "\n")
                        << std::flush;
            });
            std::cerr << fmt::format("{}qdq fuzz: {:.1f} s, {} checks, {} cases, {} failure(s), seed {}\n", tty ? "\r" : "", r.seconds, r.checks,
                                     r.cases, r.failures.size(), o.seed);
            for (const fuzz::FoundFailure& f : r.failures) print_failure(f, o);
            if (!r.failures.empty()) write_failures(r.failures, a->failures, o.seed);
            std::vector<std::string> names;
            for (const fuzz::Property& p : fuzz::select_properties(a->properties)) names.push_back(p.name);
            write_reports(a->reports, fuzz_report(r, o, a->reports, names));
            return r.failures.empty() ? 0 : 1;
          }};
}

}  // namespace qdq::tools
