// The optimized backend on every SIMD target Highway compiled that this CPU runs (AVX-512, AVX2,
// SSE4, scalar, ...), each restricted in turn, against the reference and TF: the known answers, the
// grid, edge and random suites and TF's golden files; float32 and float64, and bfloat16/float16
// under tf-xla (bfloat16 and float16 on AVX-512 with AVX512-BF16's and AVX512-FP16's instructions and without).
#include <gtest/gtest.h>
#include <hwy/targets.h>

#include "conformance/backends.h"
#include "conformance/golden_io.h"
#include "conformance/suites.h"
#include "conformance/known_answers.h"
#include "conformance/test_share.h"
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
  cases = test_share(std::move(cases));
  // The reference's answers once (they do not depend on the SIMD target), then each target judged
  // against them as run_suite judges a backend.
  std::vector<Outcome> expected(cases.size());
  parallel_for_each_index(cases.size(), 0, [&] {
    return [&, reference = make_backend("reference")](std::size_t i) { expected[i] = reference->run(cases[i].op_case); };
  });
  int targets = 0;
  // The target restricted to, and label naming it (and, for the AVX-512 target of a CPU with
  // AVX512-BF16, also with bfloat16 rounded in integers: the same bits either way).
  auto judge_target = [&](const std::string& name) {
    std::vector<Verdict> verdicts(cases.size());
    parallel_for_each_index(cases.size(), 0, [&] {
      return [&, cpu = make_backend("cpu")](std::size_t i) {
        const OpCase& c = cases[i].op_case;
        if (cpu->supports_op(c.op, c.profile, c.input.dtype)) verdicts[i] = judge_outcome(cases[i], expected[i], cpu->run(c));
        else verdicts[i].tally.skipped = 1;
      };
    });
    const SuiteResult r = collect("targets", "cpu", cases, verdicts, RunOptions{10, 0, {}});
    for (const Mismatch& m : r.mismatches) ADD_FAILURE() << name << ": " << format_mismatch(m);
    EXPECT_EQ(r.total().failed, 0) << name;
    EXPECT_GT(r.total().passed, 10000 / kTestStride) << name;
    RecordProperty(name, std::to_string(r.total().passed) + " passed");
    ++targets;
  };
  for (std::int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    const std::string name = cpu::simd::current_target();
    EXPECT_EQ(name, hwy::TargetName(target));
    judge_target(name);
    if (cpu::simd::current_target_uses_bf16_instructions() || cpu::simd::current_target_uses_fp16_instructions()) {
      cpu::simd::use_bf16_instructions(false);  // bfloat16 rounded in integers, float16 in float32 lanes
      cpu::simd::use_fp16_instructions(false);
      judge_target(name + "-without-bf16-fp16-instructions");
      cpu::simd::use_bf16_instructions(true);
      cpu::simd::use_fp16_instructions(true);
    }
  }
  EXPECT_GE(targets, 1);
}

}  // namespace
}  // namespace qdq::conformance
