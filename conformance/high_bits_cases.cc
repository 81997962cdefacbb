#include "conformance/high_bits_cases.h"

#include <algorithm>
#include <random>
#include <string>

#include "conformance/bit_patterns.h"
#include "reference/contract/view.h"

namespace qdq::conformance {
namespace {

using exact::Integer;
using exact::Rational;
using Bits = std::uint64_t;

constexpr std::int64_t kMaxElements = 256;

Integer floor_of(const Rational& x) {
  const Integer n = boost::multiprecision::numerator(x), d = boost::multiprecision::denominator(x);
  Integer q = n / d;  // truncates toward zero
  if (n < 0 && q * d != n) q -= 1;
  return q;
}

// A uniform fraction in [0, 1) with 53 bits.
Rational unit(std::mt19937_64& rng) { return Rational(Integer(rng() >> 11), Integer(1) << 53); }

// A positive magnitude 2^e·(1 + u) with e in [-6, min(20, emax - 2)], as a value of T.
Rational magnitude(std::mt19937_64& rng, DType t) {
  const int top = std::min(20, format_of(t).emax - 2);
  const int e = -6 + static_cast<int>(rng() % static_cast<std::uint64_t>(top + 7));
  const Rational m = (Rational(1) + unit(rng)) * (e >= 0 ? Rational(Integer(1) << e) : Rational(1, Integer(1) << -e));
  return exact::decode(Patterns(t).of(m), format_of(t)).value();
}

// Fills input, input_min and input_max of `c` (shape, axis and attrs set): a range per channel and
// values from it (see the header).
void fill(OpCase& c, DType t, std::mt19937_64& rng) {
  const Patterns P(t);
  const Attrs& a = c.attrs;
  const ChannelView view = channel_view(c.input.shape, a.axis);
  const std::int64_t channels = a.axis == -1 ? 1 : view.depth;
  const Shape range_shape = a.axis == -1 ? Shape{} : Shape{channels};
  c.input = Tensor(t, c.input.shape);
  c.input_min = Tensor(t, range_shape);
  c.input_max = Tensor(t, range_shape);
  const Integer qmax = a.signed_input ? (Integer(1) << (a.num_bits - 1)) - 1 : (Integer(1) << a.num_bits) - 1;
  const Integer qmin = a.signed_input ? -(Integer(1) << (a.num_bits - 1)) + (a.narrow_range ? 1 : 0) : Integer(0);
  std::vector<std::vector<Bits>> values(static_cast<std::size_t>(channels));
  for (std::int64_t ch = 0; ch < channels; ++ch) {
    Rational lo = -magnitude(rng, t), hi = magnitude(rng, t);
    const std::uint64_t shape_of_range = rng() % 6;
    if (!a.signed_input) lo = shape_of_range < 3 ? Rational(0) : shape_of_range < 5 ? lo / 8 : hi / 4;
    else if (shape_of_range == 0) lo = hi / 4;  // one-sided, positive
    else if (shape_of_range == 1) hi = lo / 4;  // one-sided, negative
    const Bits lo_bits = P.of(lo), hi_bits = P.of(hi);
    c.input_min.set_bits(static_cast<std::size_t>(ch), lo_bits);
    c.input_max.set_bits(static_cast<std::size_t>(ch), hi_bits);
    Rational step = 0;
    if (qmin != 0 && lo < 0) step = lo / Rational(qmin);
    if (qmax != 0 && hi > 0 && hi / Rational(qmax) > step) step = hi / Rational(qmax);
    const std::int64_t n = view.outer * view.inner;  // the channel's elements
    std::vector<Bits>& v = values[static_cast<std::size_t>(ch)];
    v = {lo_bits, hi_bits};
    while (static_cast<std::int64_t>(v.size()) < n) {
      const Rational x = lo + (hi - lo) * unit(rng);
      if (step == 0 || rng() % 5 < 2) {
        v.push_back(P.of(x));
        continue;
      }
      Bits b = P.of((Rational(floor_of(x / step)) + Rational(1, 2)) * step);
      for (int k = static_cast<int>(rng() % 7) - 3; k != 0; k += k < 0 ? 1 : -1) b = k < 0 ? P.down(b) : P.up(b);
      v.push_back(b);
    }
    std::shuffle(v.begin(), v.end(), rng);
  }
  std::vector<std::size_t> used(static_cast<std::size_t>(channels), 0);
  for (std::size_t k = 0; k < c.input.size(); ++k) {
    const auto ch = static_cast<std::size_t>(view.channel_of(static_cast<std::int64_t>(k)));
    c.input.set_bits(k, values[ch][used[ch]++]);
  }
}

std::string shape_name(const Shape& s) {
  std::string out;
  for (std::int64_t d : s) out += (out.empty() ? "" : "x") + std::to_string(d);
  return out.empty() ? "scalar" : out;
}

std::string prefix_of(const char* suite, ProfileId p, DType t) {
  return std::string(suite) + "/" + std::string(profile_name(p)) + "/" + std::string(dtype_name(t)) + "/";
}

}  // namespace

std::vector<SuiteCase> high_bits_sweep(ProfileId profile, DType dtype) {
  std::vector<SuiteCase> out;
  if (!qdq::profile(profile).supports(dtype)) return out;  // the edge suite's NotFound cases cover these
  std::vector<Shape> shapes;
  for (std::int64_t n = 1; n <= 17; ++n) shapes.push_back({3, n});  // axis 0: inner sizes 1..17
  const std::vector<Shape> more = {{7}, {64}, {4, 4}, {2, 8}, {8, 2}, {16, 5}, {5, 1, 3}, {2, 3, 4}, {4, 4, 4},
                                   {3, 2, 9}, {2, 2, 2, 2}, {1, 3, 1, 5}, {2, 3, 2, 11}, {2, 1, 2, 2, 3},
                                   {1, 2, 3, 2, 2}, {3, 1, 1, 1, 16}, {2, 2, 3, 1, 17}};
  shapes.insert(shapes.end(), more.begin(), more.end());
  const int bits[] = {20, 21, 22, 23, 24, 25, 26, 27, 28, 30, 33, 40, 47, 50, 51, 52, 53, 54, 55, 56, 58, 60, 61, 62};
  std::mt19937_64 rng(0x9e3779b97f4a7c15ULL ^ (family_seed(profile) << 8) ^ static_cast<std::uint64_t>(dtype));
  std::size_t index = 0;
  for (const Shape& shape : shapes) {
    for (std::int64_t axis = -1; axis < static_cast<std::int64_t>(shape.size()); ++axis) {
      for (bool given : {true, false}) {
        for (const char* mode : {"HALF_UP", "HALF_TO_EVEN"}) {
          OpCase c;
          c.profile = profile;
          c.input.shape = shape;
          const std::size_t kind = index % 3;  // signed, signed narrow, unsigned
          const int nb = bits[(index * 7) % std::size(bits)];
          c.attrs = {kind != 2, kind == 2 ? nb : std::min(nb, 61), given, mode, kind == 1, axis};
          ++index;
          fill(c, dtype, rng);
          const Attrs& a = c.attrs;
          out.push_back({prefix_of("edge", profile, dtype) + "high-bits/" + shape_name(shape) + "/axis" +
                             (axis == -1 ? std::string("-1") : std::to_string(axis)) + (given ? "/given/" : "/measured/") +
                             mode + "/" + (a.signed_input ? "signed" : "unsigned") + (a.narrow_range ? "-narrow" : "") +
                             "/b" + std::to_string(a.num_bits),
                         std::move(c), {}, {}, ""});
        }
      }
    }
  }
  return out;
}

std::vector<SuiteCase> high_bits_random(ProfileId profile, DType dtype, std::uint64_t seed, int count) {
  std::mt19937_64 rng(seed ^ 0x4869676842697473ULL ^ (family_seed(profile) << 8) ^ static_cast<std::uint64_t>(dtype));
  std::vector<SuiteCase> out;
  for (int n = 0; n < count; ++n) {
    OpCase c;
    c.profile = profile;
    const int rank = 1 + static_cast<int>(rng() % 5);
    std::int64_t elements = 1;
    for (int d = 0; d < rank; ++d) {
      const std::int64_t dim = std::min<std::int64_t>(1 + static_cast<std::int64_t>(rng() % 17), kMaxElements / elements);
      c.input.shape.push_back(dim);
      elements *= dim;
    }
    Attrs& a = c.attrs;
    a.axis = rng() % 3 == 0 ? -1 : static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(rank));
    a.signed_input = rng() % 3 != 0;
    a.narrow_range = rng() % 3 == 0;
    a.num_bits = 20 + static_cast<std::int64_t>(rng() % (a.signed_input ? 42 : 43));
    a.range_given = rng() % 2 == 0;
    a.round_mode = rng() % 2 ? "HALF_UP" : "HALF_TO_EVEN";
    fill(c, dtype, rng);
    out.push_back({prefix_of("random", profile, dtype) + "s" + std::to_string(seed) + "/hb" + std::to_string(n),
                   std::move(c), {}, {}, ""});
  }
  return out;
}

}  // namespace qdq::conformance
