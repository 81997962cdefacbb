#include "impl/cuda/device/cuda_backend.h"

#include <cuda_runtime.h>
#include <fmt/format.h>

#include <stdexcept>
#include <vector>

#include "impl/cuda/core/rules.h"
#include "impl/cuda/device/api.h"
#include "impl/cuda/device/cuda_error.h"
#include "impl/cuda/device_entry.h"

namespace qdq::cuda {
namespace {

std::string probe_device() {
  int count = 0;
  if (const cudaError_t e = cudaGetDeviceCount(&count); e != cudaSuccess) {
    cudaGetLastError();
    return cudaGetErrorString(e);
  }
  if (count == 0) return "the CUDA runtime sees no device";
  int device = 0;
  cudaDeviceProp prop{};
  if (const cudaError_t e = cudaGetDevice(&device); e != cudaSuccess) return cudaGetErrorString(e);
  if (const cudaError_t e = cudaGetDeviceProperties(&prop, device); e != cudaSuccess) return cudaGetErrorString(e);
  if (prop.major < 9) {
    return fmt::format("device {} ({}) is sm_{}{}; this build has code for sm_90 and newer", device, prop.name, prop.major,
                       prop.minor);
  }
  return "";
}

// Where each tensor of a case lies in the device buffer: 256-byte aligned parts.
struct Layout {
  std::vector<std::size_t> offsets;
  std::size_t total = 0;
  std::size_t add(std::size_t bytes) {
    offsets.push_back(total);
    total += (bytes + 255) / 256 * 256;
    return offsets.back();
  }
};

}  // namespace

const std::string& device_unavailable_reason() {
  static const std::string reason = probe_device();
  return reason;
}

std::unique_ptr<Backend> make_device_backend() {
  if (!device_unavailable_reason().empty()) throw std::runtime_error("no CUDA device: " + device_unavailable_reason());
  return std::make_unique<DeviceBackend>();
}

DeviceBackend::DeviceBackend() { check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate"); }

DeviceBackend::~DeviceBackend() {
  if (buffer_) cudaFree(buffer_);
  if (workspace_) cudaFree(workspace_);
  if (stream_) cudaStreamDestroy(stream_);
}

unsigned char* DeviceBackend::device_buffer(std::size_t bytes) {
  if (bytes <= capacity_) return buffer_;
  if (buffer_) check(cudaFree(buffer_), "cudaFree");
  buffer_ = nullptr;
  capacity_ = 0;
  void* p = nullptr;
  if (const cudaError_t e = cudaMalloc(&p, bytes); e != cudaSuccess) {
    cudaGetLastError();
    throw std::runtime_error(fmt::format("CUDA error: {} bytes of device memory for the case: {}", bytes, cudaGetErrorString(e)));
  }
  buffer_ = static_cast<unsigned char*>(p);
  capacity_ = bytes;
  return buffer_;
}

unsigned char* DeviceBackend::zeroed_workspace(std::size_t bytes) {
  if (bytes > workspace_capacity_) {
    if (workspace_) check(cudaFree(workspace_), "cudaFree");
    workspace_ = nullptr;
    workspace_capacity_ = 0;
    void* p = nullptr;
    check(cudaMalloc(&p, bytes), "allocating the workspace");
    workspace_ = static_cast<unsigned char*>(p);
    workspace_capacity_ = bytes;
    workspace_dirty_ = true;
  }
  if (workspace_dirty_) {
    check(cudaMemsetAsync(workspace_, 0, workspace_capacity_, stream_), "zeroing the workspace");
    workspace_dirty_ = false;
  }
  return workspace_;
}

bool DeviceBackend::supports(ProfileId id, DType t) const { return implements(profile(id), t); }

Outcome DeviceBackend::run(const OpCase& c) {
  if (Status s = validate_case(c); !s.ok()) return Outcome::rejected(s);
  if (!supports(c.profile, c.input.dtype)) {
    return Outcome::rejected({Code::Unimplemented, "cuda does not implement this profile and dtype"});
  }
  const bool forward = c.op == Op::Forward;
  Outcome out = forward ? Outcome{} : gradient_outputs(c);
  if (forward) out.outputs.emplace_back(c.input.dtype, c.input.shape);
  Tensor& result = out.outputs[0];
  if (result.bytes.empty()) return out;

  // Inputs (the range too where the op reads it), the result, and the forward op's workspace.
  std::vector<const Tensor*> inputs = {&c.input};
  if (!forward) inputs.push_back(&c.gradients);
  if (!forward || c.attrs.range_given) inputs.insert(inputs.end(), {&c.input_min, &c.input_max});
  Layout layout;
  for (const Tensor* t : inputs) layout.add(t->bytes.size());
  const std::size_t result_at = layout.add(result.bytes.size());
  unsigned char* base = device_buffer(layout.total);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    check(cudaMemcpyAsync(base + layout.offsets[i], inputs[i]->bytes.data(), inputs[i]->bytes.size(), cudaMemcpyHostToDevice, stream_),
          "copying the case to the device");
  }
  if (forward) {
    const std::size_t workspace_bytes = forward_workspace_bytes(c.input.shape, c.attrs);
    unsigned char* workspace = workspace_bytes ? zeroed_workspace(workspace_bytes) : nullptr;
    const void* lo = c.attrs.range_given ? base + layout.offsets[1] : nullptr;
    const void* hi = c.attrs.range_given ? base + layout.offsets[2] : nullptr;
    workspace_dirty_ = workspace != nullptr;  // until the call completes
    check(forward_on_device(c.profile, c.input.dtype, c.attrs, c.input.shape, base + layout.offsets[0], lo, hi,
                            base + result_at, workspace, stream_),
          "the forward kernels");
  } else {
    check(gradient_on_device(c.profile, c.input.dtype, c.attrs.axis, c.input.shape, base + layout.offsets[1],
                             base + layout.offsets[0], base + layout.offsets[2], base + layout.offsets[3], base + result_at,
                             stream_),
          "the gradient kernel");
  }
  check(cudaMemcpyAsync(result.bytes.data(), base + result_at, result.bytes.size(), cudaMemcpyDeviceToHost, stream_),
        "copying the result to the host");
  check(cudaStreamSynchronize(stream_), "the case's kernels");
  workspace_dirty_ = false;  // the kernels completed and left the workspace zeroed
  return out;
}

}  // namespace qdq::cuda
