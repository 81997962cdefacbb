#include "conformance/backends.h"

#include "impl/cpu/scalar/scalar_backend.h"
#include "impl/cpu/simd/simd_backend.h"
#include "impl/cuda/host/host_backend.h"
#include "reference/exact/reference_backend.h"

namespace qdq::conformance {

std::vector<std::string> backend_names() { return {"reference", "cpu", "cpu-scalar", "cuda-host"}; }

std::unique_ptr<Backend> make_backend(std::string_view name) {
  if (name == "reference") return std::make_unique<ReferenceBackend>();
  if (name == "cpu") return std::make_unique<cpu::SimdBackend>();
  if (name == "cpu-scalar") return std::make_unique<cpu::ScalarBackend>();
  if (name == "cuda-host") return std::make_unique<cuda::HostBackend>();
  return nullptr;
}

}  // namespace qdq::conformance
