#include "reference/contract/backend.h"

#include <algorithm>
#include <exception>

#include "reference/contract/validate.h"

namespace qdq {

std::string undefined_cause_text(std::uint8_t causes) {
  static const char* const texts[] = {
      "a NaN inside a range measured by TF's CPU kernel: Eigen's reduction makes the range depend on position, vector "
      "width and threads (docs/tf-behaviour.md)",
      "the sign of a measured zero min/max attained by both +0 and -0 depends on the reduction order (docs/tf-behaviour.md), "
      "and this output depends on it",
      "XLA contracts HALF_UP's v*scale + 0.5 into one fused multiply-add for some compiled shapes and not for others "
      "(docs/tf-behaviour.md), and this output differs between the two"};
  std::string out;
  for (int i = 0; i < 3; ++i) {
    if (causes & (1u << i)) out += (out.empty() ? "" : "; ") + std::string(texts[i]);
  }
  return out;
}

const Alternatives* Outcome::alternatives_of(std::size_t k) const {
  const auto at = std::lower_bound(alternatives.begin(), alternatives.end(), k,
                                   [](const Alternatives& a, std::size_t e) { return a.element < e; });
  return at != alternatives.end() && at->element == k ? &*at : nullptr;
}

Status validate_case(const OpCase& c) {
  // The op has one type T for all its tensors, so TF cannot be handed anything else; a case built
  // by hand (the C++ API) can, and backends read these tensors as T.
  const auto same_dtype = [&](const Tensor& t, const char* name) -> Status {
    if (t.dtype == c.input.dtype) return Status::Ok();
    return {Code::InvalidArgument, std::string(name) + " is " + std::string(dtype_name(t.dtype)) + " but input is " +
                                       std::string(dtype_name(c.input.dtype)) +
                                       ": the op takes one type T for input, input_min, input_max and gradients"};
  };
  for (const auto& [t, name] : {std::pair{&c.input_min, "input_min"}, std::pair{&c.input_max, "input_max"}}) {
    if (Status s = same_dtype(*t, name); !s.ok()) return s;
  }
  if (c.op == Op::Gradient) {
    if (Status s = same_dtype(c.gradients, "gradients"); !s.ok()) return s;
  }
  const Profile& p = profile(c.profile);
  if (c.op == Op::Forward) return validate_forward(p, c.attrs, c.input, c.input_min, c.input_max);
  return validate_gradient(p, c.attrs.axis, c.gradients, c.input, c.input_min, c.input_max);
}

std::vector<BatchAnswer> Backend::run_batch(std::span<const OpCase* const> cases) {
  std::vector<BatchAnswer> answers(cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    try {
      answers[i].outcome = run(*cases[i]);
    } catch (const BackendLost& e) {
      throw BackendLost(e.what(), i);
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
