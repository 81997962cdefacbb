// Where a file the harness writes came from: when, and from which commit of this tree.
#pragma once

#include <string>

namespace qdq::tools {

std::string utc_now();     // ISO 8601, e.g. 2026-11-27T23:05:18Z
std::string git_commit();  // HEAD of the source tree this binary was built from, or "unknown"

}  // namespace qdq::tools
