// A CUDA error as an exception: for the `cuda` backend and the CUDA benchmarks. (No fmt here: this
// header is also compiled by nvcc, which does not take fmt's constexpr code.)
#pragma once

#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>

#include "reference/contract/backend.h"

namespace qdq::cuda {

// Throws std::runtime_error("CUDA error in <what>: <description> (<name>)") unless e is
// cudaSuccess, after taking the error off the thread's error state so that it cannot be seen again
// by a later call. Where the error is sticky (the context is lost: every later call fails, which
// cudaDeviceSynchronize still reporting an error shows), it throws qdq::BackendLost, so that a run
// ends at the case that caused it.
inline void check(cudaError_t e, const char* what) {
  if (e == cudaSuccess) return;
  cudaGetLastError();
  const std::string text = std::string("CUDA error in ") + what + ": " + cudaGetErrorString(e) + " (" + cudaGetErrorName(e) + ")";
  if (cudaDeviceSynchronize() != cudaSuccess) throw BackendLost(text + "; the CUDA context is lost");
  throw std::runtime_error(text);
}

}  // namespace qdq::cuda
