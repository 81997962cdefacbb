// The backend interface: the one door through which every implementation of the op (the
// reference, the CPU backends, CUDA, a user's plug-in) is run by the conformance engine.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
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

// How TF's answer at one element of a forward output is constrained (docs/op-spec.md §9). The byte
// values are what Outcome::undefined holds; any value other than 0 and 2 reads as Unconstrained, so
// the flags of older producers (golden files, which store 1 for every flagged element) stay
// "left out".
enum class ElementClass : std::uint8_t {
  Defined = 0,        // TF's answer is the element's value, bit for bit
  Unconstrained = 1,  // implementation-defined and nothing is known of it: never compared
  Bounded = 2,        // implementation-defined, but one of a known set (Outcome::alternatives)
};

// Why an element is not Defined, as bits (an element may be Bounded for two reasons at once).
enum UndefinedCause : std::uint8_t {
  kNaNInMeasuredRange = 1,  // RangeNaNRule::ImplementationDefined (Unconstrained)
  kSignOfMeasuredZero = 2,  // zero_sign_of_measured_range_defined false (Bounded)
  kHalfUpContraction = 4,   // HalfUpAdd::FusedOrSeparate (Bounded)
};
// The causes in words ("; " between two), e.g. for `qdq explain` and golden files' reasons.
std::string undefined_cause_text(std::uint8_t causes);

// The values TF may answer at one Bounded element: distinct bit patterns (every NaN counts as one),
// at least two, values[0] being what outputs[0] holds there; `causes` says why there are several.
struct Alternatives {
  std::size_t element = 0;  // flat index into outputs[0]
  std::vector<std::uint64_t> values;
  std::uint8_t causes = 0;  // UndefinedCause bits
  bool operator==(const Alternatives&) const = default;
};

// What a backend answers: TF's error status, or the outputs as raw bits. Forward: {output};
// Gradient: {input_backprop, input_min_backprop, input_max_backprop}.
struct Outcome {
  Status status;
  std::vector<Tensor> outputs;
  // Only the reference fills these (docs/op-spec.md §9). `undefined`: one ElementClass byte per
  // element of outputs[0], or empty when every element is Defined (the common case costs nothing
  // more). `alternatives`: one entry per Bounded element, in increasing element order (sparse: only
  // a few elements of a case are ever Bounded). Comparisons check a Bounded element against its
  // alternatives, skip and count an Unconstrained one, and treat a Bounded flag without an entry as
  // Unconstrained.
  std::vector<std::uint8_t> undefined;
  std::vector<Alternatives> alternatives;
  std::string undefined_reason;  // why the Unconstrained elements are so (empty when there are none)

  static Outcome rejected(Status s) {
    Outcome o;
    o.status = std::move(s);
    return o;
  }
  // The class of element k of outputs[0] (Defined where `undefined` is empty or shorter).
  ElementClass element_class(std::size_t k) const {
    if (k >= undefined.size() || undefined[k] == 0) return ElementClass::Defined;
    if (undefined[k] == static_cast<std::uint8_t>(ElementClass::Bounded) && alternatives_of(k)) return ElementClass::Bounded;
    return ElementClass::Unconstrained;
  }
  // The alternatives of element k, or nullptr where it has none.
  const Alternatives* alternatives_of(std::size_t k) const;
};

// One case's answer from Backend::run_batch: its outcome, or, where `failure` is not empty, why the
// backend gave none (a device error, a crashed or hung plug-in). A failure is that case's mismatch.
struct BatchAnswer {
  Outcome outcome;
  std::string failure;
};

// Thrown by a backend that can answer no further case: a CUDA context lost to a sticky device
// error (an illegal address) fails every later call, which would bury the case that caused it
// among thousands of "backend error" lines. The run ends instead, naming that case: run_batch
// passes it on with the case's index in the batch (`case_index`).
struct BackendLost : std::runtime_error {
  explicit BackendLost(const std::string& what, std::size_t index = 0) : std::runtime_error(what), case_index(index) {}
  std::size_t case_index;
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
  // exception into that case's failure (but BackendLost, passed on with the case's index); a
  // backend with a cost per call (a plug-in's child process) sends them together.
  virtual std::vector<BatchAnswer> run_batch(std::span<const OpCase* const> cases);
};

// The gradient's three outputs as TF allocates them: input_backprop with the input's shape,
// input_min_backprop and input_max_backprop both with input_min's shape; all +0.
Outcome gradient_outputs(const OpCase& c);

// The shared validation step of every backend built here (validate.h) applied to a case.
Status validate_case(const OpCase& c);

}  // namespace qdq
