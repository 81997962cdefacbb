// The scalar backend's float16 conversions against the hardware (F16C), for every pattern and the
// float values around every rounding boundary; bfloat16 widening against its definition.
#include "impl/cpu/common/narrow_float.h"
#include "reference/contract/host_cpu.h"

#include <gtest/gtest.h>
#include <immintrin.h>

#include <cmath>

namespace qdq::cpu {
namespace {

__attribute__((target("f16c"))) std::uint16_t hw_to_half(float f) {
  return static_cast<std::uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT));
}
__attribute__((target("f16c"))) float hw_from_half(std::uint16_t h) { return _cvtsh_ss(h); }

TEST(NarrowFloat, Float16MatchesF16C) {
  if (!host_has_f16c()) GTEST_SKIP() << "this CPU has no F16C";
  for (std::uint32_t p = 0; p < 65536; ++p) {
    const auto h = static_cast<std::uint16_t>(p);
    const float x = hw_from_half(h);
    const float ours = float16_to_float(h);
    if (std::isnan(x)) {
      ASSERT_TRUE(std::isnan(ours));
      ASSERT_TRUE(std::isnan(float16_to_float(float_to_float16(x))));
      continue;
    }
    ASSERT_EQ(float_bits(ours), float_bits(x)) << std::hex << p;
    const float next = hw_from_half(static_cast<std::uint16_t>(p + 1));
    for (float v : {x, std::nextafter(x, INFINITY), std::nextafter(x, -INFINITY), x + (next - x) / 2,
                    std::nextafter(x + (next - x) / 2, INFINITY), std::nextafter(x + (next - x) / 2, -INFINITY)}) {
      if (std::isnan(v)) continue;
      ASSERT_EQ(float_to_float16(v), hw_to_half(v)) << std::hex << "float 0x" << float_bits(v);
    }
  }
}

TEST(NarrowFloat, BFloat16WideningIsExact) {
  for (std::uint32_t p = 0; p < 65536; ++p) {
    const auto h = static_cast<std::uint16_t>(p);
    ASSERT_EQ(float_bits(bfloat16_to_float(h)), p << 16);
    if (!std::isnan(bfloat16_to_float(h))) {
      ASSERT_EQ(float_to_bfloat16(bfloat16_to_float(h)), h);
    }
  }
}

}  // namespace
}  // namespace qdq::cpu
