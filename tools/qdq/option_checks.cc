#include <fmt/format.h>

#include <string>
#include <vector>

#include "conformance/backends.h"
#include "reference/contract/profile.h"
#include "tools/qdq/commands.h"

namespace qdq::tools {

CLI::Validator profile_check() {
  std::vector<std::string> names;
  for (ProfileId p : kAllProfiles) names.emplace_back(profile_name(p));
  const std::string listed = fmt::format("{}", fmt::join(names, ", "));
  return CLI::Validator(
      [listed](std::string& value) -> std::string {
        if (parse_profile(value)) return "";
        return "unknown profile '" + value + "' (profiles: " + listed + "; or BASE@RELEASE, e.g. tf-cpu@2.18)";
      },
      "PROFILE in {" + listed + "} or BASE@RELEASE");
}

CLI::Validator backend_check() {
  return CLI::Validator(
      [](std::string& value) { return conformance::unknown_backend_message(value); },
      "BACKEND in {" + fmt::format("{}", fmt::join(conformance::known_backend_names(), ", ")) +
          "} or plugin:PATH or plugin-in-process:PATH");
}

void add_case_timeout_option(CLI::App* cmd, double& seconds) {
  cmd->add_option("--case-timeout", seconds,
                  "plugin:PATH backends: seconds a case may take before the plug-in counts as hung and is restarted")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

}  // namespace qdq::tools
