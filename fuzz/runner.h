// Runs the properties of properties.h outside GoogleTest, for a time budget: `qdq fuzz`.
//
// Check k (k = 0, 1, ...) runs property k mod P (of the P selected) with RapidCheck seed
// seed + k and `cases` cases, so a run is reproducible from its seed and a failure from the seed of
// its check (or exactly, from RapidCheck's reproduce string). With max_checks the run is checks
// 0..max_checks-1, and shard I of N runs those with k mod N = I - 1: the N shards together are the run. A property that failed is not run
// again in the same run: its one shrunk failure is what is reported.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fuzz/properties.h"

namespace qdq::fuzz {

struct FuzzOptions {
  double seconds = 60;
  std::uint64_t seed = 1;
  std::vector<std::string> backends;    // empty: every backend built
  conformance::BackendOptions backend_options;
  int cases = 200;                      // cases per check
  std::string reproduce;                // RapidCheck's reproduce string: replay one failure (one property)
  bool shrink = true;                   // shrink a failure to a minimal case
  std::uint64_t max_checks = 0;         // stop after checks 0..max_checks-1 (0: only the time budget stops)
  int shard_index = 1, shard_count = 1; // run only the checks k with k mod shard_count = shard_index - 1
};

struct FoundFailure {
  Failure failure;
  std::uint64_t seed = 0;   // of the check that found it
  std::string reproduce;    // RapidCheck's reproduce string ("reproduce=...")
  int cases_before = 0;     // cases that passed before the failing one
  int shrinks = 0;          // shrinking steps RapidCheck took from the case first drawn
};

// Per property: checks that passed, that failed (at most one: a failed property is not run
// again) and that were skipped because the property had failed before.
struct PropertyChecks {
  long passed = 0, failed = 0, skipped = 0;
};

struct FuzzResult {
  long checks = 0, cases = 0;
  double seconds = 0;
  std::vector<FoundFailure> failures;
  std::map<std::string, PropertyChecks> by_property;
};

// The named properties of properties(), all of them for an empty list. Throws
// std::invalid_argument for an unknown name.
std::vector<Property> select_properties(const std::vector<std::string>& names);

// Runs `props` (at least one) as the header says; progress(result so far) is called after every
// check. Throws std::invalid_argument for an unknown backend or a bad reproduce string.
FuzzResult run_fuzz(const std::vector<Property>& props, const FuzzOptions& options,
                    const std::function<void(const FuzzResult&)>& progress);

}  // namespace qdq::fuzz
