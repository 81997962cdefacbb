// The op's arithmetic, one channel's scale and one element at a time, for host and device: the
// scale selection (ComputeQuantizationRange), the clamp, HALF_TO_EVEN and HALF_UP, the
// dequantization, the gradient's mask, and the ordered keys of the range reductions. Every rule is
// read from Rules, which rules.h builds from the profile; nothing here names a profile.
#pragma once

#include <cstdint>

#include "impl/cuda/core/soft_env.h"
#include "reference/contract/profile.h"

namespace qdq::cuda {

enum class RoundStep : std::uint8_t {
  HalfToEven,      // rint(v ⊗ scale)
  HalfUpSeparate,  // floor((v ⊗ scale) ⊕ 0.5)
  HalfUpFused,     // floor(fma(v, scale, 0.5)): one rounding, where the profile fuses
};

// Everything the kernels need to know of the profile, the dtype and the attributes, as plain data
// passed by value.
template <typename C>
struct Rules {
  SoftEnv<C> host;  // the scale selection (TF's host arithmetic, done here on the device)
  SoftEnv<C> dev;   // reading elements for the range reductions and the gradient
  SoftEnv<C> elem;  // the forward op's element steps (dev, or the compute format rounded once)
  bool clamp_input = false;  // range_given: clamp v to [lo', hi'] first
  ClampRule clamp = ClampRule::KeepInput;
  RoundStep round = RoundStep::HalfToEven;
  bool reciprocal = false;             // inv = x ⊗ (1 ⊘ q) instead of x ⊘ q
  bool reciprocal_in_storage = false;  // that reciprocal rounded to the storage format too
  C qmin = 0, qmax = 0;                // the integer range as values (rules.h)
};

// The quantization parameters of one channel: scale, its inverse, the adjusted bounds lo', hi'.
template <typename C>
struct Scale {
  C scale, inv, lo, hi;
};

// ComputeQuantizationRange for the channel's range [lo, hi], in the host environment: the side
// whose scale is smaller decides; the other bound is moved onto the grid.
template <typename C>
QDQ_HD Scale<C> select_scale(const Rules<C>& r, C lo, C hi) {
  const SoftEnv<C>& h = r.host;
  const C maxf = h.max_finite();
  const C s_lo = h.lt(C(0), h.mul(r.qmin, lo)) ? h.div(r.qmin, lo) : maxf;
  const C s_hi = h.lt(C(0), h.mul(r.qmax, hi)) ? h.div(r.qmax, hi) : maxf;
  if (h.lt(s_lo, s_hi)) {
    const C inv = r.reciprocal ? h.mul_reciprocal(lo, r.qmin, r.reciprocal_in_storage) : h.div(lo, r.qmin);
    return {s_lo, inv, lo, h.mul(r.qmax, inv)};
  }
  const C inv = r.reciprocal ? h.mul_reciprocal(hi, r.qmax, r.reciprocal_in_storage) : h.div(hi, r.qmax);
  return {s_hi, inv, h.mul(r.qmin, inv), hi};
}

// v clamped to [lo, hi] as the profile's ClampRule computes it (NaNs and signed zeros included).
template <typename C>
QDQ_HD C clamp(ClampRule rule, const SoftEnv<C>& e, C v, C lo, C hi) {
  switch (rule) {
    case ClampRule::NonNaNWins: {  // fmax(fmin(v, hi), lo)
      const C m = is_nan(v) ? hi : is_nan(hi) ? v : e.lt(hi, v) ? hi : v;
      return is_nan(m) ? lo : is_nan(lo) ? m : e.lt(m, lo) ? lo : m;
    }
    case ClampRule::MaxThenMin: {  // std::min(std::max(lo, v), hi)
      const C m = e.lt(lo, v) ? v : lo;
      return e.lt(hi, m) ? hi : m;
    }
    case ClampRule::MaxThenMinPreferHi: {  // std::min(hi, std::max(lo, v))
      const C m = e.lt(lo, v) ? v : lo;
      return e.lt(m, hi) ? m : hi;
    }
    default: {  // KeepInput: std::max(std::min(v, hi), lo)
      const C m = e.lt(hi, v) ? hi : v;
      return e.lt(m, lo) ? lo : m;
    }
  }
}

// One element of the forward op: storage bits in, storage bits out.
template <typename C>
QDQ_HD std::uint64_t quantize(const Rules<C>& r, const Scale<C>& s, std::uint64_t x) {
  const SoftEnv<C>& e = r.elem;
  C v = r.dev.load(x);
  if (r.clamp_input) v = clamp(r.clamp, e, e.read(v), s.lo, s.hi);
  C q;
  switch (r.round) {
    case RoundStep::HalfToEven: q = e.rint(e.mul(v, s.scale)); break;
    case RoundStep::HalfUpFused: q = e.floor(e.fma(v, s.scale, C(0.5))); break;
    default: q = e.floor(e.add(e.mul(v, s.scale), C(0.5))); break;
  }
  return r.dev.store(e.mul(q, s.inv));
}

// One element of the gradient: g where lo <= x <= hi, else 0, as g ⊗ 1 or g ⊗ 0 in the device
// environment (so a NaN or infinite g outside the range gives NaN, and the zero keeps g's sign).
template <typename C>
QDQ_HD std::uint64_t gradient(const SoftEnv<C>& d, std::uint64_t g, std::uint64_t x, std::uint64_t lo, std::uint64_t hi) {
  const C v = d.load(x);
  const bool inside = d.le(d.load(lo), v) && d.le(v, d.load(hi));
  return d.store(d.mul(d.load(g), inside ? C(1) : C(0)));
}

// Range reductions combine ordered keys: an unsigned integer per value that sorts as the values
// do, -0 before +0, so that min and max become integer atomics. A NaN never gets a key (NaNs are
// skipped). The stored form of a minimum is the complement of its key, so that both extremes are
// running maxima starting from 0, the key below every value's.
template <typename C>
QDQ_HD std::uint64_t order_key(C x) {
  using B = FloatBits<C>;
  const auto u = static_cast<std::uint64_t>(B::bits(x));
  constexpr auto sign = static_cast<std::uint64_t>(B::kSign);
  return (u & sign) ? ~u & (sign | static_cast<std::uint64_t>(B::kAbs)) : u | sign;
}
template <typename C>
QDQ_HD C key_value(std::uint64_t k) {
  using B = FloatBits<C>;
  constexpr auto sign = static_cast<std::uint64_t>(B::kSign);
  return B::value(static_cast<typename B::U>((k & sign) ? k & ~sign : ~k & (sign | static_cast<std::uint64_t>(B::kAbs))));
}

// A channel's extremes as running maxima of keys (0: no value seen).
struct RangeKeys {
  std::uint64_t lo_complement = 0, hi = 0;
};
template <typename C>
QDQ_HD void include(RangeKeys& r, C x) {
  const std::uint64_t k = order_key(x);
  if (~k > r.lo_complement) r.lo_complement = ~k;
  if (k > r.hi) r.hi = k;
}
QDQ_HD void merge(RangeKeys& into, const RangeKeys& r) {
  if (r.lo_complement > into.lo_complement) into.lo_complement = r.lo_complement;
  if (r.hi > into.hi) into.hi = r.hi;
}
// The measured [lo, hi]: [+inf, -inf] where no value was seen (an empty or all-NaN channel).
template <typename C>
QDQ_HD C range_lo(const RangeKeys& r) {
  return r.lo_complement == 0 ? infinity<C>() : key_value<C>(~r.lo_complement);
}
template <typename C>
QDQ_HD C range_hi(const RangeKeys& r) {
  return r.hi == 0 ? -infinity<C>() : key_value<C>(r.hi);
}

}  // namespace qdq::cuda

namespace qdq::cuda {

// Where a channel's range comes from: the given input_min/input_max (storage bits, one per
// channel), or the keys a range reduction left (one RangeKeys per channel).
template <typename U>
struct RangeSource {
  const U* given_lo = nullptr;
  const U* given_hi = nullptr;
  const RangeKeys* measured = nullptr;
};

// The scale of channel ch.
template <typename U, typename C>
QDQ_HD Scale<C> channel_scale(const Rules<C>& r, const RangeSource<U>& src, std::int64_t ch) {
  if (src.measured) return select_scale(r, range_lo<C>(src.measured[ch]), range_hi<C>(src.measured[ch]));
  return select_scale(r, r.host.load(src.given_lo[ch]), r.host.load(src.given_hi[ch]));
}

}  // namespace qdq::cuda
