// The bandwidth loop of `qdq bench`: y[i] = 0.75 x[i], the least work a pass that reads and writes
// every element can do, compiled for every Highway target and dispatched like the op's kernels.
#pragma once

#include <cstddef>

namespace qdq::tools {

// y[i] = 0.75 * x[i] for i < n (n a multiple of 16). x and y aligned to 64 bytes. `stream`: write
// with non-temporal stores (one write to memory per line instead of a read for ownership and a
// write), as the op does for outputs of at least 32 MiB.
void scale_copy(const float* x, float* y, std::size_t n, bool stream);

}  // namespace qdq::tools
