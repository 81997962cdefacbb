// The random suite: seeded cases over the whole attribute space (valid and invalid attributes,
// shapes of rank 0 to 4 with zero-sized dimensions, every axis, given or measured ranges of every
// kind) with values drawn from bit-pattern classes. The same seed gives the same cases.
#pragma once

#include <cstdint>
#include <vector>

#include "conformance/engine.h"

namespace qdq::conformance {

std::vector<SuiteCase> random_cases(ProfileId profile, DType dtype, std::uint64_t seed, int count);

}  // namespace qdq::conformance
