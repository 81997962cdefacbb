#include "reference/exact/reference_backend.h"

#include "reference/exact/exact_op.h"
#include "reference/exact/tf_op.h"
#include "reference/fixed/fixed_exact_op.h"
#include "reference/fixed/fixed_tf_op.h"

namespace qdq {

Outcome ReferenceBackend::run(const OpCase& c) {
  if (Status s = validate_case(c); !s.ok()) return Outcome::rejected(s);
  const Profile& p = profile(c.profile);
  const bool forward = c.op == Op::Forward;
  if (path_ == ReferencePath::Fixed) {
    if (p.exact_arithmetic) return forward ? fixed::exact_forward(c) : fixed::exact_gradient(c);
    return forward ? fixed::tf_forward(p, c) : fixed::tf_gradient(p, c);
  }
  if (p.exact_arithmetic) return forward ? exact::exact_forward(c) : exact::exact_gradient(c);
  return forward ? exact::tf_forward(p, c) : exact::tf_gradient(p, c);
}

}  // namespace qdq
