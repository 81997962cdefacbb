// Golden files from the TF oracle's answers: every malformed or mismatched answer file is an error
// that names the line; nothing is dropped silently. And a written golden file verifies.
#include "conformance/golden_io.h"

#include <gtest/gtest.h>

#include <sstream>

#include "conformance/case_io.h"
#include "conformance/edge_cases.h"
#include "reference/exact/reference_backend.h"

namespace qdq::conformance {
namespace {

std::vector<SuiteCase> some_cases() {
  std::vector<SuiteCase> all = edge_cases(ProfileId::TfCpu, DType::Float32);
  all.resize(3);
  return all;
}

// The answers the reference gives, in the oracle's format.
std::string answers_text(const std::vector<SuiteCase>& cases) {
  ReferenceBackend ref;
  std::string text = R"({"provenance": {"tf_version": "2.21.0", "tf_mode": "test", "device": "CPU"}})" "\n";
  for (const SuiteCase& c : cases) text += answer_json(c.id, c.op_case.op, ref.run(c.op_case)).dump() + "\n";
  return text;
}

std::string error_of(const std::vector<SuiteCase>& cases, const std::string& text) {
  std::istringstream in(text);
  try {
    golden_from_answers(cases, in, {});
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(GoldenFromAnswers, TakesWellFormedAnswers) {
  const auto cases = some_cases();
  std::istringstream in(answers_text(cases));
  const golden::GoldenFile f = golden_from_answers(cases, in, {});
  ASSERT_EQ(f.cases.size(), cases.size());
  EXPECT_EQ(f.provenance.tf_version, "2.21.0");
  EXPECT_EQ(f.provenance.answers_from, "tensorflow");
  for (const auto& c : golden_suite_cases(f)) EXPECT_TRUE(c.known.has_value());
}

TEST(GoldenFromAnswers, EveryDefectNamesTheLine) {
  const auto cases = some_cases();
  const std::string good = answers_text(cases);
  std::vector<std::string> lines;
  std::istringstream split(good);
  for (std::string l; std::getline(split, l);) lines.push_back(l);
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& l : v) s += l + "\n";
    return s;
  };
  EXPECT_NE(error_of(cases, "").find("answers end after line 0"), std::string::npos);
  EXPECT_NE(error_of(cases, "{}\n").find("answers line 1: expected {\"provenance\""), std::string::npos);
  auto missing = lines;
  missing.pop_back();
  EXPECT_NE(error_of(cases, join(missing)).find("answers end after line 3"), std::string::npos);
  auto swapped = lines;
  std::swap(swapped[1], swapped[2]);
  EXPECT_NE(error_of(cases, join(swapped)).find("answers line 2: expected the answer to case"), std::string::npos);
  auto extra = lines;
  extra.push_back(lines.back());
  EXPECT_NE(error_of(cases, join(extra)).find("answers line 5: more answers than cases"), std::string::npos);
  auto broken = lines;
  broken[2] = "{not json";
  EXPECT_NE(error_of(cases, join(broken)).find("answers line 3: not valid JSON"), std::string::npos);
  auto short_data = lines;
  short_data[1] = R"({"id":")" + cases[0].id + R"(","output":{"shape":[4],"data":["0x00000000"]}})";
  EXPECT_NE(error_of(cases, join(short_data)).find("answers line 2: answer.output: data has 1 elements"), std::string::npos)
      << error_of(cases, join(short_data));
  // Fields of the wrong JSON type: named, not nlohmann's type_error.
  auto numeric_version = lines;
  numeric_version[0] = R"({"provenance": {"tf_version": 2.21}})";
  EXPECT_EQ(error_of(cases, join(numeric_version)), "answers line 1: provenance.tf_version must be a string");
  auto numeric_id = lines;
  numeric_id[1] = R"({"id": 7, "output": {"shape": [], "data": []}})";
  EXPECT_NE(error_of(cases, join(numeric_id)).find("answers line 2: expected the answer to case"), std::string::npos);
  auto error_list = lines;
  error_list[1] = R"({"id":")" + cases[0].id + R"(","error":{"code":["InvalidArgument"]}})";
  EXPECT_NE(error_of(cases, join(error_list)).find(R"(answers line 2: answer.error: expected an object with a string "code")"),
            std::string::npos)
      << error_of(cases, join(error_list));
}

}  // namespace
}  // namespace qdq::conformance
