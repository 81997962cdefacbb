// The arbitrary-precision reference as a backend ("reference"): every profile, every dtype.
#pragma once

#include "reference/contract/backend.h"

namespace qdq {

class ReferenceBackend final : public Backend {
 public:
  std::string_view name() const override { return "reference"; }
  bool supports(ProfileId, DType) const override { return true; }
  Outcome run(const OpCase& c) override;
};

}  // namespace qdq
