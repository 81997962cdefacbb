// The op's properties, each a RapidCheck property that draws its own cases (fuzz/generators.h) and
// states the profiles under which it holds. The same bodies run under GoogleTest
// (properties_test.cc, through RapidCheck's GoogleTest integration) and under `qdq fuzz`.
//
// A property checks the backends named in its Target: the reference (the arbitrary-precision
// model of TF) and the optimized ones alike, each only for the profiles and dtypes it supports.
// Every failure is also handed to the FailureLog, so that a runner can keep the shrunk case.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "conformance/backends.h"
#include "reference/contract/backend.h"

namespace qdq::fuzz {

// The backends a property run checks, by name ("reference", "cpu", "cpu-scalar").
struct Target {
  std::vector<std::string> backends;
  conformance::BackendOptions backend_options;
};

// The last failure a property reported on this thread: RapidCheck shrinks by rerunning the
// property, so after a failed check this holds the minimal case it found.
struct Failure {
  std::string property, backend, message;
  OpCase op_case;
};
void clear_last_failure();
std::optional<Failure> last_failure();
// Records the failure as the last one and fails the running RapidCheck property with it.
[[noreturn]] void fail_property(const std::string& property, const std::string& backend, const OpCase& c,
                                const std::string& message);

struct Property {
  std::string name;
  std::string holds_under;  // the profiles and conditions under which it holds (docs/fuzzing.md)
  std::function<void(const Target&)> body;
};

// Every property, in a fixed order.
const std::vector<Property>& properties();
const Property* find_property(const std::string& name);

}  // namespace qdq::fuzz
