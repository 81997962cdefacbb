#include "reference/contract/backend.h"

#include <exception>

#include "reference/contract/validate.h"

namespace qdq {

Status validate_case(const OpCase& c) {
  const Profile& p = profile(c.profile);
  if (c.op == Op::Forward) return validate_forward(p, c.attrs, c.input, c.input_min, c.input_max);
  return validate_gradient(p, c.attrs.axis, c.gradients, c.input, c.input_min, c.input_max);
}

std::vector<BatchAnswer> Backend::run_batch(std::span<const OpCase* const> cases) {
  std::vector<BatchAnswer> answers(cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    try {
      answers[i].outcome = run(*cases[i]);
    } catch (const std::exception& e) {
      answers[i].failure = e.what();
    }
  }
  return answers;
}

Outcome gradient_outputs(const OpCase& c) {
  Outcome out;
  out.outputs.emplace_back(c.input.dtype, c.input.shape);
  out.outputs.emplace_back(c.input.dtype, c.input_min.shape);
  out.outputs.emplace_back(c.input.dtype, c.input_min.shape);
  return out;
}

}  // namespace qdq
