// One case through a loaded plug-in's forward() or gradient(), in this process.
#pragma once

#include "qdq/plugin.h"
#include "reference/contract/backend.h"

namespace qdq::plugin {

// Runs c through `api` and checks what it returned:
//   - a qdq_code other than OK: the outcome is that error with the plug-in's message;
//   - OK: every output allocated exactly once, each becoming an output of the outcome with the
//     shape the plug-in gave it (a wrong shape is then a mismatch, not a failure here);
//   - otherwise (an unknown code, OK with an output missing, an exception out of a C++ plug-in)
//     a failure saying so.
// allocate_output refuses (returns NULL, and the failure names it) an index out of range, a
// second allocation of one output, a negative dimension, a rank above 254, and more elements than
// the case's output has plus wire::kSpareElements. The caller's floating-point environment
// (rounding mode, x86 MXCSR flags) is restored after the call.
BatchAnswer call_plugin(const qdq_plugin& api, const OpCase& c);

}  // namespace qdq::plugin
