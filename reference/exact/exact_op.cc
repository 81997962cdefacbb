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

ExactTrace exact_forward_trace(const OpCase& c, std::int64_t k) {
  const Attrs& a = c.attrs;
  const FloatFormat f = format_of(c.input.dtype);
  const ChannelView view = channel_view(c.input.shape, a.axis);
  const std::int64_t ch = a.axis == -1 ? 0 : view.channel_of(k);
  ExactTrace t;
  const IntBounds q = integer_bounds(a);
  t.qmin = q.lo;
  t.qmax = q.hi;
  auto take = [&](std::uint64_t bits, std::optional<Rational>& slot, bool keep_min) {
    const XFloat x = decode(bits, f);
    if (x.kind != XFloat::Finite) t.poisoned = true;
    else if (!slot || (keep_min ? x.value() < *slot : x.value() > *slot)) slot = x.value();
  };
  if (a.range_given) {
    const std::size_t i = a.axis == -1 ? 0 : static_cast<std::size_t>(ch);
    take(c.input_min.bits(i), t.lo, true);
    take(c.input_max.bits(i), t.hi, false);
  } else {
    for_each_in_channel(view, ch, [&](std::int64_t e) {
      take(c.input.bits(e), t.lo, true);
      take(c.input.bits(e), t.hi, false);
    });
  }
  if (!t.poisoned && t.lo && t.hi) {
    if (t.qmin * *t.lo > 0) t.scale = Rational(t.qmin) / *t.lo;
    if (t.qmax * *t.hi > 0 && (!t.scale || Rational(t.qmax) / *t.hi < *t.scale)) t.scale = Rational(t.qmax) / *t.hi;
  }
  const XFloat x = decode(c.input.bits(static_cast<std::size_t>(k)), f);
  if (!t.poisoned && !x.is_nan() && t.scale) {
    Rational s = x.is_inf() ? Rational(x.neg ? t.qmin : t.qmax) : Rational(x.value() * *t.scale);
    if (s < t.qmin) s = t.qmin;
    if (s > t.qmax) s = t.qmax;
    t.clamped = s / *t.scale;
    t.scaled = s;
    t.n = round_integer(s, round_mode_of(a) == RoundMode::HalfUp);
    t.exact_result = Rational(*t.n) / *t.scale;
  }
  t.result = exact_forward(c).outputs[0].bits(static_cast<std::size_t>(k));
  return t;
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
