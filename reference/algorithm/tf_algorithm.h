// TF's algorithm for the TF profiles (docs/op-spec.md §2, §5, §6.4, §7), step by step, over an
// arithmetic: every operation TF performs in T is one call of `Arith`, which computes it exactly and
// rounds it as the profile's ArithEnv says. Two arithmetics carry it out, each a derivation of its
// own: exact::EnvArith (GMP rationals, reference/exact/) and fixed::FixedArith (fixed-width
// integers, reference/fixed/). Arith provides: Arith(DType, ArithEnv); add, mul, div, fma,
// mul_reciprocal, half_up_floor(s), negate, rint, floor, lt, le, is_nan; from_int, half, canonical,
// widen, narrow, max_finite, nan, storage. The declarations and contracts are in
// reference/exact/tf_op.h.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <tuple>
#include <utility>
#include <vector>

#include "reference/algorithm/tf_trace.h"
#include "reference/contract/backend.h"
#include "reference/contract/view.h"

// clamp() is forced inline into the element steps (GCC keeps it as a call otherwise). The steps
// themselves are not: forced into the element loop, they made fixed_tf_op.cc take clang's
// sanitizer build over a quarter of an hour to compile, for about 5 % fewer instructions.
#define QDQ_ELEMENT_STEP __attribute__((always_inline))

namespace qdq::tf_algorithm {

using Bits = std::uint64_t;

struct IntRange {
  Bits qmin, qmax;
};

// [qmin, qmax] as values of T (docs/op-spec.md §2.3; XLA §7.2).
template <class Arith>
IntRange integer_range(const Profile& p, const Arith& host, const Attrs& a) {
  const long b = static_cast<long>(a.num_bits);
  if (p.int_range == IntRangeRule::PowerOfTwoInT) {
    const Bits one = host.from_int(1);
    const Bits minus_one = host.negate(one);
    if (!a.signed_input) return {host.from_int(0), host.add(host.from_int(std::int64_t{1} << b), minus_one)};
    const Bits pow = host.from_int(std::int64_t{1} << (b - 1));
    const Bits qmin = a.narrow_range ? host.add(host.negate(pow), one) : host.negate(pow);
    return {qmin, host.add(pow, minus_one)};
  }
  const IntBounds q = integer_bounds(a);
  return {host.from_int(q.lo), host.from_int(q.hi)};
}

struct Scale {
  Bits scale, inv, lo, hi;  // lo/hi: the adjusted clamp bounds lo', hi'
};

// ComputeQuantizationRange (docs/op-spec.md §2.4), every step in the host env.
template <class Arith>
Scale select_scale(const Profile& p, const Arith& h, const IntRange& q, Bits lo, Bits hi) {
  const Bits zero = h.from_int(0), maxf = h.max_finite();
  // x ⊘ Q, or x ⊗ (1 ⊘ Q) where XLA rewrites a division by the constant Q.
  auto over_q = [&](Bits x, Bits qv) {
    return p.divides_by_constant_via_reciprocal ? h.mul_reciprocal(x, qv, p.rules(h.storage()).hlo_type) : h.div(x, qv);
  };
  const Bits s_lo = h.lt(zero, h.mul(q.qmin, lo)) ? h.div(q.qmin, lo) : maxf;
  const Bits s_hi = h.lt(zero, h.mul(q.qmax, hi)) ? h.div(q.qmax, hi) : maxf;
  if (h.lt(s_lo, s_hi)) {
    const Bits inv = over_q(lo, q.qmin);
    return {s_lo, inv, lo, h.mul(q.qmax, inv)};
  }
  const Bits inv = over_q(hi, q.qmax);
  return {s_hi, inv, h.mul(q.qmin, inv), hi};
}

// v clamped to [lo', hi'] as the profile's clamp does it (docs/op-spec.md §2.5, §7.4).
template <class Arith>
QDQ_ELEMENT_STEP inline Bits clamp(ClampRule rule, const Arith& d, Bits v, Bits lo, Bits hi) {
  switch (rule) {
    case ClampRule::KeepInput: {  // std::max(std::min(v, hi), lo)
      const Bits m = d.lt(hi, v) ? hi : v;
      return d.lt(m, lo) ? lo : m;
    }
    case ClampRule::NonNaNWins: {  // fmax(fmin(v, hi), lo)
      const Bits m = d.is_nan(v) ? hi : d.is_nan(hi) ? v : d.lt(hi, v) ? hi : v;
      return d.is_nan(m) ? lo : d.is_nan(lo) ? m : d.lt(m, lo) ? lo : m;
    }
    case ClampRule::MaxThenMin: {  // std::min(std::max(lo, v), hi)
      const Bits m = d.lt(lo, v) ? v : lo;
      return d.lt(hi, m) ? hi : m;
    }
    case ClampRule::MaxThenMinPreferHi: {  // std::min(hi, std::max(lo, v))
      const Bits m = d.lt(lo, v) ? v : lo;
      return d.lt(m, hi) ? m : hi;
    }
    case ClampRule::Saturate: break;  // exact profile only
  }
  return v;
}

// One measured bound: the extreme value, and whether a zero extreme is attained with both signs.
struct Extreme {
  Bits value;
  bool zero_sign_ambiguous = false;
};

struct MeasuredRange {
  Extreme lo, hi;
  bool has_nan = false;
};

template <class Arith>
MeasuredRange measure(const Profile& p, const Arith& d, const Tensor& x, const ChannelView& v, std::int64_t c) {
  const DType t = x.dtype;
  MeasuredRange r{{exponent_mask(t)}, {exponent_mask(t) | sign_mask(t)}};  // [+inf, -inf] when empty
  bool any = false;
  for_each_in_channel(v, c, [&](std::int64_t k) {
    const Bits b = x.bits(k);
    if (d.is_nan(b)) {
      r.has_nan = true;
      return;
    }
    const Bits e = d.canonical(b);  // a flushed subnormal reads as ±0 (DAZ)
    // Equal values with different bits are +0 and -0 (canonical values have one pattern each).
    const Bits magnitude = ~sign_mask(t);
    auto update = [&](Extreme& ex, bool better) {
      if (!any || better) {
        ex = {e};
      } else if (e != ex.value && (e & magnitude) == 0 && (ex.value & magnitude) == 0) {
        ex.zero_sign_ambiguous = true;
      }
    };
    const bool below = any && d.lt(e, r.lo.value);
    update(r.lo, below);
    update(r.hi, any && !below && d.lt(r.hi.value, e));  // below lo is not above hi (lo <= hi)
    any = true;
  });
  if (r.has_nan && p.range_nan == RangeNaNRule::Propagated) {
    r.lo = {d.nan()};
    r.hi = {d.nan()};
  }
  return r;
}

// The values a measured bound may take: itself, or both zeros when its sign is not defined.
inline std::vector<Bits> bound_choices(const Profile& p, const Extreme& e, DType t) {
  if (!e.zero_sign_ambiguous || p.zero_sign_of_measured_range_defined) return {e.value};
  return {0, sign_mask(t)};
}

// QuantizeAndDequantizeV4 under p (reference/exact/tf_op.h states the contract). Element classes
// (docs/op-spec.md §9, reference/contract/backend.h): a channel whose measured range meets a NaN
// under RangeNaNRule::ImplementationDefined is Unconstrained; an element whose output depends on
// the sign of an ambiguous measured zero bound, or, where HalfUpAdd::FusedOrSeparate leaves the
// contraction open, on fusing, is Bounded, its alternatives every output over the candidate ranges
// and both forms (the first, the one written: +0 as the ambiguous bound, fused).
template <class Arith>
Outcome tf_forward(const Profile& p, const OpCase& c) {
  const Attrs& a = c.attrs;
  const DType t = c.input.dtype;
  const Arith host(t, p.rules(t).host), dev(t, p.rules(t).device);
  const ChannelView view = channel_view(c.input.shape, a.axis);
  const IntRange q = integer_range(p, host, a);
  const bool half_up = round_mode_of(a) == RoundMode::HalfUp;
  const bool fused_half_up = p.half_up_fused(t);
  // Where the profile leaves the contraction open, the separate form is computed too.
  const bool fusion_undefined = half_up && p.half_up_fusion_undefined(t);

  Outcome out;
  out.outputs.emplace_back(t, c.input.shape);
  Tensor& y = out.outputs[0];
  // Element classes (reference/contract/backend.h): `undefined` stays empty while all are Defined.
  auto mark = [&](std::int64_t k, ElementClass cls) {
    if (out.undefined.empty()) out.undefined.assign(y.size(), 0);
    out.undefined[static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(cls);
  };

  // The element-wise steps in env e on values of e's storage type.
  auto steps = [&](const Arith& e, Bits v, Bits scale, Bits inv, Bits lo, Bits hi, bool fused) {
    if (a.range_given) v = clamp(p.clamp, e, v, lo, hi);
    const Bits r = half_up ? e.half_up_floor(v, scale, fused) : e.rint(e.mul(v, scale));
    return e.mul(r, inv);
  };
  // Where the dtype is not narrowed after each op, the steps run on compute-format values (T's
  // values widen exactly: a channel's scale, inv and bounds once, each element's input) and the
  // result is rounded to T once.
  const DType compute = p.rules(t).device.compute;
  const bool narrow_at_output = !p.rules(t).narrows_each_op && compute != t;
  const Arith wide(compute, p.rules(t).device);
  auto in_steps_type = [&](const Scale& s) {
    if (!narrow_at_output) return s;
    return Scale{dev.widen(s.scale, compute), dev.widen(s.inv, compute), dev.widen(s.lo, compute), dev.widen(s.hi, compute)};
  };
  auto transform = [&](const Scale& s, Bits v, bool fused) {  // s in the steps' type
    if (!narrow_at_output) return steps(dev, v, s.scale, s.inv, s.lo, s.hi, fused);
    return dev.narrow(steps(wide, dev.widen(v, compute), s.scale, s.inv, s.lo, s.hi, fused), compute);
  };
  // HALF_UP's fused and separate results (where fusion is open, so the steps run in T): one clamp,
  // and one last multiply where the two rounded integers agree.
  auto fused_and_separate = [&](const Scale& s, Bits v) {
    if (a.range_given) v = clamp(p.clamp, dev, v, s.lo, s.hi);
    const auto [fused, separate] = dev.half_up_floors(v, s.scale);
    const Bits y_fused = dev.mul(fused, s.inv);
    return std::pair<Bits, Bits>{y_fused, separate == fused ? y_fused : dev.mul(separate, s.inv)};
  };
  auto same = [&](Bits u, Bits w) { return u == w || (dev.is_nan(u) && dev.is_nan(w)); };

  const std::int64_t channels = a.axis == -1 ? 1 : view.depth;
  for (std::int64_t ch = 0; ch < channels; ++ch) {
    std::vector<std::pair<Bits, Bits>> ranges;  // candidate (lo, hi) pairs
    bool channel_undefined = false;
    if (a.range_given) {
      const std::size_t i = a.axis == -1 ? 0 : static_cast<std::size_t>(ch);
      ranges.emplace_back(c.input_min.bits(i), c.input_max.bits(i));
    } else {
      const MeasuredRange m = measure(p, dev, c.input, view, ch);
      channel_undefined = m.has_nan && p.range_nan == RangeNaNRule::ImplementationDefined;
      for (Bits lo : bound_choices(p, m.lo, t)) {
        for (Bits hi : bound_choices(p, m.hi, t)) ranges.emplace_back(lo, hi);
      }
    }
    std::vector<Scale> scales;  // in the steps' type
    for (const auto& [lo, hi] : ranges) scales.push_back(in_steps_type(select_scale(p, host, q, lo, hi)));
    for_each_in_channel(view, ch, [&](std::int64_t k) {
      const Bits x = c.input.bits(k);
      Bits first, separate_first = 0;
      if (fusion_undefined) std::tie(first, separate_first) = fused_and_separate(scales[0], x);
      else first = transform(scales[0], x, fused_half_up);
      y.set_bits(k, first);
      if (channel_undefined) {  // (a): the range itself is unknown, so is every output of the channel
        mark(k, ElementClass::Unconstrained);
        return;
      }
      if (scales.size() == 1 && (!fusion_undefined || same(first, separate_first))) return;
      // (b), (c): TF's answer is one of the outputs with each candidate range (the signs of a
      // measured zero bound) and, where the contraction is open, fused or separate. fusion_undefined
      // implies that the backends fuse, so `first` is the fused result with the first range.
      // At most 4 ranges × 2 forms; kept on the stack, an entry made only where they differ.
      std::array<Bits, 8> values{first};
      std::size_t n = 1;
      std::uint8_t causes = 0;
      auto add = [&](Bits v) {
        if (std::none_of(values.begin(), values.begin() + n, [&](Bits w) { return same(v, w); })) values[n++] = v;
      };
      for (std::size_t j = 0; j < scales.size(); ++j) {
        Bits fused = first, separate = separate_first;
        if (j > 0 && fusion_undefined) std::tie(fused, separate) = fused_and_separate(scales[j], x);
        else if (j > 0) fused = transform(scales[j], x, fused_half_up);
        add(fused);
        if (!same(fused, first)) causes |= kSignOfMeasuredZero;
        if (!fusion_undefined) continue;
        add(separate);
        if (!same(separate, separate_first)) causes |= kSignOfMeasuredZero;
        if (!same(separate, fused)) causes |= kHalfUpContraction;
      }
      if (n < 2) return;
      mark(k, ElementClass::Bounded);
      out.alternatives.push_back({static_cast<std::size_t>(k), std::vector<Bits>(values.begin(), values.begin() + n), causes});
    });
    if (channel_undefined && out.undefined_reason.empty()) out.undefined_reason = undefined_cause_text(kNaNInMeasuredRange);
  }
  // Channels visit their elements in channel order; the alternatives are listed by element.
  std::sort(out.alternatives.begin(), out.alternatives.end(),
            [](const Alternatives& u, const Alternatives& w) { return u.element < w.element; });
  return out;
}

template <class Arith>
TfTrace tf_forward_trace(const Profile& p, const OpCase& c, std::int64_t k) {
  const Attrs& a = c.attrs;
  const DType t = c.input.dtype;
  const Arith host(t, p.rules(t).host), dev(t, p.rules(t).device);
  const ChannelView view = channel_view(c.input.shape, a.axis);
  const std::int64_t ch = a.axis == -1 ? 0 : view.channel_of(k);
  TfTrace tr{};
  tr.dtype = t;
  const IntRange q = integer_range(p, host, a);
  tr.qmin = q.qmin;
  tr.qmax = q.qmax;
  if (a.range_given) {
    const std::size_t i = a.axis == -1 ? 0 : static_cast<std::size_t>(ch);
    tr.lo = c.input_min.bits(i);
    tr.hi = c.input_max.bits(i);
  } else {
    const MeasuredRange m = measure(p, dev, c.input, view, ch);
    tr.lo = bound_choices(p, m.lo, t)[0];
    tr.hi = bound_choices(p, m.hi, t)[0];
  }
  const Bits zero = host.from_int(0), maxf = host.max_finite();
  tr.s_lo = host.lt(zero, host.mul(q.qmin, tr.lo)) ? host.div(q.qmin, tr.lo) : maxf;
  tr.s_hi = host.lt(zero, host.mul(q.qmax, tr.hi)) ? host.div(q.qmax, tr.hi) : maxf;
  tr.from_lo = host.lt(tr.s_lo, tr.s_hi);
  const Scale s = select_scale(p, host, q, tr.lo, tr.hi);
  tr.scale = s.scale;
  tr.inv = s.inv;
  tr.adj_lo = s.lo;
  tr.adj_hi = s.hi;
  // The element steps as tf_forward's `transform` does them, each kept.
  const DType compute = p.rules(t).device.compute;
  const bool narrow_at_output = !p.rules(t).narrows_each_op && compute != t;
  const Arith wide(compute, p.rules(t).device);
  const Arith& e = narrow_at_output ? wide : dev;
  auto in_e = [&](Bits b) { return narrow_at_output ? dev.widen(b, compute) : b; };
  tr.step_type = narrow_at_output ? compute : t;
  tr.half_up = round_mode_of(a) == RoundMode::HalfUp;
  tr.fused = tr.half_up && p.half_up_fused(t);
  const Bits half = e.half();
  tr.v = in_e(c.input.bits(static_cast<std::size_t>(k)));
  tr.clamped = a.range_given ? clamp(p.clamp, e, tr.v, in_e(s.lo), in_e(s.hi)) : tr.v;
  if (tr.fused) {
    tr.product = e.fma(tr.clamped, in_e(s.scale), half);
    tr.rounded = e.floor(tr.product);
  } else {
    tr.product = e.mul(tr.clamped, in_e(s.scale));
    if (tr.half_up) tr.sum = e.add(tr.product, half);
    tr.rounded = tr.half_up ? e.floor(tr.sum) : e.rint(tr.product);
  }
  tr.before_output = e.mul(tr.rounded, in_e(s.inv));
  tr.result = tf_forward<Arith>(p, c).outputs[0].bits(static_cast<std::size_t>(k));
  return tr;
}

template <class Arith>
Outcome tf_gradient(const Profile& p, const OpCase& c) {
  const DType t = c.input.dtype;
  const Arith dev(t, p.rules(t).device);
  const ChannelView view = channel_view(c.input.shape, c.attrs.axis);
  const Bits one = dev.from_int(1), zero = dev.from_int(0);
  Outcome out = gradient_outputs(c);
  Tensor& dx = out.outputs[0];
  for (std::size_t k = 0; k < dx.size(); ++k) {
    const auto ch = static_cast<std::size_t>(view.channel_of(static_cast<std::int64_t>(k)));
    const Bits x = c.input.bits(k);
    const bool inside = dev.le(c.input_min.bits(ch), x) && dev.le(x, c.input_max.bits(ch));
    dx.set_bits(k, dev.mul(c.gradients.bits(k), inside ? one : zero));
  }
  return out;
}

}  // namespace qdq::tf_algorithm
