// A tensor as it crosses the backend interface: dtype, shape and the elements' raw bit patterns,
// packed little-endian at the dtype's width, so that no value is ever changed on the way.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <boost/align/aligned_allocator.hpp>

#include "reference/contract/dtype.h"

namespace qdq {

using Shape = std::vector<std::int64_t>;

// Number of elements of `shape` (1 for a scalar); -1 if a dimension is negative or the product
// does not fit in int64.
std::int64_t num_elements(const Shape& shape);

// TF's TensorShape::DebugString spelling: "[2,3]" and "[]" for a scalar.
std::string shape_string(const Shape& shape);

// A tensor's element storage starts on a cache line (64 bytes), so that SIMD kernels reach a
// vector boundary at the first element and can write whole lines with non-temporal stores.
using TensorBytes = std::vector<std::uint8_t, boost::alignment::aligned_allocator<std::uint8_t, 64>>;

struct Tensor {
  DType dtype = DType::Float32;
  Shape shape;
  TensorBytes bytes;  // num_elements(shape) * byte_width(dtype)

  Tensor() = default;
  Tensor(DType t, Shape s) : dtype(t), shape(std::move(s)) {
    bytes.assign(static_cast<std::size_t>(num_elements(shape)) * byte_width(dtype), 0);
  }

  std::size_t size() const { return bytes.size() / byte_width(dtype); }
  int rank() const { return static_cast<int>(shape.size()); }

  // Element i's bits (fixed-size copies, so that they compile to single loads and stores).
  std::uint64_t bits(std::size_t i) const {
    switch (byte_width(dtype)) {
      case 2: return load<std::uint16_t>(i);
      case 4: return load<std::uint32_t>(i);
      default: return load<std::uint64_t>(i);
    }
  }
  void set_bits(std::size_t i, std::uint64_t v) {
    switch (byte_width(dtype)) {
      case 2: return store(i, static_cast<std::uint16_t>(v));
      case 4: return store(i, static_cast<std::uint32_t>(v));
      default: return store(i, v);
    }
  }
  bool operator==(const Tensor&) const = default;

 private:
  template <typename U>
  U load(std::size_t i) const {
    U v;
    std::memcpy(&v, bytes.data() + i * sizeof(U), sizeof(U));
    return v;
  }
  template <typename U>
  void store(std::size_t i, U v) {
    std::memcpy(bytes.data() + i * sizeof(U), &v, sizeof(U));
  }
};

// The elements as an array of U (an unsigned integer or floating type of the dtype's width), for
// backends that work on storage directly. Tensor storage comes from operator new, aligned for every
// element type.
template <typename U>
const U* elements(const Tensor& t) {
  return reinterpret_cast<const U*>(t.bytes.data());
}
template <typename U>
U* elements(Tensor& t) {
  return reinterpret_cast<U*>(t.bytes.data());
}

// Builds a tensor from bit patterns (each masked to the dtype's width by the caller).
Tensor make_tensor(DType t, Shape shape, const std::vector<std::uint64_t>& bits);

}  // namespace qdq
