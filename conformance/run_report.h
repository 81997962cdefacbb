// A run's results as files that people read and CI systems parse: JSON (the whole matrix, versioned
// schema, docs/reports.md), JUnit XML (one testcase per matrix cell); sharding a run over machines
// (--shard I/N) and merging the shards' JSON back into one report.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conformance/engine.h"

namespace qdq::conformance {

// A report file that cannot be read, written or merged; the message names the file and the problem.
struct ReportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Shard I of N (1 <= I <= N): within each stratum of a suite's cases (one op, profile, dtype,
// rounding mode, signedness, narrow_range, range_given and per-tensor or per-channel), the cases
// numbered r = 0, 1, ... in the suite's order go to shard r mod N + 1. So the N shards of a run hold
// each of its cases exactly once, each shard holds a like mix, and shard 1 holds every stratum the
// run has.
struct Shard {
  int index = 1, count = 1;
  bool whole() const { return count == 1; }
};
// "I/N"; throws std::invalid_argument naming the spec ("3/2", "0/0", "-1/4", "a/b" are refused).
Shard parse_shard(const std::string& spec);
// The cases of `all` in shard s, in order.
std::vector<SuiteCase> shard_cases(std::vector<SuiteCase> all, const Shard& s);

struct RunInfo {
  std::string command;    // "conformance", "golden verify", "verify"
  std::string selection;  // what the whole run covers: the command's selection options, normalized
  std::string qdq_version, git_commit, created, machine;
  std::uint64_t seed = 0;
  std::vector<std::string> backends;
  Shard shard;
  std::map<std::string, long> cases_in_run;  // suite -> its cases in the whole (unsharded) run
};

struct RunReport {
  RunInfo info;
  std::vector<SuiteResult> results;
};

inline constexpr int kReportSchemaVersion = 1;

nlohmann::ordered_json report_json(const RunReport& r);
// Reads a report written by report_json; throws ReportError naming `name` for another schema or
// version, or a malformed field.
RunReport parse_report(const nlohmann::json& j, const std::string& name);
RunReport read_report(const std::string& path);

// One report from the shards of one run: the same command and selection, the same N, every shard
// I = 1..N exactly once, and per suite the shards' cases adding up to the run's. Cells and
// distances are summed; mismatch lines are kept in shard order, up to max_mismatches per suite and
// backend. Throws ReportError naming what does not fit (a shard twice, a shard missing, another run).
RunReport merge_reports(const std::vector<RunReport>& shards, const std::vector<std::string>& names,
                        std::size_t max_mismatches);

// JUnit XML: a testsuite per suite and backend, a testcase per matrix cell (row × column), failing
// with the cell's first mismatch lines, skipped where every case was skipped.
std::string junit_xml(const RunReport& r);

// Writes `content` to a temporary file beside `path` and renames it over `path`, so that no reader
// ever sees half a report. Throws ReportError naming the path when it cannot be written.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace qdq::conformance
