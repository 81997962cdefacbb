// The case suites by name, for one profile and dtype: the one place that knows them all.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "conformance/engine.h"

namespace qdq::conformance {

// "known" (TF's own test vectors that apply to the profile's family and dtype), "grid", "edge" (with the
// high-num_bits sweep), "random" (with random high-num_bits cases), "layout" (sizes and shapes at the
// edges of how the optimized backends split work), "traps" (outputs a hair from a midpoint of T:
// rounding_traps.h).
const std::vector<std::string>& case_suite_names();

inline constexpr int kRandomCasesPerDType = 250;
inline constexpr int kHighBitsRandomCasesPerDType = 120;

// The cases of `suite`; `known_dir` is the folder of known-answer files. Throws
// std::invalid_argument for an unknown suite name.
std::vector<SuiteCase> suite_cases(const std::string& suite, ProfileId profile, DType dtype, std::uint64_t seed,
                                   const std::string& known_dir);

}  // namespace qdq::conformance
