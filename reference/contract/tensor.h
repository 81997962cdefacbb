// A tensor as it crosses the backend interface: dtype, shape and the elements' raw bit patterns,
// packed little-endian at the dtype's width, so that no value is ever changed on the way.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "reference/contract/dtype.h"

namespace qdq {

using Shape = std::vector<std::int64_t>;

// Number of elements of `shape` (1 for a scalar); -1 if a dimension is negative or the product
// does not fit in int64.
std::int64_t num_elements(const Shape& shape);

// TF's TensorShape::DebugString spelling: "[2,3]" and "[]" for a scalar.
std::string shape_string(const Shape& shape);

struct Tensor {
  DType dtype = DType::Float32;
  Shape shape;
  std::vector<std::uint8_t> bytes;  // num_elements(shape) * byte_width(dtype)

  Tensor() = default;
  Tensor(DType t, Shape s) : dtype(t), shape(std::move(s)) {
    bytes.assign(static_cast<std::size_t>(num_elements(shape)) * byte_width(dtype), 0);
  }

  std::size_t size() const { return bytes.size() / byte_width(dtype); }
  int rank() const { return static_cast<int>(shape.size()); }

  std::uint64_t bits(std::size_t i) const {
    std::uint64_t v = 0;
    std::memcpy(&v, bytes.data() + i * byte_width(dtype), byte_width(dtype));
    return v;
  }
  void set_bits(std::size_t i, std::uint64_t v) {
    std::memcpy(bytes.data() + i * byte_width(dtype), &v, byte_width(dtype));
  }
  bool operator==(const Tensor&) const = default;
};

// Builds a tensor from bit patterns (each masked to the dtype's width by the caller).
Tensor make_tensor(DType t, Shape shape, const std::vector<std::uint64_t>& bits);

}  // namespace qdq
