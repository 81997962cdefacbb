#include "impl/cpu/scalar/scalar_backend.h"

#include <cfenv>
#include <cmath>
#include <cstring>
#include <limits>

#include "impl/cpu/common/host_params.h"
#include "reference/contract/view.h"

namespace qdq::cpu {
namespace {

template <typename C>
C clamp(ClampRule rule, const Env<C>& d, C v, C lo, C hi) {
  if (rule == ClampRule::NonNaNWins) {  // fmax(fmin(v, hi), lo): the non-NaN operand wins
    const C m = std::isnan(v) ? hi : std::isnan(hi) ? v : d.lt(hi, v) ? hi : v;
    return std::isnan(m) ? lo : std::isnan(lo) ? m : d.lt(m, lo) ? lo : m;
  }
  if (rule == ClampRule::MaxThenMin || rule == ClampRule::MaxThenMinPreferHi) {
    const C m = d.lt(lo, v) ? v : lo;                                    // std::max(lo, v)
    if (rule == ClampRule::MaxThenMin) return d.lt(hi, m) ? hi : m;      // std::min(m, hi)
    return d.lt(m, hi) ? m : hi;                                         // std::min(hi, m)
  }
  const C m = d.lt(hi, v) ? hi : v;  // std::min(v, hi)
  return d.lt(m, lo) ? lo : m;       // std::max(m, lo)
}

template <typename C>
Outcome forward(const Profile& p, const OpCase& c) {
  const Attrs& a = c.attrs;
  const DType t = c.input.dtype;
  const Env<C> host(t, p.rules(t).host), dev(t, p.rules(t).device);
  const ChannelView view = channel_view(c.input.shape, a.axis);
  const bool half_up = round_mode_of(a) == RoundMode::HalfUp;
  const bool fused_half_up = p.half_up_fused(t);
  // The element-wise steps: in `dev` (narrowed to T after each op), or in the compute format with
  // one rounding to T at the output where the profile says so (DTypeRules::narrows_each_op).
  const DType compute = p.rules(t).device.compute;
  const Env<C> elem = p.rules(t).narrows_each_op || compute == t ? dev : Env<C>(compute, p.rules(t).device);

  const auto [qmin, qmax] = integer_range(p, host, a);

  Outcome out;
  out.outputs.emplace_back(t, c.input.shape);
  Tensor& y = out.outputs[0];
  const std::int64_t channels = a.axis == -1 ? 1 : view.depth;
  for (std::int64_t ch = 0; ch < channels; ++ch) {
    C lo, hi;
    if (a.range_given) {
      const std::size_t i = a.axis == -1 ? 0 : static_cast<std::size_t>(ch);
      lo = host.load(c.input_min.bits(i));
      hi = host.load(c.input_max.bits(i));
    } else {
      lo = std::numeric_limits<C>::infinity();
      hi = -lo;
      bool nan = false;
      for_each_in_channel(view, ch, [&](std::int64_t k) {
        const C x = dev.read(dev.load(c.input.bits(k)));
        if (std::isnan(x)) {
          nan = true;
          return;
        }
        if (x < lo) lo = x;
        if (hi < x) hi = x;
      });
      if (nan && p.range_nan == RangeNaNRule::Propagated) lo = hi = std::numeric_limits<C>::quiet_NaN();
    }
    const Scale<C> s = select_scale(p, host, qmin, qmax, lo, hi);
    for_each_in_channel(view, ch, [&](std::int64_t k) {
      C v = dev.load(c.input.bits(k));
      if (a.range_given) v = clamp(p.clamp, elem, elem.read(v), s.lo, s.hi);
      C r;
      if (!half_up) r = elem.rint(elem.mul(v, s.scale));
      else if (fused_half_up) r = elem.floor(elem.fma(v, s.scale, C(0.5)));
      else r = elem.floor(elem.add(elem.mul(v, s.scale), C(0.5)));
      y.set_bits(k, dev.store(elem.mul(r, s.inv)));
    });
  }
  return out;
}

template <typename C>
Outcome gradient(const Profile& p, const OpCase& c) {
  const DType t = c.input.dtype;
  const Env<C> dev(t, p.rules(t).device);
  const ChannelView view = channel_view(c.input.shape, c.attrs.axis);
  Outcome out = gradient_outputs(c);
  Tensor& dx = out.outputs[0];
  for (std::size_t k = 0; k < dx.size(); ++k) {
    const auto ch = static_cast<std::size_t>(view.channel_of(static_cast<std::int64_t>(k)));
    const C x = dev.load(c.input.bits(k));
    const bool inside = dev.le(dev.load(c.input_min.bits(ch)), x) && dev.le(x, dev.load(c.input_max.bits(ch)));
    dx.set_bits(k, dev.store(dev.mul(dev.load(c.gradients.bits(k)), inside ? C(1) : C(0))));
  }
  return out;
}

}  // namespace

bool ScalarBackend::supports(ProfileId id, DType t) const {
  const Profile& p = profile(id);
  if (p.exact_arithmetic) return false;
  if (!p.supports(t)) return true;  // answered with TF's NotFound by validation
  const DTypeRules& r = p.rules(t);
  const DType compute = t == DType::Float64 ? DType::Float64 : DType::Float32;
  for (const ArithEnv& e : {r.host, r.device}) {
    if (!e.ftz || !e.daz || e.compute != compute) return false;
  }
  return true;
}

Outcome ScalarBackend::run(const OpCase& c) {
  if (Status s = validate_case(c); !s.ok()) return Outcome::rejected(s);
  if (!supports(c.profile, c.input.dtype)) {
    return Outcome::rejected({Code::Unimplemented, "cpu-scalar does not implement this profile and dtype"});
  }
  if (std::fegetround() != FE_TONEAREST) {
    return Outcome::rejected({Code::Unimplemented, "cpu-scalar needs the default rounding mode (FE_TONEAREST)"});
  }
  const Profile& p = profile(c.profile);
  const bool wide = c.input.dtype == DType::Float64;
  if (c.op == Op::Forward) return wide ? forward<double>(p, c) : forward<float>(p, c);
  return wide ? gradient<double>(p, c) : gradient<float>(p, c);
}

}  // namespace qdq::cpu
