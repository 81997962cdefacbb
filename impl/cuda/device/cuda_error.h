// A CUDA error as an exception: for the `cuda` backend and the CUDA benchmarks. (No fmt here: this
// header is also compiled by nvcc, which does not take fmt's constexpr code.)
#pragma once

#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>

namespace qdq::cuda {

// Throws std::runtime_error("CUDA error in <what>: <description> (<name>)") unless e is
// cudaSuccess, after taking the error off the thread's error state so that it cannot be seen again
// by a later call.
inline void check(cudaError_t e, const char* what) {
  if (e == cudaSuccess) return;
  cudaGetLastError();
  throw std::runtime_error(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(e) + " (" + cudaGetErrorName(e) + ")");
}

}  // namespace qdq::cuda
