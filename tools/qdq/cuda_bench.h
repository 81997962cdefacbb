// The CUDA side of `qdq bench --backend cuda` (cuda_bench.cu; cuda_bench_unavailable.cc in builds
// without CUDA).
#pragma once

#include <cstdint>
#include <vector>

#include "tools/qdq/bench_cases.h"

namespace qdq::tools {

// Registers with Google Benchmark, for each size (bytes of the input tensor): the device's own
// bandwidth bound (a read-scale-write kernel and a device-to-device cudaMemcpy, once), then the op on
// device-resident tensors for each of `configs` (bench_cases.h), timed with CUDA events, with the kernel launches and memsets one call makes counted from a captured CUDA
// graph (counters `kernels`, `memsets`); and, up to `max_host_bytes`, the `cuda` backend host
// tensors to host tensors (copies included). Throws std::runtime_error("no CUDA device: <reason>")
// where no device is usable.
void register_cuda_benchmarks(const std::vector<std::int64_t>& sizes, std::int64_t max_host_bytes,
                              const std::vector<BenchConfig>& configs);

}  // namespace qdq::tools
