#include <stdexcept>

#include "impl/cuda/device_entry.h"
#include "tools/qdq/cuda_bench.h"

namespace qdq::tools {

void register_cuda_benchmarks(const std::vector<std::int64_t>&, std::int64_t, const std::vector<BenchConfig>&) {
  throw std::runtime_error("no CUDA device: " + cuda::device_unavailable_reason());
}

}  // namespace qdq::tools
