#include "reference/contract/validate.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>

namespace qdq {
namespace {

std::string str(std::int64_t v) { return std::to_string(v); }

// TF keeps axis in an int, so axis + 1 wraps at INT32_MAX (the message then reads
// "rank -2147483648"); attributes are range-checked to int32 when a case is parsed.
std::int64_t int32_plus_one(std::int64_t axis) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(axis) + 1u);
}

// min <= max as the host evaluates it in T: false when either is NaN, -0 == +0, and under DAZ a
// subnormal reads as zero. Decided on the bit patterns (sign-magnitude order), not with the
// hardware, so that the caller's MXCSR cannot change the verdict.
bool less_equal_in_env(const ArithEnv& env, DType t, std::uint64_t a, std::uint64_t b) {
  if (is_nan_bits(t, a) || is_nan_bits(t, b)) return false;
  // A subnormal of T is one of the compute format too, except float16 computed in float32.
  const bool flush = env.daz && !(t == DType::Float16 && env.compute != DType::Float16);
  auto key = [&](std::uint64_t v) {
    std::uint64_t mag = v & ~sign_mask(t);
    if (flush && (mag & exponent_mask(t)) == 0) mag = 0;
    const auto m = static_cast<std::int64_t>(mag);  // < 2^63
    return (v & sign_mask(t)) ? -m : m;
  };
  return key(a) <= key(b);
}

Status not_found(const Profile& p, std::string_view op, DType t) {
  // [provisional] TF's kernel lookup failure; the exact wording is settled by the TF oracle.
  const char* device = p.id == ProfileId::TfGpu ? "GPU" : "CPU";
  return {Code::NotFound, "No registered '" + std::string(op) + "' OpKernel for '" + device +
                              "' devices compatible with node {{node " + std::string(op) +
                              "}}; T=" + std::string(tf_dtype_enum(t))};
}

// Shape function of QuantizeAndDequantizeV2/V3/V4 (array_ops.cc, spec §4.1), run when TF traces
// a tf.function: what the tf-xla profile reports first. TF adds node context to these messages
// when it raises them as ValueError; the core text is what is compared.
Status xla_shape_function(const Attrs& a, const Tensor& input, const Tensor& mn, const Tensor& mx) {
  const int minmax_rank = a.axis == -1 ? 0 : 1;
  if (mn.rank() != minmax_rank) {
    return invalid_argument("Shape must be rank " + str(minmax_rank) + " but is rank " + str(mn.rank()));
  }
  if (mx.rank() != mn.rank()) {
    return invalid_argument("Shapes must be equal rank, but are " + str(mn.rank()) + " and " + str(mx.rank()));
  }
  if (minmax_rank == 1 && mn.shape[0] != mx.shape[0]) {
    return invalid_argument("Dimensions must be equal, but are " + str(mn.shape[0]) + " and " + str(mx.shape[0]));
  }
  if (a.axis < -1) return invalid_argument("axis should be at least -1, got " + str(a.axis));
  if (a.axis >= std::numeric_limits<std::int32_t>::max()) {
    return invalid_argument("Axis cannot be >= kint32max value, got " + str(a.axis));
  }
  if (a.axis != -1) {
    if (input.rank() < a.axis + 1) {
      return invalid_argument("Shape must be at least rank " + str(a.axis + 1) + " but is rank " + str(input.rank()));
    }
    if (mn.shape[0] != input.shape[a.axis]) {
      return invalid_argument("Dimensions must be equal, but are " + str(mn.shape[0]) + " and " +
                              str(input.shape[a.axis]));
    }
  }
  return Status::Ok();
}

// Construction-time attribute checks, shared by the kernel and the XLA kernel.
Status attribute_checks(const Attrs& a) {
  if (a.num_bits <= 0 || a.num_bits >= (a.signed_input ? 62 : 63)) {
    return invalid_argument("num_bits is out of range: " + str(a.num_bits) + " with signed_input_ " +
                            (a.signed_input ? "1" : "0"));
  }
  if (a.round_mode != "HALF_UP" && a.round_mode != "HALF_TO_EVEN") {
    return invalid_argument("Round mode string must be 'HALF_UP' or 'HALF_TO_EVEN', is '" + a.round_mode + "'");
  }
  return Status::Ok();
}

// QuantizeAndDequantizeV2Op::Compute's range checks (spec §4.2 step 4).
Status kernel_range_checks(const Profile& p, const Attrs& a, const Tensor& input, const Tensor& mn,
                           const Tensor& mx) {
  if (p.rejects_per_channel_range_given || a.axis == -1) {
    if (mn.rank() != 0) return invalid_argument("input_min must be a scalar.");
    if (mx.rank() != 0) return invalid_argument("input_max must be a scalar.");
  }
  if (a.axis == -1) {
    if (!less_equal_in_env(p.rules(input.dtype).host, input.dtype, mn.bits(0), mx.bits(0))) {
      return invalid_argument("Invalid range: input_min " + tf_format_value(mn.dtype, mn.bits(0)) +
                              " > input_max " + tf_format_value(mx.dtype, mx.bits(0)));
    }
    return Status::Ok();
  }
  const std::int64_t depth = input.shape[a.axis];
  if (mn.rank() != 1) return invalid_argument("Shape must be rank 1 for input_min_tensor when the axis is specified");
  if (mx.rank() != 1) return invalid_argument("Shape must be rank 1 for input_max_tensor when the axis is specified");
  for (const auto& [t, name] : {std::pair{&mn, "input_min_tensor"}, std::pair{&mx, "input_max_tensor"}}) {
    if (t->shape[0] != depth) {
      return invalid_argument(std::string(name) + " has incorrect size, was " + str(t->shape[0]) + " expected " +
                              str(depth) + " to match dim " + str(a.axis) + " of the input " +
                              shape_string(t->shape));
    }
  }
  return Status::Ok();
}

}  // namespace

std::string tf_format_value(DType t, std::uint64_t bits) {
  const double v = value_as_double(t, bits);
  if (std::isnan(v)) return "nan";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

Status validate_forward(const Profile& p, const Attrs& a, const Tensor& input, const Tensor& mn,
                        const Tensor& mx) {
  if (!p.supports(input.dtype)) return not_found(p, "QuantizeAndDequantizeV4", input.dtype);
  if (p.validation == ValidationRule::XlaJit) {
    if (Status s = xla_shape_function(a, input, mn, mx); !s.ok()) return s;
    return attribute_checks(a);
  }
  if (Status s = attribute_checks(a); !s.ok()) return s;
  if (a.axis < -1) return invalid_argument("Axis must be at least -1. Found " + str(a.axis));
  if (a.axis != -1 && a.axis >= input.rank()) {
    return invalid_argument("Shape must be at least rank " + str(int32_plus_one(a.axis)) + " but is rank " +
                            str(input.rank()));
  }
  if (!a.range_given) return Status::Ok();
  return kernel_range_checks(p, a, input, mn, mx);
}

Status validate_gradient(const Profile& p, std::int64_t axis, const Tensor& gradients, const Tensor& input,
                         const Tensor& mn, const Tensor& mx) {
  // V4Grad has no XLA lowering: every profile reports the kernel's checks (spec §1.2, §4.4).
  if (!p.supports(input.dtype)) return not_found(p, "QuantizeAndDequantizeV4Grad", input.dtype);
  if (axis < -1) return invalid_argument("Axis must be at least -1. Found " + str(axis));
  if (axis != -1 && axis >= input.rank()) {
    // sic: TF's message has no space before "but".
    return invalid_argument("Axis should be -1 or 0 or a positive value less than " + str(input.rank()) +
                            "but given axis value was " + str(axis));
  }
  if (gradients.shape != input.shape) return invalid_argument("gradient and input must be the same size");
  if (mn.rank() > 1) {
    return invalid_argument("Input min tensor must have dimension 0 or 1. Received " + str(mn.rank()) + ".");
  }
  if (mx.rank() > 1) {
    return invalid_argument("Input max tensor must have dimension 0 or 1. Received " + str(mx.rank()) + ".");
  }
  if (axis != -1) {
    const std::int64_t depth = input.shape[axis];
    if (mn.rank() != 1) return invalid_argument("Shape must be rank 1 for input_min_tensor when the axis is specified");
    if (mx.rank() != 1) return invalid_argument("Shape must be rank 1 for input_max_tensor when the axis is specified");
    if (mn.shape[0] != depth) {
      return invalid_argument("min has incorrect size, expected " + str(depth) + " was " + str(mn.shape[0]));
    }
    if (mx.shape[0] != depth) {
      return invalid_argument("max has incorrect size, expected " + str(depth) + " was " + str(mx.shape[0]));
    }
    return Status::Ok();
  }
  if (mn.rank() != 0) return invalid_argument("input_min must be a scalar if axis is unspecified");
  if (mx.rank() != 0) return invalid_argument("input_max must be a scalar if axis is unspecified");
  return Status::Ok();
}

}  // namespace qdq
