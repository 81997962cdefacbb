// The reference as a backend: every profile, every dtype. Two derivations of the same bits:
// "reference" computes every operation with fixed-width integers (reference/fixed/: the fast path,
// used wherever the harness needs the reference's answer), "reference-gmp" with GMP rationals
// (reference/exact/: the oracle of the oracle). Run one against the other with
// `qdq conformance --backend reference-gmp`.
#pragma once

#include "reference/contract/backend.h"

namespace qdq {

enum class ReferencePath { Fixed, Gmp };

class ReferenceBackend final : public Backend {
 public:
  explicit ReferenceBackend(ReferencePath path = ReferencePath::Fixed) : path_(path) {}
  std::string_view name() const override { return path_ == ReferencePath::Fixed ? "reference" : "reference-gmp"; }
  bool supports(ProfileId, DType) const override { return true; }
  Outcome run(const OpCase& c) override;

 private:
  ReferencePath path_;
};

}  // namespace qdq
