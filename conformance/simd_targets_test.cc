// The optimized backend on every SIMD target Highway compiled that this CPU runs (AVX-512, AVX2,
// SSE4, scalar, ...), each restricted in turn, against the reference and TF: the known answers, the
// grid, edge and random suites and TF's golden files; float32 and float64, and bfloat16/float16
// under tf-xla.
#include <gtest/gtest.h>
#include <hwy/targets.h>

#include "conformance/golden_io.h"
#include "conformance/suites.h"
#include "conformance/known_answers.h"
#include "impl/cpu/simd/kernels.h"

namespace qdq::conformance {
namespace {

class SimdTargets : public ::testing::Test {
 protected:
  void TearDown() override { hwy::SetSupportedTargetsForTest(0); }
};

TEST_F(SimdTargets, EverySuiteOnEveryTarget) {
  std::vector<SuiteCase> cases;
  for (ProfileId p : {ProfileId::TfCpu, ProfileId::TfXla, ProfileId::TfGpu}) {
    for (DType t : kAllDTypes) {
      if ((t == DType::BFloat16 || t == DType::Float16) && p != ProfileId::TfXla) continue;
      for (const char* s : {"known", "grid", "edge", "random"}) {
        for (SuiteCase& c : suite_cases(s, p, t, 20261127, default_known_answers_dir())) cases.push_back(std::move(c));
      }
    }
  }
  for (const std::string& file : golden_files_in(default_golden_dir())) {
    for (SuiteCase& c : golden_suite_cases(golden::read_golden(file))) cases.push_back(std::move(c));
  }
  int targets = 0;
  for (std::int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    const SuiteResult r = run_suite("targets", cases, {"cpu"}, RunOptions{10, 0, {}}).at(0);
    const std::string name = cpu::simd::current_target();
    EXPECT_EQ(name, hwy::TargetName(target));
    for (const Mismatch& m : r.mismatches) ADD_FAILURE() << name << ": " << format_mismatch(m);
    EXPECT_EQ(r.total().failed, 0) << name;
    EXPECT_GT(r.total().passed, 10000) << name;
    RecordProperty(name, std::to_string(r.total().passed) + " passed");
    ++targets;
  }
  EXPECT_GE(targets, 1);
}

}  // namespace
}  // namespace qdq::conformance
