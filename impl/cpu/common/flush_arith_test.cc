// FlushArith models FTZ/DAZ in software; the hardware with FTZ/DAZ set in MXCSR is the oracle.
// It must give the same answers whatever this thread's MXCSR holds.
#include "impl/cpu/common/flush_arith.h"
#include "impl/cpu/common/tiny_operands.h"

#include <gtest/gtest.h>
#include <immintrin.h>

#include <cstring>
#include <random>

namespace qdq::cpu {
namespace {

using testing::aim_at_smallest_normal;
using testing::random_near_tiny;

template <typename C>
std::uint64_t bits(C v) {
  std::uint64_t b = 0;
  std::memcpy(&b, &v, sizeof v);
  return b;
}

template <typename C>
__attribute__((noinline)) void hardware(C a, C b, C* out) {
  out[0] = a + b;
  out[1] = a * b;
  out[2] = a / b;
}

template <typename C>
void check(unsigned caller_mxcsr_bits) {
  const FlushArith<C> f(true, true);
  std::mt19937_64 rng(7);
  const unsigned saved = _mm_getcsr();
  for (int i = 0; i < 200000; ++i) {
    C a = random_near_tiny<C>(rng), b = random_near_tiny<C>(rng);
    aim_at_smallest_normal(rng, i, a, b);
    C hw[3];
    _mm_setcsr(saved | 0x8040u);
    hardware(a, b, hw);
    _mm_setcsr((saved & ~0x8040u) | caller_mxcsr_bits);
    const C ours[3] = {f.add(a, b), f.mul(a, b), f.div(a, b)};
    _mm_setcsr(saved);
    for (int k = 0; k < 3; ++k) {
      if (std::isnan(hw[k])) {
        ASSERT_TRUE(std::isnan(ours[k]));
      } else {
        ASSERT_EQ(bits(ours[k]), bits(hw[k])) << "op " << k << std::hex << " a=0x" << bits(a) << " b=0x" << bits(b);
      }
    }
  }
}

__attribute__((noinline, target("fma"))) float hardware_fma(float a, float b, float c) {
  return _mm_cvtss_f32(_mm_fmadd_ss(_mm_set_ss(a), _mm_set_ss(b), _mm_set_ss(c)));
}
__attribute__((noinline, target("fma"))) double hardware_fma(double a, double b, double c) {
  return _mm_cvtsd_f64(_mm_fmadd_sd(_mm_set_sd(a), _mm_set_sd(b), _mm_set_sd(c)));
}

// fma near the smallest normal: c cancels most of a * b.
template <typename C>
void check_fma() {
  if (!__builtin_cpu_supports("fma")) GTEST_SKIP() << "this CPU has no FMA";
  const FlushArith<C> f(true, true);
  std::mt19937_64 rng(9);
  const unsigned saved = _mm_getcsr();
  for (int i = 0; i < 200000; ++i) {
    const C a = random_near_tiny<C>(rng), b = std::ldexp(C(1) + C(rng() % 1000) / C(1000), static_cast<int>(rng() % 40) - 20);
    C c = -a * b;  // rounded: a * b + c is the tiny rounding error of the product, or 0
    if (i % 3 == 0) c = std::nextafter(c, C(0));
    _mm_setcsr(saved | 0x8040u);
    const C hw = hardware_fma(a, b, c);
    _mm_setcsr(saved);
    const C ours = f.fma(a, b, c);
    if (std::isnan(hw)) {
      ASSERT_TRUE(std::isnan(ours));
    } else {
      ASSERT_EQ(bits(ours), bits(hw)) << std::hex << "a=0x" << bits(a) << " b=0x" << bits(b) << " c=0x" << bits(c);
    }
  }
}

TEST(FlushArith, FloatFmaMatchesHardwareFtzDaz) { check_fma<float>(); }
TEST(FlushArith, DoubleFmaMatchesHardwareFtzDaz) { check_fma<double>(); }

TEST(FlushArith, FloatMatchesHardwareFtzDazWithCallerDefault) { check<float>(0); }
TEST(FlushArith, FloatMatchesHardwareFtzDazWithCallerFlushing) { check<float>(0x8040u); }
TEST(FlushArith, DoubleMatchesHardwareFtzDazWithCallerDefault) { check<double>(0); }
TEST(FlushArith, DoubleMatchesHardwareFtzDazWithCallerFlushing) { check<double>(0x8040u); }

}  // namespace
}  // namespace qdq::cpu
