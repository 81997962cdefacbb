#include "reference/contract/view.h"

namespace qdq {

ChannelView channel_view(const Shape& shape, std::int64_t axis) {
  ChannelView v;
  if (axis < 0) {
    v.inner = num_elements(shape);
    return v;
  }
  v.inner = 1;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (static_cast<std::int64_t>(d) < axis) v.outer *= shape[d];
    else if (static_cast<std::int64_t>(d) == axis) v.depth = shape[d];
    else v.inner *= shape[d];
  }
  return v;
}

}  // namespace qdq
