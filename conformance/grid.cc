#include "conformance/grid.h"

#include <array>
#include <random>

#include "conformance/bit_patterns.h"
#include "reference/contract/view.h"
#include "reference/exact/exact_float.h"

namespace qdq::conformance {
namespace {

using exact::Integer;
using exact::Rational;
using Bits = std::uint64_t;

struct Layout {
  const char* name;
  Shape shape;
  std::int64_t axis;
};

const std::array<Layout, 4> kLayouts = {{{"per-tensor", {48}, -1},
                                         {"axis-first", {3, 4, 4}, 0},
                                         {"axis-middle", {2, 3, 8}, 1},
                                         {"axis-last", {4, 4, 3}, 2}}};

const std::array<int, 13> kNumBits = {1, 2, 4, 8, 16, 23, 24, 25, 31, 52, 53, 61, 62};

// Real ranges a channel may get: both sides winning, one-sided, asymmetric, tiny and wide.
struct Range {
  Rational lo, hi;
};
const Range kSignedRanges[] = {{-1, 1}, {-10, 5}, {Rational(-3, 10), Rational(7, 10)}, {Rational(-5, 2), 0},
                               {0, 3}, {Rational(-1, 1000), Rational(1, 1000)}, {-300, 65504}, {Rational(1, 4), 6}};
const Range kUnsignedRanges[] = {{0, 1}, {Rational(-1, 2), 2}, {0, 255}, {Rational(1, 4), 3},
                                 {-4, 0}, {0, Rational(1, 1000)}, {0, 60000}, {Rational(-1, 8), Rational(7, 8)}};

struct Config {
  bool half_up, is_signed, narrow, range_given;
  int num_bits;
};

// The ideal quantization step of a range: max(|lo|/|qmin|, hi/qmax) over the sides with a scale.
Rational ideal_step(const Config& c, const Range& r) {
  const Integer qmax = c.is_signed ? (Integer(1) << (c.num_bits - 1)) - 1 : (Integer(1) << c.num_bits) - 1;
  const Integer qmin = c.is_signed ? -(Integer(1) << (c.num_bits - 1)) + (c.narrow ? 1 : 0) : Integer(0);
  Rational step = 0;
  if (qmin != 0 && r.lo < 0) step = r.lo / Rational(qmin);
  if (qmax != 0 && r.hi > 0 && r.hi / Rational(qmax) > step) step = r.hi / Rational(qmax);
  return step == 0 ? Rational(1, 8) : step;
}

enum class Variant { Ties, Edges, Specials, Random };
constexpr std::array<Variant, 4> kVariants = {Variant::Ties, Variant::Edges, Variant::Specials, Variant::Random};
const char* variant_name(Variant v) {
  switch (v) {
    case Variant::Ties: return "ties";
    case Variant::Edges: return "edges";
    case Variant::Specials: return "specials";
    case Variant::Random: return "random";
  }
  return "?";
}

// Values for one channel with range r: 16 boundary patterns, or `count` random ones.
std::vector<Bits> channel_values(const Patterns& P, const Config& c, const Range& r, Variant v, std::size_t count,
                                 std::mt19937_64& rng) {
  const Rational step = ideal_step(c, r);
  const Integer qmax = c.is_signed ? (Integer(1) << (c.num_bits - 1)) - 1 : (Integer(1) << c.num_bits) - 1;
  const Bits lo = P.of(r.lo), hi = P.of(r.hi);
  auto tie = [&](const Rational& k) { return P.of((k + Rational(1, 2)) * step); };
  std::vector<Bits> out = {lo, hi};
  switch (v) {
    case Variant::Ties: {
      const Rational ks[] = {0, c.is_signed ? Rational(-2) : Rational(1), Rational(qmax / 2), Rational(qmax - 1)};
      for (const Rational& k : ks) {
        const Bits b = tie(k);
        out.insert(out.end(), {b, P.up(b), P.down(b)});
      }
      out.insert(out.end(), {0, P.sign});
      break;
    }
    case Variant::Edges:
      out.insert(out.end(), {P.up(hi), P.down(lo), P.of(r.hi * 2), P.of(r.lo * 2), 1, P.neg(1), P.max_subnormal,
                             P.neg(P.max_subnormal), P.min_normal, P.neg(P.min_normal), P.sign, tie(0), tie(-1),
                             c.range_given ? P.max_finite : P.of(r.hi / 3)});
      break;
    case Variant::Specials:
      out.insert(out.end(), {P.nan, P.inf, P.neg(P.inf), P.max_finite, P.neg(P.max_finite), P.neg(P.nan), tie(0),
                             tie(1), tie(-1), 0, P.sign, P.of(r.lo / 2), P.of(r.hi / 2), P.up(0)});
      break;
    case Variant::Random:
      while (out.size() < count) {
        // a random point of [lo, hi], and a grid point nudged by a random number of ULPs
        const Rational u(Integer(rng() % 1000001), Integer(1000000));
        Bits b = P.of(r.lo + (r.hi - r.lo) * u);
        if (rng() % 2) {
          b = P.of(Rational(Integer(static_cast<long>(rng() % 2001) - 1000)) * step);
          for (int n = static_cast<int>(rng() % 5); n > 0; --n) b = rng() % 2 ? P.up(b) : P.down(b);
        }
        out.push_back(b);
      }
      break;
  }
  return out;
}

// Gradient cases: inputs at and around each channel's bounds, gradients with signs and specials.
void add_gradient_cases(ProfileId profile, const Patterns& P, const Layout& l, std::vector<GridCase>& out) {
  const std::int64_t channels = l.axis == -1 ? 1 : l.shape[l.axis];
  const Shape range_shape = l.axis == -1 ? Shape{} : Shape{channels};
  for (int variant = 0; variant < 2; ++variant) {
    OpCase c;
    c.op = Op::Gradient;
    c.profile = profile;
    c.attrs.axis = l.axis;
    c.input = Tensor(P.t, l.shape);
    c.gradients = Tensor(P.t, l.shape);
    c.input_min = Tensor(P.t, range_shape);
    c.input_max = Tensor(P.t, range_shape);
    for (std::int64_t ch = 0; ch < channels; ++ch) {
      const Range& r = kSignedRanges[(ch + variant * 3) % std::size(kSignedRanges)];
      Bits lo = P.of(r.lo), hi = P.of(r.hi);
      if (variant == 1 && ch == 0) std::swap(lo, hi);      // an inverted range
      if (variant == 1 && ch == 1) lo = P.neg(P.inf);      // a one-sided infinite range
      c.input_min.set_bits(static_cast<std::size_t>(ch), lo);
      c.input_max.set_bits(static_cast<std::size_t>(ch), hi);
    }
    const std::vector<Bits> grads = {P.of(1), P.of(-2), P.inf, P.neg(P.inf), P.nan, P.sign, 1, P.max_finite, P.of(Rational(1, 3))};
    for (std::size_t k = 0; k < c.input.size(); ++k) {
      const auto ch = static_cast<std::size_t>(channel_view(l.shape, l.axis).channel_of(static_cast<std::int64_t>(k)));
      const Bits lo = c.input_min.bits(ch), hi = c.input_max.bits(ch);
      const Bits xs[] = {lo, hi, P.up(hi), P.down(lo), P.up(lo), P.down(hi), 0, P.sign, P.nan, P.inf, P.neg(P.inf), 1};
      c.input.set_bits(k, xs[k % std::size(xs)]);
      c.gradients.set_bits(k, grads[k % std::size(grads)]);
    }
    out.push_back({"grid/" + std::string(profile_name(profile)) + "/" + std::string(dtype_name(P.t)) + "/gradient/" +
                       l.name + "/v" + std::to_string(variant),
                   std::move(c)});
  }
}

}  // namespace

std::vector<GridCase> grid_cases(ProfileId profile, DType dtype, std::uint64_t seed) {
  const Patterns P(dtype);
  std::mt19937_64 rng(seed);
  std::vector<GridCase> out;
  for (bool half_up : {false, true}) {
    for (bool is_signed : {true, false}) {
      for (bool narrow : {false, true}) {
        for (bool range_given : {false, true}) {
          for (const Layout& l : kLayouts) {
            for (int nb : kNumBits) {
              if (nb > (is_signed ? 61 : 62)) continue;
              const Config cfg{half_up, is_signed, narrow, range_given, nb};
              for (Variant v : kVariants) {
                OpCase c;
                c.profile = profile;
                c.attrs = {is_signed, nb, range_given, half_up ? "HALF_UP" : "HALF_TO_EVEN", narrow, l.axis};
                c.input = Tensor(dtype, l.shape);
                const std::int64_t channels = l.axis == -1 ? 1 : l.shape[l.axis];
                const Shape range_shape = l.axis == -1 ? Shape{} : Shape{channels};
                c.input_min = Tensor(dtype, range_shape);
                c.input_max = Tensor(dtype, range_shape);
                const ChannelView view = channel_view(l.shape, l.axis);
                const auto& ranges = is_signed ? kSignedRanges : kUnsignedRanges;
                std::vector<std::vector<Bits>> values;
                for (std::int64_t ch = 0; ch < channels; ++ch) {
                  const Range& r = ranges[(static_cast<std::size_t>(ch) + static_cast<std::size_t>(nb) + static_cast<std::size_t>(v)) % std::size(kSignedRanges)];
                  values.push_back(channel_values(P, cfg, r, v, c.input.size() / static_cast<std::size_t>(channels), rng));
                  c.input_min.set_bits(static_cast<std::size_t>(ch), P.of(r.lo));
                  c.input_max.set_bits(static_cast<std::size_t>(ch), P.of(r.hi));
                }
                // Fill each channel's elements in memory order from its value list (cycled).
                std::vector<std::size_t> used(static_cast<std::size_t>(channels), 0);
                for (std::size_t k = 0; k < c.input.size(); ++k) {
                  const auto ch = static_cast<std::size_t>(view.channel_of(static_cast<std::int64_t>(k)));
                  const std::vector<Bits>& vals = values[ch];
                  c.input.set_bits(k, vals[used[ch]++ % vals.size()]);
                }
                std::string id = "grid/" + std::string(profile_name(profile)) + "/" + std::string(dtype_name(dtype)) + "/" +
                                 c.attrs.round_mode + "/" + (is_signed ? "signed" : "unsigned") + (narrow ? "-narrow" : "") +
                                 (range_given ? "/given/" : "/measured/") + l.name + "/b" + std::to_string(nb) + "/" +
                                 variant_name(v);
                out.push_back({std::move(id), std::move(c)});
              }
            }
          }
        }
      }
    }
  }
  for (const Layout& l : kLayouts) add_gradient_cases(profile, P, l, out);
  return out;
}

}  // namespace qdq::conformance
