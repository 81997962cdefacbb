// Parsing of case lines: every malformed input gets a BadCase naming the line and the problem.
// Decimal data is checked against the hardware's conversions (strtof/strtod, F16C).
#include "conformance/case_io.h"
#include "reference/contract/host_cpu.h"

#include <gtest/gtest.h>
#include <immintrin.h>

#include <cstring>

namespace qdq::conformance {
namespace {

const char* kGood =
    R"({"id":"c1","op":"forward","profile":"tf-cpu","dtype":"float32","input":{"shape":[2],"data":["0x3f800000","-0.5"]}})";

std::string bad_message(const std::string& line) {
  auto r = parse_case_line(line, 7);
  const BadCase* b = std::get_if<BadCase>(&r);
  return b ? b->message : "(parsed)";
}

TEST(CaseIo, ParsesAGoodLineWithDefaults) {
  auto r = parse_case_line(kGood, 1);
  ASSERT_TRUE(std::holds_alternative<CaseLine>(r)) << std::get<BadCase>(r).message;
  const CaseLine& c = std::get<CaseLine>(r);
  EXPECT_EQ(c.id, "c1");
  EXPECT_EQ(c.op_case.attrs, Attrs{});
  EXPECT_EQ(c.op_case.input.bits(0), 0x3f800000u);
  EXPECT_EQ(c.op_case.input.bits(1), 0xbf000000u);
  EXPECT_EQ(c.op_case.input_min.shape, Shape{});  // omitted range: scalar +0
  EXPECT_EQ(c.op_case.input_min.bits(0), 0u);
}

TEST(CaseIo, EveryMalformedLineIsNamed) {
  const std::pair<std::string, std::string> cases[] = {
      {"{not json", "line 7: not valid JSON"},
      // found by fuzz_eval_case: a number too large for a double threw out_of_range, not parse_error
      {R"x(6666666E666666666J66"id":P)"})x", "line 7: not valid JSON"},
      {R"({"id":"x","n":1E400})", "line 7: not valid JSON"},
      {"[1,2]", "line 7: a case must be a JSON object"},
      {R"({"id":"x","profile":"tf-cpu","dtype":"float32","input":{"shape":[1],"data":["1"]},"colour":1})", "unknown key 'colour'"},
      {R"({"profile":"tf-cpu","dtype":"float32","input":{"shape":[1],"data":["1"]}})", "missing 'id'"},
      {R"({"id":"x","profile":"tf-tpu","dtype":"float32","input":{"shape":[1],"data":["1"]}})", "unknown profile 'tf-tpu'"},
      {R"({"id":"x","profile":"tf-cpu","dtype":"int8","input":{"shape":[1],"data":["1"]}})", "unknown dtype 'int8'"},
      {R"({"id":"x","op":"backward","profile":"tf-cpu","dtype":"float32","input":{"shape":[1],"data":["1"]}})", "unknown op 'backward'"},
      {R"({"id":"x","profile":"tf-cpu","dtype":"float32"})", "missing 'input'"},
      {R"({"id":"x","profile":"tf-cpu","dtype":"float32","input":{"shape":[3],"data":["1"]}})",
       "input: data has 1 elements, shape [3] needs 3"},
      {R"({"id":"x","profile":"tf-cpu","dtype":"float32","input":{"shape":[-1],"data":[]}})", "shape entries must be integers >= 0"},
      {R"({"id":"x","profile":"tf-cpu","dtype":"float32","input":{"shape":[1],"data":["0x3f80"]}})",
       "input.data[0]: '0x3f80' has 4 hex digits, float32 needs 8"},
      {R"({"id":"x","profile":"tf-cpu","dtype":"float16","input":{"shape":[1],"data":["0x3f800000"]}})",
       "'0x3f800000' has 8 hex digits, float16 needs 4"},
      {R"({"id":"x","profile":"tf-cpu","dtype":"float32","input":{"shape":[1],"data":["0x3f80000g"]}})", "is not hexadecimal"},
      {R"({"id":"x","profile":"tf-cpu","dtype":"float32","input":{"shape":[1],"data":["one"]}})",
       "'one' is neither 0x-hex bits nor a decimal number"},
      {R"({"id":"x","profile":"tf-cpu","dtype":"float32","input":{"shape":[1],"data":[1.5]}})", "expected a string"},
      {R"({"id":"x","profile":"tf-cpu","dtype":"float32","input":{"shape":[1],"data":["1"]},"attrs":{"num_bits":"8"}})",
       "attr 'num_bits' must be an int64 integer"},
      {R"({"id":"x","profile":"tf-cpu","dtype":"float32","input":{"shape":[1],"data":["1"]},"attrs":{"axis":9223372036854775808}})",
       "attr 'axis' must be an int64 integer"},
      {R"({"id":"x","profile":"tf-cpu","dtype":"float32","input":{"shape":[1],"data":["1"]},"attrs":{"axis":1.5}})",
       "attr 'axis' must be an int64 integer"},
      {R"({"id":"x","profile":"tf-cpu","dtype":"float32","input":{"shape":[1],"data":["1"]},"attrs":{"bits":8}})", "unknown attr 'bits'"},
      {R"({"id":"x","profile":"tf-cpu","dtype":"float32","input":{"shape":[1],"data":["1"]},"attrs":{"range_given":1}})",
       "attr 'range_given' must be true or false"},
      {R"({"id":"x","op":"gradient","profile":"tf-cpu","dtype":"float32","input":{"shape":[1],"data":["1"]},"gradients":{"shape":[1],"data":["1"]},"attrs":{"num_bits":8}})",
       "attr 'num_bits' does not apply to op gradient"},
      {R"({"id":"x","op":"gradient","profile":"tf-cpu","dtype":"float32","input":{"shape":[1],"data":["1"]}})", "op gradient needs 'gradients'"},
      {R"({"id":"x","profile":"tf-cpu","dtype":"float32","input":{"shape":[1],"data":["1"]},"gradients":{"shape":[1],"data":["1"]}})",
       "'gradients' belongs to op gradient only"},
      {R"({"id":"x","profile":"tf-cpu","dtype":"float32","input":{"shape":[1],"data":["1"]},"match":"roughly"})", "'match' must be"},
      {R"({"id":"x","profile":"tf-cpu","dtype":"float32","input":{"shape":[4294967296,4294967296],"data":[]}})", "is too large"},
  };
  for (const auto& [line, expected] : cases) {
    const std::string m = bad_message(line);
    EXPECT_NE(m.find(expected), std::string::npos) << "line: " << line << "\nmessage: " << m;
    EXPECT_EQ(m.rfind("line 7: ", 0), 0u) << m;
  }
}

TEST(CaseIo, BadCaseKeepsTheIdWhenItCanBeRead) {
  auto r = parse_case_line(R"({"id":"keep-me","profile":"nope","dtype":"float32","input":{"shape":[],"data":["0"]}})", 3);
  ASSERT_TRUE(std::holds_alternative<BadCase>(r));
  EXPECT_EQ(std::get<BadCase>(r).id, "keep-me");
  EXPECT_EQ(bad_case_json(std::get<BadCase>(r))["error"]["code"], "BadCase");
}

std::uint64_t parse_one(const char* dtype, const std::string& text) {
  const std::string line = std::string(R"({"id":"d","profile":"exact","dtype":")") + dtype +
                           R"(","input":{"shape":[1],"data":[")" + text + R"("]}})";
  auto r = parse_case_line(line, 1);
  if (auto* b = std::get_if<BadCase>(&r)) ADD_FAILURE() << b->message;
  return std::get<CaseLine>(r).op_case.input.bits(0);
}

__attribute__((target("f16c"))) std::uint16_t f16c(float f) {
  return static_cast<std::uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT));
}

TEST(CaseIo, DecimalsRoundToNearestEvenLikeTheHardware) {
  for (const char* text : {"0.3", "-0.555", "1e-40", "-1e-46", "3.4028235e38", "3.5e38", "0.1", "12345678.9", "-0", "1e-400"}) {
    float f = std::strtof(text, nullptr);
    std::uint32_t fb;
    std::memcpy(&fb, &f, 4);
    EXPECT_EQ(parse_one("float32", text), fb) << text;
    double d = std::strtod(text, nullptr);
    std::uint64_t db;
    std::memcpy(&db, &d, 8);
    EXPECT_EQ(parse_one("float64", text), db) << text;
  }
  if (host_has_f16c()) {
    // decimals that are floats exactly, so F16C's single rounding is the oracle
    for (const char* text : {"65504", "65520", "65519.99609375", "0.000000059604644775390625", "0.5009765625", "-3.140625"}) {
      EXPECT_EQ(parse_one("float16", text), f16c(std::strtof(text, nullptr))) << text;
    }
  }
  EXPECT_TRUE(is_nan_bits(DType::Float32, parse_one("float32", "nan")));
  EXPECT_EQ(parse_one("float32", "-inf"), 0xff800000u);
  EXPECT_EQ(parse_one("bfloat16", "inf"), 0x7f80u);
}

TEST(CaseIo, AnswersUseFullWidthLowercaseHex) {
  Outcome o;
  o.outputs.push_back(make_tensor(DType::Float16, {2}, {0x3c00, 0xABCD}));
  const auto j = answer_json("a", Op::Forward, o);
  EXPECT_EQ(j["output"]["data"][0], "0x3c00");
  EXPECT_EQ(j["output"]["data"][1], "0xabcd");
  EXPECT_EQ(hex_bits(DType::Float64, 1), "0x0000000000000001");
  o.undefined = {0, 1};  // a flag without alternatives (as golden files store them): unconstrained
  EXPECT_EQ(answer_json("a", Op::Forward, o)["implementation_defined"], nlohmann::ordered_json::array({1}));
  EXPECT_EQ(answer_json("a", Op::Forward, o)["unconstrained"], nlohmann::ordered_json::array({1}));
  EXPECT_FALSE(answer_json("a", Op::Forward, o).contains("bounded"));
  // Without classes (an "expect" that `qdq cases` writes), no lists at all.
  EXPECT_FALSE(answer_json("a", Op::Forward, o, false).contains("implementation_defined"));
}

TEST(CaseIo, CaseJsonRoundTrips) {
  auto r = parse_case_line(kGood, 1);
  const CaseLine& c = std::get<CaseLine>(r);
  auto again = parse_case_line(case_json("c1", c.op_case).dump(), 1);
  ASSERT_TRUE(std::holds_alternative<CaseLine>(again));
  EXPECT_EQ(std::get<CaseLine>(again).op_case.input, c.op_case.input);
  EXPECT_EQ(std::get<CaseLine>(again).op_case.attrs, c.op_case.attrs);
}

}  // namespace
}  // namespace qdq::conformance
