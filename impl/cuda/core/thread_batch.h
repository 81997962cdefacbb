// One thread's batch (geometry.h) in each kernel, for host and device: every element of the batch
// is loaded before any is computed, so that the device has them all in flight at once, then the
// arithmetic of element.h, then the stores. A batch of pairs moves each pair of 16-bit elements
// as one aligned 32-bit word (hd.h), element j of the batch in place j of the arrays.
#pragma once

#include <cstdint>

#include "impl/cuda/core/element.h"
#include "impl/cuda/core/geometry.h"

namespace qdq::cuda {

// Elements a batch of at most B places holds: pairs only of 16-bit elements.
template <int B, typename U>
constexpr int kBatchElements = sizeof(U) == 2 ? 2 * B : B;

template <int B, typename U>
QDQ_HD void load_batch(const U* __restrict__ p, const Batch& b, U (&v)[kBatchElements<B, U>]) {
  if constexpr (sizeof(U) == 2) {
    if (b.pairs) {
      QDQ_UNROLL
      for (int i = 0; i < B; ++i) {
        if (i >= b.count) continue;
        const std::uint32_t w = load_word(p + b.first + i * b.stride);
        v[2 * i] = static_cast<U>(w & 0xffffu);
        v[2 * i + 1] = static_cast<U>(w >> 16);
      }
      return;
    }
  }
  QDQ_UNROLL
  for (int i = 0; i < B; ++i) {
    if (i < b.count) v[i] = p[b.first + i * b.stride];
  }
}

template <int B, typename U>
QDQ_HD void store_batch(U* __restrict__ p, const Batch& b, const U (&v)[kBatchElements<B, U>]) {
  if constexpr (sizeof(U) == 2) {
    if (b.pairs) {
      QDQ_UNROLL
      for (int i = 0; i < B; ++i) {
        if (i < b.count) store_word(p + b.first + i * b.stride, static_cast<std::uint32_t>(v[2 * i]) | static_cast<std::uint32_t>(v[2 * i + 1]) << 16);
      }
      return;
    }
  }
  QDQ_UNROLL
  for (int i = 0; i < B; ++i) {
    if (i < b.count) p[b.first + i * b.stride] = v[i];
  }
}

// Measured ranges: the batch's elements other than NaNs (as the device reads them) into `mine`.
template <int B, typename U, typename C>
QDQ_HD void range_batch(const SoftEnv<C>& dev, const U* __restrict__ x, const Batch& b, RangeKeys& mine) {
  U v[kBatchElements<B, U>] = {};
  load_batch<B>(x, b, v);
  QDQ_UNROLL
  for (int j = 0; j < kBatchElements<B, U>; ++j) {
    if (j >= b.elements()) continue;
    const C e = dev.read(dev.load(v[j]));
    if (!is_nan(e)) include(mine, e);
  }
}

// The forward op on the batch's elements, all of the channel whose scale is `sc`.
template <int B, typename U, typename C>
QDQ_HD void forward_batch(const Rules<C>& r, const Scale<C>& sc, const U* __restrict__ x, U* __restrict__ y, const Batch& b) {
  U v[kBatchElements<B, U>] = {};
  load_batch<B>(x, b, v);
  QDQ_UNROLL
  for (int j = 0; j < kBatchElements<B, U>; ++j) {
    if (j < b.elements()) v[j] = static_cast<U>(quantize(r, sc, v[j]));
  }
  store_batch<B>(y, b, v);
}

// The gradient on the batch's elements, all of the channel whose range is [lo, hi].
template <int B, typename U, typename C>
QDQ_HD void gradient_batch(const SoftEnv<C>& dev, const U* __restrict__ dy, const U* __restrict__ x, U lo, U hi,
                           U* __restrict__ dx, const Batch& b) {
  U g[kBatchElements<B, U>] = {}, v[kBatchElements<B, U>] = {};
  load_batch<B>(dy, b, g);
  load_batch<B>(x, b, v);
  QDQ_UNROLL
  for (int j = 0; j < kBatchElements<B, U>; ++j) {
    if (j < b.elements()) g[j] = static_cast<U>(gradient(dev, g[j], v[j], lo, hi));
  }
  store_batch<B>(dx, b, g);
}

}  // namespace qdq::cuda
