// Exhaustive 16-bit sweeps (CTest label `exhaustive`, run by tools/test.sh): every one of the 65,536
// bfloat16 and float16 bit patterns, for every profile that has a kernel for the dtype (tf-xla and
// its versioned profiles, exact; tf-cpu and tf-gpu answer NotFound for 16-bit dtypes), both round
// modes, signed and unsigned, narrow or not, a set of num_bits, given ranges and measured ones
// (fuzz/sixteen_bit_sweep.h). Expected values: the reference (its fast path, itself checked against
// TF's golden files and against its GMP path); judged bit for bit against them: cpu at every SIMD
// target Highway compiled that this CPU runs, cpu-scalar and cuda-host where they implement the
// profile, and, for `exact` (which only the reference computes), the reference's GMP path. Each
// test ends with a line counting what it checked.
#include <gtest/gtest.h>
#include <hwy/targets.h>
#include <tbb/parallel_for.h>

#include <atomic>
#include <functional>
#include <iostream>
#include <mutex>

#include "conformance/backends.h"
#include "conformance/case_io.h"
#include "conformance/compare.h"
#include "fuzz/sixteen_bit_sweep.h"
#include "impl/cpu/simd/kernels.h"

namespace qdq::fuzz {
namespace {

class Sweep : public ::testing::TestWithParam<std::tuple<ProfileId, DType>> {
 protected:
  void TearDown() override { hwy::SetSupportedTargetsForTest(0); }
};

TEST_P(Sweep, EveryPatternEveryBackend) {
  const ProfileId p = std::get<0>(GetParam());  // (not structured bindings: lambdas below capture them)
  const DType t = std::get<1>(GetParam());
  const std::vector<Attrs> configs = sweep_configs();
  const std::size_t kRangeCount = kSweepRanges.size();
  const std::size_t n = configs.size() * kRangeCount;

  // The cases and the reference's answers, once.
  std::vector<OpCase> cases(n);
  std::vector<Outcome> expected(n);
  std::mutex m;
  std::vector<std::string> failures;
  tbb::parallel_for(std::size_t{0}, n, [&](std::size_t job) {
    cases[job] = sweep_case(p, t, configs[job / kRangeCount], kSweepRanges[job % kRangeCount]);
    expected[job] = conformance::make_backend("reference")->run(cases[job]);
    if (!expected[job].status.ok()) {
      std::lock_guard lock(m);
      failures.push_back("reference rejected " + conformance::case_json("sweep", cases[job]).dump().substr(0, 300) + ": " +
                         expected[job].status.message);
    }
  });
  for (const std::string& f : failures) ADD_FAILURE() << f;
  ASSERT_TRUE(failures.empty());

  std::atomic<long> elements{0}, undefined{0}, runs{0};
  std::vector<std::string> judged;
  // Every case through one backend (made once per job), judged against the reference's answer.
  auto judge = [&](const std::string& label, const std::function<std::unique_ptr<Backend>()>& make) {
    judged.push_back(label);
    tbb::parallel_for(std::size_t{0}, n, [&](std::size_t job) {
      const conformance::Comparison r = conformance::compare_outcomes("sweep", cases[job], expected[job], make()->run(cases[job]));
      elements += r.elements;
      undefined += r.undefined;
      ++runs;
      if (!r.ok()) {
        std::lock_guard lock(m);
        const Attrs& a = cases[job].attrs;
        failures.push_back(label + " " + a.round_mode + (a.signed_input ? " signed" : " unsigned") + (a.narrow_range ? " narrow" : "") +
                           " b" + std::to_string(a.num_bits) + (a.range_given ? " given" : " measured") + ": " +
                           std::to_string(r.mismatches.size()) + " mismatches, first " + conformance::format_mismatch(r.mismatches.front()));
      }
    });
  };
  for (const char* name : {"cpu-scalar", "cuda-host"}) {
    if (conformance::make_backend(name)->supports(p, t)) judge(name, [name] { return conformance::make_backend(name); });
  }
  if (conformance::make_backend("cpu")->supports(p, t)) {
    for (std::int64_t target : hwy::SupportedAndGeneratedTargets()) {
      hwy::SetSupportedTargetsForTest(target);
      judge(std::string("cpu@") + hwy::TargetName(target), [] { return conformance::make_backend("cpu"); });
      if (t == DType::BFloat16 && cpu::simd::current_target_uses_bf16_instructions()) {  // and in integers
        cpu::simd::use_bf16_instructions(false);
        judge(std::string("cpu@") + hwy::TargetName(target) + "-integer-rounding", [] { return conformance::make_backend("cpu"); });
        cpu::simd::use_bf16_instructions(true);
      }
      if (t == DType::Float16 && cpu::simd::current_target_uses_fp16_instructions()) {  // and in float32 lanes
        cpu::simd::use_fp16_instructions(false);
        judge(std::string("cpu@") + hwy::TargetName(target) + "-float32-lanes", [] { return conformance::make_backend("cpu"); });
        cpu::simd::use_fp16_instructions(true);
      }
    }
    hwy::SetSupportedTargetsForTest(0);
  }
  if (profile(p).exact_arithmetic) judge("reference-gmp", [] { return conformance::make_backend("reference-gmp"); });
  ASSERT_FALSE(judged.empty()) << "nothing judges " << profile_name(p) << "/" << dtype_name(t);

  for (const std::string& f : failures) ADD_FAILURE() << f;
  std::string names;
  for (const std::string& j : judged) names += (names.empty() ? "" : ", ") + j;
  const std::string line = std::string(profile_name(p)) + "/" + std::string(dtype_name(t)) + ": 65536 patterns x " +
                           std::to_string(n) + " configurations, " + std::to_string(runs.load()) + " backend runs (" + names +
                           "), " + std::to_string(elements.load()) + " elements compared bit for bit, " +
                           std::to_string(undefined.load()) + " implementation-defined, " + std::to_string(failures.size()) +
                           " failing runs";
  std::cout << "exhaustive: " << line << "\n";
  RecordProperty("checked", line);
}

std::vector<std::tuple<ProfileId, DType>> sweeps() {
  std::vector<std::tuple<ProfileId, DType>> out;
  for (DType t : {DType::BFloat16, DType::Float16}) {
    for (ProfileId p : kAllProfiles) {
      if (profile(p).supports(t)) out.emplace_back(p, t);
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(SixteenBit, Sweep, ::testing::ValuesIn(sweeps()), [](const auto& param_info) {
  std::string n = std::string(profile_name(std::get<0>(param_info.param))) + "_" + std::string(dtype_name(std::get<1>(param_info.param)));
  for (char& ch : n) {
    if (ch == '-' || ch == '@' || ch == '.') ch = '_';
  }
  return n;
});

}  // namespace
}  // namespace qdq::fuzz
