// The `exact` profile: the ideal fake-quantization op, defined here, in the README and in docs/op-spec.md §8.
//
// Forward, per channel (the [outer, depth, inner] view of docs/op-spec.md §2.1):
//  - Integer range [qmin, qmax] exactly as docs/op-spec.md §2.3 (narrow_range ignored when unsigned).
//  - Real range [lo, hi]: input_min/input_max when range_given, else the exact minimum and maximum
//    of the channel's elements. A NaN or infinite bound, or a NaN element in a measured channel,
//    makes every output of the channel NaN.
//  - Scale: the largest s with s*lo >= qmin and s*hi <= qmax over the sides that constrain it,
//    i.e. min(qmin/lo if qmin*lo > 0, qmax/hi if qmax*hi > 0). If neither side constrains it the
//    grid is {0}: every non-NaN output is zero.
//  - Per element, exact: v = x saturated to [qmin/s, qmax/s] (always, also for a measured range;
//    ±inf saturate too); n = v*s rounded to an integer, ties to even (HALF_TO_EVEN) or toward
//    +inf (HALF_UP); y = n/s rounded once to T, to nearest-even with gradual underflow. A zero
//    output takes the sign of x; a NaN x gives NaN.
// Gradient: input_backprop = g where lo <= x <= hi (raw bounds of the channel, exact comparison)
// and +0 elsewhere (a select, not a product); input_min/max_backprop are +0.
// Precondition: the case passed validation.
#pragma once

#include <optional>

#include "reference/contract/backend.h"
#include "reference/exact/exact_float.h"

namespace qdq::exact {

Outcome exact_forward(const OpCase& c);

// One element's computation by the ideal op, each quantity exact (for `qdq explain`): absent
// where the channel is poisoned (a NaN or infinite bound or element) or the grid is {0}.
struct ExactTrace {
  Integer qmin, qmax;
  std::optional<Rational> lo, hi, scale, clamped, scaled, exact_result;
  std::optional<Integer> n;
  bool poisoned = false;
  std::uint64_t result = 0;  // y rounded once to T
};
ExactTrace exact_forward_trace(const OpCase& c, std::int64_t k);
Outcome exact_gradient(const OpCase& c);

}  // namespace qdq::exact
