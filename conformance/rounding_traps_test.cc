// The traps suite does what it claims: every trap element's exact output lies within the stated
// distance of a midpoint of T without being on it (recomputed here from the case alone: the exact
// op's formula, or for the TF profiles TF's integer r and inv from the reference's trace); the
// reference rounds each to the neighbour on its side; and a reference that rounds twice, through
// float64 (16- and 32-bit dtypes) or x87's 80-bit format (float64), answers some of them wrongly.
#include "conformance/rounding_traps.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <map>

#include "reference/exact/reference_backend.h"
#include "reference/exact/tf_op.h"

namespace qdq::conformance {
namespace {

using exact::Integer;
using exact::Rational;

Rational value_of(std::uint64_t b, DType t) { return exact::decode(b, format_of(t)).value(); }
std::string kind_of(const std::string& id) {
  const auto a = id.find('/', id.find('/', id.find('/') + 1) + 1) + 1;  // after traps/P/T/
  return id.substr(a, id.find('/', a) - a);
}

// The exact op's y = n·hi/Qmax for element k of a trap case (per-tensor, hi binding), from its
// definition in docs and README: n = round(x·s), s = Qmax/hi, clamped to [qmin, qmax].
Rational exact_output(const OpCase& c, std::size_t k) {
  const IntBounds q = integer_bounds(c.attrs);
  const Rational hi = value_of(c.input_max.bits(0), c.input.dtype);
  const Rational lo = value_of(c.input_min.bits(0), c.input.dtype);
  Rational s = Rational(q.hi) / hi;
  if (q.lo != 0 && lo < 0 && Rational(q.lo) / lo < s) s = Rational(q.lo) / lo;
  const exact::XFloat x = exact::decode(c.input.bits(k), format_of(c.input.dtype));
  Rational t = x.is_inf() ? Rational(x.neg ? q.lo : q.hi) : Rational(x.value() * s);
  t = std::max(Rational(q.lo), std::min(Rational(q.hi), t));
  const Rational shifted = round_mode_of(c.attrs) == RoundMode::HalfUp ? Rational(t + Rational(1, 2)) : t;
  Integer n = numerator(shifted) / denominator(shifted);
  if (n * denominator(shifted) != numerator(shifted) && shifted < 0) --n;  // floor
  if (round_mode_of(c.attrs) == RoundMode::HalfToEven) {
    const Rational frac = t - Rational(n);
    if (frac > Rational(1, 2) || (frac == Rational(1, 2) && bit_test(n, 0))) ++n;
  }
  return Rational(n) / s;
}

// TF's last multiply r ⊗ inv, exact, for element k (r and inv from the reference's trace).
Rational tf_last_product(const OpCase& c, std::size_t k) {
  const exact::TfTrace tr = exact::tf_forward_trace(profile(c.profile), c, static_cast<std::int64_t>(k));
  return exact::decode(tr.rounded, format_of(tr.step_type)).value() * value_of(tr.inv, c.input.dtype);
}

const std::vector<DType> kDTypes = {DType::BFloat16, DType::Float16, DType::Float32, DType::Float64};

TEST(RoundingTraps, EveryTrapLiesWithinItsBoundOfAMidpoint) {
  for (ProfileId p : kAllProfiles) {
    for (DType t : kDTypes) {
      std::map<std::string, int> traps;
      for (const SuiteCase& sc : rounding_traps(p, t)) {
        const std::string kind = kind_of(sc.id);
        ASSERT_TRUE(validate_case(sc.op_case).ok()) << sc.id;
        if (kind == "overflow" || kind == "reciprocal") continue;
        for (std::size_t k = 0; k < sc.op_case.input.size(); ++k) {
          const Rational y = profile(p).exact_arithmetic ? exact_output(sc.op_case, k) : tf_last_product(sc.op_case, k);
          const Rational off = abs(midpoint_offset(y, t));
          EXPECT_NE(off, 0) << sc.id << " element " << k << " lies on a midpoint";
          EXPECT_LE(off, trap_bound(p, t)) << sc.id << " element " << k << ": " << off.convert_to<double>() << " ULP";
          ++traps[kind];
        }
      }
      // Where the construction cannot reach the bound, say so: float16's range keeps the exact op's
      // y = n·hi/Qmax from combining the Qmax it needs with a representable hi in the normal range.
      int total = 0;
      for (const auto& [kind, count] : traps) total += count;
      if (profile(p).supports(t)) {
        EXPECT_GT(total, 0) << profile_name(p) << "/" << dtype_name(t) << ": no trap";
      }
      std::cout << profile_name(p) << "/" << dtype_name(t) << ":";
      for (const auto& [kind, count] : traps) std::cout << " " << kind << " " << count;
      std::cout << "\n";
    }
  }
}

// Both paths of the reference: the fast one (fixed-width integers) and the GMP one.
TEST(RoundingTraps, ReferenceRoundsEachTrapToTheNeighbourOnItsSide) {
  for (ReferencePath path : {ReferencePath::Fixed, ReferencePath::Gmp}) {
    ReferenceBackend reference(path);
    for (DType t : kDTypes) {
      for (const SuiteCase& sc : rounding_traps(ProfileId::Exact, t)) {
        const Outcome out = reference.run(sc.op_case);
        ASSERT_TRUE(out.status.ok()) << sc.id;
        for (std::size_t k = 0; k < sc.op_case.input.size(); ++k) {
          const Rational y = exact_output(sc.op_case, k);
          const exact::XFloat x = exact::decode(sc.op_case.input.bits(k), format_of(t));
          const exact::XFloat yx = y == 0 ? exact::XFloat::zero(x.neg) : exact::XFloat::of(y);
          EXPECT_EQ(out.outputs[0].bits(k), exact::round_to_format(yx, format_of(t), false))
              << reference.name() << ": " << sc.id << " element " << k;
        }
      }
    }
  }
}

// tf-xla's bfloat16 inv = hi ⊗ (1/Qmax) is rounded to float32 and then to bfloat16 (XLA folds the
// reciprocal in float32). For every bfloat16 significand and every Qmax that bfloat16 holds other
// than a power of two (2^m - 1, m = 2..8: 1/Qmax repeats hi's bits every m places), the two
// roundings agree with one, so no trap can be built there, and a path that rounds once is right.
TEST(RoundingTraps, XlaBfloat16ReciprocalNeverRoundsDifferentlyTwice) {
  const auto f32 = format_of(DType::Float32), bf16 = format_of(DType::BFloat16);
  int checked = 0;
  for (int m = 2; m <= 8; ++m) {
    const Rational q = Rational((Integer(1) << m) - 1);
    const Rational rcp = exact::decode(exact::round_to_format(exact::XFloat::of(1 / q), f32, false), f32).value();
    for (int h = 128; h < 256; ++h) {
      const Rational hi(h, 128);
      const std::uint64_t once = exact::round_to_format(exact::XFloat::of(hi * rcp), bf16, false);
      const std::uint64_t wide = exact::round_to_format(exact::XFloat::of(hi * rcp), f32, false);
      EXPECT_EQ(exact::round_to_format(exact::decode(wide, f32), bf16, false), once) << "hi " << h << "/128, Qmax 2^" << m << "-1";
      ++checked;
    }
  }
  EXPECT_EQ(checked, 7 * 128);
}

// The defect that random cases never show: y = n/s with s = Qmax ⊘ hi and n ⊘ s each rounded in a
// wider hardware format, then rounded to T. The suite must tell it from the exact op.
TEST(RoundingTraps, DoubleRoundingThroughAWiderFormatIsCaught) {
  ReferenceBackend reference;
  for (DType t : kDTypes) {
    if (t == DType::Float64 && std::numeric_limits<long double>::digits != 64) {
      GTEST_SKIP() << "long double is not x87's 80-bit format here; the float64 mutant needs it";
    }
    int caught = 0, traps = 0;
    for (const SuiteCase& sc : rounding_traps(ProfileId::Exact, t)) {
      if (kind_of(sc.id) == "overflow") continue;
      const OpCase& c = sc.op_case;
      const Outcome out = reference.run(c);
      const long double q = static_cast<long double>(integer_bounds(c.attrs).hi);
      const Rational hi = value_of(c.input_max.bits(0), t);
      for (std::size_t k = 0; k < c.input.size(); ++k) {
        const Rational y = exact_output(c, k);
        const Rational n = y * Rational(integer_bounds(c.attrs).hi) / hi;  // an integer
        std::uint64_t mutant;
        if (t == DType::Float64) {
          const long double s = q / hi.convert_to<long double>();
          const double v = static_cast<double>(n.convert_to<long double>() / s);
          std::memcpy(&mutant, &v, 8);
        } else {
          const double s = static_cast<double>(q) / hi.convert_to<double>();
          const double v = n.convert_to<double>() / s;
          std::uint64_t wide;
          std::memcpy(&wide, &v, 8);
          mutant = exact::round_to_format(exact::decode(wide, format_of(DType::Float64)), format_of(t), false);
        }
        ++traps;
        if (mutant != out.outputs[0].bits(k)) ++caught;
      }
    }
    std::cout << dtype_name(t) << ": " << caught << " of " << traps << " trap elements expose the mutant\n";
    // float16's narrow exponent range keeps y = n·hi/Qmax out of float64's reach: its traps are
    // subnormal ones no closer than about 2^-40 ULP, where float64's error is about 2^-42 ULP.
    if (t != DType::Float16) {
      EXPECT_GT(caught, 0) << dtype_name(t);
    }
  }
}

}  // namespace
}  // namespace qdq::conformance
