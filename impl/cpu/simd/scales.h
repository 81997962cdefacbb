// The scale selection of many channels at once, in SIMD lanes: what host_params.h's select_scale
// computes for one channel (docs/op-spec.md §2.4), for per-channel tensors, where 256 channels
// of scalar selection in software FTZ/DAZ cost as much as the data of a tensor of a few hundred
// KiB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "impl/cpu/common/dtype_env.h"
#include "impl/cpu/common/host_params.h"
#include "impl/cpu/simd/kernels.h"
#include "reference/contract/profile.h"

namespace qdq::cpu::simd {

// The host arithmetic of one selection, as Env<C> and the profile set it up (simd_backend.cc,
// scale_rule). Every operation is IEEE, to nearest, rounded to the dtype after each one where the
// dtype is narrower than C (`narrowed`: bfloat16 or float16 in float lanes, ties to even).
template <typename C>
struct ScaleRule {
  C qmin, qmax;  // the integer range as values of the dtype
  C max_finite;  // the dtype's largest finite value: the scale where a bound gives none
  std::optional<Narrow> narrowed;  // the dtype, where it is narrower than C
  // The inverse as x times a reciprocal of q (XLA), each reciprocal as the host rounded it
  // (Env::reciprocal); otherwise x / q.
  bool via_reciprocal = false;
  C recip_qmin = 0, recip_qmax = 0;
};

// For each channel i < n with range [lo[i], hi[i]]: scale[i], inv[i], lo_out[i], hi_out[i] as
// select_scale gives them, where hard[i] is 0. hard[i] is 1 (and the four outputs unspecified)
// where IEEE arithmetic might not give what the host's FTZ/DAZ gives, or a NaN's payload might be
// narrowed otherwise: a bound that is NaN or subnormal, or an operation the selection uses whose
// operands are nonzero and whose result is at most the smallest normal in magnitude. The caller
// computes those channels with select_scale itself. Precondition: qmin, qmax and the reciprocals
// are not subnormal.
void select_scales(const ScaleRule<float>& r, const float* lo, const float* hi, std::size_t n, float* scale, float* inv,
                   float* lo_out, float* hi_out, std::uint8_t* hard);
void select_scales(const ScaleRule<double>& r, const double* lo, const double* hi, std::size_t n, double* scale,
                   double* inv, double* lo_out, double* hi_out, std::uint8_t* hard);

// The rule of profile p's host arithmetic `host` for the integer range [qmin, qmax]; none where a
// constant it uses (qmin, qmax, a reciprocal) is subnormal.
template <typename C>
std::optional<ScaleRule<C>> scale_rule(const Profile& p, const Env<C>& host, C qmin, C qmax);

// select_scale(p, host, qmin, qmax, lo[i], hi[i]) for every channel i, the same bits: in SIMD lanes
// where select_scales can, one by one where it leaves a channel (hard) or has no rule, and for
// fewer than 4 channels (a tensor's one range). With `in_lanes`, how many channels the lanes
// answered.
template <typename C>
std::vector<Scale<C>> select_channel_scales(const Profile& p, const Env<C>& host, C qmin, C qmax, const std::vector<C>& lo,
                                            const std::vector<C>& hi, std::size_t* in_lanes = nullptr);

}  // namespace qdq::cpu::simd
