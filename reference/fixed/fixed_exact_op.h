// The `exact` profile (docs/op-spec.md §8, reference/exact/exact_op.h) on the fast path: the same
// outputs as exact::exact_forward and exact::exact_gradient, derived with 128-bit integers.
//
// With s = Q/B (Q = qmax and B = hi, or Q = |qmin| and B = |lo|, whichever scale is smaller; the
// comparison qmax·|lo| < |qmin|·hi is exact in 128 bits), each element's t = x·Q/B is the integer
// quotient and remainder of x's significand times Q (at most 115 bits) by B's significand, shifted
// by the exponents' difference (|t| >= 2^63 saturates; |t| < 1/4 rounds to 0 in both modes); the
// remainder against half the divisor decides the rounding. y = n·B/Q is the quotient of n·B's
// significand (at most 115 bits, placed at bit 126) by Q with a sticky remainder, rounded once.
#pragma once

#include "reference/contract/backend.h"

namespace qdq::fixed {

Outcome exact_forward(const OpCase& c);
Outcome exact_gradient(const OpCase& c);

}  // namespace qdq::fixed
