// The outcome of running the op: OK, or TensorFlow's error code and message.
#pragma once

#include <string>
#include <string_view>

namespace qdq {

// TF's absl status codes that this op can produce, and ProcessAbort: TF's process dies on a
// failed CHECK instead of returning a status (older releases, on inputs later releases reject).
enum class Code { Ok, InvalidArgument, NotFound, Unimplemented, ProcessAbort };
inline constexpr Code kErrorCodes[] = {Code::InvalidArgument, Code::NotFound, Code::Unimplemented, Code::ProcessAbort};

std::string_view code_name(Code c);  // "InvalidArgument", ... as TF spells them

struct Status {
  Code code = Code::Ok;
  std::string message;

  bool ok() const { return code == Code::Ok; }
  static Status Ok() { return {}; }
  bool operator==(const Status&) const = default;
};

inline Status invalid_argument(std::string m) { return {Code::InvalidArgument, std::move(m)}; }

}  // namespace qdq
