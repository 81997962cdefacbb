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
  // A Bounded element (TF's answer is one of several values): every allowed value, hex, in the
  // reference's order; `expected` is then the allowed value nearest the observed one (the distance's
  // origin), or, where the expected outcome's own value is none of them, that value. Empty for
  // every other mismatch.
  std::vector<std::string> allowed = {};
  // Whose answer `expected` is, where the engine judges a case (judge_outcome): "TensorFlow" (the
  // answer the case carries), "the reference", or "TensorFlow and the reference" when both expect
  // it; one Mismatch per element either way. Empty where another check made the mismatch.
  std::string expected_by = {};
  // The reference's expected value where it differs from TF's (expected_by "TensorFlow"), else empty.
  std::string reference_expected = {};
};

struct Comparison {
  std::int64_t elements = 0;   // elements compared: bit for bit, or against their alternatives
  std::int64_t bounded = 0;    // of those, the Bounded ones, compared against their alternatives
  std::int64_t undefined = 0;  // Unconstrained elements, skipped: the profile says nothing of them
  std::vector<Mismatch> mismatches;
  bool ok() const { return mismatches.empty(); }
};

// Bit-exact comparison: status (code and message), output shapes, then every element's bits;
// +0 and -0 differ; any NaN matches any NaN unless strict_nan. The element classes of `classes`
// (default: `expected` itself; reference/contract/backend.h) decide how each element of the first
// output is judged: a Defined one against expected's bits; a Bounded one passes when the observed
// bits are any of its alternatives, and the expected value must itself be one of them (a known
// answer outside the set is reported: the reference's set would then be wrong); an Unconstrained
// one is skipped and counted. `match` widens nothing unless a known answer says so
// (Match::Tolerance, TF's own test tolerance: a Bounded element then passes with any of its
// alternatives or within the tolerance of the expected value, which need not be one of them).
Comparison compare_outcomes(const std::string& id, const OpCase& c, const Outcome& expected, const Outcome& observed,
                            const Match& match = {}, bool strict_nan = false, const Outcome* classes = nullptr);

// One line: case id, output and element, input bits, expected and observed bits, distance. For a
// Bounded element: "expected one of {A, B}" (or "expected E, none of the allowed {A, B},").
std::string format_mismatch(const Mismatch& m);

}  // namespace qdq::conformance
