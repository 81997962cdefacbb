// The optimized CPU backend ("cpu"): SIMD kernels (kernels.h, Highway run-time dispatch) and
// oneTBB threads. float32 and float64 throughout; bfloat16 and float16 (tf-xla) for the forward op
// per tensor or with channel runs of 16 elements or more; what remains (shorter runs, their
// gradient) goes to the scalar backend. Supports exactly what the scalar backend supports
// (profiles whose arithmetic flushes), and is checked against it and against the reference.
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
