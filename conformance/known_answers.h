// Known answers: TF's own test vectors, kept as data (conformance/known_answers/*.jsonl, one case
// a line in the `qdq eval` format with "expect", "match" and "source"), never as literals in code.
#pragma once

#include <string>
#include <vector>

#include "conformance/engine.h"

namespace qdq::conformance {

// The folder of the known-answer files in this source tree.
// The source tree the data files are read from: $QDQ_SOURCE_DIR where set (binaries run from
// another checkout, as tools/gpu_check.sh does); for an installed qdq, ../share/qdq beside the
// executable; else the tree this build was configured from.
std::string source_dir();

std::string default_known_answers_dir();

// Every *.jsonl file of `dir`, in name order. A missing folder, an unreadable file, a malformed
// line or a line without "expect" throws std::runtime_error naming the file and line.
std::vector<SuiteCase> load_known_answers(const std::string& dir);

}  // namespace qdq::conformance
