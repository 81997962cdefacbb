// Validation of QuantizeAndDequantizeV4 and V4Grad cases: TF's checks, in TF's order, with TF's
// error codes and exact messages (docs/op-spec.md §4). Messages are those of TF 2.21 (tensorflow-cpu 2.21.0
// from PyPI, eager; observed with tools/tf_oracle/probe_errors.py, docs/tf-behaviour.md): the op
// definition's round_mode check, the kernel lookup (NotFound), the kernel constructor's GetAttr
// and num_bits checks, then Compute's checks (tensorflow/core/kernels/quantize_and_dequantize_op.cc,
// 2025 source). tf-xla (observed under tf.function(jit_compile=True), golden/tf-2.21-xla.h5):
// Python's op-def check of round_mode, the shape functions of tensorflow/core/ops/array_ops.cc,
// then tensorflow/compiler/tf2xla/kernels/quantize_and_dequantize_op.cc; V4Grad is refused.
// What Python and TF wrap around a message ("{{function_node ...}} ", " [Op:...] name: ",
// "in user code: ... ValueError: ", " for '{{node ...}}' with input shapes: ...", the traced
// function's name and stack) is not part of the message (tools/tf_oracle/oracle.py core_message).
#pragma once

#include <string>

#include "reference/contract/attrs.h"
#include "reference/contract/profile.h"
#include "reference/contract/status.h"
#include "reference/contract/tensor.h"

namespace qdq {

// Every backend calls these before computing. OK means the op computes a result; otherwise the
// status is what TF reports for the case under `p`. All tensors share the input's dtype.
Status validate_forward(const Profile& p, const Attrs& a, const Tensor& input,
                        const Tensor& input_min, const Tensor& input_max);
Status validate_gradient(const Profile& p, std::int64_t axis, const Tensor& gradients,
                         const Tensor& input, const Tensor& input_min, const Tensor& input_max);

// A value of T as TF prints it in messages (see ValueFormat); under DAZ a subnormal prints as a
// zero of its sign.
std::string tf_format_value(DType t, std::uint64_t bits, bool daz = false, ValueFormat format = ValueFormat::G6);

}  // namespace qdq
