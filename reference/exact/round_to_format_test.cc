// round_to_format and EnvArith against the hardware: float16 through F16C for all 65,536 patterns
// and their rounding boundaries, and +, *, / and int64 conversion on float and double, with and
// without FTZ/DAZ set in this test thread's MXCSR (restored afterwards). Expected values come
// from the hardware; the reference under test never uses it.
#include <gtest/gtest.h>
#include <immintrin.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "reference/exact/env_arith.h"
#include "reference/exact/exact_float.h"
#include "reference/contract/host_cpu.h"

namespace qdq::exact {
namespace {

std::uint32_t bits_of(float f) { std::uint32_t u; std::memcpy(&u, &f, 4); return u; }
std::uint64_t bits_of(double d) { std::uint64_t u; std::memcpy(&u, &d, 8); return u; }
template <typename C> C from_bits(std::uint64_t b) {
  C v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

// How many operand pairs per operation: 10^6, or one in QDQ_TEST_STRIDE of them (the sanitizer
// tree; CMake's cache variable); the environment variable QDQ_OPERAND_PAIRS overrides (the `full`
// label's long run asks 10^7).
long operand_pairs() {
  const char* s = std::getenv("QDQ_OPERAND_PAIRS");
  if (s == nullptr) {
    if (QDQ_TEST_STRIDE > 1) ::testing::Test::RecordProperty("share", "1/" + std::to_string(QDQ_TEST_STRIDE));
    return 1000000 / QDQ_TEST_STRIDE;
  }
  char* end = nullptr;
  const long n = std::strtol(s, &end, 10);
  if (end == s || *end != '\0' || n <= 0) {
    ADD_FAILURE() << "QDQ_OPERAND_PAIRS='" << s << "' is not a positive count";
    return 0;
  }
  return n;
}

bool has_f16c() { return host_has_f16c(); }
__attribute__((target("f16c"))) std::uint16_t hw_float_to_half(float f) {
  return static_cast<std::uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT));
}
__attribute__((target("f16c"))) float hw_half_to_float(std::uint16_t h) { return _cvtsh_ss(h); }

// Same NaN-ness, or the same bits.
bool same_result(DType t, std::uint64_t a, std::uint64_t b) {
  return is_nan_bits(t, a) ? is_nan_bits(t, b) : a == b;
}

TEST(RoundToFormat, AllFloat16PatternsDecodeAndRoundLikeF16C) {
  if (!has_f16c()) GTEST_SKIP() << "this CPU has no F16C";
  const FloatFormat h = format_of(DType::Float16), f = format_of(DType::Float32);
  long checked = 0;
  for (std::uint32_t p = 0; p < 65536; ++p) {
    const float x = hw_half_to_float(static_cast<std::uint16_t>(p));
    // decode agrees with the hardware's exact widening
    ASSERT_TRUE(same_result(DType::Float32, round_to_format(decode(p, h), f, false), bits_of(x))) << std::hex << p;
    if (std::isnan(x)) continue;
    // the pattern, its float neighbours, and the midpoint to the next pattern with its neighbours
    const float up = std::nextafter(x, INFINITY), down = std::nextafter(x, -INFINITY);
    const float next = hw_half_to_float(static_cast<std::uint16_t>(p + 1));
    std::vector<float> probes = {x, up, down};
    if (std::isfinite(next) && (p & 0x7fff) != 0x7bff) {
      const float mid = x + (next - x) / 2;  // exact: one more bit than float16 has
      probes.insert(probes.end(), {mid, std::nextafter(mid, INFINITY), std::nextafter(mid, -INFINITY)});
    }
    for (float v : probes) {
      const std::uint64_t ours = round_to_format(decode(bits_of(v), f), h, false);
      ASSERT_EQ(ours, hw_float_to_half(v)) << "input float 0x" << std::hex << bits_of(v);
      ++checked;
    }
  }
  RecordProperty("probes", std::to_string(checked));
}

// Operands drawn from bit patterns: uniform patterns, and patterns near the classes where
// rounding is delicate (zeros, subnormals, the smallest normal, the largest finite, infinities,
// NaNs, small integers).
template <typename C>
struct Operands {
  using U = std::conditional_t<sizeof(C) == 4, std::uint32_t, std::uint64_t>;
  static constexpr int kFrac = std::numeric_limits<C>::digits - 1;
  static constexpr int kBias = std::numeric_limits<C>::max_exponent - 1;
  std::mt19937_64 rng;
  explicit Operands(std::uint64_t seed) : rng(seed) {}

  U with_exponent(int biased) {
    const U frac = static_cast<U>(rng()) & ((U(1) << kFrac) - 1);
    return (static_cast<U>(rng() & 1) << (sizeof(C) * 8 - 1)) | (static_cast<U>(biased) << kFrac) | frac;
  }
  C any() {
    switch (rng() % 8) {
      case 0: return from_bits<C>(static_cast<U>(rng()));
      case 1: return from_bits<C>(with_exponent(static_cast<int>(rng() % 3)));            // subnormal .. 2 ulps of normal
      case 2: return from_bits<C>(with_exponent(2 * kBias - static_cast<int>(rng() % 3)));  // near overflow
      case 3: return from_bits<C>(with_exponent(kBias - 4 + static_cast<int>(rng() % 9)));  // around 1
      case 4: {
        const C specials[] = {C(0), -C(0), INFINITY, -INFINITY, NAN, C(1), C(-1), C(0.5),
                              std::numeric_limits<C>::min(), std::numeric_limits<C>::max(),
                              std::numeric_limits<C>::denorm_min()};
        return specials[rng() % std::size(specials)];
      }
      default: return from_bits<C>(with_exponent(static_cast<int>(rng() % (2 * kBias + 1))));
    }
  }
  // A second operand that puts a*b (or a/b) within a few ulps of the smallest normal, where
  // FTZ's tininess-after-rounding differs from a test made before rounding.
  C partner(C a, bool for_div) {
    const long double target = std::numeric_limits<C>::min();
    if (!std::isfinite(a) || a == 0) return any();
    C b = static_cast<C>(for_div ? static_cast<long double>(a) / target : target / static_cast<long double>(a));
    if (!std::isnormal(b)) return any();
    for (int k = static_cast<int>(rng() % 7) - 3; k != 0; k += k > 0 ? -1 : 1) b = std::nextafter(b, k > 0 ? INFINITY : 0);
    return rng() & 1 ? -b : b;
  }
};

enum class HwOp { Add, Mul, Div };
template <typename C>
__attribute__((noinline)) C hardware(HwOp op, C a, C b) {
  switch (op) {
    case HwOp::Add: return a + b;
    case HwOp::Mul: return a * b;
    case HwOp::Div: return a / b;
  }
  return 0;
}

// Conversion, round to integral (SSE4.1 roundss/roundsd honour DAZ), floor, a < b and a <= b.
template <typename C>
__attribute__((noinline, target("sse4.1"))) C hardware_unary(std::int64_t v, C a, C b, C& rounded, C& floored,
                                                              bool& less, bool& less_equal) {
  if constexpr (sizeof(C) == 4) {
    rounded = _mm_cvtss_f32(_mm_round_ss(_mm_setzero_ps(), _mm_set_ss(a), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    floored = _mm_cvtss_f32(_mm_floor_ss(_mm_setzero_ps(), _mm_set_ss(a)));
  } else {
    rounded = _mm_cvtsd_f64(_mm_round_sd(_mm_setzero_pd(), _mm_set_sd(a), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    floored = _mm_cvtsd_f64(_mm_floor_sd(_mm_setzero_pd(), _mm_set_sd(a)));
  }
  less = a < b;
  less_equal = a <= b;
  return static_cast<C>(v);
}

__attribute__((noinline, target("fma"))) float hardware_fma(float a, float b, float c) {
  return _mm_cvtss_f32(_mm_fmadd_ss(_mm_set_ss(a), _mm_set_ss(b), _mm_set_ss(c)));
}
__attribute__((noinline, target("fma"))) double hardware_fma(double a, double b, double c) {
  return _mm_cvtsd_f64(_mm_fmadd_sd(_mm_set_sd(a), _mm_set_sd(b), _mm_set_sd(c)));
}

struct MxcsrScope {  // FTZ (bit 15) and DAZ (bit 6) for this thread, restored on exit
  unsigned saved = _mm_getcsr();
  explicit MxcsrScope(bool flush) { _mm_setcsr(flush ? (saved | 0x8040u) : (saved & ~0x8040u)); }
  ~MxcsrScope() { _mm_setcsr(saved); }
};

template <typename C>
void check_ops(bool flush, std::uint64_t seed) {
  const DType t = sizeof(C) == 4 ? DType::Float32 : DType::Float64;
  const EnvArith env(t, {t, flush, flush});
  Operands<C> gen(seed);
  const long n = operand_pairs();
  for (HwOp op : {HwOp::Add, HwOp::Mul, HwOp::Div}) {
    long mismatches = 0;
    for (long i = 0; i < n; ++i) {
      const C a = gen.any();
      const C b = (i % 4 == 0 && op != HwOp::Add) ? gen.partner(a, op == HwOp::Div) : gen.any();
      C hw;
      {
        MxcsrScope mx(flush);
        hw = hardware(op, a, b);
      }
      const std::uint64_t ab = bits_of(a), bb = bits_of(b);
      const std::uint64_t ours = op == HwOp::Add ? env.add(ab, bb) : op == HwOp::Mul ? env.mul(ab, bb) : env.div(ab, bb);
      if (!same_result(t, ours, bits_of(hw)) && ++mismatches <= 5) {
        ADD_FAILURE() << "op " << static_cast<int>(op) << " flush " << flush << std::hex << " a=0x" << ab
                      << " b=0x" << bb << " hardware=0x" << bits_of(hw) << " reference=0x" << ours;
      }
    }
    EXPECT_EQ(mismatches, 0) << "seed " << seed;
  }
  // fused multiply-add, with c drawn freely or cancelling most of a * b
  if (__builtin_cpu_supports("fma")) {
    for (long i = 0; i < n; ++i) {
      const C a = gen.any(), b = gen.any();
      const C c = i % 2 ? gen.any() : -(a * b) * (i % 4 == 0 ? C(1) : C(0.5));
      C hw;
      {
        MxcsrScope mx(flush);
        hw = hardware_fma(a, b, c);
      }
      const std::uint64_t ours = env.fma(bits_of(a), bits_of(b), bits_of(c));
      ASSERT_TRUE(same_result(t, ours, bits_of(hw))) << std::hex << "fma a=0x" << bits_of(a) << " b=0x" << bits_of(b)
                                                     << " c=0x" << bits_of(c) << " hardware=0x" << bits_of(hw)
                                                     << " reference=0x" << ours;
    }
  }
  // int64 -> C conversion (cvtsi2ss / cvtsi2sd), rint, floor and the comparisons
  std::mt19937_64 rng(seed + 1);
  for (long i = 0; i < n; ++i) {
    const std::int64_t v = static_cast<std::int64_t>(rng()) >> (rng() % 64);
    const C a = gen.any(), b = gen.any();
    C converted, rounded, floored;
    bool less, less_equal;
    {
      MxcsrScope mx(flush);
      converted = hardware_unary<C>(v, a, b, rounded, floored, less, less_equal);
    }
    ASSERT_EQ(env.constant(Rational(v)), bits_of(converted)) << "int64 " << v;
    ASSERT_TRUE(same_result(t, env.rint(bits_of(a)), bits_of(rounded))) << std::hex << "rint 0x" << bits_of(a);
    ASSERT_TRUE(same_result(t, env.floor(bits_of(a)), bits_of(floored))) << std::hex << "floor 0x" << bits_of(a);
    ASSERT_EQ(env.lt(bits_of(a), bits_of(b)), less) << std::hex << "0x" << bits_of(a) << " < 0x" << bits_of(b);
    ASSERT_EQ(env.le(bits_of(a), bits_of(b)), less_equal) << std::hex << "0x" << bits_of(a) << " <= 0x" << bits_of(b);
  }
}

TEST(EnvArithVsHardware, Float32Gradual) { check_ops<float>(false, 11); }
TEST(EnvArithVsHardware, Float32FtzDaz) { check_ops<float>(true, 12); }
TEST(EnvArithVsHardware, Float64Gradual) { check_ops<double>(false, 13); }
TEST(EnvArithVsHardware, Float64FtzDaz) { check_ops<double>(true, 14); }

}  // namespace
}  // namespace qdq::exact
