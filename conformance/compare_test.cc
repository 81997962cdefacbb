#include "conformance/compare.h"

#include <gtest/gtest.h>

namespace qdq::conformance {
namespace {

OpCase forward_case(std::vector<std::uint64_t> input) {
  OpCase c;
  c.input = make_tensor(DType::Float32, {static_cast<std::int64_t>(input.size())}, input);
  c.input_min = Tensor(DType::Float32, {});
  c.input_max = Tensor(DType::Float32, {});
  return c;
}

Outcome outputs(std::vector<std::uint64_t> bits) {
  Outcome o;
  o.outputs.push_back(make_tensor(DType::Float32, {static_cast<std::int64_t>(bits.size())}, bits));
  return o;
}

TEST(Compare, SignedZerosDifferAndNaNsMatch) {
  const OpCase c = forward_case({0x3f800000, 0x3f800000});
  EXPECT_FALSE(compare_outcomes("z", c, outputs({0x00000000, 1}), outputs({0x80000000, 1})).ok());
  EXPECT_TRUE(compare_outcomes("n", c, outputs({0x7fc00000, 1}), outputs({0xffc00000, 1})).ok());
  EXPECT_FALSE(compare_outcomes("n", c, outputs({0x7fc00000, 1}), outputs({0xffc00000, 1}), {}, /*strict_nan=*/true).ok());
  EXPECT_FALSE(compare_outcomes("n", c, outputs({0x7fc00000, 1}), outputs({0x7f800000, 1})).ok());
}

TEST(Compare, UndefinedElementsAreSkippedAndCounted) {
  const OpCase c = forward_case({0x3f800000, 0x3f800000});
  Outcome expected = outputs({0x3f800000, 0x40000000});
  expected.undefined = {0, 1};
  const Comparison r = compare_outcomes("u", c, expected, outputs({0x3f800000, 0x12345678}));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.undefined, 1);
  EXPECT_EQ(r.elements, 1);
}

TEST(Compare, StatusAndShapeMismatches) {
  const OpCase c = forward_case({0x3f800000});
  Outcome err;
  err.status = invalid_argument("boom");
  const Comparison s = compare_outcomes("s", c, err, outputs({0}));
  ASSERT_EQ(s.mismatches.size(), 1u);
  EXPECT_EQ(s.mismatches[0].output, "status");
  EXPECT_EQ(format_mismatch(s.mismatches[0]), "s status expected InvalidArgument \"boom\" observed OK");
  Outcome other = err;
  other.status.message = "boom!";
  EXPECT_FALSE(compare_outcomes("s", c, err, other).ok());
  EXPECT_FALSE(compare_outcomes("shape", c, outputs({0}), outputs({0, 0})).ok());
}

TEST(Compare, MismatchLineNamesEverything) {
  const OpCase c = forward_case({0x3f000000});
  const Comparison r = compare_outcomes("case-7", c, outputs({0x3f000000}), outputs({0x3f000002}));
  ASSERT_EQ(r.mismatches.size(), 1u);
  const std::string line = format_mismatch(r.mismatches[0]);
  EXPECT_NE(line.find("case-7 output[0] input 0x3f000000 expected 0x3f000000 observed 0x3f000002"), std::string::npos) << line;
  EXPECT_NE(line.find("+2 ulp"), std::string::npos) << line;
}

TEST(Compare, ToleranceOnlyWhereAKnownAnswerAsksForIt) {
  const OpCase c = forward_case({0x3f000000});
  Match near{Match::Tolerance, 1e-5, 0};
  EXPECT_TRUE(compare_outcomes("t", c, outputs({0x3f000000}), outputs({0x3f000002}), near).ok());
  EXPECT_FALSE(compare_outcomes("t", c, outputs({0x3f000000}), outputs({0x3f100000}), near).ok());
}

}  // namespace
}  // namespace qdq::conformance
