// The cases of the exhaustive 16-bit sweeps: every bfloat16 or float16 bit pattern once per case,
// under each of a set of attribute configurations and ranges. Shared by the exhaustive tests
// (CTest label `exhaustive`) and the GPU tests (label `gpu`).
#pragma once

#include <array>
#include <vector>

#include "reference/contract/backend.h"

namespace qdq::fuzz {

struct SweepRange {
  const char *lo, *hi;  // decimal, rounded to the dtype
};
// ordered around zero, lopsided, one-sided positive, one-sided negative, wide
inline constexpr std::array<SweepRange, 5> kSweepRanges = {
    SweepRange{"-1", "1"}, SweepRange{"-0.3", "2.5"}, SweepRange{"0.5", "6"}, SweepRange{"-448", "0"}, SweepRange{"-60000", "100"}};

// Both round modes × signed or not × narrow or not × num_bits {2, 4, 8, 16} × given or measured.
std::vector<Attrs> sweep_configs();

// Every pattern once. Given: a [65536] tensor with the range. Measured: [65536, 3] per channel
// (axis 0), channel k = (pattern k, lo, hi), so that every pattern meets the range's ends.
OpCase sweep_case(ProfileId p, DType t, const Attrs& a, const SweepRange& r);

}  // namespace qdq::fuzz
