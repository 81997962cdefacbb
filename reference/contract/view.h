// The [outer, depth, inner] view of a row-major tensor (docs/op-spec.md §2.1): per-tensor (axis -1) is one
// channel of all elements; per-channel (axis a) puts element (o, c, i) at (o*depth + c)*inner + i.
#pragma once

#include <cstdint>

#include "reference/contract/tensor.h"

namespace qdq {

struct ChannelView {
  std::int64_t outer = 1;
  std::int64_t depth = 1;
  std::int64_t inner = 0;

  std::int64_t index(std::int64_t o, std::int64_t c, std::int64_t i) const {
    return (o * depth + c) * inner + i;
  }
  // The channel of flat element `k`.
  std::int64_t channel_of(std::int64_t k) const { return inner == 0 ? 0 : (k / inner) % depth; }
};

// Calls f(k) for the flat index k of every element of channel c, in memory order.
template <typename F>
void for_each_in_channel(const ChannelView& v, std::int64_t c, F&& f) {
  for (std::int64_t o = 0; o < v.outer; ++o) {
    for (std::int64_t i = 0; i < v.inner; ++i) f(v.index(o, c, i));
  }
}

// Precondition: axis == -1 or 0 <= axis < rank (validation has run).
ChannelView channel_view(const Shape& shape, std::int64_t axis);

}  // namespace qdq
