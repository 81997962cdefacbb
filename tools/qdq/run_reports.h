// The report options shared by the commands that run cases (conformance, golden verify, verify):
// --json FILE, --junit FILE, --html FILE, --shard I/N, --quiet, and the progress line on stderr.
#pragma once

#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

#include "conformance/run_report.h"

namespace qdq::tools {

struct ReportOptions {
  std::string json, junit, html, shard_spec;
  bool quiet = false;
  conformance::Shard shard;  // parsed from shard_spec by check_report_options
};

// Adds --json, --junit, --html, --quiet and, with `shardable`, --shard.
void add_report_options(CLI::App* cmd, ReportOptions& o, bool shardable);

// Before the run: parses --shard and makes sure each report path can be written, so that a long
// run does not end without its report. Throws std::invalid_argument or conformance::ReportError.
void check_report_options(ReportOptions& o);

// The run's provenance: this build's version and commit, the time, the machine.
conformance::RunInfo run_info(std::string command, std::string selection, std::uint64_t seed,
                              std::vector<std::string> backends, const conformance::Shard& shard);

// Writes the reports asked for, each atomically.
void write_reports(const ReportOptions& o, const conformance::RunReport& r);

// "cases done/total, rate, time left" on stderr, redrawn at most twice a second, for runs longer
// than about two seconds and only when stderr is a terminal (and not --quiet). Thread-safe.
class ProgressLine {
 public:
  ProgressLine(std::string what, std::size_t total, bool quiet);
  ~ProgressLine();  // clears the line
  void advance(std::size_t n);

 private:
  using Clock = std::chrono::steady_clock;
  std::string what_;
  std::size_t total_;
  bool enabled_;
  std::atomic<std::size_t> done_{0};
  Clock::time_point start_ = Clock::now(), last_{};
  std::mutex mutex_;
  bool drawn_ = false;
};

}  // namespace qdq::tools
