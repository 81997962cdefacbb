#include "tools/qdq/run_reports.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "conformance/html_report.h"
#include "tools/qdq/provenance.h"

namespace qdq::tools {
namespace {

std::string machine() {
  char host[256] = "";
  ::gethostname(host, sizeof host - 1);
  std::string cpu = "unknown CPU";
  std::ifstream info("/proc/cpuinfo");
  for (std::string line; std::getline(info, line);) {
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  }
  return fmt::format("{}: {}, {} hardware threads", host, cpu, std::thread::hardware_concurrency());
}

void check_writable(const std::string& path, const char* option) {
  if (path.empty()) return;
  const std::string probe = path + ".tmp-" + std::to_string(::getpid());
  std::ofstream out(probe);
  if (!out) throw conformance::ReportError(std::string(option) + " " + path + ": cannot write there");
  out.close();
  std::remove(probe.c_str());
}

}  // namespace

void add_report_options(CLI::App* cmd, ReportOptions& o, bool shardable) {
  cmd->add_option("--json", o.json, "also write the whole result as JSON (docs/reports.md), atomically");
  cmd->add_option("--junit", o.junit, "also write JUnit XML: one testcase per matrix cell, atomically");
  cmd->add_option("--html", o.html, "also write one self-contained HTML page: the matrices, mismatches, distance histograms");
  cmd->add_flag("--quiet", o.quiet, "no progress line on stderr");
  if (shardable) {
    cmd->add_option("--shard", o.shard_spec, "run shard I of N (1 <= I <= N): every N-th case of each kind (op, profile, dtype, "
                                             "attributes) in each suite; "
                                             "`qdq report merge` joins the shards' --json reports");
  }
}

void check_report_options(ReportOptions& o) {
  if (!o.shard_spec.empty()) o.shard = conformance::parse_shard(o.shard_spec);
  check_writable(o.json, "--json");
  check_writable(o.junit, "--junit");
  check_writable(o.html, "--html");
}

conformance::RunInfo run_info(std::string command, std::string selection, std::uint64_t seed, std::vector<std::string> backends,
                              const conformance::Shard& shard) {
  conformance::RunInfo i;
  i.command = std::move(command);
  i.selection = std::move(selection);
  i.qdq_version = QDQ_VERSION;
  i.git_commit = git_commit();
  i.created = utc_now();
  i.machine = machine();
  i.seed = seed;
  i.backends = std::move(backends);
  i.shard = shard;
  return i;
}

void write_reports(const ReportOptions& o, const conformance::RunReport& r) {
  if (!o.json.empty()) conformance::write_file_atomically(o.json, conformance::report_json(r).dump(2) + "\n");
  if (!o.junit.empty()) conformance::write_file_atomically(o.junit, conformance::junit_xml(r));
  if (!o.html.empty()) conformance::write_file_atomically(o.html, conformance::html_report(r));
}

ProgressLine::ProgressLine(std::string what, std::size_t total, bool quiet)
    : what_(std::move(what)), total_(total), enabled_(!quiet && ::isatty(STDERR_FILENO)) {}

ProgressLine::~ProgressLine() {
  if (drawn_) std::cerr << "\r\033[K" << std::flush;
}

void ProgressLine::advance(std::size_t n) {
  const std::size_t done = done_ += n;
  if (!enabled_) return;
  const auto now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (elapsed < 2) return;
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock || now - last_ < std::chrono::milliseconds(500)) return;
  last_ = now;
  const double rate = done / elapsed;
  const double left = rate > 0 ? (static_cast<double>(total_) - done) / rate : 0;
  std::cerr << fmt::format("\r\033[K{}: {}/{} cases, {:.0f}/s, {:.0f} s left", what_, done, total_, rate, left) << std::flush;
  drawn_ = true;
}

}  // namespace qdq::tools
