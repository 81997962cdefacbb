// The "cuda-host" backend: the CUDA backend's own arithmetic and indexing (impl/cuda/core/), run
// on the host. It walks the grid that the kernels launch (range pass, then element pass) block by
// block and thread by thread, with the same element functions the device executes, so CI proves
// the CUDA code bit for bit on machines without a GPU. Only the parallel mechanics (shared
// memory, atomics, CUB's block reductions) are the device's alone; they combine minima and
// maxima, where order cannot matter.
//
// Supports what the `cuda` backend supports (impl/cuda/core/rules.h: every profile but the exact
// one). Needs the thread's default floating-point state (round to nearest, no FTZ/DAZ), which it
// checks, since FTZ and DAZ are done in software on top of IEEE arithmetic.
#pragma once

#include "reference/contract/backend.h"

namespace qdq::cuda {

class HostBackend final : public Backend {
 public:
  std::string_view name() const override { return "cuda-host"; }
  bool supports(ProfileId profile, DType dtype) const override;
  Outcome run(const OpCase& c) override;
};

}  // namespace qdq::cuda
