// The backend interface: the one door through which every implementation of the op (the
// reference, the CPU backends, CUDA, a user's plug-in) is run by the conformance engine.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reference/contract/attrs.h"
#include "reference/contract/profile.h"
#include "reference/contract/status.h"
#include "reference/contract/tensor.h"

namespace qdq {

// One invocation of QuantizeAndDequantizeV4 (op Forward) or QuantizeAndDequantizeV4Grad (op
// Gradient, which reads only attrs.axis and also `gradients`). All tensors share input.dtype.
struct OpCase {
  Op op = Op::Forward;
  ProfileId profile = ProfileId::TfCpu;
  Attrs attrs;
  Tensor input, input_min, input_max;
  Tensor gradients;  // Gradient only
};

// What a backend answers: TF's error status, or the outputs as raw bits. Forward: {output};
// Gradient: {input_backprop, input_min_backprop, input_max_backprop}.
struct Outcome {
  Status status;
  std::vector<Tensor> outputs;
  // Only the reference fills this: one flag per element of outputs[0], set where the profile
  // leaves the value implementation-defined (e.g. NaN inside a range measured by TF's CPU
  // kernel). Empty means every element is defined. Comparisons skip and count flagged elements.
  std::vector<std::uint8_t> undefined;
  std::string undefined_reason;  // why, when any element is flagged

  static Outcome rejected(Status s) {
    Outcome o;
    o.status = std::move(s);
    return o;
  }
};

// One case's answer from Backend::run_batch: its outcome, or, where `failure` is not empty, why the
// backend gave none (a device error, a crashed or hung plug-in). A failure is that case's mismatch.
struct BatchAnswer {
  Outcome outcome;
  std::string failure;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;
  // Whether the backend implements `profile` for `dtype`. A case it does not support is reported
  // as skipped, never as passed. (A profile with no TF kernel for the dtype is still supported
  // when the backend answers with TF's NotFound error.)
  virtual bool supports(ProfileId profile, DType dtype) const = 0;
  // The same for one op; by default both ops wherever supports(profile, dtype) (a plug-in may
  // implement the forward op only).
  virtual bool supports_op(Op op, ProfileId profile, DType dtype) const {
    (void)op;
    return supports(profile, dtype);
  }
  // Runs one case: validation first (TF's errors), then the op. Never throws for a case that
  // validation accepts or rejects.
  virtual Outcome run(const OpCase& c) = 0;
  // Runs several cases, answers[i] for cases[i]. The default runs them one by one and turns an
  // exception into that case's failure; a backend with a cost per call (a plug-in's child process)
  // sends them together.
  virtual std::vector<BatchAnswer> run_batch(std::span<const OpCase* const> cases);
};

// The gradient's three outputs as TF allocates them: input_backprop with the input's shape,
// input_min_backprop and input_max_backprop both with input_min's shape; all +0.
Outcome gradient_outputs(const OpCase& c);

// The shared validation step of every backend built here (validate.h) applied to a case.
Status validate_case(const OpCase& c);

}  // namespace qdq
