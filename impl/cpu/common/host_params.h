// What the CPU backends compute on the host, once per tensor or channel, in the profile's host
// ArithEnv: the integer range and the scale selection of docs/op-spec.md §2.3, §2.4.
#pragma once

#include <cmath>
#include <cstdint>
#include <utility>

#include "impl/cpu/common/dtype_env.h"
#include "reference/contract/attrs.h"

namespace qdq::cpu {

// [qmin, qmax] as values of the dtype (docs/op-spec.md §2.3; XLA: ±2^(b-1) in T, then ± 1 in T, §7.2).
// Precondition: num_bits validated.
template <typename C>
std::pair<C, C> integer_range(const Profile& p, const Env<C>& host, const Attrs& a) {
  const int b = static_cast<int>(a.num_bits);
  C qmin, qmax;
  if (p.int_range == IntRangeRule::PowerOfTwoInT) {  // XLA: ±2^(b-1) in T, then ± 1 in T
    const C pow = host.narrow(std::ldexp(C(1), a.signed_input ? b - 1 : b));
    qmin = !a.signed_input ? C(0) : a.narrow_range ? host.add(-pow, C(1)) : -pow;
    qmax = host.add(pow, C(-1));
  } else {  // kernel: exact int64 bounds, one rounding each
    const IntBounds q = integer_bounds(a);
    qmin = host.narrow(static_cast<C>(q.lo));
    qmax = host.narrow(static_cast<C>(q.hi));
  }
  return {qmin, qmax};
}

// The result of ComputeQuantizationRange: scale, its independent inverse, and the adjusted
// clamp bounds lo', hi'.
template <typename C>
struct Scale {
  C scale, inv, lo, hi;
};

template <typename C>
Scale<C> select_scale(const Profile& p, const Env<C>& h, C qmin, C qmax, C lo, C hi) {
  const C maxf = h.max_finite();
  auto over_q = [&](C x, C q) {
    return p.divides_by_constant_via_reciprocal ? h.mul_reciprocal(x, q, p.rules(h.dtype()).hlo_type) : h.div(x, q);
  };
  const C s_lo = h.lt(0, h.mul(qmin, lo)) ? h.div(qmin, lo) : maxf;
  const C s_hi = h.lt(0, h.mul(qmax, hi)) ? h.div(qmax, hi) : maxf;
  if (h.lt(s_lo, s_hi)) {
    const C inv = over_q(lo, qmin);
    return {s_lo, inv, lo, h.mul(qmax, inv)};
  }
  const C inv = over_q(hi, qmax);
  return {s_hi, inv, h.mul(qmin, inv), hi};
}

}  // namespace qdq::cpu
