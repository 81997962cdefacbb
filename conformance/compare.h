// Comparing a backend's outcome with the expected one, bit for bit, and TestFloat-style lines
// for what differs.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "conformance/case_io.h"

namespace qdq::conformance {

struct Mismatch {
  std::string case_id;
  std::string output;        // "output", "input_backprop", ..., or "status"
  std::int64_t element = -1; // flat index; -1 for status and shape mismatches
  std::string input;         // input element, hex
  std::string expected;      // hex, or the expected status
  std::string observed;
  std::string distance;      // "+2 ulp, ~+1 step" for values
  double ulps = NAN;         // the same as numbers, where they apply (NaN otherwise): observed - expected
  double steps = NAN;        //   in units in the last place, and in quantization steps (approximate)
  std::string row = {}, column = {};  // the matrix cell of the case (set when a run collects it)
};

struct Comparison {
  std::int64_t elements = 0;   // elements compared
  std::int64_t undefined = 0;  // elements skipped because the profile leaves them undefined
  std::vector<Mismatch> mismatches;
  bool ok() const { return mismatches.empty(); }
};

// Bit-exact comparison: status (code and message), output shapes, then every element's bits;
// +0 and -0 differ; any NaN matches any NaN unless strict_nan. Elements flagged in
// expected.undefined are skipped and counted. `match` widens nothing unless a known answer says
// so (Match::Tolerance, TF's own test tolerance).
Comparison compare_outcomes(const std::string& id, const OpCase& c, const Outcome& expected, const Outcome& observed,
                            const Match& match = {}, bool strict_nan = false);

// One line: case id, output and element, input bits, expected and observed bits, distance.
std::string format_mismatch(const Mismatch& m);

}  // namespace qdq::conformance
