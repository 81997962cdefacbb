// The properties of fuzz/properties.h under GoogleTest. RapidCheck reads RC_PARAMS: CTest's
// `quick` label runs them with a fixed seed, `fuzz` with a fresh one and more cases (see
// fuzz/CMakeLists.txt). A failure prints the shrunk case as a `qdq eval` line, the seed in use
// and RapidCheck's reproduce string.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "conformance/backends.h"
#include "fuzz/properties.h"

namespace qdq::fuzz {
namespace {

const Target& every_backend() {
  static const Target t{conformance::backend_names(), {}};
  return t;
}

void check(const std::string& name) {
  const Property* p = find_property(name);
  ASSERT_NE(p, nullptr) << name;
  ::testing::Test::RecordProperty("holds_under", p->holds_under);
  p->body(every_backend());
}

RC_GTEST_PROP(Properties, Differential, ()) { check("differential"); }
RC_GTEST_PROP(Properties, Validation, ()) { check("validation"); }
RC_GTEST_PROP(Properties, GridAndClampBounds, ()) { check("grid"); }
RC_GTEST_PROP(Properties, Monotone, ()) { check("monotone"); }
RC_GTEST_PROP(Properties, PerChannelIsPerTensorPerSlice, ()) { check("per-channel"); }
RC_GTEST_PROP(Properties, Permutation, ()) { check("permutation"); }
RC_GTEST_PROP(Properties, GradientIsMaskMultiply, ()) { check("gradient"); }
RC_GTEST_PROP(Properties, IdempotentWithGivenRange, ()) { check("idempotence"); }

// Where a property does not hold: counterexamples the fuzzers found, with TF 2.21's own answers
// (tools/tf_oracle/oracle.py, recorded in docs/tf-behaviour.md), checked on every backend.
OpCase scalar_case(ProfileId p, DType t, std::vector<std::uint64_t> x, std::uint64_t lo, std::uint64_t hi, Attrs a) {
  OpCase c;
  c.profile = p;
  c.attrs = a;
  c.input = make_tensor(t, Shape{static_cast<std::int64_t>(x.size())}, x);
  c.input_min = make_tensor(t, Shape{}, {lo});
  c.input_max = make_tensor(t, Shape{}, {hi});
  return c;
}

void expect_output(const OpCase& c, const std::vector<std::uint64_t>& want) {
  for (const std::string& name : conformance::backend_names()) {
    const auto b = conformance::make_backend(name);
    if (!b->supports(c.profile, c.input.dtype)) continue;
    const Outcome o = b->run(c);
    ASSERT_TRUE(o.status.ok()) << name << ": " << o.status.message;
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(o.outputs[0].bits(i), want[i]) << name << " element " << i;
  }
}

TEST(Counterexamples, UnsignedRangeWithoutPositivePartIsNotIdempotent) {
  // tf-cpu float32, unsigned 2 bits, given range [-2^-8, -0]: inv = -0 / 3 = -0, lo' = hi' = -0.
  // Q(2^-20) = +0 (clamped to -0, times scale, times inv = -0), but Q(+0) = -0. TF 2.21: the same.
  Attrs a;
  a.signed_input = false;
  a.num_bits = 2;
  a.range_given = true;
  expect_output(scalar_case(ProfileId::TfCpu, DType::Float32, {0x35800000}, 0xbb800000, 0x80000000, a), {0x00000000});
  expect_output(scalar_case(ProfileId::TfCpu, DType::Float32, {0x00000000}, 0xbb800000, 0x80000000, a), {0x80000000});
}

TEST(Counterexamples, TwentyTwoBitsOfFloat32AreNotIdempotent) {
  // tf-cpu float32, unsigned 22 bits (p - 2), HALF_UP, given range [2^-7.68, same]: requantizing
  // Q(x) lands two ulps higher, the rounding errors of r ⊗ inv ⊗ scale ⊕ 0.5 reach half a step.
  // Found by `qdq fuzz --seconds 240 --seed 20261128`; TF 2.21: the same.
  Attrs a;
  a.signed_input = false;
  a.num_bits = 22;
  a.range_given = true;
  a.round_mode = "HALF_UP";
  expect_output(scalar_case(ProfileId::TfCpu, DType::Float32, {0x3b85555d}, 0x3ba00000, 0x3ba00000, a), {0x3b85555f});
  expect_output(scalar_case(ProfileId::TfCpu, DType::Float32, {0x3b85555f}, 0x3ba00000, 0x3ba00000, a), {0x3b855561});
}

TEST(Counterexamples, Float16ScaleOverflowIsNotMonotone) {
  // tf-xla float16, signed 10 bits, measured range [-0.0039, -6.1e-5]: qmin / lo = 131072 overflows
  // float16, so the scale is taken from the other side and inv = hi / 511 is negative: the two
  // negative inputs come out positive and in reverse order. TF 2.21 (XLA): the same.
  Attrs a;
  a.num_bits = 10;
  expect_output(scalar_case(ProfileId::TfXla, DType::Float16, {0x8400, 0x9c03}, 0, 0, a), {0x0008, 0x0200});
}

TEST(Properties, EveryPropertyHasATest) {
  // the list above names each property once
  EXPECT_EQ(properties().size(), 8u);
}

}  // namespace
}  // namespace qdq::fuzz
