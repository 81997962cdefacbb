// The result matrix and mismatch lines, as `qdq conformance` prints them.
#pragma once

#include <ostream>
#include <vector>

#include "conformance/engine.h"

namespace qdq::conformance {

// One matrix per suite and backend: rows profile/dtype, columns round mode × per-tensor /
// per-channel (and the gradient), cells passed/failed/skipped case counts, then the row's
// implementation-defined elements; then the TestFloat-style mismatch lines.
void print_report(std::ostream& out, const std::vector<SuiteResult>& results);

}  // namespace qdq::conformance
