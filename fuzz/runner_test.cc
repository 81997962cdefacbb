// The fuzz runner on a planted property (fails for any case of 3 elements or more): the failure is
// found, shrunk (no larger than the same check reports without shrinking), recorded with its seed and
// reproduce string, and replayed exactly from that string.
#include "fuzz/runner.h"

#include <gtest/gtest.h>

#include "fuzz/generators.h"

namespace qdq::fuzz {
namespace {

Property planted() {
  return {"planted", "never: fails for 3 elements or more", [](const Target&) {
            CaseSpec spec;
            spec.gradients = false;
            const OpCase c = *gen_case(spec);
            if (c.input.size() >= 3) fail_property("planted", "none", c, std::to_string(c.input.size()) + " elements");
          }};
}

TEST(FuzzRunner, FindsShrinksAndReplaysAFailure) {
  FuzzOptions o;
  o.seconds = 30;
  o.seed = 11;
  o.cases = 100;
  o.backends = {"reference"};
  long progress_calls = 0;
  const FuzzResult r = run_fuzz({planted()}, o, [&](const FuzzResult&) { ++progress_calls; });
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(progress_calls, r.checks);
  const FoundFailure& f = r.failures[0];
  EXPECT_EQ(f.failure.property, "planted");
  EXPECT_GE(f.failure.op_case.input.size(), 3u) << "the recorded case is the failing one";
  // The same check without shrinking reports the first failing case as drawn: a larger one.
  FuzzOptions unshrunk = o;
  unshrunk.shrink = false;
  const FuzzResult raw = run_fuzz({planted()}, unshrunk, [](const FuzzResult&) {});
  ASSERT_EQ(raw.failures.size(), 1u);
  EXPECT_LE(f.failure.op_case.input.size(), raw.failures[0].failure.op_case.input.size());
  EXPECT_GT(f.shrinks, 0);
  EXPECT_EQ(raw.failures[0].shrinks, 0);
  EXPECT_EQ(f.seed, 11u);
  EXPECT_EQ(f.reproduce.rfind("reproduce=", 0), 0u) << f.reproduce;

  FuzzOptions replay = o;
  replay.reproduce = f.reproduce;
  const FuzzResult again = run_fuzz({planted()}, replay, [](const FuzzResult&) {});
  ASSERT_EQ(again.failures.size(), 1u);
  EXPECT_EQ(again.failures[0].failure.op_case.input, f.failure.op_case.input);
  EXPECT_EQ(again.checks, 1);
}

TEST(FuzzRunner, PassingPropertiesRunUntilTheBudget) {
  FuzzOptions o;
  o.seconds = 0.5;
  o.cases = 20;
  const FuzzResult r = run_fuzz(select_properties({"differential", "gradient"}), o, [](const FuzzResult&) {});
  EXPECT_TRUE(r.failures.empty());
  EXPECT_GE(r.checks, 2);
  EXPECT_EQ(r.cases, 20 * r.checks);
}

TEST(FuzzRunner, RejectsUnknownNamesAndBadReproduceStrings) {
  EXPECT_THROW(select_properties({"no-such-property"}), std::invalid_argument);
  FuzzOptions o;
  o.backends = {"no-such-backend"};
  EXPECT_THROW(run_fuzz(select_properties({"differential"}), o, [](const FuzzResult&) {}), std::invalid_argument);
  FuzzOptions bad;
  bad.reproduce = "reproduce=%%%";
  EXPECT_THROW(run_fuzz(select_properties({"differential"}), bad, [](const FuzzResult&) {}), std::invalid_argument);
  FuzzOptions two;
  two.reproduce = "reproduce=x";
  EXPECT_THROW(run_fuzz(select_properties({}), two, [](const FuzzResult&) {}), std::invalid_argument);
}

}  // namespace
}  // namespace qdq::fuzz
