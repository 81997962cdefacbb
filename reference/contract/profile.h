// Semantics profiles: which implementation of the op a result must match. Everything that differs
// between profiles is stated here, once, as data; every backend reads it and none hard-codes it.
// Sources: docs/op-spec.md (section numbers below; its §7 states every rule with its evidence), and
// what each TensorFlow release answered (docs/tf-behaviour.md). A plain name (tf-cpu) is the newest
// release's behaviour; an older release that behaves differently has a profile of its own, named
// after the newest release that behaves so (tf-cpu@2.20 covers 2.16 to 2.20).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "reference/contract/dtype.h"

namespace qdq {

enum class ProfileId { TfCpu, TfCpu2_20, TfCpu2_15, TfGpu, TfXla, TfXla2_20, TfXla2_17, Exact };
inline constexpr std::array<ProfileId, 8> kAllProfiles = {
    ProfileId::TfCpu, ProfileId::TfCpu2_20, ProfileId::TfCpu2_15, ProfileId::TfGpu,
    ProfileId::TfXla, ProfileId::TfXla2_20, ProfileId::TfXla2_17, ProfileId::Exact};

// How each arithmetic operation of one dtype is carried out (docs/op-spec.md §2.7, §2.8, §7.9).
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
  bool supported;    // false: TF has no kernel for the dtype and answers NotFound (§1.1, §4.6)
  ArithEnv host;     // the scale selection of §2.4 (the host thread, also for the GPU kernel)
  ArithEnv device;   // range reduction, clamp, quantize, dequantize and the gradient
  // tf-xla: the type XLA's optimized HLO holds this dtype in, where constants such as 1/Qmax are
  // folded: bfloat16 is widened to float32 before simplification, float16 stays float16
  // (observed in XLA's HLO dumps). Other profiles: the dtype itself.
  DType hlo_type;
  // Where `device.compute` is wider than the dtype: whether the element-wise steps (clamp, v ⊗ scale,
  // the rounding, r ⊗ inv) round back to the dtype after each op, or keep compute-format values
  // and round once, at the output (XLA's simplify-fp-conversions pass for bfloat16 in TF 2.16 and
  // 2.17: observed in the HLO). The range reduction and the scale selection are not affected.
  bool narrows_each_op = true;
};

// How [qmin, qmax] become values of T (docs/op-spec.md §2.3, §7.2).
enum class IntRangeRule {
  Int64ThenConvert,  // kernel: exact int64 bounds, one round-to-nearest conversion to T each
  PowerOfTwoInT,     // XLA: ±2^(b-1) (or 2^b) in T, then ± 1 as an addition in T
  Exact,             // exact integers, no rounding
};

// What a NaN element does to a measured range (docs/op-spec.md §2.9, §7.3).
enum class RangeNaNRule {
  ImplementationDefined,  // TF CPU: depends on position, vector width and threads; not checked
  Ignored,                // NaNs skipped (fminf/fmaxf on GPU; XLA's reductions on CPU, observed);
                          // all-NaN gives [+inf, -inf]
  Propagated,             // NaN-propagating reductions: the range becomes [NaN, NaN]
};

// How the clamp of v to [lo', hi'] is computed, which decides NaN inputs and signed zeros
// (docs/op-spec.md §2.5, §7.4; std::min(a, b) = b < a ? b : a and std::max(a, b) = a < b ? b : a).
enum class ClampRule {
  KeepInput,     // C++ std::min/std::max: an unordered comparison returns the input operand
  NonNaNWins,    // CUDA fminf/fmaxf: the non-NaN operand wins, so a NaN input becomes hi'
  MaxThenMin,    // XLA Clamp on CPU (TF 2.21): m = lo < v ? v : lo, then hi < m ? hi : m; a NaN input
                 // becomes lo' (observed)
  MaxThenMinPreferHi,  // XLA Clamp on CPU (TF <= 2.20): m as above, then m < hi ? m : hi, so hi' wins
                       // when m equals it (-0 against +0) or either is NaN (observed)
  Saturate,      // exact profile: clamp to the grid's ends [lo', hi'], NaN stays NaN
};

// How HALF_UP's s = v ⊗ scale ⊕ 0.5 is rounded (for a dtype computed in its own format; bfloat16
// and float16 under XLA are rounded back to T after the multiply, so they always round twice).
enum class HalfUpAdd {
  Separate,  // a multiply and an add, each rounded in T (TF's kernels)
  // XLA on CPU: LLVM contracts the multiply and the add into one FMA for most compiled shapes and
  // not for others (docs/tf-behaviour.md). Backends compute the fused form; the reference flags
  // an element implementation-defined where the fused and the separate forms differ.
  FusedOrSeparate,
};

// How TF prints a value of T in a message ("Invalid range: input_min 1 > input_max 0").
enum class ValueFormat {
  G6,         // absl::StrCat (TF 2.21): "%.6g"; any NaN prints "nan"
  RoundTrip,  // TF's own StrCat (TF <= 2.20): "%.6g" (double "%.15g"), or "%.9g" ("%.17g") when
              // that would not read back as the same value (strtof/strtod)
};

// How the kernel checks the shapes of given input_min/input_max (docs/op-spec.md §4.3, §7.7; observed
// per release).
enum class RangeChecks {
  // TF >= 2.16: "input_min must be a scalar." before looking at axis, so every per-channel
  // range_given call is rejected
  ScalarFirst,
  // the per-tensor scalar checks, then per channel the rank-1 and size checks (the exact profile)
  ScalarPerTensor,
  // TF 2.13 to 2.15: no scalar check; per tensor each bound is read with Tensor::scalar(), which
  // takes any one-element tensor and CHECK-fails (the process aborts) on others; per channel the
  // rank-1 and size checks
  NoScalarCheck,
};

// Which checks reject a case, in which order (docs/op-spec.md §4.5, §7.8).
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
  RangeChecks range_checks;
  // A measured min or max that is a zero, where both +0 and -0 attain it, has an
  // implementation-defined sign (reduction order; docs/op-spec.md §2.2, §7.13).
  bool zero_sign_of_measured_range_defined;
  // XLA's algebraic simplifier turns a division by a compile-time constant into a multiplication by
  // its reciprocal: inv = hi ⊗ (1 ⊘ Qmax) rather than hi ⊘ Qmax (qmin/qmax are constants folded
  // from num_bits, in T); the reciprocal is rounded to the compute format (float32 for bfloat16
  // and float16), not to T. Observed in XLA's optimized HLO, docs/tf-behaviour.md.
  bool divides_by_constant_via_reciprocal;
  HalfUpAdd half_up_add;
  ValueFormat message_values;
  // The TensorFlow releases ("2.16,2.17,...") whose answers the profile reproduces, each run with
  // the oracle on the suites (docs/tf-behaviour.md); "" for a profile no release was run for.
  std::string_view releases;
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
// The unversioned profile a profile belongs to (tf-cpu for tf-cpu@2.20, itself for tf-cpu), and a
// number of that family that never changes (0 tf-cpu, 1 tf-gpu, 2 tf-xla, 3 exact): the case
// generators seed with it, so that every profile of a family gets the same inputs.
ProfileId family_of(ProfileId id);
std::uint64_t family_seed(ProfileId id);
// A profile's name, or BASE@RELEASE for any release a profile of that base covers
// ("tf-cpu@2.18" is tf-cpu@2.20, "tf-cpu@2.21" is tf-cpu).
std::optional<ProfileId> parse_profile(std::string_view name);

}  // namespace qdq
