// The optimized CPU backend ("cpu"): SIMD kernels (kernels.h, Highway run-time dispatch) and
// oneTBB threads for float32 and float64; bfloat16 and float16 go to the scalar backend until
// their own kernels exist. Supports exactly what the scalar backend supports (profiles whose
// arithmetic flushes), and is checked against it and against the reference.
//
// Passes over memory: range_given, one (quantize); measured, one fused min/max pass plus one
// quantize pass; per-channel ranges for any axis position in one pass, without transposing
// (long inner runs are reduced run by run; short ones row by row into per-position accumulators).
#pragma once

#include "impl/cpu/scalar/scalar_backend.h"
#include "reference/contract/backend.h"

namespace qdq::cpu {

class SimdBackend final : public Backend {
 public:
  std::string_view name() const override { return "cpu"; }
  bool supports(ProfileId profile, DType dtype) const override { return scalar_.supports(profile, dtype); }
  Outcome run(const OpCase& c) override;
  // The forward op of a float32/float64 case into a caller's output tensor (same dtype and shape
  // as the input), for benchmarks that must not time an allocation. The same bits as run().
  Status forward_into(const OpCase& c, Tensor& output);

 private:
  ScalarBackend scalar_;
};

}  // namespace qdq::cpu
