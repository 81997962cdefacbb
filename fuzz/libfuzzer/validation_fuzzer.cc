// libFuzzer target: attribute and shape validation, then the op (check_case.h). The bytes choose
// the profile, the op, the dtype, every attribute over its whole type (any int64 num_bits and
// axis, any round_mode string), the shapes of the input, the range tensors and the gradients
// (rank 0 to 6, dimensions 0 to 9), and the values.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>

#include "fuzz/libfuzzer/check_case.h"

namespace {

qdq::Shape shape_from(FuzzedDataProvider& in, int max_rank) {
  qdq::Shape s(in.ConsumeIntegralInRange<int>(0, max_rank));
  for (auto& d : s) d = in.ConsumeIntegralInRange<std::int64_t>(0, 9);
  return s;
}

qdq::Tensor tensor_from(FuzzedDataProvider& in, qdq::DType t, qdq::Shape s) {
  qdq::Tensor x(t, std::move(s));
  for (std::size_t k = 0; k < x.size(); ++k) x.set_bits(k, in.ConsumeIntegral<std::uint64_t>() & qdq::all_ones(t));
  return x;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  qdq::OpCase c;
  c.profile = qdq::kAllProfiles[in.ConsumeIntegralInRange<std::size_t>(0, qdq::kAllProfiles.size() - 1)];
  c.op = in.ConsumeBool() ? qdq::Op::Gradient : qdq::Op::Forward;
  const qdq::DType t = qdq::kAllDTypes[in.ConsumeIntegralInRange<std::size_t>(0, qdq::kAllDTypes.size() - 1)];
  qdq::Attrs& a = c.attrs;
  a.signed_input = in.ConsumeBool();
  a.num_bits = in.ConsumeBool() ? in.ConsumeIntegralInRange<std::int64_t>(-2, 64) : in.ConsumeIntegral<std::int64_t>();
  a.range_given = in.ConsumeBool();
  a.round_mode = in.ConsumeBool() ? (in.ConsumeBool() ? "HALF_UP" : "HALF_TO_EVEN") : in.ConsumeRandomLengthString(16);
  a.narrow_range = in.ConsumeBool();
  a.axis = in.ConsumeBool() ? in.ConsumeIntegralInRange<std::int64_t>(-2, 6) : in.ConsumeIntegral<std::int64_t>();
  const qdq::Shape shape = shape_from(in, 6);
  c.input_min = tensor_from(in, t, shape_from(in, 2));
  c.input_max = tensor_from(in, t, in.ConsumeBool() ? c.input_min.shape : shape_from(in, 2));
  if (c.op == qdq::Op::Gradient) c.gradients = tensor_from(in, t, in.ConsumeBool() ? shape : shape_from(in, 6));
  c.input = tensor_from(in, t, shape);
  qdq::fuzz::check_case(c);
  return 0;
}
