// Rules for a case, built on the host from the profile (reference/contract/profile.h) once per
// call, and whether the CUDA backends implement a profile at all.
#pragma once

#include <cmath>
#include <cstdint>

#include "impl/cuda/core/element.h"
#include "impl/cuda/core/geometry.h"
#include "reference/contract/attrs.h"
#include "reference/contract/view.h"

namespace qdq::cuda {

// Both CUDA backends implement every profile that is not exact arithmetic, for every dtype it
// defines: ops carried in float (float64: double), FTZ/DAZ as the profile says, NaNs skipped by
// (or left implementation-defined in) measured ranges. The exact profile is the reference's alone.
inline bool implements(const Profile& p, DType t) {
  if (p.exact_arithmetic || p.range_nan == RangeNaNRule::Propagated || p.clamp == ClampRule::Saturate) return false;
  if (!p.supports(t)) return true;  // answered with TF's NotFound by validation
  const DType carried = t == DType::Float64 ? DType::Float64 : DType::Float32;
  return p.rules(t).host.compute == carried && p.rules(t).device.compute == carried;
}

template <typename C>
SoftEnv<C> soft_env(DType storage, const ArithEnv& e, bool narrow_each_op = true) {
  return {storage, e.ftz, e.daz, narrow_each_op};
}

// [qmin, qmax] as values of T: the kernel's exact int64 bounds rounded once each, or XLA's
// ±2^(b-1) (2^b unsigned) in T followed by ± 1 in T. Precondition: num_bits validated.
template <typename C>
void integer_range(const Profile& p, const SoftEnv<C>& host, const Attrs& a, C& qmin, C& qmax) {
  const int b = static_cast<int>(a.num_bits);
  if (p.int_range == IntRangeRule::PowerOfTwoInT) {
    const C pow = host.narrow(std::ldexp(C(1), a.signed_input ? b - 1 : b));
    qmin = !a.signed_input ? C(0) : a.narrow_range ? host.add(-pow, C(1)) : -pow;
    qmax = host.add(pow, C(-1));
    return;
  }
  const IntBounds q = integer_bounds(a);
  qmin = host.narrow(static_cast<C>(q.lo));
  qmax = host.narrow(static_cast<C>(q.hi));
}

// The rules of a forward case (attrs validated).
template <typename C>
Rules<C> make_rules(const Profile& p, DType t, const Attrs& a) {
  const DTypeRules& d = p.rules(t);
  Rules<C> r;
  r.host = soft_env<C>(t, d.host);
  r.dev = soft_env<C>(t, d.device);
  // Where the profile keeps the element steps in the wider compute format, they are not rounded
  // back to T between operations, only at the store.
  r.elem = soft_env<C>(t, d.device, d.narrows_each_op || d.device.compute == t);
  r.clamp_input = a.range_given;
  r.clamp = p.clamp;
  r.round = round_mode_of(a) == RoundMode::HalfToEven ? RoundStep::HalfToEven
            : p.half_up_fused(t)                       ? RoundStep::HalfUpFused
                                                       : RoundStep::HalfUpSeparate;
  r.reciprocal = p.divides_by_constant_via_reciprocal;
  r.reciprocal_in_storage = d.hlo_type == t;
  integer_range(p, r.host, a, r.qmin, r.qmax);
  return r;
}

// The device environment, all the gradient needs.
template <typename C>
SoftEnv<C> gradient_env(const Profile& p, DType t) {
  return soft_env<C>(t, p.rules(t).device);
}

// The geometry of a validated case's input over its channel view (n = 0: nothing to compute).
inline Geometry case_geometry(const Shape& shape, std::int64_t axis) {
  const ChannelView v = channel_view(shape, axis);
  const std::int64_t n = num_elements(shape);
  return n <= 0 ? Geometry{} : make_geometry(n, v.depth, v.inner);
}

}  // namespace qdq::cuda
