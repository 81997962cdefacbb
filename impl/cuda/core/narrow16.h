// bfloat16 and float16 to and from float, bit by bit, for host and device alike. One routine
// serves both formats (E exponent bits, M fraction bits); it is written independently of the CPU
// backends' converters (impl/cpu/common/narrow_float.h) and of the reference's rounding, and the
// tests compare all three.
#pragma once

#include <cstdint>

#include "impl/cuda/core/hd.h"

namespace qdq::cuda {

template <int E, int M>
struct Narrow16 {
  static constexpr int kBias = (1 << (E - 1)) - 1;
  static constexpr std::uint32_t kExpAllOnes = (1u << E) - 1;

  // The float nearest to the 16-bit value: always exact.
  QDQ_HD static float widen(std::uint16_t h) {
    if constexpr (E == 8) return float_of(std::uint32_t{h} << 16);  // float's exponent range: its top half
    const std::uint32_t sign = std::uint32_t{h & 0x8000u} << 16;
    const std::uint32_t exp = (h >> M) & kExpAllOnes, frac = h & ((1u << M) - 1);
    if (exp == kExpAllOnes) return float_of(sign | 0x7f800000u | (frac << (23 - M)));
    if (exp != 0) return float_of(sign | ((exp - kBias + 127) << 23) | (frac << (23 - M)));
    // zero or subnormal: frac units of 2^(1 - bias - M), a product with no rounding
    const float v = mul_rn(static_cast<float>(frac), float_of(static_cast<std::uint32_t>(127 + 1 - kBias - M) << 23));
    return sign ? -v : v;
  }

  // f rounded to the 16-bit format: nearest, ties to even, subnormals kept, too large to
  // infinity, NaN to a quiet NaN that keeps the sign and the top of the payload.
  QDQ_HD static std::uint16_t round(float f) {
    const std::uint32_t u = bits_of(f);
    const auto sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
    const std::uint32_t a = u & 0x7fffffffu;
    if (a > 0x7f800000u) return sign | static_cast<std::uint16_t>((kExpAllOnes << M) | (1u << (M - 1)) | ((a >> (23 - M)) & ((1u << M) - 1)));
    const int e = static_cast<int>(a >> 23);
    // The significand with its hidden bit; a float subnormal is read as exponent 1 without one.
    const std::uint32_t mant = (a & 0x7fffffu) | (e != 0 ? 0x800000u : 0u);
    const int te = (e == 0 ? 1 : e) - 127 + kBias;  // the target's biased exponent
    if (te >= static_cast<int>(kExpAllOnes)) return sign | static_cast<std::uint16_t>(kExpAllOnes << M);
    int shift = 23 - M + (te < 1 ? 1 - te : 0);  // bits dropped; more where the result is subnormal
    if (shift > 25) shift = 25;                  // everything below half the smallest unit: rounds to 0
    std::uint32_t q = mant >> shift;
    const std::uint32_t rest = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rest > half || (rest == half && (q & 1u))) ++q;
    // q holds the hidden bit (if any) at bit M: adding the exponent less one places it, and a
    // carry out of the fraction moves on into the exponent, up to infinity.
    const std::uint32_t biased = te < 1 ? 0u : static_cast<std::uint32_t>(te - 1);
    return sign | static_cast<std::uint16_t>((biased << M) + q);
  }
};

using BFloat16Bits = Narrow16<8, 7>;
using Float16Bits = Narrow16<5, 10>;

}  // namespace qdq::cuda
