// libFuzzer target: the plug-in boundary, where the harness reads what a plug-in's process sends
// (impl/plugin/wire.h). The first byte picks the reader: an answer to a forward case, an answer to
// a gradient case, a hello, a case, a frame header. Whatever the rest holds, the reader returns a
// well-formed value or throws WireError; never a crash, a read out of bounds or an allocation
// beyond the input's size. A value read back must survive a second encode and decode unchanged.
#include <cstdint>
#include <vector>

#include "impl/plugin/wire.h"

namespace {

qdq::OpCase make_case(qdq::Op op) {
  qdq::OpCase c;
  c.op = op;
  c.input = qdq::Tensor(qdq::DType::Float32, {2, 3});
  c.input_min = qdq::Tensor(qdq::DType::Float32, {3});
  c.input_max = qdq::Tensor(qdq::DType::Float32, {3});
  c.attrs.axis = 1;
  if (op == qdq::Op::Gradient) c.gradients = qdq::Tensor(qdq::DType::Float32, {2, 3});
  return c;
}

void check_tensors(const std::vector<qdq::Tensor>& ts) {
  for (const qdq::Tensor& t : ts) {
    if (static_cast<std::int64_t>(t.bytes.size()) != qdq::num_elements(t.shape) * qdq::byte_width(t.dtype)) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qdq::plugin;
  if (size == 0) return 0;
  const std::vector<std::uint8_t> payload(data + 1, data + size);
  static const qdq::OpCase forward = make_case(qdq::Op::Forward), gradient = make_case(qdq::Op::Gradient);
  try {
    switch (data[0] % 5) {
      case 0:
      case 1: {
        const qdq::OpCase& c = data[0] % 5 == 0 ? forward : gradient;
        const qdq::Outcome o = wire::decode_outcome(payload, c);
        check_tensors(o.outputs);
        if (wire::decode_outcome(wire::encode_outcome(o), c).outputs != o.outputs) __builtin_trap();
        break;
      }
      case 2: {
        const wire::Hello h = wire::decode_hello(payload);
        if (wire::encode_hello(h) != payload) __builtin_trap();
        break;
      }
      case 3: {
        const qdq::OpCase c = wire::decode_case(payload);
        check_tensors({c.input, c.input_min, c.input_max});
        if (c.op == qdq::Op::Gradient) check_tensors({c.gradients});
        if (wire::encode_case(c) != payload) __builtin_trap();
        break;
      }
      default:
        if (payload.size() >= wire::kHeaderBytes) wire::read_header(payload.data(), wire::answer_limit(forward));
    }
  } catch (const wire::WireError&) {
  }
  return 0;
}
