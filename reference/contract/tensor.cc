#include "reference/contract/tensor.h"

#include <limits>

namespace qdq {

std::int64_t num_elements(const Shape& shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) {
    if (d < 0) return -1;
    if (d != 0 && n > std::numeric_limits<std::int64_t>::max() / d) return -1;
    n *= d;
  }
  return n;
}

std::string shape_string(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

Tensor make_tensor(DType t, Shape shape, const std::vector<std::uint64_t>& bits) {
  Tensor out(t, std::move(shape));
  for (std::size_t i = 0; i < bits.size() && i < out.size(); ++i) out.set_bits(i, bits[i]);
  return out;
}

}  // namespace qdq
