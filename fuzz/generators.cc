#include "fuzz/generators.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "conformance/case_io.h"
#include "reference/exact/exact_float.h"

namespace qdq::fuzz {
namespace {

using exact::Integer;
using exact::Rational;

// The value nearest to v in t (ties to even, gradual underflow, overflow to infinity).
std::uint64_t nearest(DType t, const Rational& v) {
  return exact::round_to_format(exact::XFloat::of(v), format_of(t), false);
}

// bits moved by `ulps` steps of magnitude, staying inside the finite-or-infinite patterns of its sign.
std::uint64_t step_ulps(DType t, std::uint64_t bits, int ulps) {
  const std::uint64_t sign = bits & sign_mask(t), mag = bits & ~sign_mask(t) & all_ones(t);
  const std::int64_t moved = static_cast<std::int64_t>(mag) + ulps;
  if (moved < 0 || static_cast<std::uint64_t>(moved) > exponent_mask(t)) return bits;
  return sign | static_cast<std::uint64_t>(moved);
}

enum class ValueClass { Zero, Subnormal, SmallestNormal, Largest, Infinity, NaN, Grid, Tie, NearRange, AnyBits };

}  // namespace

rc::Gen<std::uint64_t> gen_value(DType t, GridHint grid) {
  return rc::gen::exec([t, grid] {
    const FloatFormat f = format_of(t);
    const std::uint64_t frac_mask = (std::uint64_t{1} << (f.precision - 1)) - 1;
    const std::uint64_t exp_mask = exponent_mask(t);
    const std::uint64_t sign = *rc::gen::arbitrary<bool>() ? sign_mask(t) : 0;
    const ValueClass cls = *rc::gen::weightedElement<ValueClass>({{2, ValueClass::Zero},
                                                                  {2, ValueClass::Subnormal},
                                                                  {1, ValueClass::SmallestNormal},
                                                                  {1, ValueClass::Largest},
                                                                  {1, ValueClass::Infinity},
                                                                  {1, ValueClass::NaN},
                                                                  {5, ValueClass::Grid},
                                                                  {5, ValueClass::Tie},
                                                                  {4, ValueClass::NearRange},
                                                                  {1, ValueClass::AnyBits}});
    switch (cls) {
      case ValueClass::Zero: return sign;
      case ValueClass::Subnormal: {
        const std::uint64_t s = *rc::gen::oneOf(rc::gen::element<std::uint64_t>(1, frac_mask),
                                                rc::gen::inRange<std::uint64_t>(1, frac_mask + 1));
        return sign | s;
      }
      case ValueClass::SmallestNormal:
        return sign | (frac_mask + 1 + *rc::gen::inRange<std::uint64_t>(0, 3));
      case ValueClass::Largest: return sign | (exp_mask - 1 - *rc::gen::inRange<std::uint64_t>(0, 3));
      case ValueClass::Infinity: return sign | exp_mask;
      case ValueClass::NaN: {
        // quiet or signalling, with a payload
        const std::uint64_t payload = *rc::gen::inRange<std::uint64_t>(1, frac_mask + 1);
        return sign | exp_mask | payload;
      }
      case ValueClass::Grid:
      case ValueClass::Tie: {
        const std::int64_t k = *rc::gen::inRange<std::int64_t>(-grid.span, grid.span + 1);
        Rational v = Rational(grid.step) * k;
        if (cls == ValueClass::Tie) v += Rational(grid.step) / 2;
        const int ulps = *rc::gen::element(0, 0, -1, 1);
        return step_ulps(t, nearest(t, v), ulps);
      }
      case ValueClass::NearRange: {
        const double top = std::max(grid.step * static_cast<double>(grid.span), 1e-30);
        const int e = std::ilogb(top) + *rc::gen::inRange(-12, 3);
        const int biased = std::clamp(e + f.emax, 1, 2 * f.emax);
        return sign | (static_cast<std::uint64_t>(biased) << (f.precision - 1)) |
               (*rc::gen::arbitrary<std::uint64_t>() & frac_mask);
      }
      case ValueClass::AnyBits: return *rc::gen::arbitrary<std::uint64_t>() & all_ones(t);
    }
    return sign;
  });
}

namespace {

enum class RangeKind { Ordered, Positive, Negative, ZeroWidth, Inverted, Infinite, NaN, Subnormal, BothZero };

// A positive magnitude 2^e * (1 + m/8), e in [-8, 8].
Rational magnitude() {
  const int e = *rc::gen::inRange(-8, 9);
  const int m = *rc::gen::inRange(0, 8);
  return (e >= 0 ? Rational(Integer(1) << e) : Rational(1, Integer(1) << -e)) * Rational(8 + m, 8);
}

// [input_min, input_max] of one channel, as bits.
std::pair<std::uint64_t, std::uint64_t> gen_range(DType t) {
  const std::uint64_t inf = exponent_mask(t), neg = sign_mask(t);
  const RangeKind kind = *rc::gen::weightedElement<RangeKind>({{8, RangeKind::Ordered},
                                                              {2, RangeKind::Positive},
                                                              {2, RangeKind::Negative},
                                                              {1, RangeKind::ZeroWidth},
                                                              {1, RangeKind::Inverted},
                                                              {1, RangeKind::Infinite},
                                                              {1, RangeKind::NaN},
                                                              {1, RangeKind::Subnormal},
                                                              {1, RangeKind::BothZero}});
  switch (kind) {
    case RangeKind::Ordered: return {nearest(t, -magnitude()), nearest(t, magnitude())};
    case RangeKind::Positive: {
      const Rational hi = magnitude();
      return {*rc::gen::arbitrary<bool>() ? (*rc::gen::arbitrary<bool>() ? neg : 0) : nearest(t, hi / 4), nearest(t, hi)};
    }
    case RangeKind::Negative: {
      const Rational lo = -magnitude();
      return {nearest(t, lo), *rc::gen::arbitrary<bool>() ? (*rc::gen::arbitrary<bool>() ? neg : 0) : nearest(t, lo / 4)};
    }
    case RangeKind::ZeroWidth: {
      const std::uint64_t v = nearest(t, *rc::gen::arbitrary<bool>() ? magnitude() : Rational(-magnitude()));
      return {v, v};
    }
    case RangeKind::Inverted: return {nearest(t, magnitude()), nearest(t, -magnitude())};
    case RangeKind::Infinite:
      return *rc::gen::element(0, 1, 2) == 0   ? std::pair{neg | inf, nearest(t, magnitude())}
             : *rc::gen::arbitrary<bool>() ? std::pair{nearest(t, -magnitude()), inf}
                                           : std::pair{neg | inf, inf};
    case RangeKind::NaN: {
      const std::uint64_t nan = inf | (std::uint64_t{1} << (format_of(t).precision - 2));
      return *rc::gen::arbitrary<bool>() ? std::pair{nan, nearest(t, magnitude())} : std::pair{nearest(t, -magnitude()), nan};
    }
    case RangeKind::Subnormal: return {neg | 1, *rc::gen::arbitrary<bool>() ? std::uint64_t{3} : nearest(t, magnitude())};
    case RangeKind::BothZero: return {*rc::gen::arbitrary<bool>() ? neg : 0, 0};
  }
  return {0, 0};
}

// Dimensions of rank 0..5, some zero-sized, with at most max_elements elements.
Shape gen_shape(int min_rank, int max_elements) {
  const int rank = *rc::gen::inRange(min_rank, 6);
  Shape s;
  for (int d = 0; d < rank; ++d) {
    s.push_back(*rc::gen::weightedOneOf<std::int64_t>({{1, rc::gen::just<std::int64_t>(0)},
                                                        {3, rc::gen::just<std::int64_t>(1)},
                                                        {6, rc::gen::inRange<std::int64_t>(2, 6)},
                                                        {2, rc::gen::inRange<std::int64_t>(6, 41)}}));
  }
  // shrink the largest dimension until the tensor is small enough
  while (num_elements(s) > max_elements) {
    auto largest = std::max_element(s.begin(), s.end());
    *largest = std::max<std::int64_t>(1, *largest / 2);
  }
  return s;
}

// The kinds of brokenness an invalid case gets (docs/op-spec.md §4).
enum class Breakage { NumBits, RoundMode, Axis, RangeShape, GradientShape };

std::string gen_bad_round_mode() {
  return *rc::gen::element<std::string>("", "half_up", "HALF_DOWN", "HALF_AWAY_FROM_ZERO", "HALF_TO_EVEN ", "ROUND");
}

}  // namespace

rc::Gen<OpCase> gen_case(const CaseSpec& spec) {
  return rc::gen::exec([spec] {
    const DType t = spec.dtype;
    OpCase c;
    c.profile = spec.profile;
    c.op = spec.gradients && *rc::gen::weightedElement<int>({{1, 1}, {6, 0}}) == 1 ? Op::Gradient : Op::Forward;
    const Shape shape = gen_shape(spec.per_channel_only ? 1 : 0, spec.max_elements);
    const std::int64_t rank = static_cast<std::int64_t>(shape.size());
    Attrs& a = c.attrs;
    a.axis = spec.per_channel_only || (rank > 0 && *rc::gen::arbitrary<bool>()) ? *rc::gen::inRange<std::int64_t>(0, rank) : -1;
    a.signed_input = *rc::gen::weightedElement<bool>({{3, true}, {1, false}});
    const std::int64_t max_bits = a.signed_input ? 61 : 62;
    a.num_bits = *rc::gen::weightedOneOf<std::int64_t>({{6, rc::gen::inRange<std::int64_t>(2, 9)},
                                                        {3, rc::gen::inRange<std::int64_t>(9, 17)},
                                                        {1, rc::gen::just<std::int64_t>(1)},
                                                        {1, rc::gen::inRange<std::int64_t>(17, max_bits + 1)}});
    a.range_given = spec.range_given_only || *rc::gen::arbitrary<bool>();
    a.round_mode = *rc::gen::element<std::string>("HALF_TO_EVEN", "HALF_UP");
    a.narrow_range = *rc::gen::weightedElement<bool>({{1, true}, {2, false}});

    const std::int64_t channels = a.axis >= 0 ? shape[static_cast<std::size_t>(a.axis)] : 1;
    Shape range_shape = a.axis >= 0 ? Shape{channels} : Shape{};
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    for (std::int64_t ch = 0; ch < std::max<std::int64_t>(channels, 1); ++ch) ranges.push_back(gen_range(t));

    if (spec.invalid) {
      switch (*rc::gen::element(Breakage::NumBits, Breakage::RoundMode, Breakage::Axis, Breakage::RangeShape,
                                Breakage::GradientShape)) {
        case Breakage::NumBits:
          a.num_bits = *rc::gen::element<std::int64_t>(0, -1, max_bits + 1, 63, 64, std::int64_t{1} << 31, -(std::int64_t{1} << 31) - 1);
          break;
        case Breakage::RoundMode: a.round_mode = gen_bad_round_mode(); break;
        case Breakage::Axis:
          a.axis = *rc::gen::element<std::int64_t>(-2, -5, rank, rank + 1, std::int64_t{1} << 31);
          range_shape = Shape{static_cast<std::int64_t>(ranges.size())};
          break;
        case Breakage::RangeShape:
          a.range_given = true;  // TF's kernel reads (and checks) the range only when it is given
          // (TF <= 2.15 reads a per-tensor range of any one-element shape: only more elements break it.)
          range_shape = a.axis >= 0 ? *rc::gen::element(Shape{}, Shape{channels + 1}, Shape{channels, 1})
                        : profile(spec.profile).range_checks == RangeChecks::NoScalarCheck
                            ? *rc::gen::element(Shape{2}, Shape{2, 1})
                            : *rc::gen::element(Shape{1}, Shape{2}, Shape{1, 1});
          break;
        case Breakage::GradientShape: c.op = Op::Gradient; break;
      }
    }
    const std::int64_t range_elements = num_elements(range_shape);
    c.input_min = Tensor(t, range_shape);
    c.input_max = Tensor(t, range_shape);
    for (std::int64_t k = 0; k < range_elements; ++k) {
      const auto [lo, hi] = ranges[static_cast<std::size_t>(k) % ranges.size()];
      c.input_min.set_bits(static_cast<std::size_t>(k), lo);
      c.input_max.set_bits(static_cast<std::size_t>(k), hi);
    }

    // Values aimed at the grid of the first channel's range (when it is an ordinary one).
    GridHint grid;
    const double lo = value_as_double(t, ranges[0].first), hi = value_as_double(t, ranges[0].second);
    const double top = std::max(std::fabs(lo), std::fabs(hi));
    if (std::isfinite(top) && top > 0 && a.num_bits >= 1 && a.num_bits <= 62) {
      const std::int64_t levels = std::int64_t{1} << std::min<std::int64_t>(a.num_bits - (a.signed_input ? 1 : 0), 20);
      grid = {top / static_cast<double>(levels), levels + 2};
    }
    c.input = Tensor(t, shape);
    for (std::size_t k = 0; k < c.input.size(); ++k) c.input.set_bits(k, *gen_value(t, grid));

    if (c.op == Op::Gradient) {
      const std::int64_t axis = a.axis;
      c.attrs = Attrs{};
      c.attrs.axis = axis;
      Shape g_shape = shape;
      if (spec.invalid && !g_shape.empty()) g_shape.back() += 1;  // gradients and input must match
      if (spec.invalid && g_shape.empty()) g_shape = {2};
      c.gradients = Tensor(t, g_shape);
      for (std::size_t k = 0; k < c.gradients.size(); ++k) c.gradients.set_bits(k, *gen_value(t, GridHint{1.0 / 4, 16}));
    }
    return c;
  });
}

rc::Gen<OpCase> gen_any_case(bool invalid) {
  return rc::gen::exec([invalid] {
    CaseSpec spec;
    spec.invalid = invalid;
    spec.profile = *rc::gen::elementOf(kAllProfiles);
    spec.dtype = *rc::gen::elementOf(kAllDTypes);
    return *gen_case(spec);
  });
}

}  // namespace qdq::fuzz

namespace qdq {
void showValue(const OpCase& c, std::ostream& os) { os << conformance::case_json("fuzz", c).dump(); }
}  // namespace qdq
