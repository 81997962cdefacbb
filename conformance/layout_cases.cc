#include "conformance/layout_cases.h"

#include <cmath>
#include <random>
#include <string>
#include <utility>

#include "conformance/bit_patterns.h"

namespace qdq::conformance {
namespace {

struct Layout {
  Shape shape;
  std::int64_t axis;
};

std::vector<Layout> layouts() {
  std::vector<Layout> out;
  // per tensor: one past and one short of 32 (warp), 256 (block), 1024 (long run), 4096 (chunk)
  for (std::int64_t n : {1, 31, 32, 33, 255, 256, 257, 1023, 1024, 1025, 4097, 3 * 4096 + 7}) out.push_back({{n}, -1});
  // empty tensors, per tensor and per channel
  out.push_back({{0}, -1});
  out.push_back({{3, 0}, 1});
  out.push_back({{0, 4}, 1});
  out.push_back({{2, 0, 3}, 0});
  // channels of every length 1..65: strided (axis last) and contiguous (axis first)
  for (std::int64_t len = 1; len <= 65; ++len) {
    out.push_back({{len, 3}, 1});
    out.push_back({{3, len}, 0});
  }
  out.push_back({{1000}, 0});        // single-element channels
  out.push_back({{5, 1000}, 1});     // many short strided channels
  out.push_back({{300, 7}, 1});
  out.push_back({{7, 300}, 1});
  for (std::int64_t axis : {0, 2, 3}) out.push_back({{4, 5, 6, 7}, axis});  // first, middle, last
  out.push_back({{2, 3, 1500}, 1});  // runs longer than 1024
  out.push_back({{2, 9000}, 0});     // runs split into several 4096-element chunks
  out.push_back({{3, 2, 1027}, 1});  // long runs of odd length, starting at either parity (16-bit pairs)
  return out;
}

// An ordinary value around `scale` (sign random), or now and then a special pattern; NaN only
// where `nan_allowed`.
std::uint64_t draw(std::mt19937_64& rng, const Patterns& p, double scale, bool nan_allowed) {
  const std::uint64_t sign = rng() % 2 ? p.sign : 0;
  if (rng() % 128 == 0) {
    const std::uint64_t specials[] = {0, 1, p.max_subnormal, p.min_normal, p.max_finite, p.inf, p.nan};
    const std::uint64_t s = specials[rng() % (nan_allowed ? 7 : 6)];
    return sign | s;
  }
  const FloatFormat f = format_of(p.t);
  const int e = static_cast<int>(std::ilogb(scale)) - 6 + static_cast<int>(rng() % 7);
  const std::uint64_t frac = rng() & ((std::uint64_t{1} << (f.precision - 1)) - 1);
  return sign | (static_cast<std::uint64_t>(e + f.emax) << (f.precision - 1)) | frac;
}

}  // namespace

std::vector<SuiteCase> layout_cases(ProfileId profile, DType dtype, std::uint64_t seed) {
  std::mt19937_64 rng(seed ^ (family_seed(profile) << 8) ^ (static_cast<std::uint64_t>(dtype) << 16) ^ 0x1a4f);
  const Patterns p(dtype);
  constexpr std::int64_t kNumBits[] = {8, 4, 12, 3, 16, 7};
  std::vector<SuiteCase> out;
  int i = 0;
  const std::vector<Layout> all = layouts();
  for (std::size_t li = 0; li < all.size(); ++li) {
    const Layout& l = all[li];
    for (bool given : {false, true}) {
      OpCase c;
      c.profile = profile;
      Attrs& a = c.attrs;
      a.axis = l.axis;
      a.range_given = given;
      a.round_mode = i % 2 ? "HALF_UP" : "HALF_TO_EVEN";
      a.signed_input = i % 3 != 0;
      a.narrow_range = a.signed_input && i % 5 == 0;
      a.num_bits = kNumBits[i % std::size(kNumBits)];
      const double scale = std::ldexp(1.0, static_cast<int>(rng() % 9) - 4);
      c.input = Tensor(dtype, l.shape);
      for (std::size_t k = 0; k < c.input.size(); ++k) c.input.set_bits(k, draw(rng, p, scale, given));
      const Shape range_shape = l.axis == -1 ? Shape{} : Shape{l.shape[static_cast<std::size_t>(l.axis)]};
      c.input_min = Tensor(dtype, range_shape);
      c.input_max = Tensor(dtype, range_shape);
      for (std::size_t k = 0; k < c.input_min.size(); ++k) {
        // mostly around zero, sometimes one-sided
        const std::uint64_t lo = draw(rng, p, scale, false) | p.sign, hi = draw(rng, p, scale, false) & ~p.sign;
        c.input_min.set_bits(k, rng() % 5 == 0 ? p.neg(hi) : lo);
        c.input_max.set_bits(k, rng() % 5 == 0 ? p.neg(lo) : hi);
        if ((c.input_min.bits(k) & p.sign) == 0 && (c.input_max.bits(k) & p.sign) != 0) c.input_min.set_bits(k, c.input_max.bits(k));
      }
      std::string id = "layout/" + std::string(profile_name(profile)) + "/" + std::string(dtype_name(dtype)) + "/" +
                       shape_string(l.shape) + "/axis" + std::to_string(l.axis) + (given ? "/given" : "/measured");
      if (given && li % 3 == 0) {  // the gradient over the same tensors and ranges
        OpCase g = c;
        g.op = Op::Gradient;
        g.attrs = Attrs{};
        g.attrs.axis = l.axis;
        g.gradients = Tensor(dtype, l.shape);
        for (std::size_t k = 0; k < g.gradients.size(); ++k) g.gradients.set_bits(k, draw(rng, p, 1.0, true));
        out.push_back({id + "/gradient", std::move(g), {}, {}, ""});
      }
      out.push_back({std::move(id), std::move(c), {}, {}, ""});
      ++i;
    }
  }
  return out;
}

}  // namespace qdq::conformance
