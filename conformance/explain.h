// `qdq explain`: one element of a case computed step by step under the case's profile (the
// reference's own steps), beside the exact profile's values, naming the profile rule that makes
// the first differing step differ; and, given a kernel's answer, which of the two it matches.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "reference/contract/backend.h"

namespace qdq::conformance {

// The explanation as text. `answer`: a kernel's outcome for the case, if any. `element`: the flat
// index to explain; by default the first element where the answer fails as a comparison judges it
// (a Bounded element only outside its allowed values, an Unconstrained one never), else element 0.
std::string explain_case(const std::string& id, const OpCase& c, const std::optional<Outcome>& answer,
                         std::optional<std::int64_t> element);

}  // namespace qdq::conformance
