// The scalar CPU backend ("cpu-scalar"): TF's algorithm in plain C++ on hardware float/double,
// one element at a time. bfloat16/float16 are computed in float and rounded back after every
// operation (narrow_float.h); FTZ/DAZ are modelled in software (flush_arith.h). Correct, not fast:
// it is the plain baseline that the optimized backend is cross-checked against, and the second
// oracle beside the arbitrary-precision reference.
//
// Supports a (profile, dtype) pair when the profile is not exact-arithmetic and both of the
// dtype's ArithEnvs flush (FTZ and DAZ), which covers tf-cpu, tf-xla and tf-gpu's float32. Gradual
// underflow in hardware cannot be had independently of the caller's MXCSR, so tf-gpu's float64
// device arithmetic and the exact profile are left to the reference.
#pragma once

#include "reference/contract/backend.h"

namespace qdq::cpu {

class ScalarBackend final : public Backend {
 public:
  std::string_view name() const override { return "cpu-scalar"; }
  bool supports(ProfileId profile, DType dtype) const override;
  Outcome run(const OpCase& c) override;
};

}  // namespace qdq::cpu
