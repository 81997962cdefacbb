#include "reference/contract/validate.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
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

std::string bool_text(bool b) { return b ? "true" : "false"; }

// TF's NodeDef attribute list as its messages print it: alphabetical, strings quoted.
std::string node_attrs(const Attrs& a, DType t, bool forward) {
  std::string s = "[T=" + std::string(tf_dtype_enum(t)) + ", axis=" + str(a.axis);
  if (forward) {
    s += ", narrow_range=" + bool_text(a.narrow_range) + ", num_bits=" + str(a.num_bits) +
         ", range_given=" + bool_text(a.range_given) + ", round_mode=\"" + a.round_mode +
         "\", signed_input=" + bool_text(a.signed_input);
  }
  return s + "]";
}

// Kernel lookup failure for a dtype without a kernel, as TF 2.21's CPU build (tensorflow-cpu)
// words it in eager mode (observed; docs/tf-behaviour.md). The kernel list is the build's.
Status not_found(std::string_view op, const Attrs& a, DType t, bool forward) {
  const std::string name(op);
  std::string m = "Could not find device for node: {{node " + name + "}} = " + name + node_attrs(a, t, forward) +
                  "\nAll kernels registered for op " + name + ":\n";
  if (forward) m += "  device='XLA_CPU_JIT'; T in [DT_FLOAT, DT_DOUBLE, DT_BFLOAT16, DT_HALF]\n";
  m += "  device='CPU'; T in [DT_DOUBLE]\n  device='CPU'; T in [DT_FLOAT]\n";
  return {Code::NotFound, m};
}

// The op definition's check of round_mode, made before any kernel is looked up (observed, TF 2.21;
// the signature is REGISTER_OP("QuantizeAndDequantizeV4") as TF prints it).
Status round_mode_allowed(const Profile& p, const Attrs& a) {
  if (a.round_mode == "HALF_UP" || a.round_mode == "HALF_TO_EVEN") return Status::Ok();
  if (p.validation == ValidationRule::XlaJit) {
    // Python's op_def_library checks it while tracing the tf.function (observed).
    return invalid_argument("Attr 'round_mode' of 'QuantizeAndDequantizeV4' Op passed string '" + a.round_mode +
                            "' not in: \"HALF_TO_EVEN\", \"HALF_UP\".");
  }
  return invalid_argument(
      "Value for attr 'round_mode' of \"" + a.round_mode +
      "\" is not in the list of allowed values: \"HALF_TO_EVEN\", \"HALF_UP\"\n\t; NodeDef: {{node "
      "QuantizeAndDequantizeV4}}; Op<name=QuantizeAndDequantizeV4; signature=input:T, input_min:T, input_max:T -> "
      "output:T; attr=signed_input:bool,default=true; attr=num_bits:int,default=8; "
      "attr=range_given:bool,default=false; attr=T:type,allowed=[DT_BFLOAT16, DT_HALF, DT_FLOAT, DT_DOUBLE]; "
      "attr=round_mode:string,default=\"HALF_TO_EVEN\",allowed=[\"HALF_TO_EVEN\", \"HALF_UP\"]; "
      "attr=narrow_range:bool,default=false; attr=axis:int,default=-1>");
}

// OpKernelConstruction::GetAttr into an int (observed wording, TF 2.21).
Status int32_attr(const char* name, std::int64_t v) {
  if (v >= std::numeric_limits<std::int32_t>::min() && v <= std::numeric_limits<std::int32_t>::max()) {
    return Status::Ok();
  }
  return invalid_argument("Attr " + std::string(name) + " has value " + str(v) + " out of range for an int32");
}

// InferenceContext::Merge of two shapes, as TF words its failure (observed, TF 2.21).
Status merge_shapes(const Shape& a, const Shape& b) {
  if (a.size() != b.size()) {
    return invalid_argument("Shapes must be equal rank, but are " + str(static_cast<std::int64_t>(a.size())) + " and " +
                            str(static_cast<std::int64_t>(b.size())));
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) {
      return invalid_argument("Dimension " + str(static_cast<std::int64_t>(i)) + " in both shapes must be equal, but are " +
                              str(a[i]) + " and " + str(b[i]) + ". Shapes are " + shape_string(a) + " and " +
                              shape_string(b) + ".");
    }
  }
  return Status::Ok();
}

// Shape functions of QuantizeAndDequantizeV4 and V4Grad (array_ops.cc, docs/op-spec.md §4.1), run when TF
// traces a tf.function: what the tf-xla profile reports first. Order and wording observed with
// tensorflow-cpu 2.21.0 (docs/tf-behaviour.md); TF appends " for '{{node ...}}' with input shapes:
// ...", which is not part of the message.
Status xla_shape_function(std::int64_t axis, const Tensor& input, const Tensor& mn, const Tensor& mx) {
  if (Status s = int32_attr("axis", axis); !s.ok()) return s;
  const int minmax_rank = axis == -1 ? 0 : 1;
  if (mn.rank() != minmax_rank) {
    return invalid_argument("Shape must be rank " + str(minmax_rank) + " but is rank " + str(mn.rank()));
  }
  if (Status s = merge_shapes(mx.shape, mn.shape); !s.ok()) return s;
  if (axis < -1) return invalid_argument("axis should be at least -1, got " + str(axis));
  if (axis >= std::numeric_limits<std::int32_t>::max()) {
    return invalid_argument("Axis cannot be >= kint32max value, got " + str(axis));
  }
  if (axis != -1) {
    if (input.rank() < axis + 1) {
      return invalid_argument("Shape must be at least rank " + str(axis + 1) + " but is rank " + str(input.rank()));
    }
    if (mn.shape[0] != input.shape[axis]) {
      return invalid_argument("Dimensions must be equal, but are " + str(mn.shape[0]) + " and " + str(input.shape[axis]));
    }
  }
  return Status::Ok();
}

// The num_bits range check of both kernel constructors.
Status num_bits_in_range(const Attrs& a) {
  if (a.num_bits <= 0 || a.num_bits >= (a.signed_input ? 62 : 63)) {
    return invalid_argument("num_bits is out of range: " + str(a.num_bits) + " with signed_input_ " +
                            (a.signed_input ? "1" : "0"));
  }
  return Status::Ok();
}

// The kernel constructor's checks, in its GetAttr order: axis, num_bits into ints, then the range.
// (The XLA kernel keeps num_bits in an int64: no int32 check there.)
Status constructor_checks(const Attrs& a) {
  if (Status s = int32_attr("axis", a.axis); !s.ok()) return s;
  if (Status s = int32_attr("num_bits", a.num_bits); !s.ok()) return s;
  return num_bits_in_range(a);
}

// QuantizeAndDequantizeV2Op::Compute's range checks (docs/op-spec.md §4.2 step 6, §4.3).
Status kernel_range_checks(const Profile& p, const Attrs& a, const Tensor& input, const Tensor& mn,
                           const Tensor& mx) {
  if (p.range_checks == RangeChecks::ScalarFirst || (p.range_checks == RangeChecks::ScalarPerTensor && a.axis == -1)) {
    if (mn.rank() != 0) return invalid_argument("input_min must be a scalar.");
    if (mx.rank() != 0) return invalid_argument("input_max must be a scalar.");
  }
  if (a.axis == -1) {
    // Without the scalar checks (TF <= 2.15) each bound is read with Tensor::scalar(), which takes
    // any one-element tensor and CHECK-fails on the others.
    for (const Tensor* t : {&mn, &mx}) {
      if (t->size() != 1) {
        return {Code::ProcessAbort, "Check failed: 1 == NumElements() (1 vs. " + str(static_cast<std::int64_t>(t->size())) +
                                        ")Must have a one element tensor"};
      }
    }
    const ArithEnv& host = p.rules(input.dtype).host;
    if (!less_equal_in_env(host, input.dtype, mn.bits(0), mx.bits(0))) {
      // The values are printed after a float->double conversion on the host, which DAZ flushes
      // (observed: a subnormal input_min prints as 0).
      return invalid_argument("Invalid range: input_min " + tf_format_value(mn.dtype, mn.bits(0), host.daz, p.message_values) +
                              " > input_max " + tf_format_value(mx.dtype, mx.bits(0), host.daz, p.message_values));
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

std::string tf_format_value(DType t, std::uint64_t bits, bool daz, ValueFormat format) {
  if (daz && (bits & exponent_mask(t)) == 0) bits &= sign_mask(t);  // a subnormal reads as a signed zero
  const double v = value_as_double(t, bits);
  if (std::isnan(v)) return format == ValueFormat::RoundTrip && (bits & sign_mask(t)) ? "-nan" : "nan";
  char buf[64];
  if (format == ValueFormat::G6) {
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
  }
  // TF's FloatToBuffer / DoubleToBuffer: the type's decimal digits, more when they do not read back.
  const bool is_double = t == DType::Float64;
  std::snprintf(buf, sizeof buf, "%.*g", is_double ? 15 : 6, v);
  const bool reads_back = is_double ? std::strtod(buf, nullptr) == v
                                    : std::strtof(buf, nullptr) == static_cast<float>(v);
  if (!reads_back) std::snprintf(buf, sizeof buf, "%.*g", is_double ? 17 : 9, v);
  return buf;
}

Status validate_forward(const Profile& p, const Attrs& a, const Tensor& input, const Tensor& mn,
                        const Tensor& mx) {
  if (Status s = round_mode_allowed(p, a); !s.ok()) return s;
  if (p.validation == ValidationRule::XlaJit) {
    if (Status s = xla_shape_function(a.axis, input, mn, mx); !s.ok()) return s;
    return num_bits_in_range(a);  // the XLA kernel's constructor
  }
  if (!p.supports(input.dtype)) return not_found("QuantizeAndDequantizeV4", a, input.dtype, true);
  if (Status s = constructor_checks(a); !s.ok()) return s;
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
  if (p.validation == ValidationRule::XlaJit) {
    // The shape function, then XLA's refusal: V4Grad has no XLA kernel (observed).
    if (Status s = xla_shape_function(axis, input, mn, mx); !s.ok()) return s;
    if (Status s = merge_shapes(gradients.shape, input.shape); !s.ok()) return s;
    return invalid_argument(
        "Detected unsupported operations when trying to compile graph on XLA_CPU_JIT: QuantizeAndDequantizeV4Grad "
        "(No registered 'QuantizeAndDequantizeV4Grad' OpKernel for XLA_CPU_JIT devices compatible with node "
        "{{node QuantizeAndDequantizeV4Grad}})");
  }
  Attrs a;
  a.axis = axis;
  if (!p.supports(input.dtype)) return not_found("QuantizeAndDequantizeV4Grad", a, input.dtype, false);
  if (Status s = int32_attr("axis", axis); !s.ok()) return s;
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
