#include <fmt/format.h>

#include <iostream>

#include "conformance/backends.h"
#include "impl/cuda/device_entry.h"
#include "tools/qdq/commands.h"

namespace qdq::tools {

Command add_backends_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("backends", "List the backends, and why any cannot run here");
  return {cmd, [] {
            const std::vector<std::string> usable = conformance::backend_names();
            for (const std::string& name : conformance::known_backend_names()) {
              const bool ok = std::find(usable.begin(), usable.end(), name) != usable.end();
              std::cout << fmt::format("{:<11} {}\n", name, ok ? "usable" : "not usable: no CUDA device: " + cuda::device_unavailable_reason());
            }
            return 0;
          }};
}

}  // namespace qdq::tools
