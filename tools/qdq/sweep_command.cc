// `qdq sweep-float32`: every float32 bit pattern (2^32 inputs) through named configurations of the
// forward op on a backend, judged bit for bit against the reference (tools/qdq/float32_sweep.h,
// docs/float32-sweep.md).
#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "conformance/backends.h"
#include "conformance/run_report.h"
#include "tools/qdq/commands.h"
#include "tools/qdq/float32_sweep.h"
#include "tools/qdq/run_reports.h"

namespace qdq::tools {
namespace {

struct SweepArgs {
  std::vector<std::string> config_names, customs;
  bool all_configs = false, list_configs = false, names_only = false;
  std::string profile = "tf-cpu", backend = "cpu";
  std::uint64_t limit = 0;
  bool limited = false;
  int threads = 0;
  std::size_t max_mismatches = 20;
  double case_timeout_s = conformance::BackendOptions{}.case_timeout_s;
  ReportOptions reports;
};

// The signal that asked the run to stop (SIGINT, SIGTERM), 0 while none has.
std::atomic<int> g_stop{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void on_stop_signal(int sig) { g_stop.store(sig); }

// SIGINT and SIGTERM set g_stop for the run's duration; a second one ends the process at once
// (SA_RESETHAND: the default action again). A signal the process was started ignoring (SIGINT for a
// shell's `cmd &` without job control) stays ignored. Restored when the run ends.
class StopSignals {
 public:
  StopSignals() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    for (auto [sig, old] : {std::pair{SIGINT, &old_int_}, std::pair{SIGTERM, &old_term_}}) {
      sigaction(sig, nullptr, old);
      if (old->sa_handler != SIG_IGN) sigaction(sig, &sa, nullptr);
    }
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

std::string known_names() {
  std::vector<std::string> names;
  for (const sweep::Config& c : sweep::configs()) names.push_back(c.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

// Every documented configuration must be one TF accepts under the profile (a table entry that is not
// is this program's defect).
void check_table(ProfileId p) {
  for (const sweep::Config& c : sweep::configs()) {
    const Status s = sweep::validate(c, p);
    if (!s.ok()) {
      throw std::logic_error(fmt::format("sweep-float32: the documented configuration {} ({}) is one TF rejects under {}: {} \"{}\"",
                                         c.name, sweep::config_spec(c), profile_name(p), code_name(s.code), s.message));
    }
  }
}

void list_configs(ProfileId p, bool names_only) {
  if (names_only) {
    for (const sweep::Config& c : sweep::configs()) std::cout << c.name << "\n";
    return;
  }
  std::cout << fmt::format("qdq sweep-float32: configurations under {} (float32, forward, per-tensor, range_given; each checked "
                           "valid under the profile)\n",
                           profile_name(p));
  std::cout << fmt::format("{:<16} {:<6} {:>4} {:<6} {:<12} {:<14} {:<14} {:<10} {}\n", "name", "signed", "bits", "narrow", "mode",
                           "input_min", "input_max", "range", "what it exercises");
  for (const sweep::Config& c : sweep::configs()) {
    const std::string spec = sweep::config_spec(c);
    auto field = [&](const std::string& key) {
      const std::size_t at = spec.find("," + key + "=") + key.size() + 2;
      return spec.substr(at, spec.find(',', at) - at);
    };
    std::cout << fmt::format("{:<16} {:<6} {:>4} {:<6} {:<12} {:<14} {:<14} {:<10} {}\n", c.name, c.signed_input, c.num_bits,
                             c.narrow_range, c.round_mode, field("min"), field("max"), c.shape, c.note);
  }
}

int run(SweepArgs a) {
  using namespace conformance;
  const ProfileId profile = *parse_profile(a.profile);
  check_table(profile);
  if (a.list_configs) {
    list_configs(profile, a.names_only);
    return 0;
  }
  // The configurations, in the table's order for --all-configs, else as named.
  std::vector<sweep::Config> chosen;
  if (a.all_configs) chosen = sweep::configs();
  for (const std::string& name : a.config_names) {
    bool found = false;
    for (const sweep::Config& c : sweep::configs()) {
      if (c.name == name) {
        if (!a.all_configs) chosen.push_back(c);
        found = true;
      }
    }
    if (!found) {
      throw std::invalid_argument(fmt::format("sweep-float32: unknown configuration '{}' (configurations: {}; or --custom SPEC)",
                                              name, known_names()));
    }
  }
  for (std::size_t i = 0; i < a.customs.size(); ++i) {
    chosen.push_back(sweep::parse_config(a.customs[i], a.customs.size() == 1 ? "custom" : fmt::format("custom-{}", i + 1)));
  }
  if (chosen.empty()) {
    throw std::invalid_argument("sweep-float32: name a configuration: --config NAME, --all-configs or --custom SPEC "
                                "(qdq sweep-float32 --list-configs)");
  }
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (chosen[i].name == chosen[j].name) throw std::invalid_argument("sweep-float32: configuration " + chosen[i].name + " named twice");
    }
    const Status s = sweep::validate(chosen[i], profile);
    if (!s.ok()) {
      throw std::invalid_argument(fmt::format("sweep-float32: configuration {} ({}) is one TF rejects under {}: {} \"{}\"",
                                              chosen[i].name, sweep::config_spec(chosen[i]), profile_name(profile), code_name(s.code),
                                              s.message));
    }
  }
  if (a.limited && (a.limit < 1 || a.limit > sweep::kAllInputs)) {
    throw std::invalid_argument(fmt::format("sweep-float32: --limit {}: expected 1 to {}", a.limit, sweep::kAllInputs));
  }
  if (a.backend == "reference") {
    throw std::invalid_argument("sweep-float32: --backend reference: the reference is what every backend is judged against");
  }
  check_report_options(a.reports);
  sweep::Options o;
  o.backend = a.backend;
  o.profile = profile;
  o.inputs = a.limited ? a.limit : sweep::kAllInputs;
  o.shard = a.reports.shard;
  o.threads = a.threads;
  o.max_mismatches = a.max_mismatches;
  o.backend_options.case_timeout_s = a.case_timeout_s;
  o.quiet = a.reports.quiet;
  {
    const std::unique_ptr<Backend> b = make_backend(o.backend, o.backend_options);
    if (!b) throw std::invalid_argument(unknown_backend_message(o.backend));
    if (!b->supports_op(Op::Forward, profile, DType::Float32)) {
      throw std::invalid_argument(fmt::format("sweep-float32: backend {} does not implement {} for float32", o.backend,
                                              profile_name(profile)));
    }
  }
  const bool partial = o.inputs != sweep::kAllInputs;
  const std::vector<std::uint64_t> chunks = sweep::shard_chunks(o.inputs, o.shard);
  std::uint64_t shard_inputs = 0;
  for (std::uint64_t c : chunks) shard_inputs += std::min((c + 1) * sweep::kChunk, o.inputs) - c * sweep::kChunk;
  std::cout << fmt::format("qdq sweep-float32: profile {}, backend {} judged against the reference; {} configuration{}; inputs: {}{}\n",
                           profile_name(profile), o.backend, chosen.size(), chosen.size() == 1 ? "" : "s",
                           partial ? fmt::format("the first {} of {} (PARTIAL sweep, --limit)", o.inputs, sweep::kAllInputs)
                                   : fmt::format("all {}", sweep::kAllInputs),
                           o.shard.whole() ? "" : fmt::format("; shard {}/{}: {} chunks of {}, {} inputs a configuration", o.shard.index,
                                                              o.shard.count, chunks.size(), sweep::kChunk, shard_inputs));
  std::cout << std::flush;

  RunReport report;
  report.info = run_info("sweep-float32", sweep::selection(chosen, o), 0, {o.backend}, o.shard);
  std::uint64_t judged = 0;
  long passed = 0, failed = 0, undefined = 0;
  double seconds = 0;
  g_stop.store(0);
  StopSignals signals;  // until the reports are written: a second signal ends the process at once
  {
    for (std::size_t i = 0; i < chosen.size(); ++i) {
      const sweep::ConfigResult r = sweep::run_config(chosen[i], o, g_stop);
      judged += r.judged;
      seconds += r.seconds;
      const Tally t = r.suite.total();
      passed += t.passed;
      failed += t.failed;
      undefined += t.undefined;
      if (r.interrupted || g_stop.load()) {
        const int sig = g_stop.load();
        std::cout << std::flush;
        std::cerr << fmt::format("qdq sweep-float32: interrupted by {} in configuration {} ({} of {}): {} of its {} inputs here "
                                 "judged, {} inputs in all ({} mismatched so far), {:.1f} s; no report written\n",
                                 sig == SIGTERM ? "SIGTERM" : "SIGINT", chosen[i].name, i + 1, chosen.size(), r.judged, shard_inputs,
                                 judged, failed, seconds);
        return 128 + (sig ? sig : SIGINT);
      }
      std::cout << fmt::format("config {}: {} inputs judged in {:.1f} s ({:.0f} inputs/s; thread time: reference {:.1f} s, "
                               "backend {:.2f} s): {} passed, {} mismatched, {} implementation-defined\n",
                               chosen[i].name, r.judged, r.seconds, r.seconds > 0 ? r.judged / r.seconds : 0.0, r.reference_seconds,
                               r.backend_seconds, t.passed, t.failed, t.undefined)
                << std::flush;
      report.info.cases_in_run[r.suite.suite] = static_cast<long>(r.inputs_in_run);
      report.results.push_back(r.suite);
    }
  }
  sweep::print_results(std::cout, report.results, chosen, profile);
  if (const int sig = g_stop.load()) {
    std::cerr << fmt::format("qdq sweep-float32: interrupted by {} after the last input was judged; no report written\n",
                             sig == SIGTERM ? "SIGTERM" : "SIGINT");
    return 128 + sig;
  }
  // A signal from here on comes after the whole run: the reports are still written whole (each atomically),
  // and the exit status is the run's.
  write_reports(a.reports, report);
  std::cout << fmt::format("\nqdq sweep-float32: {} configuration{}, {} inputs judged: {} passed, {} mismatched, {} "
                           "implementation-defined (counted apart); {:.1f} s, {:.0f} inputs/s\n",
                           chosen.size(), chosen.size() == 1 ? "" : "s", judged, passed, failed, undefined, seconds,
                           seconds > 0 ? judged / seconds : 0.0);
  if (partial) {
    std::cout << fmt::format("PARTIAL sweep: only the first {} of the {} float32 inputs (--limit)\n", o.inputs, sweep::kAllInputs);
  }
  return failed ? 1 : 0;
}

}  // namespace

Command add_sweep_command(CLI::App& app) {
  auto a = std::make_shared<SweepArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sweep-float32",
      "Run every float32 bit pattern (2^32 inputs) through named configurations of the forward op (per-tensor, range_given) on a "
      "backend, judged bit for bit against the reference; exit 0 pass, 1 mismatch, 2 bad input, 130/143 interrupted "
      "(docs/float32-sweep.md)");
  cmd->add_option("--config", a->config_names, "a configuration by name (repeatable; --list-configs lists them)");
  cmd->add_flag("--all-configs", a->all_configs, "every documented configuration");
  cmd->add_option("--custom", a->customs,
                  "a configuration of your own (repeatable): 'num_bits=B,min=X,max=Y[,signed=true][,narrow=false]"
                  "[,mode=HALF_TO_EVEN|HALF_UP][,name=N]', checked as TF checks it");
  cmd->add_option("--profile", a->profile, "the profile (every one supports float32)")->check(profile_check())->capture_default_str();
  cmd->add_option("--backend", a->backend, "the backend judged against the reference")->check(backend_check())->capture_default_str();
  cmd->add_option("--limit", a->limit,
                  "only the first N inputs of the sweep's order (a partial sweep, and said so; a shard takes its chunks of those)")
      ->each([a](const std::string&) { a->limited = true; });
  cmd->add_option("--threads", a->threads, "worker threads (0: all hardware threads)")->capture_default_str();
  cmd->add_option("--max-mismatches", a->max_mismatches, "mismatch lines kept per configuration")->capture_default_str();
  cmd->add_flag("--list-configs", a->list_configs, "print the configurations of --profile (checked valid under it) and exit");
  cmd->add_flag("--names", a->names_only, "with --list-configs: only the names, one a line");
  add_case_timeout_option(cmd, a->case_timeout_s);
  add_report_options(cmd, a->reports, true);
  cmd->get_option("--shard")->description("run shard I of N (1 <= I <= N): chunks c of 65536 inputs with c mod N = I - 1; "
                                          "`qdq report merge` joins the shards' --json reports");
  return {cmd, [a] { return run(*a); }};
}

}  // namespace qdq::tools
