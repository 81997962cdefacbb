#include "reference/fixed/fixed_tf_op.h"

#include "reference/algorithm/tf_algorithm.h"
#include "reference/fixed/fixed_arith.h"

namespace qdq::fixed {

Outcome tf_forward(const Profile& p, const OpCase& c) { return tf_algorithm::tf_forward<FixedArith>(p, c); }
Outcome tf_gradient(const Profile& p, const OpCase& c) { return tf_algorithm::tf_gradient<FixedArith>(p, c); }

}  // namespace qdq::fixed
