#include "impl/plugin/abi_call.h"

#include <cfenv>
#include <cstddef>
#include <exception>
#include <optional>

#include "impl/plugin/library.h"
#include "impl/plugin/wire.h"

// The harness's side of one call (opaque to plug-ins).
struct qdq_result {
  const qdq::OpCase* op_case = nullptr;
  std::vector<qdq::Shape> expected;               // the op's output shapes for the case
  std::vector<std::optional<qdq::Tensor>> outputs;  // what the plug-in allocated
  std::string message;                            // set_message
  std::string refused;                            // the first allocation refused, and why
};

namespace qdq::plugin {
namespace {

void* allocate_output(qdq_result* r, std::int32_t index, std::int32_t rank, const std::int64_t* dims) {
  auto refuse = [&](const std::string& why) -> void* {
    if (r->refused.empty()) r->refused = "allocate_output(" + std::to_string(index) + ", ...) refused: " + why;
    return nullptr;
  };
  if (index < 0 || static_cast<std::size_t>(index) >= r->outputs.size()) {
    return refuse("the op has " + std::to_string(r->outputs.size()) + " output(s)");
  }
  if (r->outputs[index]) return refuse("output " + std::to_string(index) + " is already allocated");
  if (rank < 0 || rank > 254 || (rank > 0 && !dims)) return refuse("rank " + std::to_string(rank));
  Shape shape(dims, dims + rank);
  const std::int64_t n = num_elements(shape);
  const std::int64_t expected = num_elements(r->expected[index]);
  if (n < 0) return refuse("shape " + shape_string(shape) + " has a negative dimension or too many elements");
  if (n > expected + wire::kSpareElements) {
    return refuse("shape " + shape_string(shape) + " has " + std::to_string(n) + " elements; the case's output " +
                  shape_string(r->expected[index]) + " has " + std::to_string(expected));
  }
  r->outputs[index].emplace(r->op_case->input.dtype, std::move(shape));
  // An output without elements still gets a pointer that is not NULL (to no storage).
  static std::max_align_t no_elements;
  return n == 0 ? static_cast<void*>(&no_elements) : r->outputs[index]->bytes.data();
}

void set_message(qdq_result* r, const char* message) {
  r->message = message ? std::string(message).substr(0, wire::kMaxMessageBytes) : "";
}

qdq_tensor view(const Tensor& t) {
  return {abi_dtype(t.dtype), static_cast<std::int32_t>(t.shape.size()), t.shape.data(),
          static_cast<std::int64_t>(t.size()), t.bytes.data()};
}

// The qdq_code as the contract's Code; nullopt for a number the ABI does not define.
std::optional<Code> code_of(std::int32_t code) {
  switch (code) {
    case QDQ_OK: return Code::Ok;
    case QDQ_INVALID_ARGUMENT: return Code::InvalidArgument;
    case QDQ_NOT_FOUND: return Code::NotFound;
    case QDQ_UNIMPLEMENTED: return Code::Unimplemented;
    default: return std::nullopt;
  }
}

}  // namespace

BatchAnswer call_plugin(const qdq_plugin& api, const OpCase& c) {
  qdq_result result;
  result.op_case = &c;
  if (c.op == Op::Forward) result.expected = {c.input.shape};
  else result.expected = {c.input.shape, c.input_min.shape, c.input_min.shape};
  result.outputs.resize(result.expected.size());

  const std::string profile(profile_name(c.profile));
  qdq_call call{};
  call.profile = profile.c_str();
  call.attrs = {c.attrs.signed_input, c.attrs.range_given, c.attrs.narrow_range, 0, c.attrs.num_bits, c.attrs.axis,
                c.attrs.round_mode.c_str()};
  call.input = view(c.input);
  call.input_min = view(c.input_min);
  call.input_max = view(c.input_max);
  call.gradients = c.op == Op::Gradient ? view(c.gradients) : qdq_tensor{abi_dtype(c.input.dtype), 0, nullptr, 0, nullptr};
  call.result = &result;
  call.allocate_output = allocate_output;
  call.set_message = set_message;

  BatchAnswer answer;
  std::int32_t returned;
  std::fenv_t env;
  std::fegetenv(&env);
  try {
    returned = c.op == Op::Forward ? api.forward(&call) : api.gradient(&call);
  } catch (const std::exception& e) {
    std::fesetenv(&env);
    answer.failure = std::string("the plug-in threw an exception: ") + e.what();
    return answer;
  } catch (...) {
    std::fesetenv(&env);
    answer.failure = "the plug-in threw an exception";
    return answer;
  }
  std::fesetenv(&env);

  const std::optional<Code> code = code_of(returned);
  if (!code) {
    answer.failure = "the plug-in returned " + std::to_string(returned) + ", which is no qdq_code";
  } else if (*code != Code::Ok) {
    answer.outcome = Outcome::rejected({*code, result.message});
  } else if (!result.refused.empty()) {
    answer.failure = "the plug-in returned OK after " + result.refused;
  } else {
    for (std::size_t i = 0; i < result.outputs.size(); ++i) {
      if (!result.outputs[i]) {
        answer.failure = "the plug-in returned OK without allocating output " + std::to_string(i);
        return answer;
      }
      answer.outcome.outputs.push_back(std::move(*result.outputs[i]));
    }
  }
  return answer;
}

}  // namespace qdq::plugin
