#include "reference/contract/profile.h"

namespace qdq {
namespace {

constexpr ArithEnv flush(DType t) { return {t, true, true}; }      // FTZ + DAZ
constexpr ArithEnv gradual(DType t) { return {t, false, false}; }  // IEEE gradual underflow
constexpr DTypeRules none(DType t) { return {false, flush(t), flush(t), t}; }
constexpr DTypeRules same(DType t, ArithEnv e) { return {true, e, e, t}; }
// bfloat16 under XLA on CPU: the HLO widens it to float32 (and rounds back after every op).
constexpr DTypeRules widened_to_float32() { return {true, flush(DType::Float32), flush(DType::Float32), DType::Float32}; }

// TF's CPU kernel (spec §2, §2.8): every op in T; eager kernels and TF's thread pools run with
// FTZ and DAZ set, which on x86 affects float and double alike. HALF_TO_EVEN is rint (Eigen
// packet_traits HasRound, TF >= 2.17, §2.6); HALF_UP is floor(s + 0.5) with the addition in T.
constexpr Profile kTfCpu{
    ProfileId::TfCpu, "tf-cpu",
    "TF 2.21 CPU kernel: ops in T, FTZ+DAZ, rint / floor(s+0.5), clamp keeps NaN",
    false, IntRangeRule::Int64ThenConvert, RangeNaNRule::ImplementationDefined,
    ClampRule::KeepInput, ValidationRule::EagerKernel, true, false, false, HalfUpAdd::Separate,
    "",  // observed against tensorflow-cpu 2.21.0: docs/tf-behaviour.md
    {none(DType::BFloat16), none(DType::Float16), same(DType::Float32, flush(DType::Float32)),
     same(DType::Float64, flush(DType::Float64))}};

// TF's GPU kernel (spec §6.1): the same functor; the element-wise part runs on the device where
// only float32 flushes (nvcc ftz=true), the scale selection on the host under the CPU rules.
// Range reductions ignore NaN (fminf/fmaxf) and the clamp maps a NaN input to hi'.
constexpr Profile kTfGpu{
    ProfileId::TfGpu, "tf-gpu",
    "TF 2.21 GPU kernel: as tf-cpu, FTZ on device for float32 only, NaN-ignoring ranges, fmin/fmax clamp",
    false, IntRangeRule::Int64ThenConvert, RangeNaNRule::Ignored, ClampRule::NonNaNWins,
    ValidationRule::EagerKernel, true, false, false, HalfUpAdd::Separate,
    "specified from TF's sources only (cannot run here): FMA contraction on the device is not modelled, "
    "and fminf/fmaxf are taken to return the first operand for -0 versus +0",
    {none(DType::BFloat16), none(DType::Float16), same(DType::Float32, flush(DType::Float32)),
     {true, flush(DType::Float64), gradual(DType::Float64), DType::Float64}}};

// TF's XLA lowering (spec §6.4) as tensorflow-cpu 2.21.0 runs it on x86-64 (docs/tf-behaviour.md):
// integer range in T; reductions skip NaN; Clamp = std::min(std::max(lo, v), hi); HALF_TO_EVEN is
// RoundToEven; a division by the constant Qmin/Qmax is a multiplication by its reciprocal; HALF_UP's
// multiply-add is one FMA or not, as LLVM's code generation for the shape and the CPU decides, so
// where the two differ the element is implementation-defined. bfloat16 and float16 ops are
// evaluated in float32 and rounded to T.
constexpr Profile kTfXla{
    ProfileId::TfXla, "tf-xla",
    "TF 2.21 XLA (jit_compile=True) on x86-64 CPU: integer range in T, NaN-skipping ranges, clamp NaN to lo', "
    "reciprocal of the constant Q, HALF_UP fused or not (implementation-defined where it matters)",
    false, IntRangeRule::PowerOfTwoInT, RangeNaNRule::Ignored, ClampRule::MaxThenMin,
    ValidationRule::XlaJit, false, false, true, HalfUpAdd::FusedOrSeparate,
    "machine-dependent: reduction order is that of this x86-64 build; NaN skipping in reductions observed for up "
    "to 100 elements only",
    {widened_to_float32(),
     same(DType::Float16, flush(DType::Float32)), same(DType::Float32, flush(DType::Float32)),
     same(DType::Float64, flush(DType::Float64))}};

// The ideal op (exact_op.h): exact real arithmetic, one correct rounding of each output.
constexpr Profile kExact{
    ProfileId::Exact, "exact",
    "ideal op: exact arithmetic, saturating clamp, one rounding of each output, gradual underflow",
    true, IntRangeRule::Exact, RangeNaNRule::Propagated, ClampRule::Saturate,
    ValidationRule::EagerKernel, false, true, false, HalfUpAdd::Separate, "",
    {same(DType::BFloat16, gradual(DType::BFloat16)), same(DType::Float16, gradual(DType::Float16)),
     same(DType::Float32, gradual(DType::Float32)), same(DType::Float64, gradual(DType::Float64))}};

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
