// bfloat16 and float16 to and from float32, bit by bit (round to nearest-even, subnormals kept,
// NaN stays NaN). Portable code on purpose: the scalar backend must not depend on F16C or
// AVX512-BF16 being present, and these routines are a second, independent implementation of what
// the reference's round_to_format does for the same formats.
#pragma once

#include <cstdint>
#include <cstring>

namespace qdq::cpu {

inline std::uint32_t float_bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float bits_float(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

inline float bfloat16_to_float(std::uint16_t h) { return bits_float(std::uint32_t{h} << 16); }

inline std::uint16_t float_to_bfloat16(float f) {
  const std::uint32_t u = float_bits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((u >> 16) | 0x40u);  // quiet NaN
  const std::uint32_t bias = 0x7fffu + ((u >> 16) & 1u);  // ties to even; carries reach inf correctly
  return static_cast<std::uint16_t>((u + bias) >> 16);
}

inline float float16_to_float(std::uint16_t h) {
  const std::uint32_t sign = std::uint32_t{h & 0x8000u} << 16;
  const std::uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
  if (exp == 0x1f) return bits_float(sign | 0x7f800000u | (mant << 13));
  if (exp != 0) return bits_float(sign | ((exp + 112u) << 23) | (mant << 13));
  // subnormal or zero: mant * 2^-24, exact in float
  float v = static_cast<float>(mant) * 5.9604644775390625e-8f;
  return (sign != 0) ? -v : v;
}

inline std::uint16_t float_to_float16(float f) {
  const std::uint32_t u = float_bits(f);
  const auto sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
  const std::uint32_t x = u & 0x7fffffffu;
  if (x > 0x7f800000u) return sign | 0x7e00u;      // NaN
  if (x >= 0x477ff000u) return sign | 0x7c00u;     // >= 65520 rounds to infinity
  if (x < 0x38800000u) {                            // below 2^-14: float16 subnormal or zero
    const std::uint32_t e = x >> 23;
    if (e < 102) return sign;                       // below 2^-25: rounds to zero
    const std::uint32_t mant = (x & 0x7fffffu) | 0x800000u;
    const std::uint32_t shift = 126u - e;           // value * 2^24 = mant >> shift
    std::uint32_t n = mant >> shift;
    const std::uint32_t rem = mant & ((1u << shift) - 1u), half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (n & 1u))) ++n;
    return static_cast<std::uint16_t>(sign | n);
  }
  std::uint32_t r = x - (112u << 23);               // rebias the exponent from 127 to 15
  r += 0xfffu + ((r >> 13) & 1u);
  return static_cast<std::uint16_t>(sign | (r >> 13));
}

}  // namespace qdq::cpu
