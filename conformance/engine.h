// The conformance engine: runs cases through backends, compares each outcome with the
// reference's (and with a known answer where the case has one), and tallies the result matrix.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <map>
#include <thread>
#include <optional>
#include <string>
#include <vector>

#include "conformance/backends.h"
#include "conformance/case_io.h"
#include "conformance/compare.h"

namespace qdq::conformance {

// A case to run: the op, and for known answers the expected outcome from TF's tests.
struct SuiteCase {
  std::string id;
  OpCase op_case;
  std::optional<Outcome> known;  // known answer (TF's own tests), checked with `match`
  Match match;
  std::string source;
};

// Counts of cases. A case passes when the status and every element that is compared match (a
// Defined element bit for bit, a Bounded one against its alternatives; reference/contract/backend.h);
// it is skipped when the backend does not implement its profile and dtype; it is `undefined_cases`
// when every element of its output is Unconstrained (nothing could be compared: not a pass).
// `undefined` counts the Unconstrained elements left out; `bounded` the implementation-defined
// elements checked against their set of allowed values (elements, not cases).
struct Tally {
  long passed = 0, failed = 0, skipped = 0;
  long undefined_cases = 0;
  long undefined = 0;
  long bounded = 0;
  Tally& operator+=(const Tally& o);
  bool operator==(const Tally&) const = default;
};

// Matrix rows are "profile/dtype"; columns "ROUND_MODE/per-tensor|per-channel" and
// "gradient/per-tensor|per-channel".
std::string row_of(const OpCase& c);
std::string column_of(const OpCase& c);

// Every mismatched element of a run by distance (all of them, not only the lines kept): |ULPs| in
// [1, 2), [2, 4), [4, 16), [16, 256), [256, 65536), [65536, inf); |quantization steps| in [0, 0.5),
// [0.5, 1.5), [1.5, 10), [10, inf); `other`: mismatches without a distance (status, shape, NaN
// against a number, a backend's failure).
struct DistanceHistogram {
  static constexpr double kUlpEdges[] = {1, 2, 4, 16, 256, 65536};
  static constexpr double kStepEdges[] = {0, 0.5, 1.5, 10};
  std::array<long, 6> ulps{};
  std::array<long, 4> steps{};
  long other = 0;
  void add(const Mismatch& m);
  DistanceHistogram& operator+=(const DistanceHistogram& o);
};

struct SuiteResult {
  std::string suite, backend;
  std::map<std::string, std::map<std::string, Tally>> cells;  // row -> column -> tally
  std::vector<Mismatch> mismatches;                           // the first max_mismatches
  long mismatch_count = 0;
  DistanceHistogram distances;
  // The first kCellMismatches mismatches of each cell (row -> column -> lines), for reports that
  // show a cell's failures beside it (JUnit, HTML).
  static constexpr std::size_t kCellMismatches = 3;
  std::map<std::string, std::map<std::string, std::vector<Mismatch>>> cell_mismatches;
  long cases = 0;  // cases judged (this shard's, in a sharded run)
  Tally total() const;
};

struct RunOptions {
  std::size_t max_mismatches = 20;  // mismatch lines kept per suite and backend
  int threads = 0;                  // 0: the machine's hardware threads
  BackendOptions backend = {};      // how each backend is made
  // Called from the worker threads (at the same time: it must be thread-safe) with the number of
  // cases just judged; empty: nothing is called.
  std::function<void(std::size_t)> progress = {};
};

// Runs work(i) for every i < n on `threads` threads (0: all hardware threads), each index once.
// Each thread first calls make_work() for its own work function, so that per-thread state (backend
// instances, the reference) is made once a thread. The first exception out of a thread stops the
// others taking new indices and is rethrown here once all have joined.
template <class MakeWork>
void parallel_for_each_index(std::size_t n, int threads, MakeWork&& make_work) {
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::exception_ptr error;
  auto worker = [&] {
    try {
      auto work = make_work();
      for (std::size_t i = next++; i < n; i = next++) work(i);
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!error) error = std::current_exception();
      next = n;
    }
  };
  const int count = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (int t = 0; t < count; ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

// One case's judgement: its tally (one of passed, failed, skipped, undefined_cases, plus the
// implementation-defined elements left out) and its mismatches.
struct Verdict {
  Tally tally;
  std::vector<Mismatch> mismatches;
};

// The verdict on a case its backend could not run (a device error, a crashed or hung plug-in):
// a failure, with `why` as its one mismatch line.
Verdict not_run(const SuiteCase& sc, const std::string& why);

// Cases sent to a backend at once (Backend::run_batch) by run_suite and verify_backend.
inline constexpr std::size_t kBatchSize = 64;

// Judges an outcome of case sc (what a backend or a user's program answered) as run_suite does:
// against the case's known answer, where it has one, and against the reference's outcome (unless
// the outcome is the reference's own). The reference's element classes decide both comparisons
// (a known answer's own flags, e.g. a golden file's, only where the reference has no output of its
// shape): a Bounded element passes with any of its alternatives, and the known answer's value must
// itself be one of them.
Verdict judge_outcome(const SuiteCase& sc, const Outcome& reference, const Outcome& observed, bool observed_is_reference = false);

// The matrix of one backend's verdicts on `cases` (verdicts[i] for cases[i]).
SuiteResult collect(const std::string& suite, const std::string& backend, const std::vector<SuiteCase>& cases,
                    const std::vector<Verdict>& verdicts, const RunOptions& options);

// Runs `cases` through each named backend. Every case's expected outcome is the reference's;
// a known answer is checked in addition. The reference itself is judged by known answers only
// (comparing it with itself would prove nothing): without one, its cases count as skipped.
std::vector<SuiteResult> run_suite(const std::string& suite, const std::vector<SuiteCase>& cases,
                                   const std::vector<std::string>& backends, const RunOptions& options);

}  // namespace qdq::conformance
