// The reference for the TF profiles (tf-cpu, tf-gpu, tf-xla): TF's algorithm (docs/op-spec.md §2, §5, §6.4)
// step by step, every operation that TF performs in T carried out by EnvArith (exact, then rounded
// as the profile's ArithEnv says). Preconditions: the case passed validation and the profile is
// not exact-arithmetic.
#pragma once

#include "reference/algorithm/tf_trace.h"
#include "reference/contract/backend.h"

namespace qdq::exact {

// QuantizeAndDequantizeV4. Per channel (docs/op-spec.md §2.1): range given or measured (§2.2, NaN and
// sign-of-zero rules of the profile), integer range (§2.3, §7.2), scale selection in the host
// env (§2.4), then per element in the device env: clamp when range_given, s = v ⊗ scale,
// r = rint(s) (HALF_TO_EVEN) or floor(s ⊕ 0.5) (HALF_UP), y = r ⊗ inv.
// Elements whose value the profile leaves implementation-defined are classed in `undefined`
// (reference/contract/backend.h): unconstrained, a whole channel whose measured range meets a NaN
// under RangeNaNRule::ImplementationDefined; bounded, with their allowed values in `alternatives`,
// any element whose output depends on the undefined sign of a measured zero min or max and, where
// the profile leaves HALF_UP's contraction open (HalfUpAdd::FusedOrSeparate), any element whose
// fused and separate results differ; the output holds the fused result.
Outcome tf_forward(const Profile& p, const OpCase& c);

// One element's computation under p, step by step (for `qdq explain`): the same functions
// tf_forward uses. Where a measured zero bound's sign is implementation-defined, the first choice.
using qdq::TfTrace;  // reference/algorithm/tf_trace.h
TfTrace tf_forward_trace(const Profile& p, const OpCase& c, std::int64_t k);

// QuantizeAndDequantizeV4Grad (docs/op-spec.md §5.1): input_backprop = g ⊗ (lo <= x <= hi ? 1 : 0) in the
// device env with the raw bounds of the element's channel; min/max backprops are +0 tensors of
// input_min's shape.
Outcome tf_gradient(const Profile& p, const OpCase& c);

}  // namespace qdq::exact
