// Every validation path, with the message TF's source produces (docs/op-spec.md §4; kernel source of TF 2.21,
// tensorflow/core/kernels/quantize_and_dequantize_op.cc; shape functions in core/ops/array_ops.cc).
#include "reference/contract/validate.h"

#include <gtest/gtest.h>

#include "reference/contract/backend.h"

namespace qdq {
namespace {

constexpr std::uint64_t kOne = 0x3f800000, kZero = 0, kMinusOne = 0xbf800000, kNaN = 0x7fc00000;

Tensor f32(Shape s, std::uint64_t fill = kZero) {
  Tensor t(DType::Float32, std::move(s));
  for (std::size_t i = 0; i < t.size(); ++i) t.set_bits(i, fill);
  return t;
}

Status forward(ProfileId p, const Attrs& a, const Tensor& x, const Tensor& mn, const Tensor& mx) {
  return validate_forward(profile(p), a, x, mn, mx);
}

void expect_error(const Status& s, const std::string& message, Code code = Code::InvalidArgument) {
  EXPECT_EQ(s.code, code) << s.message;
  EXPECT_EQ(s.message, message);
}

TEST(ValidateForward, AcceptsDefaults) {
  EXPECT_TRUE(forward(ProfileId::TfCpu, Attrs{}, f32({4}), f32({}), f32({})).ok());
  EXPECT_TRUE(forward(ProfileId::TfXla, Attrs{}, f32({4}), f32({}), f32({})).ok());
}

TEST(ValidateForward, NumBitsRange) {
  for (std::int64_t nb : {0, -1, 62}) {
    Attrs a;
    a.num_bits = nb;
    expect_error(forward(ProfileId::TfCpu, a, f32({4}), f32({}), f32({})),
                 "num_bits is out of range: " + std::to_string(nb) + " with signed_input_ 1");
  }
  Attrs a;
  a.signed_input = false;
  a.num_bits = 63;
  expect_error(forward(ProfileId::TfCpu, a, f32({4}), f32({}), f32({})), "num_bits is out of range: 63 with signed_input_ 0");
  a.num_bits = 62;
  EXPECT_TRUE(forward(ProfileId::TfCpu, a, f32({4}), f32({}), f32({})).ok());
  a.signed_input = true;
  a.num_bits = 61;
  EXPECT_TRUE(forward(ProfileId::TfCpu, a, f32({4}), f32({}), f32({})).ok());
}

// Observed with tensorflow-cpu 2.21.0 (tools/tf_oracle/probe_errors.py): the op definition's check
// comes before everything else, the num_bits check included.
TEST(ValidateForward, RoundModeIsCheckedByTheOpDefinitionFirst) {
  Attrs a;
  a.round_mode = "HALF_DOWN";
  a.num_bits = 0;
  const std::string expected =
      "Value for attr 'round_mode' of \"HALF_DOWN\" is not in the list of allowed values: \"HALF_TO_EVEN\", "
      "\"HALF_UP\"\n\t; NodeDef: {{node QuantizeAndDequantizeV4}}; Op<name=QuantizeAndDequantizeV4; "
      "signature=input:T, input_min:T, input_max:T -> output:T; attr=signed_input:bool,default=true; "
      "attr=num_bits:int,default=8; attr=range_given:bool,default=false; attr=T:type,allowed=[DT_BFLOAT16, "
      "DT_HALF, DT_FLOAT, DT_DOUBLE]; attr=round_mode:string,default=\"HALF_TO_EVEN\",allowed=[\"HALF_TO_EVEN\", "
      "\"HALF_UP\"]; attr=narrow_range:bool,default=false; attr=axis:int,default=-1>";
  expect_error(forward(ProfileId::TfCpu, a, f32({4}), f32({}), f32({})), expected);
  const Status half = validate_forward(profile(ProfileId::TfCpu), a, Tensor(DType::Float16, {2}),
                                       Tensor(DType::Float16, {}), Tensor(DType::Float16, {}));
  EXPECT_EQ(half.message, expected);
}

// Observed with tensorflow-cpu 2.21.0: GetAttr into an int rejects values outside int32.
TEST(ValidateForward, Int32Attributes) {
  Attrs a;
  a.num_bits = 2147483648;
  expect_error(forward(ProfileId::TfCpu, a, f32({4}), f32({}), f32({})),
               "Attr num_bits has value 2147483648 out of range for an int32");
  a.axis = -2147483649;  // axis is read first
  expect_error(forward(ProfileId::TfCpu, a, f32({4}), f32({}), f32({})),
               "Attr axis has value -2147483649 out of range for an int32");
  a = Attrs{};
  a.axis = -2147483648;
  expect_error(forward(ProfileId::TfCpu, a, f32({4}), f32({}), f32({})), "Axis must be at least -1. Found -2147483648");
}

TEST(ValidateForward, AxisChecks) {
  Attrs a;
  a.axis = -2;
  expect_error(forward(ProfileId::TfCpu, a, f32({4}), f32({}), f32({})), "Axis must be at least -1. Found -2");
  a.axis = 1;
  expect_error(forward(ProfileId::TfCpu, a, f32({4}), f32({}), f32({})), "Shape must be at least rank 2 but is rank 1");
  a.axis = 0;
  expect_error(forward(ProfileId::TfCpu, a, f32({}), f32({}), f32({})), "Shape must be at least rank 1 but is rank 0");
  // TF keeps axis in an int: axis + 1 wraps.
  a.axis = 2147483647;
  expect_error(forward(ProfileId::TfCpu, a, f32({4}), f32({}), f32({})),
               "Shape must be at least rank -2147483648 but is rank 1");
}

TEST(ValidateForward, RangeGivenPerTensor) {
  Attrs a;
  a.range_given = true;
  expect_error(forward(ProfileId::TfCpu, a, f32({4}), f32({1}), f32({})), "input_min must be a scalar.");
  expect_error(forward(ProfileId::TfCpu, a, f32({4}), f32({}), f32({1})), "input_max must be a scalar.");
  // TF's test Invalid_range_given: "Invalid range: input_min 1 > input_max 0"
  expect_error(forward(ProfileId::TfCpu, a, f32({4}), f32({}, kOne), f32({}, kZero)),
               "Invalid range: input_min 1 > input_max 0");
  expect_error(forward(ProfileId::TfCpu, a, f32({4}), f32({}, kNaN), f32({}, kOne)),
               "Invalid range: input_min nan > input_max 1");
  EXPECT_TRUE(forward(ProfileId::TfCpu, a, f32({4}), f32({}, kMinusOne), f32({}, kOne)).ok());
  // Under DAZ a subnormal max compares equal to zero (the host runs with FTZ/DAZ).
  EXPECT_TRUE(forward(ProfileId::TfCpu, a, f32({4}), f32({}, kZero), f32({}, 0x80000001)).ok());
  EXPECT_FALSE(forward(ProfileId::Exact, a, f32({4}), f32({}, kZero), f32({}, 0x80000001)).ok());
  // A range not given is never looked at.
  a.range_given = false;
  EXPECT_TRUE(forward(ProfileId::TfCpu, a, f32({4}), f32({3, 3}), f32({})).ok());
}

TEST(ValidateForward, RangeGivenPerChannel) {
  Attrs a;
  a.range_given = true;
  a.axis = 0;
  // TF 2.21 checks for scalars before looking at axis: every per-channel call is rejected.
  expect_error(forward(ProfileId::TfCpu, a, f32({2, 3}), f32({2}), f32({2})), "input_min must be a scalar.");
  // Without that regression (the exact profile) the older per-channel checks apply.
  expect_error(forward(ProfileId::Exact, a, f32({2, 3}), f32({}), f32({2})),
               "Shape must be rank 1 for input_min_tensor when the axis is specified");
  expect_error(forward(ProfileId::Exact, a, f32({2, 3}), f32({2}), f32({})),
               "Shape must be rank 1 for input_max_tensor when the axis is specified");
  expect_error(forward(ProfileId::Exact, a, f32({2, 3}), f32({3}), f32({2})),
               "input_min_tensor has incorrect size, was 3 expected 2 to match dim 0 of the input [3]");
  expect_error(forward(ProfileId::Exact, a, f32({2, 3}), f32({2}), f32({5})),
               "input_max_tensor has incorrect size, was 5 expected 2 to match dim 0 of the input [5]");
  EXPECT_TRUE(forward(ProfileId::Exact, a, f32({2, 3}), f32({2}, kOne), f32({2}, kZero)).ok());  // no lo <= hi check
}

// TF 2.13-2.15 (observed with tensorflow-cpu 2.15.1, golden/tf-2.15-cpu.h5): no scalar checks, so a
// per-channel range_given call computes, and a per-tensor one reads any one-element range tensor.
TEST(ValidateForward, RangeGivenBefore2_16) {
  Attrs a;
  a.range_given = true;
  a.axis = 0;
  EXPECT_TRUE(forward(ProfileId::TfCpu2_15, a, f32({2, 3}), f32({2}, kMinusOne), f32({2}, kOne)).ok());
  expect_error(forward(ProfileId::TfCpu2_15, a, f32({2, 3}), f32({}), f32({2})),
               "Shape must be rank 1 for input_min_tensor when the axis is specified");
  a.axis = -1;
  // edge/tf-cpu@2.15/float32/invalid/range-min-not-scalar: TF 2.15 computes it
  EXPECT_TRUE(forward(ProfileId::TfCpu2_15, a, f32({4}), f32({1}, kMinusOne), f32({}, kOne)).ok());
  // Tensor::scalar() CHECK-fails on any other element count (docs/op-spec.md §4.3, TF issues #57714, #60124): the
  // process dies; no oracle answer exists for it.
  expect_error(forward(ProfileId::TfCpu2_15, a, f32({4}), f32({2}, kMinusOne), f32({}, kOne)),
               "Check failed: 1 == NumElements() (1 vs. 2)Must have a one element tensor", Code::ProcessAbort);
  // TF 2.16-2.20 reject as 2.21 does.
  expect_error(forward(ProfileId::TfCpu2_20, a, f32({4}), f32({1}), f32({})), "input_min must be a scalar.");
}

TEST(Profiles, ReleaseAliases) {
  EXPECT_EQ(parse_profile("tf-cpu@2.21"), ProfileId::TfCpu);
  EXPECT_EQ(parse_profile("tf-cpu@2.18"), ProfileId::TfCpu2_20);
  EXPECT_EQ(parse_profile("tf-cpu@2.20"), ProfileId::TfCpu2_20);
  EXPECT_EQ(parse_profile("tf-cpu@2.13"), ProfileId::TfCpu2_15);
  EXPECT_EQ(parse_profile("tf-xla@2.13"), ProfileId::TfXla2_20);
  EXPECT_EQ(parse_profile("tf-xla@2.16"), ProfileId::TfXla2_17);
  EXPECT_EQ(parse_profile("tf-cpu@2.12"), std::nullopt);  // no profile states 2.12 (docs/tf-behaviour.md)
  EXPECT_EQ(parse_profile("tf-gpu@2.21"), std::nullopt);  // tf-gpu was never run
  EXPECT_EQ(parse_profile("tf-cpu@"), std::nullopt);
  EXPECT_EQ(family_of(ProfileId::TfXla2_17), ProfileId::TfXla);
  EXPECT_EQ(family_seed(ProfileId::TfXla2_17), family_seed(ProfileId::TfXla));
}

// Observed with tensorflow-cpu 2.21.0: the kernel lookup fails before the constructor's checks.
TEST(ValidateForward, NoKernelForHalfTypes) {
  Attrs a;
  a.num_bits = 3;
  a.axis = 0;
  a.narrow_range = true;
  a.range_given = true;
  a.round_mode = "HALF_UP";
  a.signed_input = false;
  const Status s = validate_forward(profile(ProfileId::TfCpu), a, Tensor(DType::Float16, {2}), Tensor(DType::Float16, {}),
                                    Tensor(DType::Float16, {}));
  EXPECT_EQ(s.code, Code::NotFound);
  EXPECT_EQ(s.message,
            "Could not find device for node: {{node QuantizeAndDequantizeV4}} = QuantizeAndDequantizeV4[T=DT_HALF, "
            "axis=0, narrow_range=true, num_bits=3, range_given=true, round_mode=\"HALF_UP\", signed_input=false]\n"
            "All kernels registered for op QuantizeAndDequantizeV4:\n"
            "  device='XLA_CPU_JIT'; T in [DT_FLOAT, DT_DOUBLE, DT_BFLOAT16, DT_HALF]\n"
            "  device='CPU'; T in [DT_DOUBLE]\n  device='CPU'; T in [DT_FLOAT]\n");
  a.num_bits = 0;
  EXPECT_EQ(validate_forward(profile(ProfileId::TfCpu), a, Tensor(DType::BFloat16, {2}), Tensor(DType::BFloat16, {}),
                             Tensor(DType::BFloat16, {})).code, Code::NotFound);
  for (DType t : {DType::BFloat16, DType::Float16}) {
    EXPECT_TRUE(validate_forward(profile(ProfileId::TfXla), Attrs{}, Tensor(t, {2}), Tensor(t, {}), Tensor(t, {})).ok());
  }
}

// Observed with tensorflow-cpu 2.21.0 under tf.function(jit_compile=True) (golden/tf-2.21-xla.h5,
// edge/tf-xla/*/invalid/*): the shape function's checks first, then the XLA kernel's num_bits check.
TEST(ValidateForward, XlaShapeFunctionComesFirst) {
  Attrs a;
  a.num_bits = 0;
  expect_error(forward(ProfileId::TfXla, a, f32({4}), f32({1}), f32({})), "Shape must be rank 0 but is rank 1");
  a.num_bits = 8;
  a.axis = 0;
  expect_error(forward(ProfileId::TfXla, a, f32({4}), f32({}), f32({})), "Shape must be rank 1 but is rank 0");
  expect_error(forward(ProfileId::TfXla, a, f32({4}), f32({4}), f32({})), "Shapes must be equal rank, but are 0 and 1");
  expect_error(forward(ProfileId::TfXla, a, f32({4}), f32({3}), f32({4})),
               "Dimension 0 in both shapes must be equal, but are 4 and 3. Shapes are [4] and [3].");
  expect_error(forward(ProfileId::TfXla, a, f32({5}), f32({4}), f32({4})), "Dimensions must be equal, but are 4 and 5");
  a.axis = -3;
  expect_error(forward(ProfileId::TfXla, a, f32({4}), f32({4}), f32({4})), "axis should be at least -1, got -3");
  a.axis = 2147483647;
  expect_error(forward(ProfileId::TfXla, a, f32({4}), f32({4}), f32({4})),
               "Axis cannot be >= kint32max value, got 2147483647");
  a.axis = 2147483648;
  expect_error(forward(ProfileId::TfXla, a, f32({4}), f32({}), f32({})),
               "Attr axis has value 2147483648 out of range for an int32");
  a.axis = 1;
  expect_error(forward(ProfileId::TfXla, a, f32({4}), f32({4}), f32({4})), "Shape must be at least rank 2 but is rank 1");
  a.axis = -1;
  a.num_bits = 2147483648;  // the XLA kernel keeps num_bits in an int64
  expect_error(forward(ProfileId::TfXla, a, f32({4}), f32({}), f32({})),
               "num_bits is out of range: 2147483648 with signed_input_ 1");
  a.num_bits = 8;
  a.round_mode = "HALF_DOWN";
  expect_error(forward(ProfileId::TfXla, a, f32({4}), f32({1}), f32({})),
               "Attr 'round_mode' of 'QuantizeAndDequantizeV4' Op passed string 'HALF_DOWN' not in: \"HALF_TO_EVEN\", "
               "\"HALF_UP\".");
  a.round_mode = "HALF_UP";
  a.range_given = true;  // XLA does not check lo <= hi
  EXPECT_TRUE(forward(ProfileId::TfXla, a, f32({4}), f32({}, kOne), f32({}, kZero)).ok());
}

// Observed likewise: V4Grad's shape function, then XLA refuses the op (it has no XLA kernel).
TEST(ValidateGradient, XlaHasNoKernel) {
  const Tensor x = f32({2, 3});
  const Profile& xla = profile(ProfileId::TfXla);
  EXPECT_EQ(validate_gradient(xla, -1, f32({6}), x, f32({}), f32({})).message, "Shapes must be equal rank, but are 1 and 2");
  EXPECT_EQ(validate_gradient(xla, 1, x, x, f32({3}), f32({4})).message,
            "Dimension 0 in both shapes must be equal, but are 4 and 3. Shapes are [4] and [3].");
  EXPECT_EQ(validate_gradient(xla, -1, x, x, f32({}), f32({})).message,
            "Detected unsupported operations when trying to compile graph on XLA_CPU_JIT: QuantizeAndDequantizeV4Grad "
            "(No registered 'QuantizeAndDequantizeV4Grad' OpKernel for XLA_CPU_JIT devices compatible with node "
            "{{node QuantizeAndDequantizeV4Grad}})");
}

Status gradient(ProfileId p, std::int64_t axis, const Tensor& g, const Tensor& x, const Tensor& mn, const Tensor& mx) {
  return validate_gradient(profile(p), axis, g, x, mn, mx);
}

TEST(ValidateGradient, EveryCheckInOrder) {
  const Tensor x = f32({2, 3});
  expect_error(gradient(ProfileId::TfCpu, -2, x, x, f32({}), f32({})), "Axis must be at least -1. Found -2");
  expect_error(gradient(ProfileId::TfCpu, 2, x, x, f32({}), f32({})),
               "Axis should be -1 or 0 or a positive value less than 2but given axis value was 2");
  expect_error(gradient(ProfileId::TfCpu, -1, f32({3, 2}), x, f32({}), f32({})), "gradient and input must be the same size");
  expect_error(gradient(ProfileId::TfCpu, -1, x, x, f32({1, 1}), f32({})),
               "Input min tensor must have dimension 0 or 1. Received 2.");
  expect_error(gradient(ProfileId::TfCpu, -1, x, x, f32({}), f32({1, 1})),
               "Input max tensor must have dimension 0 or 1. Received 2.");
  expect_error(gradient(ProfileId::TfCpu, 1, x, x, f32({}), f32({3})),
               "Shape must be rank 1 for input_min_tensor when the axis is specified");
  expect_error(gradient(ProfileId::TfCpu, 1, x, x, f32({3}), f32({})),
               "Shape must be rank 1 for input_max_tensor when the axis is specified");
  expect_error(gradient(ProfileId::TfCpu, 1, x, x, f32({2}), f32({3})), "min has incorrect size, expected 3 was 2");
  expect_error(gradient(ProfileId::TfCpu, 1, x, x, f32({3}), f32({4})), "max has incorrect size, expected 3 was 4");
  expect_error(gradient(ProfileId::TfCpu, -1, x, x, f32({1}), f32({})), "input_min must be a scalar if axis is unspecified");
  expect_error(gradient(ProfileId::TfCpu, -1, x, x, f32({}), f32({1})), "input_max must be a scalar if axis is unspecified");
  EXPECT_TRUE(gradient(ProfileId::TfCpu, 1, x, x, f32({3}), f32({3})).ok());
  EXPECT_TRUE(gradient(ProfileId::TfCpu, -1, x, x, f32({}), f32({})).ok());
  // Observed with tensorflow-cpu 2.21.0.
  const Status s = validate_gradient(profile(ProfileId::TfCpu), -1, Tensor(DType::BFloat16, {2}), Tensor(DType::BFloat16, {2}),
                                     Tensor(DType::BFloat16, {}), Tensor(DType::BFloat16, {}));
  EXPECT_EQ(s.code, Code::NotFound);
  EXPECT_EQ(s.message,
            "Could not find device for node: {{node QuantizeAndDequantizeV4Grad}} = "
            "QuantizeAndDequantizeV4Grad[T=DT_BFLOAT16, axis=-1]\nAll kernels registered for op "
            "QuantizeAndDequantizeV4Grad:\n  device='CPU'; T in [DT_DOUBLE]\n  device='CPU'; T in [DT_FLOAT]\n");
  expect_error(gradient(ProfileId::TfCpu, 2147483648, x, x, f32({}), f32({})),
               "Attr axis has value 2147483648 out of range for an int32");
}

TEST(FormatValue, SixSignificantDigits) {
  EXPECT_EQ(tf_format_value(DType::Float32, 0x3e99999a), "0.3");          // 0.3f
  EXPECT_EQ(tf_format_value(DType::Float64, 0x4024000000000000), "10");
  EXPECT_EQ(tf_format_value(DType::Float32, 0xff800000), "-inf");
  EXPECT_EQ(tf_format_value(DType::Float32, 0xffc00000), "nan");
  EXPECT_EQ(tf_format_value(DType::Float32, 0x80000000), "-0");
  EXPECT_EQ(tf_format_value(DType::Float32, 0x00000001), "1.4013e-45");
  // Observed with tensorflow-cpu 2.21.0 (golden case random/tf-cpu/float32/s20261127/194): under
  // DAZ a subnormal input_min prints as 0.
  EXPECT_EQ(tf_format_value(DType::Float32, 0x00000001, true), "0");
  EXPECT_EQ(tf_format_value(DType::Float32, 0x80000001, true), "-0");
}

// TF 2.12 to 2.20 print message values with their own StrCat: as many digits as read back the same
// value. Expected strings as tensorflow-cpu 2.20.0 printed them in "Invalid range" messages of the
// golden cases named.
TEST(FormatValue, RoundTripDigitsBefore2_21) {
  constexpr ValueFormat rt = ValueFormat::RoundTrip;
  // edge/tf-cpu@2.20/float32/invalid/range-reversed-digits: 0.1234567f needs 9 digits, -1e-7f reads back from 6
  EXPECT_EQ(tf_format_value(DType::Float32, 0x3dfcd6de, true, rt), "0.123456702");
  EXPECT_EQ(tf_format_value(DType::Float32, 0xb3d6bf95, true, rt), "-1e-07");
  // edge/tf-cpu@2.20/float64/invalid/range-reversed-digits: a double needs at most 15 digits here
  EXPECT_EQ(tf_format_value(DType::Float64, 0x3fbf9adbb8f8da72, true, rt), "0.1234567");
  // random/tf-cpu@2.20/float32/s20261127/9 and float64/s20261127/28, /35
  EXPECT_EQ(tf_format_value(DType::Float32, 0x91214702, true, rt), "-1.27225415e-28");
  EXPECT_EQ(tf_format_value(DType::Float64, 0x3fe49981238a03cc, true, rt), "0.64373833600267849");
  EXPECT_EQ(tf_format_value(DType::Float64, 0x06db71bc38dc87f0, true, rt), "1.2385564205393929e-275");
  // random/tf-cpu@2.20/float32/s20261127/40: a NaN with the sign bit prints "-nan"
  EXPECT_EQ(tf_format_value(DType::Float32, 0xffc00000, true, rt), "-nan");
  EXPECT_EQ(tf_format_value(DType::Float32, 0x7fc00000, true, rt), "nan");
}

// A case whose range or gradient tensors have another dtype than the input (possible only through
// the C++ API) is refused by name before any backend reads them as the input's type.
TEST(ValidateCase, OneDtypeForEveryTensor) {
  OpCase c;
  c.input = f32({4});
  c.input_min = Tensor(DType::Float16, {});
  c.input_max = f32({});
  expect_error(validate_case(c), "input_min is float16 but input is float32: the op takes one type T for input, "
                                 "input_min, input_max and gradients");
  c.input_min = f32({});
  c.input_max = Tensor(DType::Float64, {});
  expect_error(validate_case(c), "input_max is float64 but input is float32: the op takes one type T for input, "
                                 "input_min, input_max and gradients");
  c.input_max = f32({});
  EXPECT_TRUE(validate_case(c).ok());
  c.op = Op::Gradient;
  c.gradients = Tensor(DType::BFloat16, {4});
  expect_error(validate_case(c), "gradients is bfloat16 but input is float32: the op takes one type T for input, "
                                 "input_min, input_max and gradients");
}

}  // namespace
}  // namespace qdq
