#include "conformance/backends.h"

#include "impl/cpu/scalar/scalar_backend.h"
#include "impl/cpu/simd/simd_backend.h"
#include "impl/cuda/device_entry.h"
#include "impl/cuda/host/host_backend.h"
#include "reference/exact/reference_backend.h"

namespace qdq::conformance {

std::vector<std::string> backend_names() {
  std::vector<std::string> names = {"reference", "cpu", "cpu-scalar", "cuda-host"};
  if (cuda::device_unavailable_reason().empty()) names.emplace_back("cuda");
  return names;
}

std::vector<std::string> known_backend_names() { return {"reference", "cpu", "cpu-scalar", "cuda-host", "cuda"}; }

std::unique_ptr<Backend> make_backend(std::string_view name) {
  if (name == "reference") return std::make_unique<ReferenceBackend>();
  if (name == "cpu") return std::make_unique<cpu::SimdBackend>();
  if (name == "cpu-scalar") return std::make_unique<cpu::ScalarBackend>();
  if (name == "cuda-host") return std::make_unique<cuda::HostBackend>();
  if (name == "cuda") return cuda::make_device_backend();
  return nullptr;
}

}  // namespace qdq::conformance
