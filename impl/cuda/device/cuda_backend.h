// The "cuda" backend: the CUDA kernels (api.h) behind the backend door, host tensors in and out.
// Each case is validated on the host first (TF's errors, before any device memory is touched),
// copied to the device, computed there and copied back. A CUDA error (an allocation that fails,
// a launch that cannot run) is thrown as std::runtime_error naming the error; it is never a
// sticky one, since the kernels stay within their tensors, so the next case runs normally.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>

#include "reference/contract/backend.h"

namespace qdq::cuda {

class DeviceBackend final : public Backend {
 public:
  DeviceBackend();
  ~DeviceBackend() override;
  DeviceBackend(const DeviceBackend&) = delete;
  DeviceBackend& operator=(const DeviceBackend&) = delete;

  std::string_view name() const override { return "cuda"; }
  bool supports(ProfileId profile, DType dtype) const override;
  Outcome run(const OpCase& c) override;

 private:
  // Device memory of at least `bytes`, reused from case to case.
  unsigned char* device_buffer(std::size_t bytes);

  cudaStream_t stream_ = nullptr;
  unsigned char* buffer_ = nullptr;
  std::size_t capacity_ = 0;
};

}  // namespace qdq::cuda
