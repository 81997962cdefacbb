#include "reference/contract/backend.h"

#include "reference/contract/validate.h"

namespace qdq {

Status validate_case(const OpCase& c) {
  const Profile& p = profile(c.profile);
  if (c.op == Op::Forward) return validate_forward(p, c.attrs, c.input, c.input_min, c.input_max);
  return validate_gradient(p, c.attrs.axis, c.gradients, c.input, c.input_min, c.input_max);
}

Outcome gradient_outputs(const OpCase& c) {
  Outcome out;
  out.outputs.emplace_back(c.input.dtype, c.input.shape);
  out.outputs.emplace_back(c.input.dtype, c.input_min.shape);
  out.outputs.emplace_back(c.input.dtype, c.input_min.shape);
  return out;
}

}  // namespace qdq
