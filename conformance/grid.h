// The grid suite: every round mode × signed × narrow_range × range_given × layout (per-tensor;
// per-channel with the axis first, in the middle, last) × num_bits in
// {1, 2, 4, 8, 16, 23, 24, 25, 31, 52, 53, 61, 62 where valid}, for one profile and dtype, plus
// gradient cases per layout. Inputs are drawn, per channel, from boundary patterns: the range's
// ends, ties on the quantization grid and one ULP either side, ±0, subnormals, ±inf, NaN, the
// largest finite, values just outside the range, and seeded random values in the range.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reference/contract/backend.h"

namespace qdq::conformance {

struct GridCase {
  std::string id;
  OpCase op_case;
};

inline constexpr std::uint64_t kDefaultSeed = 20261127;

std::vector<GridCase> grid_cases(ProfileId profile, DType dtype, std::uint64_t seed = kDefaultSeed);

}  // namespace qdq::conformance
