// `qdq sweep-float32`: every one of the 2^32 float32 bit patterns as the input of one configuration
// of the forward op (per-tensor, range_given), on a backend, judged bit for bit against the
// reference (docs/float32-sweep.md).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "conformance/engine.h"
#include "conformance/run_report.h"
#include "reference/contract/backend.h"

namespace qdq::tools::sweep {

inline constexpr std::uint64_t kAllInputs = std::uint64_t{1} << 32;
// Inputs per OpCase (a 1-D float32 tensor); a sweep of 2^32 inputs is 65536 chunks.
inline constexpr std::uint64_t kChunk = std::uint64_t{1} << 16;

// One configuration of the forward op: per tensor, range_given, the given scalar bounds.
struct Config {
  std::string name;
  bool signed_input = true;
  int num_bits = 8;
  bool narrow_range = false;
  std::string round_mode = "HALF_TO_EVEN";
  std::uint32_t min_bits = 0, max_bits = 0;  // input_min and input_max, float32 bits
  std::string shape;                         // the range's shape: symmetric, one-sided, ...
  std::string note;                          // what the configuration exercises
};

// The documented configurations (the same names for every profile; docs/float32-sweep.md).
const std::vector<Config>& configs();

// A configuration written as "name=N,num_bits=B,signed=true|false,narrow=true|false,min=X,max=Y,
// mode=HALF_TO_EVEN|HALF_UP" (name optional, default `default_name`; num_bits, min and max
// required; signed default true, narrow default false, mode default HALF_TO_EVEN; X and Y decimal
// or 0x-bits, rounded to float32 to nearest-even). Throws std::invalid_argument naming what is
// wrong. Attribute values are not checked against TF here: validate() does that.
Config parse_config(const std::string& spec, const std::string& default_name);
// The same text, canonical (every key, bounds in shortest round-trip decimal).
std::string config_spec(const Config& c);

// The OpCase of a configuration under `profile` with the given input elements (float32 bits).
OpCase make_case(const Config& c, ProfileId profile, const std::vector<std::uint32_t>& inputs);
// TF's answer to the configuration's attributes and bounds under `profile`: OK, or TF's error
// (validate_case on a one-element case).
Status validate(const Config& c, ProfileId profile);

// Input k of the sweep (0 <= k < 2^32) is the float32 whose bits are k's 32 bits in reverse order,
// so that the first 2^m inputs are every float32 whose lowest 32 - m bits are zero: a grid over
// every sign and exponent that later inputs refine (the first 2^16 are the bfloat16 values).
constexpr std::uint32_t input_bits(std::uint64_t k) {
  std::uint32_t x = static_cast<std::uint32_t>(k), r = 0;
  for (int i = 0; i < 32; ++i) {
    r = (r << 1) | (x & 1);
    x >>= 1;
  }
  return r;
}

// The chunks of a run: chunk c holds inputs [c * kChunk, min((c + 1) * kChunk, inputs)). Shard I of
// N takes chunks c with c mod N == I - 1 (interleaved: every chunk covers every sign and exponent,
// so the shards are alike and take about equal time).
std::vector<std::uint64_t> shard_chunks(std::uint64_t inputs, const conformance::Shard& shard);

struct Options {
  std::string backend = "cpu";
  ProfileId profile = ProfileId::TfCpu;
  std::uint64_t inputs = kAllInputs;  // the run's inputs: 0 .. inputs - 1 (a limit makes it partial)
  conformance::Shard shard;
  int threads = 0;
  std::size_t max_mismatches = 20;
  conformance::BackendOptions backend_options;
  bool quiet = false;
};

// The result of one configuration: its suite (one cell: row profile/float32, column
// ROUND_MODE/per-tensor; a case is one input element) and the time it took.
struct ConfigResult {
  conformance::SuiteResult suite;
  std::uint64_t inputs_in_run = 0;  // the configuration's inputs in the whole run (every shard)
  std::uint64_t judged = 0;         // inputs judged here (this shard's)
  double seconds = 0;
  // Thread time spent in the reference and in the backend (their sum over the worker threads).
  double reference_seconds = 0, backend_seconds = 0;
  bool interrupted = false;
};

// The suite name of a configuration in reports: "sweep-float32 NAME", with " (partial: first N of
// 4294967296 inputs)" where the run is limited.
std::string suite_name(const Config& c, std::uint64_t inputs);

// Runs one configuration's share of the sweep. Stops taking new chunks once `stop` is set (what
// was judged so far is in the result, marked interrupted).
ConfigResult run_config(const Config& c, const Options& o, const std::atomic<int>& stop);

// The provenance selection of a run: profile, dtype, input order, inputs, every configuration's
// canonical spec. Shards of one run share it; `qdq report merge` refuses shards whose selections
// differ (so shards of other configurations, profiles or limits are never joined).
std::string selection(const std::vector<Config>& cs, const Options& o);
// The configurations named in a selection (for `qdq report merge` of sweep reports); empty where
// the text is not a sweep's selection.
std::vector<Config> configs_of_selection(const std::string& selection);
// What differs between two sweeps' selections, in words ("configurations a, b against c"; "the
// first 131072 inputs against all"); empty when they are the same.
std::string selection_difference(const std::string& a, const std::string& b);

// The results as the command prints them: per configuration its counts (inputs judged, passed,
// mismatched, implementation-defined), the first MISMATCH lines, and the `qdq explain` command for
// the first; `configs` gives the attributes for that command (matched by suite name).
void print_results(std::ostream& out, const std::vector<conformance::SuiteResult>& results, const std::vector<Config>& configs,
                   ProfileId profile);

// The `qdq explain` command for a mismatch of a sweep: its input as a one-element case.
std::string explain_command(const Config& c, ProfileId profile, const conformance::Mismatch& m);

}  // namespace qdq::tools::sweep
