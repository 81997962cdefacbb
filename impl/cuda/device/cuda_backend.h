// The "cuda" backend: the CUDA kernels (api.h) behind the backend door, host tensors in and out.
// Each case is validated on the host first (TF's errors, before any device memory is touched),
// copied to the device, computed there and copied back. A CUDA error (an allocation that fails,
// a launch that cannot run) is thrown as std::runtime_error naming the error, and the next case
// runs normally; a sticky one (a fault that loses the context, which the kernels should never
// cause) as BackendLost, which ends the run at its case. The measured range's workspace is a
// buffer of its own, zeroed when allocated and after a failed call: the kernels leave it zeroed
// for the next case (reset_when_last in kernels.cu), so every case after the first relies on that.
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
  // The forward op's workspace of at least `bytes`, all zeros: zeroed when allocated or after a
  // call that did not complete, else as the last call left it.
  unsigned char* zeroed_workspace(std::size_t bytes);

  cudaStream_t stream_ = nullptr;
  unsigned char* buffer_ = nullptr;
  std::size_t capacity_ = 0;
  unsigned char* workspace_ = nullptr;
  std::size_t workspace_capacity_ = 0;
  bool workspace_dirty_ = false;  // a call using it did not complete
};

}  // namespace qdq::cuda
