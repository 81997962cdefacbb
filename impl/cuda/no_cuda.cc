// The `cuda` backend's door in a build without CUDA (QDQ_CUDA=OFF, or no CUDA compiler found).
#include <stdexcept>

#include "impl/cuda/device_entry.h"

namespace qdq::cuda {

const std::string& device_unavailable_reason() {
  static const std::string reason = "this build of qdq has no CUDA backend (configured with QDQ_CUDA=OFF or without nvcc)";
  return reason;
}

std::unique_ptr<Backend> make_device_backend() { throw std::runtime_error("no CUDA device: " + device_unavailable_reason()); }

}  // namespace qdq::cuda
