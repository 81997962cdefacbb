// libFuzzer target: `qdq verify`'s answer reader. The input is an answer file for a fixed case file
// of three small cases (forward per tensor, forward per channel, gradient); whatever it holds,
// verify_answers must judge it or name each problem by line, never crash, throw or hang.
#include <cstdint>
#include <sstream>
#include <string>

#include "conformance/verify.h"

namespace {

const char* const kCases =
    R"({"id":"a","profile":"tf-cpu","dtype":"float32","input":{"shape":[4],"data":["-1","-0.5","0","0.3"]}})" "\n"
    R"({"id":"b","profile":"tf-xla","dtype":"bfloat16","input":{"shape":[2,2],"data":["1","-2","0.5","nan"]},"input_min":{"shape":[2],"data":["0","0"]},"input_max":{"shape":[2],"data":["0","0"]},"attrs":{"axis":1,"round_mode":"HALF_UP"}})" "\n"
    R"({"id":"c","op":"gradient","profile":"tf-cpu","dtype":"float64","input":{"shape":[2],"data":["-2","0.5"]},"gradients":{"shape":[2],"data":["-3","4"]},"input_min":{"shape":[],"data":["-1"]},"input_max":{"shape":[],"data":["1"]}})" "\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream cases(kCases);
  std::istringstream answers(std::string(reinterpret_cast<const char*>(data), size));
  const auto r = qdq::conformance::verify_answers(cases, "cases", answers, "answers", qdq::conformance::RunOptions{20, 1, {}});
  const auto t = r.result.total();
  if (t.passed + t.failed + t.skipped + t.undefined_cases != 3) __builtin_trap();  // every case judged once
  return 0;
}
