#include "reference/contract/profile.h"

namespace qdq {
namespace {

constexpr ArithEnv flush(DType t) { return {t, true, true}; }      // FTZ + DAZ
constexpr ArithEnv gradual(DType t) { return {t, false, false}; }  // IEEE gradual underflow
constexpr DTypeRules none(DType t) { return {false, flush(t), flush(t), t}; }
constexpr DTypeRules same(DType t, ArithEnv e) { return {true, e, e, t}; }
// bfloat16 under XLA on CPU: the HLO widens it to float32 (and rounds back after every op).
constexpr DTypeRules widened_to_float32() { return {true, flush(DType::Float32), flush(DType::Float32), DType::Float32}; }

// TF's CPU kernel (docs/op-spec.md §2, §2.8): every op in T; eager kernels and TF's thread pools run with
// FTZ and DAZ set, which on x86 affects float and double alike. HALF_TO_EVEN is rint (Eigen
// packet_traits HasRound, TF >= 2.17, §2.6); HALF_UP is floor(s + 0.5) with the addition in T.
constexpr Profile kTfCpu{
    ProfileId::TfCpu, "tf-cpu",
    "TF 2.21 CPU kernel: ops in T, FTZ+DAZ, rint / floor(s+0.5), clamp keeps NaN",
    false, IntRangeRule::Int64ThenConvert, RangeNaNRule::ImplementationDefined,
    ClampRule::KeepInput, ValidationRule::EagerKernel, RangeChecks::ScalarFirst, false, false, HalfUpAdd::Separate, ValueFormat::G6,
    "2.21", "",
    {none(DType::BFloat16), none(DType::Float16), same(DType::Float32, flush(DType::Float32)),
     same(DType::Float64, flush(DType::Float64))}};

// TF 2.16 to 2.20's CPU kernel: the arithmetic and checks of 2.21; the values in "Invalid range"
// messages printed by TF's own StrCat (round-trip digits) before the move to absl::StrCat.
constexpr Profile kTfCpu2_20 = [] {
  Profile p = kTfCpu;
  p.id = ProfileId::TfCpu2_20;
  p.name = "tf-cpu@2.20";
  p.summary = "TF 2.16-2.20 CPU kernel: as tf-cpu; message values printed with round-trip digits";
  p.message_values = ValueFormat::RoundTrip;
  p.releases = "2.16,2.17,2.18,2.19,2.20";
  return p;
}();

// TF 2.13 to 2.15's CPU kernel: as 2.16-2.20, and without the scalar checks of input_min/input_max
// that came with 2.16, so a per-channel range_given call computes with the given ranges. (TF 2.12
// behaves so too, but lacks the per-channel rank-1 checks as well: a scalar range then gets a size
// message with a number read from outside the tensor's shape, different from run to run, which no
// profile can state; docs/tf-behaviour.md.)
constexpr Profile kTfCpu2_15 = [] {
  Profile p = kTfCpu2_20;
  p.id = ProfileId::TfCpu2_15;
  p.name = "tf-cpu@2.15";
  p.summary = "TF 2.13-2.15 CPU kernel: as tf-cpu@2.20, and per-channel range_given computes";
  p.range_checks = RangeChecks::NoScalarCheck;
  p.releases = "2.13,2.14,2.15";
  return p;
}();

// TF's GPU kernel (docs/op-spec.md §6.1): the same functor; the element-wise part runs on the device where
// only float32 flushes (nvcc ftz=true), the scale selection on the host under the CPU rules.
// Range reductions ignore NaN (fminf/fmaxf) and the clamp maps a NaN input to hi'.
constexpr Profile kTfGpu{
    ProfileId::TfGpu, "tf-gpu",
    "TF 2.21 GPU kernel: as tf-cpu, FTZ on device for float32 only, NaN-ignoring ranges, fmin/fmax clamp",
    false, IntRangeRule::Int64ThenConvert, RangeNaNRule::Ignored, ClampRule::NonNaNWins,
    ValidationRule::EagerKernel, RangeChecks::ScalarFirst, false, false, HalfUpAdd::Separate, ValueFormat::G6, "",
    "specified from TF's sources only (cannot run here): FMA contraction on the device is not modelled, "
    "and fminf/fmaxf are taken to return the first operand for -0 versus +0",
    {none(DType::BFloat16), none(DType::Float16), same(DType::Float32, flush(DType::Float32)),
     {true, flush(DType::Float64), gradual(DType::Float64), DType::Float64}}};

// TF's XLA lowering (docs/op-spec.md §6.4) as tensorflow-cpu 2.21.0 runs it on x86-64 (docs/tf-behaviour.md):
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
    ValidationRule::XlaJit, RangeChecks::ScalarPerTensor, false, true, HalfUpAdd::FusedOrSeparate, ValueFormat::G6, "2.21",
    "machine-dependent: reduction order is that of this x86-64 build; NaN skipping in reductions observed for up "
    "to 100 elements only",
    {widened_to_float32(),
     same(DType::Float16, flush(DType::Float32)), same(DType::Float32, flush(DType::Float32)),
     same(DType::Float64, flush(DType::Float64))}};

// XLA in TF 2.12 to 2.15 and 2.18 to 2.20: as tf-xla but for the clamp's second step, which its older
// element emitter writes as std::min(hi', m) (observed in the LLVM IR: fcmp ule hi', m), so hi' wins
// over an equal m of the other sign and over a NaN m.
constexpr Profile kTfXla2_20 = [] {
  Profile p = kTfXla;
  p.id = ProfileId::TfXla2_20;
  p.name = "tf-xla@2.20";
  p.summary = "TF 2.12-2.15 and 2.18-2.20 XLA on x86-64 CPU: as tf-xla, clamp min(hi', max(lo', v))";
  p.clamp = ClampRule::MaxThenMinPreferHi;
  p.releases = "2.12,2.13,2.14,2.15,2.18,2.19,2.20";
  return p;
}();

// XLA in TF 2.16 and 2.17: the clamp of tf-xla@2.20, and bfloat16's element-wise steps kept in float32
// with one rounding at the output (the HLO's simplify-fp-conversions pass removes the conversions
// between them); the scale selection still rounds to bfloat16.
constexpr Profile kTfXla2_17 = [] {
  Profile p = kTfXla2_20;
  p.id = ProfileId::TfXla2_17;
  p.name = "tf-xla@2.17";
  p.summary = "TF 2.16-2.17 XLA on x86-64 CPU: as tf-xla@2.20, bfloat16 element-wise steps in float32, rounded once";
  p.dtypes[static_cast<int>(DType::BFloat16)].narrows_each_op = false;
  p.releases = "2.16,2.17";
  return p;
}();

// The ideal op (exact_op.h): exact real arithmetic, one correct rounding of each output.
constexpr Profile kExact{
    ProfileId::Exact, "exact",
    "ideal op: exact arithmetic, saturating clamp, one rounding of each output, gradual underflow",
    true, IntRangeRule::Exact, RangeNaNRule::Propagated, ClampRule::Saturate,
    ValidationRule::EagerKernel, RangeChecks::ScalarPerTensor, true, false, HalfUpAdd::Separate, ValueFormat::G6, "", "",
    {same(DType::BFloat16, gradual(DType::BFloat16)), same(DType::Float16, gradual(DType::Float16)),
     same(DType::Float32, gradual(DType::Float32)), same(DType::Float64, gradual(DType::Float64))}};

}  // namespace

const Profile& profile(ProfileId id) {
  switch (id) {
    case ProfileId::TfCpu: return kTfCpu;
    case ProfileId::TfCpu2_20: return kTfCpu2_20;
    case ProfileId::TfCpu2_15: return kTfCpu2_15;
    case ProfileId::TfGpu: return kTfGpu;
    case ProfileId::TfXla: return kTfXla;
    case ProfileId::TfXla2_20: return kTfXla2_20;
    case ProfileId::TfXla2_17: return kTfXla2_17;
    case ProfileId::Exact: return kExact;
  }
  return kExact;
}

std::string_view profile_name(ProfileId id) { return profile(id).name; }

ProfileId family_of(ProfileId id) {
  const std::string_view name = profile(id).name;
  return name.find('@') == std::string_view::npos ? id : *parse_profile(name.substr(0, name.find('@')));
}

std::uint64_t family_seed(ProfileId id) {
  switch (family_of(id)) {
    case ProfileId::TfGpu: return 1;
    case ProfileId::TfXla: return 2;
    case ProfileId::Exact: return 3;
    default: return 0;
  }
}

std::optional<ProfileId> parse_profile(std::string_view name) {
  for (ProfileId id : kAllProfiles) {
    if (profile(id).name == name) return id;
  }
  const std::size_t at = name.find('@');
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view base = name.substr(0, at), release = name.substr(at + 1);
  for (ProfileId id : kAllProfiles) {
    const Profile& p = profile(id);
    if (p.name.substr(0, p.name.find('@')) != base) continue;  // not of that family
    for (std::string_view rest = p.releases; !rest.empty();) {
      const std::size_t comma = rest.find(',');
      if (rest.substr(0, comma) == release) return id;
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return std::nullopt;
}

}  // namespace qdq
