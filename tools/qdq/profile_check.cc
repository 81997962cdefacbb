#include <fmt/format.h>

#include <string>
#include <vector>

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

}  // namespace qdq::tools
