#include "conformance/backends.h"

#include "impl/cpu/scalar/scalar_backend.h"
#include "impl/cpu/simd/simd_backend.h"
#include "impl/cuda/device_entry.h"
#include "impl/cuda/host/host_backend.h"
#include "impl/plugin/plugin_backend.h"
#include "reference/exact/reference_backend.h"

namespace qdq::conformance {

std::vector<std::string> backend_names() {
  std::vector<std::string> names = {"reference", "cpu", "cpu-scalar", "cuda-host"};
  if (cuda::device_unavailable_reason().empty()) names.emplace_back("cuda");
  return names;
}

std::vector<std::string> known_backend_names() {
  return {"reference", "reference-gmp", "cpu", "cpu-scalar", "cuda-host", "cuda"};
}

namespace {
constexpr std::string_view kPlugin = "plugin:", kInProcess = "plugin-in-process:";
}

std::string unknown_backend_message(std::string_view name) {
  for (const std::string& known : known_backend_names()) {
    if (name == known) return "";
  }
  for (std::string_view prefix : {kPlugin, kInProcess}) {
    if (name.starts_with(prefix) && name.size() > prefix.size()) return "";
  }
  std::string m = "unknown backend '" + std::string(name) + "' (backends:";
  for (const std::string& known : known_backend_names()) m += " " + known + ",";
  return m + " plugin:PATH, plugin-in-process:PATH)";
}

std::unique_ptr<Backend> make_backend(std::string_view name, const BackendOptions& options) {
  if (name.starts_with(kPlugin) && name.size() > kPlugin.size()) {
    return std::make_unique<plugin::IsolatedBackend>(std::string(name.substr(kPlugin.size())), options.case_timeout_s);
  }
  if (name.starts_with(kInProcess) && name.size() > kInProcess.size()) {
    return std::make_unique<plugin::InProcessBackend>(std::string(name.substr(kInProcess.size())));
  }
  if (name == "reference") return std::make_unique<ReferenceBackend>(ReferencePath::Fixed);
  if (name == "reference-gmp") return std::make_unique<ReferenceBackend>(ReferencePath::Gmp);
  if (name == "cpu") return std::make_unique<cpu::SimdBackend>();
  if (name == "cpu-scalar") return std::make_unique<cpu::ScalarBackend>();
  if (name == "cuda-host") return std::make_unique<cuda::HostBackend>();
  if (name == "cuda") return cuda::make_device_backend();
  return nullptr;
}

}  // namespace qdq::conformance
