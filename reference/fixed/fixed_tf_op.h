// The TF profiles' reference on the fast path: TF's algorithm (reference/algorithm/tf_algorithm.h)
// with every operation carried out by FixedArith. Same contracts as exact::tf_forward and
// exact::tf_gradient (reference/exact/tf_op.h), which compute the same bits with GMP rationals.
#pragma once

#include "reference/contract/backend.h"

namespace qdq::fixed {

Outcome tf_forward(const Profile& p, const OpCase& c);
Outcome tf_gradient(const Profile& p, const OpCase& c);

}  // namespace qdq::fixed
