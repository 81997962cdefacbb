// `qdq golden diff A B`: which cases' answers differ between two golden files (two TF releases, or
// TF against a kernel's answers recorded as a golden file). Cases are matched by id, with each
// file's profile name taken out of it (so tf-cpu@2.15's cases meet tf-cpu's), and compared when
// their inputs and attributes are the same.
#pragma once

#include <string>
#include <vector>

#include "conformance/compare.h"
#include "golden/golden_file.h"

namespace qdq::conformance {

struct GoldenDiff {
  std::vector<std::string> only_a, only_b;  // ids of cases in one file only
  std::vector<std::string> inputs_differ;   // ids whose case (op, profile, attrs, tensors) differs: not compared
  long compared = 0;                        // cases in both with the same inputs
  long answers_differ = 0;                  // of those, cases whose answers differ
  std::vector<Mismatch> lines;              // the first differing elements or statuses (expected = A, observed = B)
  long undefined = 0;                       // elements left out: implementation-defined in A or in B
};

// Compares every case of `a` with the case of `b` with the same id, bit for bit (+0 and -0 differ,
// any NaN matches any NaN), skipping the elements either file marks implementation-defined.
GoldenDiff diff_golden(const golden::GoldenFile& a, const golden::GoldenFile& b, std::size_t max_lines);

}  // namespace qdq::conformance
