#include "conformance/edge_cases.h"

#include <stdexcept>

#include "conformance/case_io.h"

namespace qdq::conformance {
namespace {

using Values = std::vector<std::string>;

class Builder {
 public:
  Builder(ProfileId p, DType t) : p_(p), t_(t) {}

  // A value of the dtype: a decimal, or a named pattern.
  std::uint64_t value(const std::string& token) const {
    const FloatFormat f = format_of(t_);
    const std::uint64_t sign = token[0] == '-' ? sign_mask(t_) : 0;
    const std::string name = token[0] == '-' ? token.substr(1) : token;
    const std::uint64_t min_normal = std::uint64_t{1} << (f.precision - 1);
    if (name == "min_subnormal") return sign | 1;
    if (name == "max_subnormal") return sign | (min_normal - 1);
    if (name == "min_normal") return sign | min_normal;
    if (name == "max_finite") return sign | (exponent_mask(t_) - 1);
    if (auto v = parse_decimal_value(t_, token)) return *v;
    throw std::logic_error("edge case value '" + token + "'");
  }

  Tensor tensor(const Shape& shape, const Values& values) const {
    Tensor out(t_, shape);
    for (std::size_t i = 0; i < out.size(); ++i) out.set_bits(i, value(values[i % values.size()]));
    return out;
  }

  void forward(const std::string& name, const Shape& shape, const Values& x, Attrs a, const Shape& range_shape = {},
               const Values& lo = {"0"}, const Values& hi = {"0"}, const Shape* max_shape = nullptr) {
    OpCase c;
    c.profile = p_;
    c.attrs = std::move(a);
    c.input = tensor(shape, x.empty() ? Values{"0"} : x);
    c.input_min = tensor(range_shape, lo);
    c.input_max = tensor(max_shape ? *max_shape : range_shape, hi);
    add(name, std::move(c));
  }

  void gradient(const std::string& name, const Shape& shape, const Values& g, const Values& x, std::int64_t axis,
                const Shape& min_shape, const Values& lo, const Shape& max_shape, const Values& hi,
                const Shape* gradient_shape = nullptr) {
    OpCase c;
    c.op = Op::Gradient;
    c.profile = p_;
    c.attrs.axis = axis;
    c.gradients = tensor(gradient_shape ? *gradient_shape : shape, g);
    c.input = tensor(shape, x);
    c.input_min = tensor(min_shape, lo);
    c.input_max = tensor(max_shape, hi);
    add(name, std::move(c));
  }

  std::vector<SuiteCase> take() { return std::move(out_); }


 private:
  void add(const std::string& name, OpCase c) {
    out_.push_back({"edge/" + std::string(profile_name(p_)) + "/" + std::string(dtype_name(t_)) + "/" + name,
                    std::move(c), {}, {}, ""});
  }
  ProfileId p_;
  DType t_;
  std::vector<SuiteCase> out_;
};

Attrs attrs(bool is_signed, std::int64_t nb, bool rg, const char* mode = "HALF_TO_EVEN", bool narrow = false,
            std::int64_t axis = -1) {
  return {is_signed, nb, rg, mode, narrow, axis};
}

}  // namespace

std::vector<SuiteCase> edge_cases(ProfileId profile, DType dtype) {
  Builder b(profile, dtype);
  const char* modes[] = {"HALF_TO_EVEN", "HALF_UP"};
  for (const char* m : modes) {
    const std::string mode(m);
    // docs/op-spec.md §3.1 all-zero range, given and measured, signed and unsigned
    b.forward("all-zero-range-given/" + mode, {4}, {"-5", "0.3", "5", "-0"}, attrs(true, 8, true, m), {}, {"0"}, {"0"});
    b.forward("all-zero-measured/signed/" + mode, {4}, {"0", "-0", "0", "-0"}, attrs(true, 8, false, m));
    b.forward("all-zero-measured/unsigned/" + mode, {4}, {"0", "0", "0", "0"}, attrs(false, 8, false, m));
    // docs/op-spec.md §3.2 one-sided measured ranges
    b.forward("all-positive/" + mode, {3}, {"1", "2", "3"}, attrs(true, 8, false, m));
    b.forward("all-negative/" + mode, {3}, {"-1", "-2", "-3"}, attrs(true, 8, false, m));
    // docs/op-spec.md §3.3, §3.4 unsigned with negative data, and with no positive data
    b.forward("unsigned-negative-data/" + mode, {4}, {"-1", "0.5", "1", "-0.25"}, attrs(false, 8, false, m));
    b.forward("unsigned-nonpositive-data/" + mode, {3}, {"-3", "-0.5", "0"}, attrs(false, 8, false, m));
    // docs/op-spec.md §3.5 infinities in the data or the range
    b.forward("inf-in-data/" + mode, {3}, {"-1", "0.25", "inf"}, attrs(true, 8, false, m));
    b.forward("minus-inf-in-data/" + mode, {3}, {"-inf", "0.25", "1"}, attrs(true, 8, false, m));
    b.forward("inf-in-given-range/" + mode, {3}, {"-1", "0.25", "1"}, attrs(true, 8, true, m), {}, {"-1"}, {"inf"});
    // docs/op-spec.md §3.6 num_bits = 1
    for (bool narrow : {false, true}) {
      b.forward(std::string("b1-signed") + (narrow ? "-narrow/" : "/") + mode, {4}, {"-1", "-0.4", "0", "0.7"},
                attrs(true, 1, false, m, narrow));
    }
    b.forward("b1-unsigned/" + mode, {4}, {"0", "0.4", "0.5", "1"}, attrs(false, 1, false, m));
    // docs/op-spec.md §3.7 upper num_bits, accepted and rejected
    for (std::int64_t nb : {24, 25, 26, 53, 54, 55, 61}) {
      b.forward("upper-bits/b" + std::to_string(nb) + "/" + mode, {6}, {"-1", "1", "0.3", "-0.7", "0.1", "0.9999999"},
                attrs(true, nb, true, m), {}, {"-1"}, {"1"});
    }
    b.forward("upper-bits/unsigned-b62/" + mode, {4}, {"0", "1", "0.3", "0.7"}, attrs(false, 62, true, m), {}, {"0"}, {"1"});
    // docs/op-spec.md §2.6 rounding bands: odd integers in [2^23, 2^24) (float) and [2^52, 2^53) (double), and 0.5 - ulp
    b.forward("band-float/b25/" + mode, {6}, {"8388609", "-8388609", "8388611", "16777215", "-16777215", "0.49999997"},
              attrs(true, 25, true, m), {}, {"-16777216"}, {"16777215"});
    b.forward("band-double/b54/" + mode, {4}, {"4503599627370497", "-4503599627370497", "9007199254740991", "0.49999999999999994"},
              attrs(true, 54, true, m), {}, {"-9007199254740992"}, {"9007199254740991"});
    b.forward("just-below-half/" + mode, {4}, {"0.49999997", "-0.49999997", "0.5", "-0.5"}, attrs(true, 8, true, m),
              {}, {"-128"}, {"127"});
    // docs/op-spec.md §3.13 sign of zero outputs; given range [-10, 5] (§2.4)
    b.forward("zero-signs/" + mode, {6}, {"-0.001", "0.001", "-0", "0", "-0.0039", "0.0039"}, attrs(true, 8, true, m),
              {}, {"-1"}, {"1"});
    b.forward("range-minus10-5/" + mode, {5}, {"-3", "0.1", "9.9", "-10", "5"}, attrs(true, 8, true, m), {}, {"-10"}, {"5"});
    // docs/op-spec.md §2.9 NaN: in the data with a given range (clamp), measured, all NaN; in the given range
    b.forward("nan-clamped/" + mode, {4}, {"nan", "0.5", "-3", "3"}, attrs(true, 8, true, m), {}, {"-1"}, {"1"});
    b.forward("nan-measured/" + mode, {4}, {"-1", "nan", "0.5", "1"}, attrs(true, 8, false, m));
    b.forward("all-nan-measured/" + mode, {3}, {"nan", "-nan", "nan"}, attrs(true, 8, false, m));
    b.forward("nan-given-min/" + mode, {2}, {"0.5", "-0.5"}, attrs(true, 8, true, m), {}, {"nan"}, {"1"});
    b.forward("nan-given-max/" + mode, {2}, {"0.5", "-0.5"}, attrs(true, 8, true, m), {}, {"-1"}, {"nan"});
    // docs/op-spec.md §2.8, §3.11 subnormals under FTZ/DAZ: in the data, as range bounds, as results
    b.forward("subnormal-data/" + mode, {6}, {"min_subnormal", "-min_subnormal", "max_subnormal", "-max_subnormal",
                                            "min_normal", "-min_normal"}, attrs(true, 8, false, m));
    b.forward("subnormal-data-given/" + mode, {4}, {"min_subnormal", "-max_subnormal", "min_normal", "0.5"},
              attrs(true, 8, true, m), {}, {"-1"}, {"1"});
    b.forward("subnormal-range/" + mode, {4}, {"min_subnormal", "-max_subnormal", "min_normal", "0"},
              attrs(true, 8, true, m), {}, {"-max_subnormal"}, {"max_subnormal"});
    b.forward("tiny-normal-range/" + mode, {4}, {"min_normal", "-min_normal", "0", "1"}, attrs(true, 8, true, m), {},
              {"-min_normal"}, {"min_normal"});
    b.forward("huge-range/" + mode, {4}, {"max_finite", "-max_finite", "1", "-1"}, attrs(true, 8, false, m));
    b.forward("huge-range-b16/" + mode, {4}, {"max_finite", "-max_finite", "1", "-1"}, attrs(true, 16, true, m), {},
              {"-max_finite"}, {"max_finite"});
    // docs/op-spec.md §3.9, §3.10 empty and rank-0 tensors
    b.forward("empty/" + mode, {0}, {}, attrs(true, 8, false, m));
    b.forward("empty-per-channel/" + mode, {2, 0, 3}, {}, attrs(true, 8, false, m, false, 2));
    b.forward("empty-channels/" + mode, {2, 0, 3}, {}, attrs(true, 8, false, m, false, 1));
    b.forward("rank0/" + mode, {}, {"-3.5"}, attrs(true, 8, false, m));
    b.forward("rank0-given/" + mode, {}, {"0.3"}, attrs(true, 4, true, m), {}, {"-1"}, {"1"});
    // per-channel, one-element channels, and range_given per channel (rejected by TF 2.21's kernel)
    b.forward("one-element-channels/" + mode, {1, 5, 1}, {"-1", "0.3", "7", "-0.001", "0"}, attrs(true, 8, false, m, false, 1));
    b.forward("per-channel-given/" + mode, {2, 3}, {"-1", "0.3", "7", "-0.001", "0", "2"}, attrs(true, 8, true, m, false, 1),
              {3}, {"-1", "0", "1"}, {"1", "2", "-1"});
  }
  // docs/op-spec.md §4.2 validation, forward (TF's order)
  b.forward("invalid/num-bits-0", {2}, {"1", "2"}, attrs(true, 0, false));
  b.forward("invalid/num-bits-62-signed", {2}, {"1", "2"}, attrs(true, 62, false));
  b.forward("invalid/num-bits-63-unsigned", {2}, {"1", "2"}, attrs(false, 63, false));
  b.forward("invalid/num-bits-int32-overflow", {2}, {"1", "2"}, attrs(true, 2147483648, false));
  b.forward("invalid/round-mode", {2}, {"1", "2"}, attrs(true, 8, false, "HALF_DOWN"));
  b.forward("invalid/round-mode-and-num-bits", {2}, {"1", "2"}, attrs(true, 0, false, "half_up"));
  b.forward("invalid/axis-minus-2", {2}, {"1", "2"}, attrs(true, 8, false, "HALF_TO_EVEN", false, -2));
  b.forward("invalid/axis-int32-min", {2}, {"1", "2"}, attrs(true, 8, false, "HALF_TO_EVEN", false, -2147483648));
  b.forward("invalid/axis-equals-rank", {2, 3}, {"1"}, attrs(true, 8, false, "HALF_TO_EVEN", false, 2), {2}, {"0"}, {"0"});
  b.forward("invalid/axis-int32-max", {2}, {"1", "2"}, attrs(true, 8, false, "HALF_TO_EVEN", false, 2147483647));
  b.forward("invalid/axis-int32-overflow", {2}, {"1", "2"}, attrs(true, 8, false, "HALF_TO_EVEN", false, 2147483648));
  b.forward("invalid/axis-on-rank0", {}, {"1"}, attrs(true, 8, false, "HALF_TO_EVEN", false, 0), {1}, {"0"}, {"0"});
  b.forward("invalid/range-min-not-scalar", {2}, {"1", "2"}, attrs(true, 8, true), {1}, {"-1"}, {"1"});
  const Shape vector1 = {1};
  b.forward("invalid/range-max-not-scalar", {2}, {"1", "2"}, attrs(true, 8, true), {}, {"-1"}, {"1"}, &vector1);
  b.forward("invalid/range-reversed", {2}, {"1", "2"}, attrs(true, 8, true), {}, {"1"}, {"0"});
  b.forward("invalid/range-reversed-digits", {2}, {"1", "2"}, attrs(true, 8, true), {}, {"0.1234567"}, {"-1e-7"});
  b.forward("invalid/per-channel-range-scalar", {2, 3}, {"1"}, attrs(true, 8, true, "HALF_TO_EVEN", false, 1), {}, {"0"}, {"1"});
  b.forward("invalid/per-channel-range-wrong-size", {2, 3}, {"1"}, attrs(true, 8, true, "HALF_TO_EVEN", false, 1), {2},
            {"0"}, {"1"});
  b.forward("unchecked/range-not-scalar-when-measured", {2}, {"1", "2"}, attrs(true, 8, false), {2, 2}, {"9"}, {"-9"});
  // docs/op-spec.md §4.4 validation, gradient
  const Values g = {"1", "-2", "3", "-4", "5", "-6"}, x = {"-2", "-1", "0", "0.5", "1", "2"};
  b.gradient("gradient/per-tensor", {6}, g, x, -1, {}, {"-1"}, {}, {"1"});
  b.gradient("gradient/per-channel", {2, 3}, g, x, 1, {3}, {"-1", "0", "-2"}, {3}, {"1", "0.5", "-3"});
  b.gradient("gradient/specials", {6}, {"inf", "-inf", "nan", "-0", "min_subnormal", "max_finite"},
             {"0", "5", "0", "5", "0", "nan"}, -1, {}, {"-1"}, {}, {"1"});
  b.gradient("gradient/nan-bounds", {4}, g, x, -1, {}, {"nan"}, {}, {"1"});
  b.gradient("gradient/empty", {0}, g, x, -1, {}, {"-1"}, {}, {"1"});
  b.gradient("gradient/invalid/axis-minus-2", {6}, g, x, -2, {}, {"-1"}, {}, {"1"});
  b.gradient("gradient/invalid/axis-equals-rank", {6}, g, x, 1, {6}, {"-1"}, {6}, {"1"});
  b.gradient("gradient/invalid/axis-int32-overflow", {6}, g, x, 4294967296, {6}, {"-1"}, {6}, {"1"});
  const Shape other = {2, 3};
  b.gradient("gradient/invalid/shape-mismatch", {6}, g, x, -1, {}, {"-1"}, {}, {"1"}, &other);
  b.gradient("gradient/invalid/min-rank-2", {6}, g, x, -1, {1, 1}, {"-1"}, {}, {"1"});
  b.gradient("gradient/invalid/max-rank-2", {6}, g, x, -1, {}, {"-1"}, {1, 1}, {"1"});
  b.gradient("gradient/invalid/per-channel-min-scalar", {2, 3}, g, x, 1, {}, {"-1"}, {3}, {"1"});
  b.gradient("gradient/invalid/per-channel-max-scalar", {2, 3}, g, x, 1, {3}, {"-1"}, {}, {"1"});
  b.gradient("gradient/invalid/per-channel-min-size", {2, 3}, g, x, 1, {2}, {"-1"}, {3}, {"1"});
  b.gradient("gradient/invalid/per-channel-max-size", {2, 3}, g, x, 1, {3}, {"-1"}, {4}, {"1"});
  b.gradient("gradient/invalid/per-tensor-min-vector", {6}, g, x, -1, {1}, {"-1"}, {}, {"1"});
  b.gradient("gradient/invalid/per-tensor-max-vector", {6}, g, x, -1, {}, {"-1"}, {1}, {"1"});
  return b.take();
}

}  // namespace qdq::conformance
