#include "reference/contract/profile.h"

namespace qdq {
namespace {

constexpr ArithEnv flush(DType t) { return {t, true, true}; }      // FTZ + DAZ
constexpr ArithEnv gradual(DType t) { return {t, false, false}; }  // IEEE gradual underflow
constexpr DTypeRules none(DType t) { return {false, flush(t), flush(t)}; }
constexpr DTypeRules same(ArithEnv e) { return {true, e, e}; }

// TF's CPU kernel (spec §2, §2.8): every op in T; eager kernels and TF's thread pools run with
// FTZ and DAZ set, which on x86 affects float and double alike. HALF_TO_EVEN is rint (Eigen
// packet_traits HasRound, TF >= 2.17, §2.6); HALF_UP is floor(s + 0.5) with the addition in T.
constexpr Profile kTfCpu{
    ProfileId::TfCpu, "tf-cpu",
    "TF 2.21 CPU kernel: ops in T, FTZ+DAZ, rint / floor(s+0.5), clamp keeps NaN",
    false, IntRangeRule::Int64ThenConvert, RangeNaNRule::ImplementationDefined,
    ClampRule::KeepInput, ValidationRule::EagerKernel, true, false,
    "",  // observed against tensorflow-cpu 2.21.0: docs/tf-behaviour.md
    {none(DType::BFloat16), none(DType::Float16), same(flush(DType::Float32)),
     same(flush(DType::Float64))}};

// TF's GPU kernel (spec §6.1): the same functor; the element-wise part runs on the device where
// only float32 flushes (nvcc ftz=true), the scale selection on the host under the CPU rules.
// Range reductions ignore NaN (fminf/fmaxf) and the clamp maps a NaN input to hi'.
constexpr Profile kTfGpu{
    ProfileId::TfGpu, "tf-gpu",
    "TF 2.21 GPU kernel: as tf-cpu, FTZ on device for float32 only, NaN-ignoring ranges, fmin/fmax clamp",
    false, IntRangeRule::Int64ThenConvert, RangeNaNRule::Ignored, ClampRule::NonNaNWins,
    ValidationRule::EagerKernel, true, false,
    "specified from TF's sources only (cannot run here): FMA contraction on the device is not modelled, "
    "and fminf/fmaxf are taken to return the first operand for -0 versus +0",
    {none(DType::BFloat16), none(DType::Float16), same(flush(DType::Float32)),
     {true, flush(DType::Float64), gradual(DType::Float64)}}};

// TF's XLA lowering (spec §6.4). Provisional reading until the TF oracle settles it: bfloat16 and
// float16 ops are evaluated in float32 and rounded to T after every op; FTZ/DAZ as on TF's CPU
// threads; reductions and Clamp propagate NaN; HALF_TO_EVEN is RoundToEven (exact).
constexpr Profile kTfXla{
    ProfileId::TfXla, "tf-xla",
    "TF 2.21 XLA (jit_compile=True): integer range in T, NaN-propagating ranges and clamp",
    false, IntRangeRule::PowerOfTwoInT, RangeNaNRule::Propagated, ClampRule::PropagateNaN,
    ValidationRule::XlaJit, false, false,
    "everything not in TF's own XLA tests: bfloat16/float16 arithmetic, FTZ/DAZ, NaN in reductions "
    "and Clamp, signed zeros of min/max, error messages; the gradient (V4Grad has no XLA lowering) "
    "follows the kernel's math in T",
    {same(flush(DType::Float32)), same(flush(DType::Float32)), same(flush(DType::Float32)),
     same(flush(DType::Float64))}};

// The ideal op (exact_op.h): exact real arithmetic, one correct rounding of each output.
constexpr Profile kExact{
    ProfileId::Exact, "exact",
    "ideal op: exact arithmetic, saturating clamp, one rounding of each output, gradual underflow",
    true, IntRangeRule::Exact, RangeNaNRule::Propagated, ClampRule::Saturate,
    ValidationRule::EagerKernel, false, true, "",
    {same(gradual(DType::BFloat16)), same(gradual(DType::Float16)), same(gradual(DType::Float32)),
     same(gradual(DType::Float64))}};

}  // namespace

const Profile& profile(ProfileId id) {
  switch (id) {
    case ProfileId::TfCpu: return kTfCpu;
    case ProfileId::TfGpu: return kTfGpu;
    case ProfileId::TfXla: return kTfXla;
    case ProfileId::Exact: return kExact;
  }
  return kExact;
}

std::string_view profile_name(ProfileId id) { return profile(id).name; }

std::optional<ProfileId> parse_profile(std::string_view name) {
  for (ProfileId id : kAllProfiles) {
    if (profile(id).name == name) return id;
  }
  return std::nullopt;
}

}  // namespace qdq
