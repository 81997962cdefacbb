#include "reference/exact/exact_op.h"

#include <optional>

#include "reference/contract/view.h"
#include "reference/exact/exact_float.h"

namespace qdq::exact {
namespace {

// Integer nearest to v: ties to even, or toward +inf when half_up.
Integer round_integer(const Rational& v, bool half_up) {
  const Rational shifted = half_up ? Rational(v + Rational(1, 2)) : v;
  const Integer& n = numerator(shifted);
  const Integer& d = denominator(shifted);
  Integer q = n / d;  // truncates toward zero
  if (q * d != n && shifted < 0) --q;  // now floor(shifted)
  if (half_up) return q;
  const Rational frac = v - Rational(q);
  if (frac > Rational(1, 2) || (frac == Rational(1, 2) && bit_test(q, 0))) ++q;
  return q;
}

}  // namespace

Outcome exact_forward(const OpCase& c) {
  const Attrs& a = c.attrs;
  const DType t = c.input.dtype;
  const FloatFormat f = format_of(t);
  const ChannelView view = channel_view(c.input.shape, a.axis);
  const bool half_up = round_mode_of(a) == RoundMode::HalfUp;
  const std::uint64_t nan = round_to_format(XFloat::nan(), f, false);

  const long b = static_cast<long>(a.num_bits);
  Integer qmin = 0, qmax = (Integer(1) << b) - 1;
  if (a.signed_input) {
    qmin = -(Integer(1) << (b - 1)) + (a.narrow_range ? 1 : 0);
    qmax = (Integer(1) << (b - 1)) - 1;
  }

  Outcome out;
  out.outputs.emplace_back(t, c.input.shape);
  Tensor& y = out.outputs[0];
  const std::int64_t channels = a.axis == -1 ? 1 : view.depth;
  for (std::int64_t ch = 0; ch < channels; ++ch) {
    bool poisoned = false;
    std::optional<Rational> lo, hi;
    auto take_bound = [&](std::uint64_t bits, std::optional<Rational>& slot) {
      const XFloat x = decode(bits, f);
      if (x.kind != XFloat::Finite) poisoned = true;
      else slot = x.value();
    };
    if (a.range_given) {
      const std::size_t i = a.axis == -1 ? 0 : static_cast<std::size_t>(ch);
      take_bound(c.input_min.bits(i), lo);
      take_bound(c.input_max.bits(i), hi);
    } else {
      for_each_in_channel(view, ch, [&](std::int64_t k) {
        const XFloat x = decode(c.input.bits(k), f);
        if (x.kind != XFloat::Finite) {
          poisoned = true;
          return;
        }
        const Rational v = x.value();
        if (!lo || v < *lo) lo = v;
        if (!hi || v > *hi) hi = v;
      });
    }
    std::optional<Rational> scale;
    if (!poisoned && lo && hi) {
      if (qmin * *lo > 0) scale = Rational(qmin) / *lo;
      if (qmax * *hi > 0 && (!scale || Rational(qmax) / *hi < *scale)) scale = Rational(qmax) / *hi;
    }
    for_each_in_channel(view, ch, [&](std::int64_t k) {
      const XFloat x = decode(c.input.bits(k), f);
      if (poisoned || x.is_nan()) {
        y.set_bits(k, nan);
        return;
      }
      Integer n = 0;
      if (scale) {
        Rational s = x.is_inf() ? Rational(x.neg ? qmin : qmax) : Rational(x.value() * *scale);
        if (s < qmin) s = qmin;
        if (s > qmax) s = qmax;
        n = round_integer(s, half_up);
      }
      const XFloat result = n == 0 ? XFloat::zero(x.neg) : XFloat::of(Rational(n) / *scale);
      y.set_bits(k, round_to_format(result, f, false));
    });
  }
  return out;
}

Outcome exact_gradient(const OpCase& c) {
  const DType t = c.input.dtype;
  const FloatFormat f = format_of(t);
  const ChannelView view = channel_view(c.input.shape, c.attrs.axis);
  Outcome out = gradient_outputs(c);
  Tensor& dx = out.outputs[0];
  auto inside = [&](const XFloat& x, std::uint64_t lo_bits, std::uint64_t hi_bits) {
    const XFloat lo = decode(lo_bits, f), hi = decode(hi_bits, f);
    if (x.is_nan() || lo.is_nan() || hi.is_nan()) return false;
    return !less(x, lo) && !less(hi, x);
  };
  for (std::size_t k = 0; k < dx.size(); ++k) {
    const auto ch = static_cast<std::size_t>(view.channel_of(static_cast<std::int64_t>(k)));
    const XFloat x = decode(c.input.bits(k), f);
    dx.set_bits(k, inside(x, c.input_min.bits(ch), c.input_max.bits(ch)) ? c.gradients.bits(k) : 0);
  }
  return out;
}

}  // namespace qdq::exact
