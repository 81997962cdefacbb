// `qdq eval`: JSON case lines in, one JSON answer line per case out, in order (docs/case-format.md).
#pragma once

#include <istream>
#include <ostream>

#include "reference/contract/backend.h"

namespace qdq::conformance {

struct EvalCounts {
  long cases = 0, bad_cases = 0, errors = 0, unsupported = 0;
  long backend_failures = 0;  // cases the backend could not run (e.g. a device error), answered BackendError
};

// Reads every line of `in`; answers each non-blank line on `out`. A malformed line gets a
// BadCase answer and the run goes on; the op's own rejections carry TF's code and message. A
// case whose profile and dtype the backend does not implement is answered with the harness's
// code Unsupported naming the backend, never with made-up outputs; a case the backend fails to run
// (it throws, e.g. on a CUDA error) with the harness's code BackendError and the reason.
EvalCounts run_eval(std::istream& in, std::ostream& out, Backend& backend);

}  // namespace qdq::conformance
