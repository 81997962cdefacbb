// `qdq eval` on mixed input: every line answered in order, bad lines as BadCase, the run goes on.
#include "conformance/eval.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

#include "conformance/backends.h"
#include "conformance/case_io.h"
#include "conformance/golden_io.h"
#include "golden/golden_file.h"
#include "reference/exact/reference_backend.h"

namespace qdq::conformance {
namespace {

std::vector<nlohmann::json> eval_lines(const std::string& input, const std::string& backend, EvalCounts* counts = nullptr) {
  std::istringstream in(input);
  std::ostringstream out;
  auto b = make_backend(backend);
  const EvalCounts c = run_eval(in, out, *b);
  if (counts) *counts = c;
  std::vector<nlohmann::json> answers;
  std::istringstream lines(out.str());
  for (std::string line; std::getline(lines, line);) answers.push_back(nlohmann::json::parse(line));
  return answers;
}

const std::string kMixed =
    R"({"id":"ok","profile":"tf-cpu","dtype":"float32","input":{"shape":[4],"data":["-1","-0.5","0","0.3"]}})" "\n"
    "this is not json\n"
    "\n"
    R"({"id":"short","profile":"tf-cpu","dtype":"float32","input":{"shape":[4],"data":["1"]}})" "\n"
    R"({"id":"rejected","profile":"tf-cpu","dtype":"float32","input":{"shape":[4],"data":["1","2","3","4"]},"attrs":{"num_bits":0}})" "\n"
    R"({"id":"grad","op":"gradient","profile":"tf-cpu","dtype":"float32","input":{"shape":[2],"data":["-2","0.5"]},"gradients":{"shape":[2],"data":["-3","4"]},"input_min":{"shape":[],"data":["-1"]},"input_max":{"shape":[],"data":["1"]}})" "\n"
    R"({"id":"exact","profile":"exact","dtype":"float32","input":{"shape":[1],"data":["1"]}})" "\n";

TEST(Eval, AnswersEveryLineInOrderAndGoesOnAfterBadOnes) {
  for (const char* backend : {"reference", "cpu-scalar"}) {
    EvalCounts counts;
    const auto a = eval_lines(kMixed, backend, &counts);
    ASSERT_EQ(a.size(), 6u) << backend;  // the blank line is not a case
    EXPECT_EQ(a[0]["id"], "ok");
    EXPECT_TRUE(a[0].contains("output"));
    EXPECT_EQ(a[1]["error"]["code"], "BadCase");
    EXPECT_TRUE(a[1]["id"].is_null());
    EXPECT_NE(a[1]["error"]["message"].get<std::string>().find("line 2:"), std::string::npos);
    EXPECT_EQ(a[2]["id"], "short");
    EXPECT_EQ(a[2]["error"]["code"], "BadCase");
    EXPECT_NE(a[2]["error"]["message"].get<std::string>().find("line 4:"), std::string::npos);
    EXPECT_EQ(a[3]["error"]["code"], "InvalidArgument");
    EXPECT_EQ(a[3]["error"]["message"], "num_bits is out of range: 0 with signed_input_ 1");
    EXPECT_EQ(a[4]["id"], "grad");
    EXPECT_TRUE(a[4].contains("input_backprop") && a[4].contains("input_min_backprop") && a[4].contains("input_max_backprop"));
    EXPECT_EQ(counts.bad_cases, 2);
    if (std::string(backend) == "cpu-scalar") {
      EXPECT_EQ(a[5]["error"]["code"], "Unsupported");
      EXPECT_EQ(counts.unsupported, 1);
    } else {
      EXPECT_TRUE(a[5].contains("output"));
    }
  }
}

TEST(Eval, BothBackendsGiveTheSameBits) {
  const auto r = eval_lines(kMixed, "reference");
  const auto s = eval_lines(kMixed, "cpu-scalar");
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(r[i], s[i]) << i;
}

TEST(Eval, ReferenceFlagsImplementationDefinedElements) {
  // NaN inside a range measured by TF's CPU kernel (docs/op-spec.md §2.9, §9): every element
  // implementation-defined and unconstrained.
  const auto a = eval_lines(R"({"id":"n","profile":"tf-cpu","dtype":"float32","input":{"shape":[3],"data":["1","nan","-1"]}})", "reference");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["implementation_defined"], nlohmann::json::array({0, 1, 2}));
  EXPECT_EQ(a[0]["unconstrained"], nlohmann::json::array({0, 1, 2}));
  EXPECT_FALSE(a[0].contains("bounded"));
}

// Where TF's answer is one of a known set (docs/op-spec.md §9, (b) and (c)), the answer lists each
// such element with its allowed values, the output's first; TF's own answer (the golden files') is
// one of them. Every golden case with such elements, both XLA causes and the CPU's sign of zero.
TEST(Eval, ReferenceListsTheAllowedValuesOfBoundedElements) {
  ReferenceBackend reference;
  for (const char* file : {"tf-2.21-xla.h5", "tf-2.21-cpu.h5"}) {
    std::string lines;
    std::vector<golden::GoldenCase> chosen;
    std::uint8_t causes = 0;
    for (golden::GoldenCase& c : golden::read_golden(default_golden_dir() + "/" + file).cases) {
      const Outcome r = reference.run(c.op_case);
      if (r.alternatives.empty()) continue;
      for (const Alternatives& alt : r.alternatives) causes |= alt.causes;
      lines += json_line(case_json(c.id, c.op_case)) + "\n";
      chosen.push_back(std::move(c));
    }
    EXPECT_EQ(causes, std::string(file).find("xla") != std::string::npos ? kSignOfMeasuredZero | kHalfUpContraction : kSignOfMeasuredZero)
        << file;
    const auto answers = eval_lines(lines, "reference");
    ASSERT_EQ(answers.size(), chosen.size());
    long bounded = 0;
    for (std::size_t i = 0; i < chosen.size(); ++i) {
      const nlohmann::json& a = answers[i];
      const Tensor& tf = chosen[i].answer.outputs[0];
      ASSERT_TRUE(a.contains("bounded")) << chosen[i].id;
      std::vector<std::size_t> listed;
      for (const nlohmann::json& b : a["bounded"]) {
        const auto k = b["element"].get<std::size_t>();
        listed.push_back(k);
        const auto values = b["values"].get<std::vector<std::string>>();
        ASSERT_GE(values.size(), 2u);
        EXPECT_EQ(values[0], a["output"]["data"][k]) << chosen[i].id;
        EXPECT_NE(std::find(values.begin(), values.end(), hex_bits(tf.dtype, tf.bits(k))), values.end())
            << chosen[i].id << "[" << k << "]: TF's answer is none of the allowed values";
        ++bounded;
      }
      // implementation_defined: the bounded and the unconstrained elements together, in order.
      std::vector<std::size_t> all = listed;
      if (a.contains("unconstrained")) {
        for (const auto& u : a["unconstrained"]) all.push_back(u.get<std::size_t>());
      }
      std::sort(all.begin(), all.end());
      EXPECT_EQ(a["implementation_defined"].get<std::vector<std::size_t>>(), all) << chosen[i].id;
    }
    EXPECT_GT(bounded, 0) << file;
  }
}

}  // namespace
}  // namespace qdq::conformance

namespace qdq::conformance {
namespace {

// A backend that cannot run anything, as a device with a failing allocation would.
class FailingBackend final : public Backend {
 public:
  std::string_view name() const override { return "failing"; }
  bool supports(ProfileId, DType) const override { return true; }
  Outcome run(const OpCase&) override { throw std::runtime_error("CUDA error: out of memory"); }
};

TEST(Eval, ABackendThatCannotRunACaseGetsBackendErrorAndTheRunGoesOn) {
  std::istringstream in(kMixed);
  std::ostringstream out;
  FailingBackend b;
  const EvalCounts c = run_eval(in, out, b);
  EXPECT_EQ(c.backend_failures, 4);  // every well-formed case line
  EXPECT_EQ(c.bad_cases, 2);         // the line that is not JSON, the data shorter than the shape
  std::istringstream lines(out.str());
  std::string first;
  std::getline(lines, first);
  const auto a = nlohmann::json::parse(first);
  EXPECT_EQ(a["id"], "ok");
  EXPECT_EQ(a["error"]["code"], "BackendError");
  EXPECT_EQ(a["error"]["message"], "CUDA error: out of memory");
}

// Bytes that are not UTF-8, in a malformed line or in what a backend says (a plug-in's message), are
// answered as valid JSON lines, with U+FFFD in their place.
class ScribblingBackend : public Backend {
 public:
  std::string_view name() const override { return "scribbling"; }
  bool supports(ProfileId, DType) const override { return true; }
  Outcome run(const OpCase&) override { return Outcome::rejected({Code::InvalidArgument, "bad \xff\xfe bytes"}); }
};

TEST(Eval, BytesThatAreNotUtf8AreAnsweredAsValidJson) {
  std::istringstream in("{\"id\":\"\xff\xfe\",\"profile\":\"tf-cpu\"}\n" + kMixed.substr(0, kMixed.find('\n') + 1));
  std::ostringstream out;
  ScribblingBackend b;
  const EvalCounts c = run_eval(in, out, b);
  EXPECT_EQ(c.bad_cases, 1);
  EXPECT_EQ(c.errors, 1);
  std::istringstream lines(out.str());
  std::vector<nlohmann::json> answers;
  for (std::string line; std::getline(lines, line);) answers.push_back(nlohmann::json::parse(line));  // throws if not UTF-8
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0]["error"]["code"], "BadCase");
  EXPECT_EQ(answers[1]["error"]["message"], "bad \xef\xbf\xbd\xef\xbf\xbd bytes");
}

}  // namespace
}  // namespace qdq::conformance
