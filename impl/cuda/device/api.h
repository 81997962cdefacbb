// The CUDA kernels on device-resident tensors: for benchmarks and for programs that keep their
// data on the GPU. The `cuda` backend (cuda_backend.h) wraps these for host tensors.
//
// Preconditions (not checked here: the values live on the device): the case passes
// qdq::validate_forward / validate_gradient for its profile and shapes, the profile is one the
// CUDA backends implement (qdq::cuda::implements), and every pointer is device memory holding
// the tensor's elements packed at the dtype's width, in row-major order. Any alignment of the
// element type is accepted.
//
// Launches: range_given, one kernel; a measured range, two kernels (range reduction, then the
// quantization); the gradient, one kernel. All are queued on `stream` and nothing waits for them;
// errors of the launches themselves are returned.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>

#include "reference/contract/attrs.h"
#include "reference/contract/profile.h"
#include "reference/contract/tensor.h"

namespace qdq::cuda {

// Device memory the forward op needs besides its tensors: 16 bytes per channel and 16 more when
// the range is measured, else 0. The workspace must be 8-byte aligned (its keys are updated with
// 64-bit atomics; cudaMalloc's 256-byte alignment will do) and all zeros before its first use
// (e.g. cudaMemset once after allocating it). Each call that completes leaves it zeroed again, so
// it is reused as is, by one call at a time. After a call that did not complete (an error returned
// here, or a fault reported by the stream), its contents are unknown: zero it again before reuse.
std::size_t forward_workspace_bytes(const Shape& shape, const Attrs& attrs);

// output = QuantizeAndDequantizeV4(input, input_min, input_max) under `profile`. input_min and
// input_max are read only when attrs.range_given (one element per channel, or one per tensor).
cudaError_t forward_on_device(ProfileId profile, DType dtype, const Attrs& attrs, const Shape& shape,
                              const void* input, const void* input_min, const void* input_max, void* output,
                              void* workspace, cudaStream_t stream);

// input_backprop = gradients where input_min <= input <= input_max (per channel for axis >= 0),
// else 0. (The op's input_min_backprop and input_max_backprop are zeros; they are not written.)
cudaError_t gradient_on_device(ProfileId profile, DType dtype, std::int64_t axis, const Shape& shape,
                               const void* gradients, const void* input, const void* input_min, const void* input_max,
                               void* input_backprop, cudaStream_t stream);

}  // namespace qdq::cuda
