// The plain backends (cpu-scalar, and cuda-host: the CUDA code on the host) against the
// arbitrary-precision reference across the whole grid.
#include "conformance/grid.h"

#include <gtest/gtest.h>

#include <immintrin.h>

#include <set>

#include "conformance/engine.h"
#include "conformance/test_share.h"

namespace qdq::conformance {
namespace {

class GridTest : public ::testing::TestWithParam<std::tuple<ProfileId, DType>> {};

TEST_P(GridTest, PlainBackendsMatchReferenceBitForBit) {
  const auto [p, t] = GetParam();
  std::vector<SuiteCase> cases;
  for (GridCase& g : grid_cases(p, t)) cases.push_back({std::move(g.id), std::move(g.op_case), {}, {}, ""});
  cases = test_share(std::move(cases));
  for (const SuiteResult& r : run_suite("grid", cases, {"cpu-scalar", "cuda-host"}, RunOptions{20, 0, {}})) {
    for (const Mismatch& m : r.mismatches) ADD_FAILURE() << r.backend << ": " << format_mismatch(m);
    const Tally total = r.total();
    EXPECT_EQ(total.failed, 0) << r.backend;
    EXPECT_EQ(total.passed + total.skipped + total.undefined_cases, static_cast<long>(cases.size())) << r.backend;
    RecordProperty(r.backend + "_passed", std::to_string(total.passed));
    RecordProperty(r.backend + "_skipped", std::to_string(total.skipped));
    RecordProperty(r.backend + "_implementation_defined_elements", std::to_string(total.undefined));
  }
}

INSTANTIATE_TEST_SUITE_P(AllProfilesAndDTypes, GridTest,
                         ::testing::Combine(::testing::ValuesIn(kAllProfiles), ::testing::ValuesIn(kAllDTypes)),
                         [](const auto& param_info) {
                           std::string n = std::string(profile_name(std::get<0>(param_info.param))) + "_" +
                                           std::string(dtype_name(std::get<1>(param_info.param)));
                           for (char& ch : n) ch = ch == '-' || ch == '@' || ch == '.' ? '_' : ch;
                           return n;
                         });

TEST(Grid, CoversEveryAttributeCombination) {
  const auto cases = grid_cases(ProfileId::TfCpu, DType::Float32);
  std::set<std::tuple<std::string, bool, bool, bool, std::int64_t, std::int64_t>> seen;
  for (const GridCase& g : cases) {
    const Attrs& a = g.op_case.attrs;
    if (g.op_case.op == Op::Forward) seen.insert({a.round_mode, a.signed_input, a.narrow_range, a.range_given, a.axis, a.num_bits});
  }
  // 2 round modes x 2 narrow x 2 range_given x 4 axes x (12 signed + 13 unsigned num_bits)
  EXPECT_EQ(seen.size(), 2u * 2 * 2 * 4 * (12 + 13));
}

TEST(Grid, SameSeedSameCasesOtherSeedOtherRandomValues) {
  const auto a = grid_cases(ProfileId::TfXla, DType::Float16, 1), b = grid_cases(ProfileId::TfXla, DType::Float16, 1);
  const auto c = grid_cases(ProfileId::TfXla, DType::Float16, 2);
  ASSERT_EQ(a.size(), b.size());
  bool differs = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].op_case.input, b[i].op_case.input);
    differs |= !(a[i].op_case.input == c[i].op_case.input);
  }
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace qdq::conformance

namespace qdq::conformance {
namespace {

// The scalar backend models FTZ/DAZ in software: a caller running with MXCSR's FTZ and DAZ set
// (as TF's own threads do) must get the same bits. Worker threads inherit the caller's MXCSR.
TEST(Grid, ScalarBackendDoesNotDependOnTheCallersMxcsr) {
  std::vector<SuiteCase> cases;
  for (auto [p, t] : {std::pair{ProfileId::TfCpu, DType::Float32}, std::pair{ProfileId::TfXla, DType::BFloat16},
                      std::pair{ProfileId::TfCpu, DType::Float64}}) {
    for (GridCase& g : grid_cases(p, t)) cases.push_back({std::move(g.id), std::move(g.op_case), {}, {}, ""});
  }
  cases = test_share(std::move(cases));
  const unsigned saved = _mm_getcsr();
  _mm_setcsr(saved | 0x8040u);  // FTZ | DAZ
  const SuiteResult r = run_suite("grid", cases, {"cpu-scalar"}, RunOptions{20, 1, {}}).at(0);
  _mm_setcsr(saved);
  for (const Mismatch& m : r.mismatches) ADD_FAILURE() << format_mismatch(m);
  EXPECT_EQ(r.total().failed, 0);
  EXPECT_GT(r.total().passed, 0);
}

}  // namespace
}  // namespace qdq::conformance
