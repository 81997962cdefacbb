// libFuzzer target: the `qdq eval` case parser (one JSON line). Whatever it accepts is validated
// and run through every backend (check_case.h); whatever it rejects must come back as a BadCase
// naming the line, never as a crash or an exception.
#include <cstdint>
#include <string_view>
#include <variant>

#include "conformance/case_io.h"
#include "fuzz/libfuzzer/check_case.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto parsed = qdq::conformance::parse_case_line(line, 1);
  if (auto* c = std::get_if<qdq::conformance::CaseLine>(&parsed)) qdq::fuzz::check_case(c->op_case);
  return 0;
}
