// Runs the properties of properties.h outside GoogleTest, for a time budget: `qdq fuzz`.
//
// Check k (k = 0, 1, ...) runs property k mod P (of the P selected) with RapidCheck seed
// seed + k and `cases` cases, so a run is reproducible from its seed and a failure from the seed of
// its check (or exactly, from RapidCheck's reproduce string). A property that failed is not run
// again in the same run: its one shrunk failure is what is reported.
#pragma once

#include <cstdint>
#include <functional>
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
};

struct FoundFailure {
  Failure failure;
  std::uint64_t seed = 0;   // of the check that found it
  std::string reproduce;    // RapidCheck's reproduce string ("reproduce=...")
  int cases_before = 0;     // cases that passed before the failing one
  int shrinks = 0;          // shrinking steps RapidCheck took from the case first drawn
};

struct FuzzResult {
  long checks = 0, cases = 0;
  double seconds = 0;
  std::vector<FoundFailure> failures;
};

// The named properties of properties(), all of them for an empty list. Throws
// std::invalid_argument for an unknown name.
std::vector<Property> select_properties(const std::vector<std::string>& names);

// Runs `props` (at least one) as the header says; progress(result so far) is called after every
// check. Throws std::invalid_argument for an unknown backend or a bad reproduce string.
FuzzResult run_fuzz(const std::vector<Property>& props, const FuzzOptions& options,
                    const std::function<void(const FuzzResult&)>& progress);

}  // namespace qdq::fuzz
