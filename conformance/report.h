// The result matrix and mismatch lines, as `qdq conformance` prints them.
#pragma once

#include <ostream>
#include <vector>

#include "conformance/engine.h"

namespace qdq::conformance {

// One matrix per suite and backend: rows profile/dtype, columns round mode × per-tensor /
// per-channel (and the gradient), cells passed/failed/skipped case counts, then the row's
// implementation-defined counts (cases wholly unconstrained / unconstrained elements left out /
// bounded elements checked against their allowed values); then the TestFloat-style mismatch lines,
// and the `qdq explain` command that explains the first.
void print_report(std::ostream& out, const std::vector<SuiteResult>& results);

// The `qdq explain` command for a mismatch of a suite as run_suite and verify name suites.
std::string explain_command(const std::string& suite, const Mismatch& m);

}  // namespace qdq::conformance
