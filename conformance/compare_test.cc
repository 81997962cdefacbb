#include "conformance/compare.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>

#include "conformance/engine.h"
#include "conformance/golden_io.h"
#include "golden/golden_file.h"
#include "reference/exact/reference_backend.h"

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

// Judged against TF's answer and the reference's, a wrong element is one mismatch naming whose
// answer it contradicts: both where they agree, TF alone (with the reference's value) where not.
TEST(Compare, OneMismatchPerElementNamesWhoseAnswer) {
  const OpCase c = forward_case({0x3f800000, 0x3f800000, 0x3f800000});
  const Outcome reference = outputs({0x3f800000, 0x40000000, 0x40400000});
  SuiteCase sc{"who", c, outputs({0x3f800000, 0x40000000, 0x40400001}), {}, "test"};
  const Verdict v = judge_outcome(sc, reference, outputs({0x3f800000, 0x12345678, 0x12345678}));
  ASSERT_EQ(v.mismatches.size(), 2u);
  EXPECT_EQ(v.mismatches[0].element, 1);
  EXPECT_EQ(v.mismatches[0].expected_by, "TensorFlow and the reference");
  EXPECT_EQ(v.mismatches[0].reference_expected, "");
  EXPECT_NE(format_mismatch(v.mismatches[0]).find("who output[1] input 0x3f800000 expected 0x40000000 (TensorFlow and the reference) observed 0x12345678"),
            std::string::npos) << format_mismatch(v.mismatches[0]);
  EXPECT_EQ(v.mismatches[1].element, 2);
  EXPECT_EQ(v.mismatches[1].expected_by, "TensorFlow");
  EXPECT_EQ(v.mismatches[1].reference_expected, "0x40400000");
  EXPECT_NE(format_mismatch(v.mismatches[1]).find("expected 0x40400001 (TensorFlow; the reference: 0x40400000) observed"),
            std::string::npos) << format_mismatch(v.mismatches[1]);
  // Where the observed value is TF's but not the reference's, the reference alone expects another.
  const Verdict r = judge_outcome(sc, reference, outputs({0x3f800000, 0x40000000, 0x40400001}));
  ASSERT_EQ(r.mismatches.size(), 1u);
  EXPECT_EQ(r.mismatches[0].expected_by, "the reference");
  // With no answer of TF's, the reference alone judges.
  sc.known.reset();
  const Verdict alone = judge_outcome(sc, reference, outputs({0x3f800000, 0x12345678, 0x40400000}));
  ASSERT_EQ(alone.mismatches.size(), 1u);
  EXPECT_NE(format_mismatch(alone.mismatches[0]).find("expected 0x40000000 (the reference) observed 0x12345678"), std::string::npos);
}

// A case of a committed golden file (TF's answer) with the reference's outcome, the first for which
// pick(reference outcome) holds.
struct Found {
  golden::GoldenCase c;
  Outcome reference;
};
std::optional<Found> first_in_golden(const std::string& file, const std::function<bool(const Outcome&)>& pick) {
  ReferenceBackend ref;
  for (golden::GoldenCase& c : golden::read_golden(default_golden_dir() + "/" + file).cases) {
    Outcome r = ref.run(c.op_case);
    if (pick(r)) return Found{std::move(c), std::move(r)};
  }
  return std::nullopt;
}

// The reference's first Bounded element with the cause.
const Alternatives* bounded_by(const Outcome& r, std::uint8_t cause) {
  for (const Alternatives& a : r.alternatives) {
    if (a.causes & cause) return &a;
  }
  return nullptr;
}

// A value of the element that is none of the allowed ones: the first allowed value with its last bit
// flipped, or further bits where that is allowed too.
std::uint64_t outside(const Alternatives& a) {
  for (std::uint64_t bit = 1;; bit <<= 1) {
    const std::uint64_t v = a.values[0] ^ bit;
    if (std::find(a.values.begin(), a.values.end(), v) == a.values.end()) return v;
  }
}

Outcome with_element(Outcome o, std::size_t k, std::uint64_t bits) {
  o.outputs[0].set_bits(k, bits);
  return o;
}

// docs/op-spec.md §9, (b) and (c): TF's answer is one of a known set; an element passes with any of
// it and fails with anything else, and the MISMATCH line lists the set.
TEST(Compare, ABoundedElementPassesWithAnyAllowedValueAndFailsWithAnother) {
  for (const auto& file_cause : {std::pair{"tf-2.21-xla.h5", kHalfUpContraction}, std::pair{"tf-2.21-xla.h5", kSignOfMeasuredZero},
                                 std::pair{"tf-2.21-cpu.h5", kSignOfMeasuredZero}}) {
    // (not structured bindings: clang 14 cannot capture them in the lambda below)
    const char* file = file_cause.first;
    const auto cause = file_cause.second;
    const auto f = first_in_golden(file, [&](const Outcome& r) { return bounded_by(r, cause) != nullptr; });
    ASSERT_TRUE(f) << file << ": no case with cause " << int(cause);
    const Outcome& ref = f->reference;
    const Alternatives& a = *bounded_by(ref, cause);
    ASSERT_GE(a.values.size(), 2u);
    EXPECT_EQ(a.values[0], ref.outputs[0].bits(a.element));  // the output holds the first
    EXPECT_EQ(ref.element_class(a.element), ElementClass::Bounded);
    for (std::uint64_t v : a.values) {
      const Comparison r = compare_outcomes(f->c.id, f->c.op_case, ref, with_element(ref, a.element, v));
      EXPECT_TRUE(r.ok()) << f->c.id << ": allowed value " << hex_bits(ref.outputs[0].dtype, v);
      EXPECT_EQ(r.bounded, static_cast<std::int64_t>(ref.alternatives.size()));
      EXPECT_EQ(r.undefined, 0);
      EXPECT_EQ(r.elements, static_cast<std::int64_t>(ref.outputs[0].size()));  // every element compared
    }
    // TF's own answer (the golden file's) is one of them, and judged by the reference's classes it passes.
    const std::uint64_t tf = f->c.answer.outputs[0].bits(a.element);
    EXPECT_NE(std::find(a.values.begin(), a.values.end(), tf), a.values.end()) << f->c.id;
    EXPECT_TRUE(compare_outcomes(f->c.id, f->c.op_case, f->c.answer, ref, {}, false, &ref).ok()) << f->c.id;

    const std::uint64_t third = outside(a);
    const Comparison r = compare_outcomes(f->c.id, f->c.op_case, ref, with_element(ref, a.element, third));
    ASSERT_EQ(r.mismatches.size(), 1u) << f->c.id;
    const DType t = ref.outputs[0].dtype;
    std::string set;
    for (std::uint64_t v : a.values) set += (set.empty() ? "" : ", ") + hex_bits(t, v);
    const std::string line = format_mismatch(r.mismatches[0]);
    EXPECT_NE(line.find(fmt::format("{} output[{}] input {} expected one of {{{}}} observed {}", f->c.id, a.element,
                                    hex_bits(t, f->c.op_case.input.bits(a.element)), set, hex_bits(t, third))),
              std::string::npos)
        << line;
    EXPECT_EQ(r.mismatches[0].allowed.size(), a.values.size());
  }
}

// A known answer outside the reference's set is itself reported: the reference's set would be wrong.
TEST(Compare, AKnownAnswerOutsideTheAllowedSetIsAMismatch) {
  const auto f = first_in_golden("tf-2.21-xla.h5", [](const Outcome& r) { return !r.alternatives.empty(); });
  ASSERT_TRUE(f);
  const Alternatives& a = f->reference.alternatives[0];
  const Outcome known = with_element(f->c.answer, a.element, outside(a));
  const Comparison r = compare_outcomes(f->c.id, f->c.op_case, known, f->reference, {}, false, &f->reference);
  ASSERT_EQ(r.mismatches.size(), 1u);
  EXPECT_NE(format_mismatch(r.mismatches[0]).find(", none of the allowed {"), std::string::npos) << format_mismatch(r.mismatches[0]);
  // Under a tolerance (TF's own test vectors) the expected value is approximate, not TF's bits: an
  // allowed observed value passes.
  EXPECT_TRUE(compare_outcomes(f->c.id, f->c.op_case, known, f->reference, Match{Match::Tolerance, 0, 0}, false, &f->reference).ok());
  // The engine judges a golden case so: the reference itself fails such a known answer.
  SuiteCase sc{f->c.id, f->c.op_case, known, {}, "golden"};
  EXPECT_EQ(judge_outcome(sc, f->reference, f->reference, true).tally.failed, 1);
  sc.known = f->c.answer;
  const Verdict ok = judge_outcome(sc, f->reference, f->reference, true);
  EXPECT_EQ(ok.tally.passed, 1);
  EXPECT_EQ(ok.tally.bounded, static_cast<long>(f->reference.alternatives.size()));
}

// (a): a NaN inside a range measured by TF's CPU kernel leaves the channel unconstrained: never
// compared, counted apart; a case of nothing else is neither passed nor failed.
TEST(Compare, AnUnconstrainedElementIsStillLeftOut) {
  const auto f = first_in_golden("tf-2.21-cpu.h5", [](const Outcome& r) {
    return !r.undefined.empty() && r.alternatives.empty() &&
           std::all_of(r.undefined.begin(), r.undefined.end(), [](std::uint8_t u) { return u == 1; });
  });
  ASSERT_TRUE(f);
  const Outcome& ref = f->reference;
  EXPECT_FALSE(ref.undefined_reason.empty());
  Outcome garbage = ref;
  for (std::size_t k = 0; k < garbage.outputs[0].size(); ++k) garbage.outputs[0].set_bits(k, ref.outputs[0].bits(k) ^ 1);
  const Comparison r = compare_outcomes(f->c.id, f->c.op_case, ref, garbage);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.undefined, static_cast<std::int64_t>(ref.outputs[0].size()));
  EXPECT_EQ(r.bounded, 0);
  EXPECT_EQ(r.elements, 0);
  const Verdict v = judge_outcome({f->c.id, f->c.op_case, f->c.answer, {}, "golden"}, ref, garbage);
  EXPECT_EQ(v.tally.undefined_cases, 1);
  EXPECT_EQ(v.tally.undefined, r.undefined);
}

// Both reference paths (the fast one and GMP's) share TF's algorithm, so they give every
// implementation-defined element the same class and the same allowed values, in the same order.
TEST(Compare, BothReferencePathsGiveTheSameAlternatives) {
  ReferenceBackend fast, gmp(ReferencePath::Gmp);
  for (const char* file : {"tf-2.21-xla.h5", "tf-2.21-cpu.h5"}) {
    long checked = 0;
    for (const golden::GoldenCase& c : golden::read_golden(default_golden_dir() + "/" + file).cases) {
      const Outcome f = fast.run(c.op_case);
      if (f.undefined.empty()) continue;
      const Outcome g = gmp.run(c.op_case);
      EXPECT_EQ(f.undefined, g.undefined) << c.id;
      EXPECT_EQ(f.alternatives, g.alternatives) << c.id;
      EXPECT_EQ(f.undefined_reason, g.undefined_reason) << c.id;
      ++checked;
    }
    EXPECT_GT(checked, 0) << file;
  }
}

// Flags without alternatives (a golden file's, which store 1 for every flagged element; or a
// Bounded byte with no entry) read as unconstrained.
TEST(Compare, FlagsWithoutAlternativesAreUnconstrained) {
  const OpCase c = forward_case({0x3f800000, 0x3f800000, 0x3f800000});
  Outcome expected = outputs({0x3f800000, 0x40000000, 0x40400000});
  expected.undefined = {0, 1, 2};
  const Comparison r = compare_outcomes("u", c, expected, outputs({0x3f800000, 0x12345678, 0x12345678}));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.undefined, 2);
  EXPECT_EQ(r.bounded, 0);
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
