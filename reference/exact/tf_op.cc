#include "reference/exact/tf_op.h"

#include "reference/algorithm/tf_algorithm.h"
#include "reference/exact/env_arith.h"

namespace qdq::exact {

Outcome tf_forward(const Profile& p, const OpCase& c) { return tf_algorithm::tf_forward<EnvArith>(p, c); }

TfTrace tf_forward_trace(const Profile& p, const OpCase& c, std::int64_t k) {
  return tf_algorithm::tf_forward_trace<EnvArith>(p, c, k);
}

Outcome tf_gradient(const Profile& p, const OpCase& c) { return tf_algorithm::tf_gradient<EnvArith>(p, c); }

}  // namespace qdq::exact
