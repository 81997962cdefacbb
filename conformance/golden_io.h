// Golden files from and to the conformance engine: answers from a backend or from the TF oracle,
// and a golden file's cases as a suite.
#pragma once

#include <istream>
#include <vector>

#include "conformance/engine.h"
#include "golden/golden_file.h"

namespace qdq::conformance {

// Answers every case with `backend` (the reference by default in `qdq golden generate`). Elements
// the reference flags as implementation-defined are flagged in the file, with the reason.
golden::GoldenFile golden_from_backend(const std::vector<SuiteCase>& cases, Backend& backend, golden::Provenance provenance);

// Takes the answers from the TF oracle's output: a first line {"provenance": {"tf_version": ...,
// "tf_mode": ..., "device": ...}}, then one answer line per case, in the cases' order, with the
// same ids. Implementation-defined elements and reasons come from the reference. Throws
// std::runtime_error naming the line on any mismatch or malformed line: nothing is lost silently.
golden::GoldenFile golden_from_answers(const std::vector<SuiteCase>& cases, std::istream& answers,
                                       golden::Provenance provenance);

// The folder of the committed golden files, and the *.h5 files in a folder (name order).
std::string default_golden_dir();
std::vector<std::string> golden_files_in(const std::string& dir);

// The golden file's cases as a suite: each case's known answer is the file's, matched bit for bit.
std::vector<SuiteCase> golden_suite_cases(const golden::GoldenFile& file);

}  // namespace qdq::conformance
