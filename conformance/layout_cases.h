// The layout suite: the op on tensors whose sizes and shapes sit at the edges of how the optimized
// backends split their work: lengths at and around warp, block, chunk and SIMD-vector sizes, the
// per-channel view with the axis first, middle and last, channels of every length from 1 to 65,
// a thousand single-element channels, runs long enough to be split, and empty tensors. Each shape
// gets a measured-range and a given-range case (attributes rotating through the round modes,
// signedness, narrow_range and num_bits), and every third a gradient case. Values: ordinary
// magnitudes with special patterns sprinkled in (no NaN where the range is measured, which TF's
// CPU kernel leaves implementation-defined). The same seed gives the same cases.
#pragma once

#include <cstdint>
#include <vector>

#include "conformance/engine.h"

namespace qdq::conformance {

std::vector<SuiteCase> layout_cases(ProfileId profile, DType dtype, std::uint64_t seed);

}  // namespace qdq::conformance
