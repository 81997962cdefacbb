// The four element types of QuantizeAndDequantizeV4 and their IEEE-style binary formats.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace qdq {

enum class DType : std::uint8_t { BFloat16, Float16, Float32, Float64 };

inline constexpr std::array<DType, 4> kAllDTypes = {DType::BFloat16, DType::Float16, DType::Float32,
                                                    DType::Float64};

// A binary floating-point format: `precision` significand bits including the hidden bit, normal
// exponents in [emin, emax], `width` bits in storage (1 sign, width - precision exponent bits,
// precision - 1 fraction bits). Subnormals, infinities and NaNs are encoded the IEEE 754 way.
struct FloatFormat {
  int precision;
  int emin;
  int emax;
  int width;
};

constexpr FloatFormat format_of(DType t) {
  switch (t) {
    case DType::BFloat16: return {8, -126, 127, 16};
    case DType::Float16: return {11, -14, 15, 16};
    case DType::Float32: return {24, -126, 127, 32};
    case DType::Float64: return {53, -1022, 1023, 64};
  }
  return {0, 0, 0, 0};
}

constexpr int byte_width(DType t) { return format_of(t).width / 8; }

// Names as used in cases, reports and golden files: bfloat16, float16, float32, float64.
std::string_view dtype_name(DType t);
std::optional<DType> parse_dtype(std::string_view name);
// TF's enum spelling used in error messages (DT_BFLOAT16, DT_HALF, DT_FLOAT, DT_DOUBLE).
std::string_view tf_dtype_enum(DType t);

// Bit-level facts about a format, for code that inspects raw patterns.
constexpr std::uint64_t sign_mask(DType t) { return std::uint64_t{1} << (format_of(t).width - 1); }
constexpr std::uint64_t all_ones(DType t) {
  return format_of(t).width == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << format_of(t).width) - 1;
}
constexpr std::uint64_t exponent_mask(DType t) {
  const FloatFormat f = format_of(t);
  return all_ones(t) & ~sign_mask(t) & ~((std::uint64_t{1} << (f.precision - 1)) - 1);
}
constexpr bool is_nan_bits(DType t, std::uint64_t b) {
  return (b & exponent_mask(t)) == exponent_mask(t) && (b & ~exponent_mask(t) & ~sign_mask(t)) != 0;
}

}  // namespace qdq

namespace qdq {
// The exact value of a bit pattern of `t` as a double (every bfloat16, float16 and float32 value
// is a double exactly). For messages and decimal display only: never used for checked arithmetic.
double value_as_double(DType t, std::uint64_t bits);
}  // namespace qdq
