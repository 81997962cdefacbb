// The backends this build has, by name.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reference/contract/backend.h"

namespace qdq::conformance {

// Names of every backend built: "reference", "cpu" (SIMD and threads), "cpu-scalar" (the plain
// baseline), "cuda-host" (the CUDA backend's code run on the host).
std::vector<std::string> backend_names();

// A new instance of the named backend; nullptr for an unknown name.
std::unique_ptr<Backend> make_backend(std::string_view name);

}  // namespace qdq::conformance
