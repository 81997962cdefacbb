#include "reference/fixed/fixed_exact_op.h"

#include <optional>

#include "reference/contract/view.h"
#include "reference/fixed/fixed_arith.h"

namespace qdq::fixed {
namespace {

using Bits = std::uint64_t;
using Value = FixedArith::Value;

// a·2^ea against b·2^eb (a, b > 0): negative, zero or positive.
int compare_scaled(u128 a, int ea, u128 b, int eb) {
  const int ta = top_bit(a) + ea, tb = top_bit(b) + eb;
  if (ta != tb) return ta < tb ? -1 : 1;
  if (ea > eb) a <<= (ea - eb);  // the same top: the shifted one ends at the other's top bit
  else b <<= (eb - ea);
  return a < b ? -1 : a > b ? 1 : 0;
}

// A key ordered as the values are (no DAZ); bits is not a NaN.
std::int64_t order_key(Bits bits, const Format& f) {
  const auto mag = static_cast<std::int64_t>(bits & ~f.sign);
  return bits & f.sign ? -mag : mag;
}

// The scale s = q/b (q > 0, b a positive magnitude), or none: the grid is {0}.
struct Scale {
  std::uint64_t q;
  Value b;
};

// n = round(x·s) clamped to [qmin, qmax], as a magnitude (its sign is x's), x finite nonzero.
std::uint64_t rounded_integer(const Value& x, const Scale& s, std::uint64_t bound, bool half_up) {
  if (bound == 0) return 0;
  u128 num = static_cast<u128>(x.sig) * s.q, den = s.b.sig;
  const int k = x.exp - s.b.exp;
  if (k >= 0) {
    if (top_bit(num) + k - top_bit(den) >= 64) return bound;  // |t| >= 2^63
    num <<= k;
  } else {
    if (top_bit(num) - top_bit(den) + k <= -3) return 0;  // |t| < 1/4
    den <<= -k;
  }
  const u128 q = num / den, r = num - q * den;
  if (q >= bound) return bound;
  const int half = 2 * r > den ? 1 : 2 * r == den ? 0 : -1;  // the fraction against 1/2
  const bool up = half_up ? (x.neg ? half > 0 : half >= 0) : (half > 0 || (half == 0 && (q & 1)));
  return static_cast<std::uint64_t>(q) + (up ? 1 : 0);
}

}  // namespace

Outcome exact_forward(const OpCase& c) {
  const Attrs& a = c.attrs;
  const DType t = c.input.dtype;
  const Format f(t);
  const ChannelView view = channel_view(c.input.shape, a.axis);
  const bool half_up = round_mode_of(a) == RoundMode::HalfUp;
  const Bits nan = f.sign | f.exp_mask | (f.min_normal >> 1);
  const IntBounds qb = integer_bounds(a);
  const auto qmin_mag = static_cast<std::uint64_t>(-qb.lo), qmax = static_cast<std::uint64_t>(qb.hi);

  Outcome out;
  out.outputs.emplace_back(t, c.input.shape);
  Tensor& y = out.outputs[0];
  const std::int64_t channels = a.axis == -1 ? 1 : view.depth;
  for (std::int64_t ch = 0; ch < channels; ++ch) {
    bool poisoned = false;
    std::optional<Bits> lo, hi;
    auto finite = [&](Bits b) { return (b & f.exp_mask) != f.exp_mask; };
    if (a.range_given) {
      const std::size_t i = a.axis == -1 ? 0 : static_cast<std::size_t>(ch);
      lo = c.input_min.bits(i);
      hi = c.input_max.bits(i);
      poisoned = !finite(*lo) || !finite(*hi);
    } else {
      for_each_in_channel(view, ch, [&](std::int64_t k) {
        const Bits b = c.input.bits(static_cast<std::size_t>(k));
        if (!finite(b)) {
          poisoned = true;
          return;
        }
        if (!lo || order_key(b, f) < order_key(*lo, f)) lo = b;
        if (!hi || order_key(b, f) > order_key(*hi, f)) hi = b;
      });
    }
    std::optional<Scale> scale;
    if (!poisoned && lo && hi) {
      const Value l = unpack(*lo, f), h = unpack(*hi, f);
      const bool lo_binds = qmin_mag != 0 && l.kind == Value::Finite && l.neg;
      const bool hi_binds = qmax != 0 && h.kind == Value::Finite && !h.neg;
      if (lo_binds) scale = Scale{qmin_mag, l};
      // qmax/hi < |qmin|/|lo|  <=>  qmax·|lo| < |qmin|·hi
      if (hi_binds && (!lo_binds || compare_scaled(static_cast<u128>(qmax) * l.sig, l.exp,
                                                   static_cast<u128>(qmin_mag) * h.sig, h.exp) < 0)) {
        scale = Scale{qmax, h};
      }
    }
    for_each_in_channel(view, ch, [&](std::int64_t k) {
      const auto i = static_cast<std::size_t>(k);
      const Value x = unpack(c.input.bits(i), f);
      if (poisoned || x.kind == Value::NaN) {
        y.set_bits(i, nan);
        return;
      }
      std::uint64_t n = 0;
      const std::uint64_t bound = x.neg ? qmin_mag : qmax;
      if (scale && x.kind == Value::Inf) n = bound;
      else if (scale && x.kind == Value::Finite) n = rounded_integer(x, *scale, bound, half_up);
      if (n == 0) {
        y.set_bits(i, x.neg ? f.sign : 0);
        return;
      }
      // y = n·B/Q: n·B's significand placed at bit 126, divided by Q with a sticky remainder.
      u128 m = static_cast<u128>(n) * scale->b.sig;
      const int shift = 126 - top_bit(m);
      m <<= shift;
      const u128 q = m / scale->q;
      const bool sticky = m - q * scale->q != 0;
      y.set_bits(i, round_to(x.neg, q | (sticky ? 1 : 0), scale->b.exp - shift, f, false));
    });
  }
  return out;
}

Outcome exact_gradient(const OpCase& c) {
  const DType t = c.input.dtype;
  const Format f(t);
  const ChannelView view = channel_view(c.input.shape, c.attrs.axis);
  Outcome out = gradient_outputs(c);
  Tensor& dx = out.outputs[0];
  for (std::size_t k = 0; k < dx.size(); ++k) {
    const auto ch = static_cast<std::size_t>(view.channel_of(static_cast<std::int64_t>(k)));
    const Bits x = c.input.bits(k), lo = c.input_min.bits(ch), hi = c.input_max.bits(ch);
    const bool inside = !is_nan_bits(t, x) && !is_nan_bits(t, lo) && !is_nan_bits(t, hi) &&
                        order_key(lo, f) <= order_key(x, f) && order_key(x, f) <= order_key(hi, f);
    dx.set_bits(k, inside ? c.gradients.bits(k) : 0);
  }
  return out;
}

}  // namespace qdq::fixed
