#include "reference/contract/view.h"

#include <gtest/gtest.h>

namespace qdq {
namespace {

// The [outer, depth, inner] view matches TF's flat_inner_outer_dims<T, 3>(axis - 1) (docs/op-spec.md §2.1).
TEST(ChannelView, AxisPositions) {
  const Shape s = {2, 3, 4, 5};
  const ChannelView first = channel_view(s, 0), middle = channel_view(s, 2), last = channel_view(s, 3);
  EXPECT_EQ(first.outer, 1); EXPECT_EQ(first.depth, 2); EXPECT_EQ(first.inner, 60);
  EXPECT_EQ(middle.outer, 6); EXPECT_EQ(middle.depth, 4); EXPECT_EQ(middle.inner, 5);
  EXPECT_EQ(last.outer, 24); EXPECT_EQ(last.depth, 5); EXPECT_EQ(last.inner, 1);
  const ChannelView whole = channel_view(s, -1);
  EXPECT_EQ(whole.outer * whole.depth * whole.inner, 120);
}

TEST(ChannelView, EveryElementInExactlyOneChannel) {
  const Shape s = {3, 1, 4};
  for (std::int64_t axis : {0, 1, 2}) {
    const ChannelView v = channel_view(s, axis);
    std::vector<int> seen(12, 0);
    for (std::int64_t c = 0; c < v.depth; ++c) {
      for_each_in_channel(v, c, [&](std::int64_t k) {
        ++seen[k];
        EXPECT_EQ(v.channel_of(k), c);
      });
    }
    for (int n : seen) EXPECT_EQ(n, 1);
  }
}

TEST(ChannelView, ZeroSizedDimensions) {
  const ChannelView v = channel_view({2, 0, 3}, 2);
  EXPECT_EQ(v.outer, 0);
  EXPECT_EQ(v.depth, 3);
  int count = 0;
  for_each_in_channel(v, 1, [&](std::int64_t) { ++count; });
  EXPECT_EQ(count, 0);
}

}  // namespace
}  // namespace qdq
