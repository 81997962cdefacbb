// One element's computation by TF's algorithm under a profile, step by step (for `qdq explain`):
// what tf_forward_trace (reference/exact/tf_op.h) fills in.
#pragma once

#include <cstdint>

#include "reference/contract/dtype.h"

namespace qdq {

struct TfTrace {
  DType dtype;               // T
  std::uint64_t qmin, qmax;  // the integer range as values of T
  std::uint64_t lo, hi;      // the channel's range, given or measured
  std::uint64_t s_lo, s_hi;  // the candidate scales qmin ⊘ lo and qmax ⊘ hi (max finite where a side does not bind)
  bool from_lo;              // the scale is s_lo
  std::uint64_t scale, inv, adj_lo, adj_hi;  // ComputeQuantizationRange's results
  // The element steps, in `step_type` (T, or the compute format where the profile rounds once at
  // the output): the input, clamped when range_given, v ⊗ scale (or the fused v × scale + 0.5),
  // the sum with 0.5 (HALF_UP, separate), the rounded integer, r ⊗ inv.
  DType step_type;
  std::uint64_t v, clamped, product, sum, rounded, before_output;
  bool fused = false, half_up = false;
  std::uint64_t result;  // the output element
};

}  // namespace qdq
