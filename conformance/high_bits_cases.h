// Cases at high num_bits (20 to 62), where the rounding of every intermediate shows: HALF_UP's
// v ⊗ scale ⊕ 0.5 rounded once (fused multiply-add) or twice, Qmin/Qmax that round in T, and scaled
// values past 2^(p-1) where the rounding functions' defects live. They cover per-tensor and every
// axis position of 1-D to 5-D shapes (channel inner sizes 1 to 17), given and measured ranges,
// both round modes, signed (narrow or not) and unsigned. Values per channel: the range's ends, ties
// (k + 1/2)·step of the ideal grid nudged by 0 to 3 ULPs, and random points of the range, where
// step = max(lo/qmin, hi/qmax). The same seed gives the same cases.
#pragma once

#include <cstdint>
#include <vector>

#include "conformance/engine.h"

namespace qdq::conformance {

// The edge suite's sweep: every layout of a fixed list (ids "edge/P/T/high-bits/SHAPE/axisA/
// given|measured/MODE/signed|unsigned[-narrow]/bN"), num_bits and signedness cycling with the case.
std::vector<SuiteCase> high_bits_sweep(ProfileId profile, DType dtype);

// `count` random cases (ids "random/P/T/sSEED/hbN"): shapes of rank 1 to 5 with dims 1 to 17, a
// random axis or per-tensor, random attributes with num_bits in [20, 61 or 62].
std::vector<SuiteCase> high_bits_random(ProfileId profile, DType dtype, std::uint64_t seed, int count);

}  // namespace qdq::conformance
