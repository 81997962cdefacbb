#include "reference/contract/dtype.h"

namespace qdq {

std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::BFloat16: return "bfloat16";
    case DType::Float16: return "float16";
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
  }
  return "?";
}

std::optional<DType> parse_dtype(std::string_view name) {
  for (DType t : kAllDTypes) {
    if (dtype_name(t) == name) return t;
  }
  return std::nullopt;
}

std::string_view tf_dtype_enum(DType t) {
  switch (t) {
    case DType::BFloat16: return "DT_BFLOAT16";
    case DType::Float16: return "DT_HALF";
    case DType::Float32: return "DT_FLOAT";
    case DType::Float64: return "DT_DOUBLE";
  }
  return "?";
}

}  // namespace qdq

#include <cmath>
#include <cstring>

namespace qdq {

double value_as_double(DType t, std::uint64_t bits) {
  const FloatFormat f = format_of(t);
  if (t == DType::Float64) {
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  const int frac_bits = f.precision - 1;
  const int exp_bits = f.width - f.precision;
  const bool neg = (bits >> (f.width - 1)) & 1;
  const std::uint64_t frac = bits & ((std::uint64_t{1} << frac_bits) - 1);
  const int biased = static_cast<int>((bits >> frac_bits) & ((1u << exp_bits) - 1));
  double v;
  if (biased == (1 << exp_bits) - 1) {
    v = frac ? std::nan("") : INFINITY;
  } else if (biased == 0) {
    v = std::ldexp(static_cast<double>(frac), f.emin - frac_bits);
  } else {
    v = std::ldexp(static_cast<double>(frac | (std::uint64_t{1} << frac_bits)), biased - f.emax - frac_bits);
  }
  return neg ? -v : v;
}

}  // namespace qdq
