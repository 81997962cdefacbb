#include "reference/exact/reference_backend.h"

#include "reference/exact/exact_op.h"
#include "reference/exact/tf_op.h"

namespace qdq {

Outcome ReferenceBackend::run(const OpCase& c) {
  if (Status s = validate_case(c); !s.ok()) return Outcome::rejected(s);
  const Profile& p = profile(c.profile);
  if (p.exact_arithmetic) return c.op == Op::Forward ? exact::exact_forward(c) : exact::exact_gradient(c);
  return c.op == Op::Forward ? exact::tf_forward(p, c) : exact::tf_gradient(p, c);
}

}  // namespace qdq
