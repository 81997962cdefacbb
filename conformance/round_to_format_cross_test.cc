// The reference's round_to_format against the scalar backend's independent bit-level conversions:
// every bfloat16 pattern with the float values around each rounding boundary, and random floats
// to float16. The two implementations share no code.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "impl/cpu/common/narrow_float.h"
#include "reference/exact/exact_float.h"

namespace qdq {
namespace {

std::uint64_t reference_round(float v, DType to) {
  return exact::round_to_format(exact::decode(cpu::float_bits(v), format_of(DType::Float32)), format_of(to), false);
}

TEST(RoundToFormatCross, EveryBFloat16PatternAndItsBoundaries) {
  long probes = 0;
  for (std::uint32_t p = 0; p < 65536; ++p) {
    const float x = cpu::bfloat16_to_float(static_cast<std::uint16_t>(p));
    if (std::isnan(x)) {
      ASSERT_TRUE(is_nan_bits(DType::BFloat16, reference_round(x, DType::BFloat16)));
      continue;
    }
    const std::uint32_t b = cpu::float_bits(x);
    // the pattern, the midpoint to the next pattern and one float ULP either side of both
    for (std::uint32_t v : {b, b + 1, b - 1, b + 0x8000, b + 0x7fff, b + 0x8001}) {
      const float f = cpu::bits_float(v);
      if (std::isnan(f) || (b & 0x7fffffff) == 0x7f800000) continue;
      ASSERT_EQ(reference_round(f, DType::BFloat16), cpu::float_to_bfloat16(f)) << std::hex << "float 0x" << v;
      ++probes;
    }
  }
  RecordProperty("probes", std::to_string(probes));
}

TEST(RoundToFormatCross, RandomFloatsToFloat16) {
  std::mt19937 rng(5);
  for (int i = 0; i < 1000000; ++i) {
    const float f = cpu::bits_float(static_cast<std::uint32_t>(rng()));
    if (std::isnan(f)) continue;
    ASSERT_EQ(reference_round(f, DType::Float16), cpu::float_to_float16(f)) << std::hex << "float 0x" << cpu::float_bits(f);
  }
}

}  // namespace
}  // namespace qdq
