// Per-target code of scales.h (foreach_target.h, chosen at run time by HWY_DYNAMIC_DISPATCH), as
// kernels.cc.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "impl/cpu/simd/scales.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "impl/cpu/simd/narrow_lanes-inl.h"
#include "impl/cpu/simd/scales.h"

HWY_BEFORE_NAMESPACE();
namespace qdq::cpu::simd {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// One vector of channels. Each operation is the IEEE one, and `hard` collects the lanes where
// FlushArith (impl/cpu/common/flush_arith.h) could answer otherwise: it departs from IEEE only
// where an operand is subnormal (none is, once the bounds are checked, since no result it reads
// is below the smallest normal unflagged) or where a product or quotient of nonzero operands
// (a finite divisor) is at most the smallest normal in magnitude. Flags count only in `active`
// lanes, those whose selection uses the operation. A NaN bound is flagged because Env's
// narrowing to float16 drops a payload that F16C keeps; a NaN the operations make (0/0, 0·inf)
// is the platform's default NaN both ways, and both narrowings keep it.
template <class D>
class ScaleLanes {
 public:
  using V = hn::VFromD<D>;
  using M = hn::Mask<D>;
  using C = hn::TFromD<D>;

  ScaleLanes(D d, const ScaleRule<C>& r) : d_(d), r_(r), min_(hn::Set(d, std::numeric_limits<C>::min())), hard_(hn::FirstN(d, 0)) {}

  void flag(M m) { hard_ = hn::Or(hard_, m); }
  M hard() const { return hard_; }

  // A bound the host would read as zero (DAZ), or a NaN, whose payload the narrowing may treat
  // otherwise than Env's.
  void check_bound(V x) { flag(hn::Or(hn::IsNaN(x), hn::And(hn::Lt(hn::Abs(x), min_), hn::Ne(x, hn::Zero(d_))))); }

  V mul(V a, V b, M active) {
    const V r = hn::Mul(a, b);
    flag(hn::And(active, hn::And(tiny(r), hn::And(hn::Ne(a, hn::Zero(d_)), hn::Ne(b, hn::Zero(d_))))));
    return narrow(r);
  }
  V div(V a, V b, M active) {
    const V r = hn::Div(a, b);
    flag(hn::And(active, hn::And(tiny(r), hn::And(hn::Ne(a, hn::Zero(d_)), hn::IsFinite(b)))));
    return narrow(r);
  }
  // x / q, or x times the host's reciprocal of q (select_scale's over_q).
  V over_q(V x, C q, C recip, M active) {
    return r_.via_reciprocal ? mul(x, hn::Set(d_, recip), active) : div(x, hn::Set(d_, q), active);
  }

 private:
  M tiny(V r) const { return hn::Le(hn::Abs(r), min_); }
  V narrow(V v) const {
    if constexpr (std::is_same_v<C, float>) {
      if (r_.narrowed) return *r_.narrowed == Narrow::BFloat16 ? RoundBF16(d_, v) : RoundF16(d_, v);
    }
    return v;
  }

  D d_;
  const ScaleRule<C>& r_;
  V min_;
  M hard_;
};

// select_scale (impl/cpu/common/host_params.h) on one vector of channels, both branches computed
// and each lane taking its own.
template <class D, typename C = hn::TFromD<D>>
HWY_INLINE void SelectVector(D d, const ScaleRule<C>& r, const C* lo_in, const C* hi_in, C* scale, C* inv, C* lo_out,
                             C* hi_out, uint8_t* hard, size_t lanes) {
  ScaleLanes<D> s(d, r);
  const auto all = hn::FirstN(d, lanes);
  const auto lo = hn::LoadU(d, lo_in), hi = hn::LoadU(d, hi_in);
  s.check_bound(lo);
  s.check_bound(hi);
  const auto qmin = hn::Set(d, r.qmin), qmax = hn::Set(d, r.qmax), zero = hn::Zero(d), maxf = hn::Set(d, r.max_finite);
  const auto has_lo = hn::And(all, hn::Lt(zero, s.mul(qmin, lo, all)));
  const auto has_hi = hn::And(all, hn::Lt(zero, s.mul(qmax, hi, all)));
  const auto s_lo = hn::IfThenElse(has_lo, s.div(qmin, lo, has_lo), maxf);
  const auto s_hi = hn::IfThenElse(has_hi, s.div(qmax, hi, has_hi), maxf);
  const auto from_lo = hn::And(all, hn::Lt(s_lo, s_hi));
  const auto from_hi = hn::AndNot(from_lo, all);
  const auto inv_lo = s.over_q(lo, r.qmin, r.recip_qmin, from_lo);
  const auto inv_hi = s.over_q(hi, r.qmax, r.recip_qmax, from_hi);
  const auto out_inv = hn::IfThenElse(from_lo, inv_lo, inv_hi);
  const auto out_lo = hn::IfThenElse(from_lo, lo, s.mul(qmin, inv_hi, from_hi));
  const auto out_hi = hn::IfThenElse(from_lo, s.mul(qmax, inv_lo, from_lo), hi);
  const auto out_scale = hn::IfThenElse(from_lo, s_lo, s_hi);
  hn::StoreU(out_scale, d, scale);
  hn::StoreU(out_inv, d, inv);
  hn::StoreU(out_lo, d, lo_out);
  hn::StoreU(out_hi, d, hi_out);
  const auto flags = hn::IfThenElseZero(s.hard(), hn::Set(d, C(1)));
  HWY_ALIGN C f[hn::MaxLanes(d)];
  hn::Store(flags, d, f);
  for (size_t i = 0; i < lanes; ++i) hard[i] = f[i] != 0;
}

template <typename C>
void SelectScalesT(const ScaleRule<C>& r, const C* lo, const C* hi, size_t n, C* scale, C* inv, C* lo_out, C* hi_out,
                   uint8_t* hard) {
  const hn::ScalableTag<C> d;
  const size_t N = hn::Lanes(d);
  size_t i = 0;
  for (; i + N <= n; i += N) SelectVector(d, r, lo + i, hi + i, scale + i, inv + i, lo_out + i, hi_out + i, hard + i, N);
  if (i == n) return;
  // The last channels through one padded vector (the padding lanes are inactive).
  HWY_ALIGN C in_lo[hn::MaxLanes(d)] = {}, in_hi[hn::MaxLanes(d)] = {}, o[4][hn::MaxLanes(d)];
  uint8_t h[hn::MaxLanes(d)];
  const size_t rest = n - i;
  std::copy(lo + i, lo + n, in_lo);
  std::copy(hi + i, hi + n, in_hi);
  SelectVector(d, r, in_lo, in_hi, o[0], o[1], o[2], o[3], h, rest);
  std::copy(o[0], o[0] + rest, scale + i);
  std::copy(o[1], o[1] + rest, inv + i);
  std::copy(o[2], o[2] + rest, lo_out + i);
  std::copy(o[3], o[3] + rest, hi_out + i);
  std::copy(h, h + rest, hard + i);
}

void SelectScalesF32(const ScaleRule<float>& r, const float* lo, const float* hi, size_t n, float* scale, float* inv,
                     float* lo_out, float* hi_out, uint8_t* hard) {
  SelectScalesT(r, lo, hi, n, scale, inv, lo_out, hi_out, hard);
}
void SelectScalesF64(const ScaleRule<double>& r, const double* lo, const double* hi, size_t n, double* scale, double* inv,
                     double* lo_out, double* hi_out, uint8_t* hard) {
  SelectScalesT(r, lo, hi, n, scale, inv, lo_out, hi_out, hard);
}

}  // namespace HWY_NAMESPACE
}  // namespace qdq::cpu::simd
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace qdq::cpu::simd {

HWY_EXPORT(SelectScalesF32);
HWY_EXPORT(SelectScalesF64);

void select_scales(const ScaleRule<float>& r, const float* lo, const float* hi, std::size_t n, float* scale, float* inv,
                   float* lo_out, float* hi_out, std::uint8_t* hard) {
  HWY_DYNAMIC_DISPATCH(SelectScalesF32)(r, lo, hi, n, scale, inv, lo_out, hi_out, hard);
}
void select_scales(const ScaleRule<double>& r, const double* lo, const double* hi, std::size_t n, double* scale,
                   double* inv, double* lo_out, double* hi_out, std::uint8_t* hard) {
  HWY_DYNAMIC_DISPATCH(SelectScalesF64)(r, lo, hi, n, scale, inv, lo_out, hi_out, hard);
}

template <typename C>
std::optional<ScaleRule<C>> scale_rule(const Profile& p, const Env<C>& host, C qmin, C qmax) {
  ScaleRule<C> r{qmin, qmax, host.max_finite(), std::nullopt};
  if (host.dtype() == DType::BFloat16) r.narrowed = Narrow::BFloat16;
  if (host.dtype() == DType::Float16) r.narrowed = Narrow::Float16;
  r.via_reciprocal = p.divides_by_constant_via_reciprocal;
  if (r.via_reciprocal) {
    const DType reciprocal_type = p.rules(host.dtype()).hlo_type;
    r.recip_qmin = host.reciprocal(qmin, reciprocal_type);
    r.recip_qmax = host.reciprocal(qmax, reciprocal_type);
  }
  const auto subnormal = [](C v) { return v != 0 && std::fabs(v) < std::numeric_limits<C>::min(); };
  if (subnormal(qmin) || subnormal(qmax) || subnormal(r.recip_qmin) || subnormal(r.recip_qmax)) return std::nullopt;
  return r;
}

template <typename C>
std::vector<Scale<C>> select_channel_scales(const Profile& p, const Env<C>& host, C qmin, C qmax, const std::vector<C>& lo,
                                            const std::vector<C>& hi, std::size_t* in_lanes) {
  const std::size_t n = lo.size();
  std::vector<Scale<C>> out(n);
  if (n < 4) {  // a tensor's one range, or a few: one by one costs less than the lanes' set-up
    for (std::size_t i = 0; i < n; ++i) out[i] = select_scale(p, host, qmin, qmax, lo[i], hi[i]);
    if (in_lanes) *in_lanes = 0;
    return out;
  }
  std::vector<C> scale(n), inv(n), lo_out(n), hi_out(n);
  std::vector<std::uint8_t> hard(n, 1);
  if (const auto rule = scale_rule(p, host, qmin, qmax)) {
    select_scales(*rule, lo.data(), hi.data(), n, scale.data(), inv.data(), lo_out.data(), hi_out.data(), hard.data());
  }
  std::size_t lanes = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (hard[i]) {
      out[i] = select_scale(p, host, qmin, qmax, lo[i], hi[i]);
    } else {
      out[i] = {scale[i], inv[i], lo_out[i], hi_out[i]};
      ++lanes;
    }
  }
  if (in_lanes) *in_lanes = lanes;
  return out;
}

template std::optional<ScaleRule<float>> scale_rule(const Profile&, const Env<float>&, float, float);
template std::optional<ScaleRule<double>> scale_rule(const Profile&, const Env<double>&, double, double);
template std::vector<Scale<float>> select_channel_scales(const Profile&, const Env<float>&, float, float,
                                                         const std::vector<float>&, const std::vector<float>&,
                                                         std::size_t*);
template std::vector<Scale<double>> select_channel_scales(const Profile&, const Env<double>&, double, double,
                                                          const std::vector<double>&, const std::vector<double>&,
                                                          std::size_t*);

}  // namespace qdq::cpu::simd
#endif  // HWY_ONCE
