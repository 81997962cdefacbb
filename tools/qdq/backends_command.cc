#include <fmt/format.h>

#include <iostream>

#include "conformance/backends.h"
#include "impl/cuda/device_entry.h"
#include "tools/qdq/commands.h"

namespace qdq::tools {

Command add_backends_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("backends", "List the backends, and why any cannot run here");
  return {cmd, [] {
            // Every backend runs here but cuda, which needs a CUDA device.
            for (const std::string& name : conformance::known_backend_names()) {
              const bool ok = name != "cuda" || cuda::device_unavailable_reason().empty();
              std::cout << fmt::format("{:<13} {}\n", name, ok ? "usable" : "not usable: no CUDA device: " + cuda::device_unavailable_reason());
            }
            return 0;
          }};
}

}  // namespace qdq::tools
