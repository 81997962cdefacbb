// TF's own test vectors through every backend, and the loader's errors.
#include "conformance/known_answers.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "conformance/backends.h"

namespace qdq::conformance {
namespace {

TEST(KnownAnswers, EveryBackendReproducesTfTestVectors) {
  const std::vector<SuiteCase> cases = load_known_answers(default_known_answers_dir());
  ASSERT_GE(cases.size(), 51u);
  for (const std::string& backend : backend_names()) {
    for (const SuiteResult& r : run_suite("known", cases, {backend}, RunOptions{50, 0, {}})) {
      const Tally t = r.total();
      EXPECT_EQ(t.failed, 0) << backend;
      EXPECT_EQ(t.passed + t.skipped, static_cast<long>(cases.size()));
      EXPECT_GT(t.passed, 0) << backend;
      for (const Mismatch& m : r.mismatches) ADD_FAILURE() << backend << ": " << format_mismatch(m);
    }
  }
}

class LoaderErrors : public ::testing::Test {
 protected:
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("qdq-known-" + std::to_string(::getpid()));
  void SetUp() override { std::filesystem::create_directories(dir); }
  void TearDown() override { std::filesystem::remove_all(dir); }
  void write(const std::string& text) { std::ofstream(dir / "a.jsonl") << text; }
  std::string error() {
    try {
      load_known_answers(dir.string());
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "(no error)";
  }
};

TEST_F(LoaderErrors, NamesTheFileAndLine) {
  EXPECT_NE(error().find("no .jsonl file"), std::string::npos);
  write("\n{oops\n");
  EXPECT_NE(error().find("a.jsonl: line 2: not valid JSON"), std::string::npos) << error();
  write(R"({"id":"x","profile":"tf-cpu","dtype":"float32","input":{"shape":[],"data":["1"]},"source":"s"})");
  EXPECT_NE(error().find("line 1: no \"expect\""), std::string::npos) << error();
  write(R"({"id":"x","profile":"tf-cpu","dtype":"float32","input":{"shape":[],"data":["1"]},"expect":{"output":{"shape":[],"data":["1"]}}})");
  EXPECT_NE(error().find("line 1: no \"source\""), std::string::npos) << error();
  EXPECT_NE([] {
    try {
      load_known_answers("/nonexistent/folder");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string();
  }().find("is not a folder"), std::string::npos);
}

}  // namespace
}  // namespace qdq::conformance
