// Semantics profiles: which implementation of the op a result must match. Everything that differs
// between profiles is stated here, once, as data; every backend reads it and none hard-codes it.
// Sources: ../shared/spec/tf-qdq-v4.md (section numbers below), TensorFlow 2.21.
#pragma once

#include <array>
#include <optional>
#include <string_view>

#include "reference/contract/dtype.h"

namespace qdq {

enum class ProfileId { TfCpu, TfGpu, TfXla, Exact };
inline constexpr std::array<ProfileId, 4> kAllProfiles = {ProfileId::TfCpu, ProfileId::TfGpu,
                                                          ProfileId::TfXla, ProfileId::Exact};

// How each arithmetic operation of one dtype is carried out (spec §2.8, §3.8).
// Every op is computed exactly, rounded to nearest-even in `compute`, then (when `compute` differs
// from the dtype) rounded again to the dtype. `ftz`: a result that is tiny after rounding (x86
// MXCSR.FTZ: below the smallest normal once rounded to the format's precision with unbounded
// exponent) becomes a zero of the same sign. `daz`: subnormal operands (of `compute`) are read as
// zero of the same sign, in arithmetic, comparisons and min/max alike (x86 MXCSR.DAZ).
struct ArithEnv {
  DType compute;
  bool ftz;
  bool daz;
};

struct DTypeRules {
  bool supported;    // false: TF has no kernel for the dtype and answers NotFound (spec §1.1)
  ArithEnv host;     // the scale selection of §2.4 (the host thread, also for the GPU kernel)
  ArithEnv device;   // range reduction, clamp, quantize, dequantize and the gradient
  // tf-xla: the type XLA's optimized HLO holds this dtype in, where constants such as 1/Qmax are
  // folded: bfloat16 is widened to float32 before simplification, float16 stays float16
  // (observed in XLA's HLO dumps). Other profiles: the dtype itself.
  DType hlo_type;
};

// How [qmin, qmax] become values of T (spec §2.3, §6.4).
enum class IntRangeRule {
  Int64ThenConvert,  // kernel: exact int64 bounds, one round-to-nearest conversion to T each
  PowerOfTwoInT,     // XLA: ±2^(b-1) (or 2^b) in T, then ± 1 as an addition in T
  Exact,             // exact integers, no rounding
};

// What a NaN element does to a measured range (spec §2.9).
enum class RangeNaNRule {
  ImplementationDefined,  // TF CPU: depends on position, vector width and threads; not checked
  Ignored,                // NaNs skipped (fminf/fmaxf on GPU; XLA's reductions on CPU, observed);
                          // all-NaN gives [+inf, -inf]
  Propagated,             // NaN-propagating reductions: the range becomes [NaN, NaN]
};

// How the clamp of v to [lo', hi'] is computed, which decides NaN inputs and signed zeros (spec
// §2.5, §6.4; std::min(a, b) = b < a ? b : a and std::max(a, b) = a < b ? b : a).
enum class ClampRule {
  KeepInput,     // C++ std::min/std::max: an unordered comparison returns the input operand
  NonNaNWins,    // CUDA fminf/fmaxf: the non-NaN operand wins, so a NaN input becomes hi'
  MaxThenMin,    // XLA Clamp on CPU: std::min(std::max(lo, v), hi): a NaN input becomes lo' (observed)
  Saturate,      // exact profile: clamp to the grid's ends [lo', hi'], NaN stays NaN
};

// How HALF_UP's s = v ⊗ scale ⊕ 0.5 is rounded (for a dtype computed in its own format; bfloat16
// and float16 under XLA are rounded back to T after the multiply, so they always round twice).
enum class HalfUpAdd {
  Separate,  // a multiply and an add, each rounded in T (TF's kernels)
  Fused,     // one fused multiply-add, rounded once
  // XLA on CPU: LLVM contracts the multiply and the add into one FMA for most compiled shapes and
  // not for others (docs/tf-behaviour.md). Backends compute the fused form; the reference flags
  // an element implementation-defined where the fused and the separate forms differ.
  FusedOrSeparate,
};

// Which checks reject a case, in which order (spec §4).
enum class ValidationRule {
  EagerKernel,  // TF's CPU/GPU kernels run eagerly: kernel lookup, construction, Compute checks
  XlaJit,       // tf.function(jit_compile=True): Python op-def check, shape functions, the XLA kernel (observed)
};

struct Profile {
  ProfileId id;
  std::string_view name;
  std::string_view summary;
  bool exact_arithmetic;  // the ideal op: no operation rounds except the output (see exact_op.h)
  IntRangeRule int_range;
  RangeNaNRule range_nan;
  ClampRule clamp;
  ValidationRule validation;
  // TF 2.21's kernel checks "input_min must be a scalar." before looking at axis, so every
  // per-channel call with range_given=true is rejected (spec §4.2, newest kernel source).
  bool rejects_per_channel_range_given;
  // A measured min or max that is a zero, where both +0 and -0 attain it, has an
  // implementation-defined sign (reduction order; spec §2.2).
  bool zero_sign_of_measured_range_defined;
  // XLA's algebraic simplifier turns a division by a compile-time constant into a multiplication by
  // its reciprocal: inv = hi ⊗ (1 ⊘ Qmax) rather than hi ⊘ Qmax (qmin/qmax are constants folded
  // from num_bits, in T); the reciprocal is rounded to the compute format (float32 for bfloat16
  // and float16), not to T. Observed in XLA's optimized HLO, docs/tf-behaviour.md.
  bool divides_by_constant_via_reciprocal;
  HalfUpAdd half_up_add;
  std::string_view provisional;  // what is not yet confirmed against real TF ("" when nothing)
  std::array<DTypeRules, 4> dtypes;  // indexed by DType

  const DTypeRules& rules(DType t) const { return dtypes[static_cast<int>(t)]; }
  bool supports(DType t) const { return rules(t).supported; }
  // Whether a backend computes HALF_UP's multiply-add as one FMA for dtype t.
  bool half_up_fused(DType t) const { return half_up_add != HalfUpAdd::Separate && rules(t).device.compute == t; }
  // Whether an element whose fused and separate HALF_UP results differ is implementation-defined.
  bool half_up_fusion_undefined(DType t) const {
    return half_up_add == HalfUpAdd::FusedOrSeparate && rules(t).device.compute == t;
  }
};

const Profile& profile(ProfileId id);
std::string_view profile_name(ProfileId id);
std::optional<ProfileId> parse_profile(std::string_view name);

}  // namespace qdq
