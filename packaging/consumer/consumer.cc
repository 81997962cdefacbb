// Calls the installed reference on TF's own test vector Convert_1D_tensor_with_int4
// (tensorflow/core/kernels/quantize_and_dequantize_op_test.cc): 4 bits, measured range,
// [-1, -0.5, 0, 0.3125, 0.8, 0.555] -> [-1, -0.5, 0, 0.25, 0.75, 0.5]. Exit 0 when it answers so.
#include <bit>
#include <cstdio>
#include <vector>

#include "reference/exact/reference_backend.h"

int main() {
  const std::vector<float> in = {-1, -0.5f, 0, 0.3125f, 0.8f, 0.555f}, want = {-1, -0.5f, 0, 0.25f, 0.75f, 0.5f};
  std::vector<std::uint64_t> bits;
  for (float v : in) bits.push_back(std::bit_cast<std::uint32_t>(v));
  qdq::OpCase c;
  c.attrs.num_bits = 4;
  c.input = qdq::make_tensor(qdq::DType::Float32, {6}, bits);
  c.input_min = qdq::make_tensor(qdq::DType::Float32, {}, {0});
  c.input_max = qdq::make_tensor(qdq::DType::Float32, {}, {0});
  const qdq::Outcome o = qdq::ReferenceBackend().run(c);
  if (!o.status.ok()) {
    std::printf("rejected: %s\n", o.status.message.c_str());
    return 1;
  }
  for (std::size_t k = 0; k < want.size(); ++k) {
    if (o.outputs[0].bits(k) != std::bit_cast<std::uint32_t>(want[k])) {
      std::printf("element %zu: 0x%08llx\n", k, static_cast<unsigned long long>(o.outputs[0].bits(k)));
      return 1;
    }
  }
  std::printf("the installed reference answers TF's test vector\n");
  return 0;
}
