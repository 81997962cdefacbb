// `qdq cases` and `qdq verify`, TestFloat style: the harness writes cases as JSON lines, a user's
// program answers them (the `qdq eval` answer format), and the answers are judged as the engine
// judges a backend: against TF's answers where a case carries one ("expect": known answers and
// golden files) and against the reference always, bit for bit.
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "conformance/engine.h"

namespace qdq::conformance {

// A case as a line of a case file: the case, and its expected outcome, match and source where it
// has a known one.
nlohmann::ordered_json case_line_json(const SuiteCase& c);

// Judges one answer to a case read from a file or made by a caller, as verify does: runs the
// reference, then judge_outcome (whose element classes, the reference's, also decide a known
// answer's comparison: a case file's "expect" carries none).
Verdict judge_answer(const SuiteCase& sc, const Outcome& observed, Backend& reference);

struct VerifyResult {
  SuiteResult result;                 // the matrix; the answers' "backend" is "answers"
  std::vector<std::string> problems;  // bad input, each naming its file and line (or the case)
  std::vector<std::string> notes;     // accepted but worth saying (answers out of order)
  long answered = 0, unsupported = 0;
};

// Reads the case file and the answer file and judges every case that has an answer. Answers are
// matched to cases by id, in any order. A malformed case or answer line, an answer to no case, a
// second answer to a case, an answer that is not of the case's shape, and a case left unanswered
// are each a problem naming its line; the rest is judged all the same. An answer with the code
// "Unsupported" counts the case as skipped. Elements whose TF answer is one of a known set are
// checked against it; those the reference leaves unconstrained are counted apart, never compared.
VerifyResult verify_answers(std::istream& cases, const std::string& cases_name, std::istream& answers,
                            const std::string& answers_name, const RunOptions& options);

// The same with the answers from a backend (make_backend(backend, options.backend)) instead of a
// file: a case it does not support is skipped, a case it fails on (a crashed plug-in) a failure.
// Throws what make_backend throws for a backend that cannot be made.
VerifyResult verify_backend(std::istream& cases, const std::string& cases_name, const std::string& backend,
                            const RunOptions& options);

}  // namespace qdq::conformance
