#include "conformance/random_cases.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace qdq::conformance {
namespace {

// A value drawn from bit-pattern classes: ordinary magnitudes near the range, special patterns,
// and uniform bit patterns.
std::uint64_t draw_value(std::mt19937_64& rng, DType t, double scale) {
  const FloatFormat f = format_of(t);
  const std::uint64_t sign = rng() % 2 ? sign_mask(t) : 0;
  const std::uint64_t frac_mask = (std::uint64_t{1} << (f.precision - 1)) - 1;
  switch (rng() % 10) {
    case 0: return rng() & all_ones(t);
    case 1: {
      const std::uint64_t specials[] = {0, 1, frac_mask, frac_mask + 1, exponent_mask(t) - 1, exponent_mask(t),
                                        exponent_mask(t) | (std::uint64_t{1} << (f.precision - 2))};
      return sign | specials[rng() % std::size(specials)];
    }
    default: {
      // an exponent around log2(scale), a random significand
      const int e = static_cast<int>(std::ilogb(scale)) - 10 + static_cast<int>(rng() % 12);
      const int biased = std::clamp(e + f.emax, 1, 2 * f.emax);
      return sign | (static_cast<std::uint64_t>(biased) << (f.precision - 1)) | (rng() & frac_mask);
    }
  }
}

}  // namespace

std::vector<SuiteCase> random_cases(ProfileId profile, DType dtype, std::uint64_t seed, int count) {
  std::mt19937_64 rng(seed ^ (family_seed(profile) << 8) ^ static_cast<std::uint64_t>(dtype));
  std::vector<SuiteCase> out;
  for (int n = 0; n < count; ++n) {
    OpCase c;
    c.profile = profile;
    c.op = rng() % 8 == 0 ? Op::Gradient : Op::Forward;
    const int rank = static_cast<int>(rng() % 5);
    for (int d = 0; d < rank; ++d) c.input.shape.push_back(rng() % 12 == 0 ? 0 : 1 + static_cast<std::int64_t>(rng() % 6));
    c.attrs.axis = rank == 0 || rng() % 3 == 0 ? -1 : static_cast<std::int64_t>(rng() % rank);
    if (rng() % 40 == 0) c.attrs.axis = static_cast<std::int64_t>(rng() % 7) - 3;  // sometimes invalid
    Attrs& a = c.attrs;
    a.signed_input = rng() % 3 != 0;
    const int max_bits = a.signed_input ? 61 : 62;
    a.num_bits = rng() % 4 == 0 ? 1 + static_cast<std::int64_t>(rng() % max_bits) : 2 + static_cast<std::int64_t>(rng() % 15);
    if (rng() % 40 == 0) a.num_bits = static_cast<std::int64_t>(rng() % 3) == 0 ? 0 : max_bits + 1;  // invalid
    a.range_given = rng() % 2 == 0;
    a.round_mode = rng() % 2 ? "HALF_UP" : "HALF_TO_EVEN";
    a.narrow_range = rng() % 3 == 0;
    const double scale = std::ldexp(1.0, static_cast<int>(rng() % 21) - 10);
    c.input = Tensor(dtype, c.input.shape);
    for (std::size_t k = 0; k < c.input.size(); ++k) c.input.set_bits(k, draw_value(rng, dtype, scale));
    const bool valid_axis = a.axis >= 0 && a.axis < rank;
    const std::int64_t depth = valid_axis ? c.input.shape[a.axis] : 1;
    const Shape range_shape = valid_axis ? Shape{depth} : Shape{};
    c.input_min = Tensor(dtype, range_shape);
    c.input_max = Tensor(dtype, range_shape);
    for (std::size_t k = 0; k < c.input_min.size(); ++k) {
      // mostly ordered ranges around zero; sometimes one-sided, inverted, zero-width or special
      std::uint64_t lo = draw_value(rng, dtype, scale) | sign_mask(dtype), hi = draw_value(rng, dtype, scale) & ~sign_mask(dtype);
      if (rng() % 6 == 0) std::swap(lo, hi);
      if (rng() % 10 == 0) lo = hi;
      c.input_min.set_bits(k, lo);
      c.input_max.set_bits(k, hi);
    }
    if (c.op == Op::Gradient) {
      const std::int64_t axis = a.axis;
      c.attrs = Attrs{};
      c.attrs.axis = axis;
      c.gradients = Tensor(dtype, c.input.shape);
      for (std::size_t k = 0; k < c.gradients.size(); ++k) c.gradients.set_bits(k, draw_value(rng, dtype, 1.0));
    }
    out.push_back({"random/" + std::string(profile_name(profile)) + "/" + std::string(dtype_name(dtype)) + "/s" +
                       std::to_string(seed) + "/" + std::to_string(n),
                   std::move(c), {}, {}, ""});
  }
  return out;
}

}  // namespace qdq::conformance
