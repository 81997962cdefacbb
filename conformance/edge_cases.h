// The edge suite: targeted cases for every special case and rounding band of docs/op-spec.md (§3,
// §2.6), the NaN rules (§2.9), num_bits at both ends, subnormals under FTZ/DAZ, empty and rank-0
// tensors, and every validation error of §4 (forward and gradient), for one profile and dtype.
#pragma once

#include <vector>

#include "conformance/engine.h"

namespace qdq::conformance {

std::vector<SuiteCase> edge_cases(ProfileId profile, DType dtype);

}  // namespace qdq::conformance
