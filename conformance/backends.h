// The backends this build has, by name.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reference/contract/backend.h"

namespace qdq::conformance {

// How backends that take settings are made.
struct BackendOptions {
  double case_timeout_s = 10;  // plugin:PATH: seconds a case may take before the plug-in counts as hung
};

// The backends a run takes when none is named: "reference" (its fast path), "cpu" (SIMD and
// threads), "cpu-scalar" (the plain baseline), "cuda-host" (the CUDA backend's code run on the
// host), and "cuda" where a CUDA device is usable. ("reference-gmp", the reference's GMP path, runs
// only when named: about 150 times slower.)
std::vector<std::string> backend_names();

// Every fixed name make_backend knows, "cuda" included where it cannot run (the command line
// accepts it and then says why not). Beside these: plugin:PATH and plugin-in-process:PATH.
std::vector<std::string> known_backend_names();

// "" if make_backend knows `name`, else a message naming it and the names there are.
std::string unknown_backend_message(std::string_view name);

// A new instance of the named backend; nullptr for an unknown name. Throws std::runtime_error
// ("no CUDA device: <reason>") for "cuda" where no CUDA device is usable, and plugin::LoadError for
// a plug-in that cannot be used. "plugin:PATH" runs the plug-in isolated in a child process,
// "plugin-in-process:PATH" in this one.
std::unique_ptr<Backend> make_backend(std::string_view name, const BackendOptions& options = {});

}  // namespace qdq::conformance
