// The backends this build has, by name.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reference/contract/backend.h"

namespace qdq::conformance {

// Names of every backend usable here: "reference", "cpu" (SIMD and threads), "cpu-scalar" (the
// plain baseline), "cuda-host" (the CUDA backend's code run on the host), and "cuda" where a CUDA
// device is usable.
std::vector<std::string> backend_names();

// Every name make_backend knows, "cuda" included where it cannot run (the command line accepts it
// and then says why not).
std::vector<std::string> known_backend_names();

// A new instance of the named backend; nullptr for an unknown name. Throws std::runtime_error
// ("no CUDA device: <reason>") for "cuda" where no CUDA device is usable.
std::unique_ptr<Backend> make_backend(std::string_view name);

}  // namespace qdq::conformance
