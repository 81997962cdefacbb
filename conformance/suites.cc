#include "conformance/suites.h"

#include <stdexcept>

#include "conformance/edge_cases.h"
#include "conformance/grid.h"
#include "conformance/high_bits_cases.h"
#include "conformance/known_answers.h"
#include "conformance/layout_cases.h"
#include "conformance/random_cases.h"
#include "conformance/rounding_traps.h"

namespace qdq::conformance {

const std::vector<std::string>& case_suite_names() {
  static const std::vector<std::string> names = {"known", "grid", "edge", "random", "layout", "traps"};
  return names;
}

std::vector<SuiteCase> suite_cases(const std::string& suite, ProfileId profile, DType dtype, std::uint64_t seed,
                                   const std::string& known_dir) {
  std::vector<SuiteCase> out;
  if (suite == "known") {
    // TF's tests hold for every release, so a versioned profile takes its family's known answers.
    for (SuiteCase& c : load_known_answers(known_dir)) {
      if (c.op_case.profile != family_of(profile) || c.op_case.input.dtype != dtype) continue;
      if (c.op_case.profile != profile) {
        c.id = std::string(profile_name(profile)) + "/" + c.id;
        c.op_case.profile = profile;
      }
      out.push_back(std::move(c));
    }
  } else if (suite == "grid") {
    for (GridCase& g : grid_cases(profile, dtype, seed)) out.push_back({std::move(g.id), std::move(g.op_case), {}, {}, ""});
  } else if (suite == "edge") {
    out = edge_cases(profile, dtype);
    for (SuiteCase& c : high_bits_sweep(profile, dtype)) out.push_back(std::move(c));
  } else if (suite == "random") {
    out = random_cases(profile, dtype, seed, kRandomCasesPerDType);
    for (SuiteCase& c : high_bits_random(profile, dtype, seed, kHighBitsRandomCasesPerDType)) out.push_back(std::move(c));
  } else if (suite == "layout") {
    out = layout_cases(profile, dtype, seed);
  } else if (suite == "traps") {
    out = rounding_traps(profile, dtype);
  } else {
    throw std::invalid_argument("unknown suite '" + suite + "' (known, grid, edge, random, layout, traps)");
  }
  return out;
}

}  // namespace qdq::conformance
