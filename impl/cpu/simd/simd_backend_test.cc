// The optimized backend against the scalar baseline on shapes that stress the SIMD and threaded
// paths: vector tails, misaligned starts, one-element channels, channel runs of every length 1..65,
// and tens of millions of elements. Expected values come from the scalar backend, itself checked
// bit for bit against the arbitrary-precision reference and TF's golden files (conformance/).
#include "impl/cpu/simd/simd_backend.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "impl/cpu/common/narrow_float.h"
#include "impl/cpu/simd/kernels.h"
#include "reference/contract/view.h"

namespace qdq::cpu {
namespace {

// v's bits in dtype t (rounded to nearest, ties to even, where t is narrower than double).
std::uint64_t bits_of(DType t, double v) {
  switch (t) {
    case DType::Float64: return std::bit_cast<std::uint64_t>(v);
    case DType::Float32: return std::bit_cast<std::uint32_t>(static_cast<float>(v));
    case DType::BFloat16: return float_to_bfloat16(static_cast<float>(v));
    case DType::Float16: return float_to_float16(static_cast<float>(v));
  }
  return 0;
}

std::uint64_t random_value(std::mt19937_64& rng, DType t) {
  // mostly ordinary magnitudes, some specials and subnormals
  const bool wide = t == DType::Float64;
  const int mode = static_cast<int>(rng() % 16);
  double v = std::ldexp(static_cast<double>(rng() % 20001) - 10000, -static_cast<int>(rng() % 16));
  if (mode == 0) v = std::numeric_limits<double>::quiet_NaN();
  if (mode == 1) v = (rng() % 2 ? 1 : -1) * std::numeric_limits<double>::infinity();
  if (mode == 2) v = wide ? 1e-310 : 1e-40;  // subnormal
  std::uint64_t b = 0;
  if (wide) {
    std::memcpy(&b, &v, 8);
  } else {
    const float f = static_cast<float>(v);
    std::memcpy(&b, &f, 4);
  }
  return b;
}

OpCase random_case(std::mt19937_64& rng, DType t, Shape shape, std::int64_t axis, bool nan_free) {
  OpCase c;
  c.profile = rng() % 2 ? ProfileId::TfCpu : ProfileId::TfXla;
  c.attrs.axis = axis;
  c.attrs.num_bits = 2 + static_cast<std::int64_t>(rng() % 14);
  c.attrs.round_mode = rng() % 2 ? "HALF_UP" : "HALF_TO_EVEN";
  c.attrs.signed_input = rng() % 4 != 0;
  c.attrs.narrow_range = rng() % 3 == 0;
  // TF's kernel rejects per-channel given ranges; XLA takes them.
  c.attrs.range_given = (axis == -1 || c.profile == ProfileId::TfXla) && rng() % 2;
  c.input = Tensor(t, shape);
  for (std::size_t i = 0; i < c.input.size(); ++i) {
    std::uint64_t b = random_value(rng, t);
    while (nan_free && is_nan_bits(t, b)) b = random_value(rng, t);
    c.input.set_bits(i, b);
  }
  const Shape range_shape = axis == -1 ? Shape{} : Shape{shape[static_cast<std::size_t>(axis)]};
  c.input_min = Tensor(t, range_shape);
  c.input_max = Tensor(t, range_shape);
  for (std::size_t i = 0; i < c.input_min.size(); ++i) {
    const double lo = -static_cast<double>(1 + rng() % 100) / 8, hi = static_cast<double>(1 + rng() % 100) / 8;
    if (t == DType::Float64) {
      c.input_min.set_bits(i, std::bit_cast<std::uint64_t>(lo));
      c.input_max.set_bits(i, std::bit_cast<std::uint64_t>(hi));
    } else {
      c.input_min.set_bits(i, std::bit_cast<std::uint32_t>(static_cast<float>(lo)));
      c.input_max.set_bits(i, std::bit_cast<std::uint32_t>(static_cast<float>(hi)));
    }
  }
  return c;
}

// Same status and bits; where a measured range saw a NaN under tf-cpu the result is
// implementation-defined, so those cases are drawn NaN-free.
void expect_same(const OpCase& c) {
  SimdBackend simd;
  ScalarBackend scalar;
  const Outcome a = simd.run(c), b = scalar.run(c);
  ASSERT_EQ(a.status, b.status);
  ASSERT_EQ(a.outputs.size(), b.outputs.size());
  for (std::size_t k = 0; k < a.outputs.size(); ++k) {
    const Tensor &x = a.outputs[k], &y = b.outputs[k];
    ASSERT_EQ(x.shape, y.shape);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const bool both_nan = is_nan_bits(x.dtype, x.bits(i)) && is_nan_bits(x.dtype, y.bits(i));
      ASSERT_TRUE(both_nan || x.bits(i) == y.bits(i))
          << "output " << k << " element " << i << " of shape " << shape_string(x.shape) << " axis " << c.attrs.axis
          << " profile " << profile_name(c.profile) << " round " << c.attrs.round_mode << " nb " << c.attrs.num_bits
          << std::hex << ": cpu 0x" << x.bits(i) << " cpu-scalar 0x" << y.bits(i) << " input 0x" << c.input.bits(i);
    }
  }
}

TEST(SimdBackend, VectorTailsAndEveryChannelLength) {
  std::mt19937_64 rng(17);
  for (DType t : {DType::Float32, DType::Float64}) {
    for (std::int64_t n = 0; n <= 70; ++n) expect_same(random_case(rng, t, {n}, -1, true));
    for (std::int64_t inner = 1; inner <= 65; ++inner) {
      expect_same(random_case(rng, t, {3, 4, inner}, 1, true));    // runs of `inner` per channel
      expect_same(random_case(rng, t, {2, inner, 3}, 1, true));    // `inner` channels of short runs
      expect_same(random_case(rng, t, {inner, 5}, 1, true));       // axis last: one-element runs
    }
  }
}

TEST(SimdBackend, GradientMatches) {
  std::mt19937_64 rng(23);
  for (DType t : {DType::Float32, DType::Float64}) {
    for (const auto& [shape, axis] : {std::pair{Shape{37}, std::int64_t{-1}}, std::pair{Shape{3, 5, 17}, std::int64_t{1}},
                                      std::pair{Shape{4, 33}, std::int64_t{1}}}) {
      OpCase c = random_case(rng, t, shape, axis, false);
      c.op = Op::Gradient;
      c.attrs = Attrs{};
      c.attrs.axis = axis;
      c.gradients = Tensor(t, shape);
      for (std::size_t i = 0; i < c.gradients.size(); ++i) c.gradients.set_bits(i, random_value(rng, t));
      expect_same(c);
    }
  }
}

// A bfloat16/float16 case (tf-xla) of random_case's values rounded to t, every 7th element any bit
// pattern.
OpCase narrow_case(std::mt19937_64& rng, DType t, Shape shape, std::int64_t axis) {
  OpCase c = random_case(rng, DType::Float32, shape, axis, true);
  c.profile = ProfileId::TfXla;
  c.attrs.range_given = rng() % 2;
  auto convert = [&](const Tensor& f) {
    Tensor out(t, f.shape);
    for (std::size_t i = 0; i < f.size(); ++i) {
      const float v = std::bit_cast<float>(static_cast<std::uint32_t>(f.bits(i)));
      out.set_bits(i, t == DType::BFloat16 ? float_to_bfloat16(v) : float_to_float16(v));
    }
    return out;
  };
  c.input = convert(c.input);
  c.input_min = convert(c.input_min);
  c.input_max = convert(c.input_max);
  for (std::size_t i = 0; i < c.input.size(); i += 7) c.input.set_bits(i, rng() & 0xffff);  // any pattern
  return c;
}

// Runs f twice where this CPU has AVX512-BF16 or AVX512-FP16: the 16-bit kernels with those
// instructions (the default: bfloat16 rounded by AVX512-BF16's conversions, float16 computed in
// float16 lanes), then without (bfloat16 rounded in integers, float16 in float32 lanes); once
// elsewhere. The two must give the same bits.
template <class F>
void with_and_without_16bit_instructions(F&& f) {
  for (bool instructions : {true, false}) {
    if (instructions && !simd::bf16_instructions_available() && !simd::fp16_instructions_available()) continue;
    simd::use_bf16_instructions(instructions);
    simd::use_fp16_instructions(instructions);
    SCOPED_TRACE(instructions ? "16-bit kernels with AVX512-BF16/AVX512-FP16 instructions" : "16-bit kernels in float32 lanes, bfloat16 rounded in integers");
    f();
  }
  simd::use_bf16_instructions(true);
  simd::use_fp16_instructions(true);
}

// An instruction set's kernels are used by default on the AVX-512 target where the CPU has it, and
// its switch turns them off and on again; the calling test is skipped elsewhere.
void expect_in_use_and_switchable(const char* set, bool (*available)(), void (*use)(bool), bool (*target_uses)()) {
  if (!available()) GTEST_SKIP() << "this CPU has no " << set;
  if (std::string(simd::current_target()) != "AVX3") GTEST_SKIP() << "the kernels run on " << simd::current_target();
  EXPECT_TRUE(target_uses());
  use(false);
  EXPECT_FALSE(target_uses());
  use(true);
  EXPECT_TRUE(target_uses());
}

TEST(SimdKernels, Bf16InstructionsInUseWhereTheCpuHasThem) {
  expect_in_use_and_switchable("AVX512-BF16", simd::bf16_instructions_available, simd::use_bf16_instructions,
                               simd::current_target_uses_bf16_instructions);
}

TEST(SimdKernels, Fp16InstructionsInUseWhereTheCpuHasThem) {
  expect_in_use_and_switchable("AVX512-FP16", simd::fp16_instructions_available, simd::use_fp16_instructions,
                               simd::current_target_uses_fp16_instructions);
}

// bfloat16/float16 (tf-xla): random bit patterns of every class, tails, channel runs of every
// length from 1 (axis last) to 40 and of 64, 96 and 128, short runs (rows of per-position parameters) and long ones.
TEST(SimdBackend, NarrowTypesMatch) {
  with_and_without_16bit_instructions([&] {
    std::mt19937_64 rng(31);
    for (DType t : {DType::BFloat16, DType::Float16}) {
      for (std::int64_t n = 0; n <= 70; ++n) expect_same(narrow_case(rng, t, {n}, -1));
      for (std::int64_t inner = 1; inner <= 40; ++inner) {
        SCOPED_TRACE(inner);
        expect_same(narrow_case(rng, t, {3, 5, inner}, 1));  // runs of `inner` per channel
        expect_same(narrow_case(rng, t, {2, inner, 3}, 1));  // `inner` channels of runs of 3
        expect_same(narrow_case(rng, t, {inner, 5}, 1));     // axis last: one-element runs
      }
      for (std::int64_t inner : {64, 96, 128}) {  // runs of whole vectors on every target (NarrowStep, one a run)
        SCOPED_TRACE(inner);
        expect_same(narrow_case(rng, t, {3, 5, inner}, 1));
      }
      expect_same(narrow_case(rng, t, {2'000'000}, -1));
    }
  });
}

// Inputs for the flush boundary: every bfloat16/float16 bit pattern; for float32/float64, 65536
// patterns of both signs, mostly subnormals of every magnitude, then normals just above the
// smallest and ordinary values.
Tensor boundary_inputs(DType t) {
  Tensor x(t, {65536});
  const int width = static_cast<int>(byte_width(t)) * 8;
  const int mant = t == DType::Float64 ? 52 : 23, exp_bits = width - 1 - mant;
  for (std::uint64_t i = 0; i < 65536; ++i) {
    if (width == 16) {
      x.set_bits(i, i);
      continue;
    }
    const std::uint64_t sign = (i >> 15) << (width - 1), kind = (i >> 12) & 7;
    std::uint64_t m = ((i & 0xfff) * 0x9E3779B97F4A7C15ull) >> (64 - mant);
    std::uint64_t e = 0;                                      // kinds 0-5: subnormal, magnitudes spread
    if (kind < 6) m >>= kind * (mant / 6);
    else if (kind == 6) e = 1 + (i & 7);                      // just above the smallest normal
    else e = (std::uint64_t{1} << (exp_bits - 1)) - 4 + (i & 7);  // around 1
    x.set_bits(i, sign | (e << mant) | m);
  }
  return x;
}

// Given ranges from far below to far above the smallest normal m of the float lanes, per tensor
// and per channel (channels of different widths in one call): the kernels skip the flush of
// subnormal inputs only where the parameters make it give the same bits (simd_backend.cc,
// subnormals_matter), so both sides of that boundary must match the scalar code, which always
// flushes. float16 inputs are never subnormal in float32 lanes: its widths are its own smallest.
TEST(SimdBackend, SubnormalsOnBothSidesOfTheFlushBoundary) {
  with_and_without_16bit_instructions([&] {
    for (DType t : kAllDTypes) {
      const int m_exp = t == DType::Float64 ? -1022 : t == DType::Float16 ? -14 : -126;
      for (ProfileId profile : {ProfileId::TfXla, ProfileId::TfCpu}) {
        if (profile == ProfileId::TfCpu && (t == DType::BFloat16 || t == DType::Float16)) continue;
        for (const char* round : {"HALF_TO_EVEN", "HALF_UP"}) {
          for (std::int64_t num_bits : {2, 8}) {
            for (int e = m_exp - 10; e <= m_exp + 16; e += 2) {
              SCOPED_TRACE(std::string(dtype_name(t)) + " " + std::string(profile_name(profile)) + " " + round + ", " +
                           std::to_string(num_bits) + " bits, range +-2^" + std::to_string(e));
              OpCase c;
              c.profile = profile;
              c.attrs.num_bits = num_bits;
              c.attrs.round_mode = round;
              c.attrs.range_given = true;
              c.input = boundary_inputs(t);
              c.input_min = Tensor(t, {});
              c.input_max = Tensor(t, {});
              c.input_min.set_bits(0, bits_of(t, -std::ldexp(1.0, e)));
              c.input_max.set_bits(0, bits_of(t, std::ldexp(1.0, e)));
              expect_same(c);
              if (profile == ProfileId::TfCpu) continue;  // TF's kernel takes no per-channel given range
              // four channels of 16384 inputs each, of widths 2^e .. 2^(e+12)
              c.attrs.axis = 0;
              c.input.shape = {4, 16384};
              c.input_min = Tensor(t, {4});
              c.input_max = Tensor(t, {4});
              for (std::size_t ch = 0; ch < 4; ++ch) {
                c.input_min.set_bits(ch, bits_of(t, -std::ldexp(1.0, e + 4 * static_cast<int>(ch))));
                c.input_max.set_bits(ch, bits_of(t, std::ldexp(1.0, e + 4 * static_cast<int>(ch))));
              }
              expect_same(c);
            }
          }
        }
      }
    }
  });
}

TEST(SimdKernels, MisalignedStartsAndTails) {
  std::mt19937 rng(5);
  std::vector<float> x(300), a(300), b(300);
  for (float& v : x) v = static_cast<float>(static_cast<int>(rng() % 4001) - 2000) / 997.0f;
  const simd::Params<float> p{12.7f, 1.0f / 12.7f, -1.0f, 1.0f};
  simd::Params<float> prefetching = p, streaming = p;
  prefetching.prefetch = true;  // ordinary stores, prefetches ahead
  streaming.stream = true;      // non-temporal stores after a peel to the first aligned vector
  for (std::size_t offset = 0; offset < 16; ++offset) {
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{33}, std::size_t{255}}) {
      for (const simd::Params<float>& q : {p, prefetching, streaming}) {
        std::fill(a.begin(), a.end(), 0.0f);
        simd::quantize(x.data() + offset, a.data() + offset, n, q, simd::Rounding::HalfUp, simd::Clamp::KeepInput);
        simd::end_streams();
        simd::quantize(x.data(), b.data(), n + offset, p, simd::Rounding::HalfUp, simd::Clamp::KeepInput);
        for (std::size_t i = offset; i < offset + n; ++i) ASSERT_EQ(a[i], b[i]) << offset << " " << n << " " << i;
        for (std::size_t i = offset + n; i < a.size(); ++i) ASSERT_EQ(a[i], 0.0f) << "written past the end: " << i;
      }
    }
  }
}

// tf-gpu's clamp, fmax(fmin(v, hi'), lo') where a NaN operand loses to the other, on every pairing
// of NaN, infinite, signed-zero and ordinary inputs and bounds, for every dtype, in vectors and in
// the one-by-one tail (67 elements). Expected: the rule as docs/op-spec.md §7.4 states it (on equal
// operands fmin keeps v and fmax keeps m), written out here one value at a time, then rint (scale and
// inverse 1, so the rest of the op leaves the clamped value as it is).
TEST(SimdKernels, NonNaNWinsClampLetsTheNumberWin) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const double inputs[] = {nan, -inf, -3.0, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 3.0, inf};
  const double lows[] = {nan, -inf, -1.0, -0.0, 0.0}, highs[] = {nan, inf, 1.0, -0.0, 0.0};
  const auto expected = [](double v, double lo, double hi) {
    const double m = std::isnan(v) ? hi : std::isnan(hi) ? v : hi < v ? hi : v;
    return std::nearbyint(std::isnan(m) ? lo : std::isnan(lo) ? m : m < lo ? lo : m);
  };
  constexpr std::size_t n = 67;
  with_and_without_16bit_instructions([&] {
    for (double lo : lows) {
      for (double hi : highs) {
        for (DType t : kAllDTypes) {
          std::vector<std::uint64_t> got(n);
          if (t == DType::Float64) {
            std::vector<double> x(n), y(n);
            for (std::size_t i = 0; i < n; ++i) x[i] = inputs[i % std::size(inputs)];
            simd::Params<double> p{1.0, 1.0, lo, hi};
            simd::quantize(x.data(), y.data(), n, p, simd::Rounding::HalfToEven, simd::Clamp::NonNaNWins);
            for (std::size_t i = 0; i < n; ++i) got[i] = std::bit_cast<std::uint64_t>(y[i]);
          } else if (t == DType::Float32) {
            std::vector<float> x(n), y(n);
            for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<float>(inputs[i % std::size(inputs)]);
            simd::Params<float> p{1.0f, 1.0f, static_cast<float>(lo), static_cast<float>(hi)};
            simd::quantize(x.data(), y.data(), n, p, simd::Rounding::HalfToEven, simd::Clamp::NonNaNWins);
            for (std::size_t i = 0; i < n; ++i) got[i] = std::bit_cast<std::uint32_t>(y[i]);
          } else {
            std::vector<std::uint16_t> x(n), y(n);
            for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<std::uint16_t>(bits_of(t, inputs[i % std::size(inputs)]));
            simd::Params<float> p{1.0f, 1.0f, static_cast<float>(lo), static_cast<float>(hi)};
            p.flush = false;
            const simd::Narrow k = t == DType::BFloat16 ? simd::Narrow::BFloat16 : simd::Narrow::Float16;
            simd::quantize_narrow(k, x.data(), y.data(), n, p, simd::Rounding::HalfToEven, simd::Clamp::NonNaNWins);
            for (std::size_t i = 0; i < n; ++i) got[i] = y[i];
          }
          for (std::size_t i = 0; i < n; ++i) {
            const double v = inputs[i % std::size(inputs)];
            ASSERT_EQ(got[i], bits_of(t, expected(v, lo, hi)))
                << dtype_name(t) << " input " << v << " (element " << i << "), bounds " << lo << " " << hi;
          }
        }
      }
    }
  });
}

// AVX512-FP16's float16 lanes against the float32 lanes on every float16 input, where the clamp's
// operand order decides: bounds of ±0 (an input of the other zero equals them), NaN bounds, and
// ordinary ones, for every clamp rule and both roundings; the same bits expected.
TEST(SimdKernels, Fp16LanesEqualFloat32LanesWhereClampOperandsTie) {
  if (!simd::fp16_instructions_available()) GTEST_SKIP() << "this CPU has no AVX512-FP16";
  constexpr std::size_t n = 65536;
  std::vector<std::uint16_t> x(n), with(n), without(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<std::uint16_t>(i);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float bounds[][2] = {{-0.0f, 0.0f}, {0.0f, -0.0f}, {-1.0f, 0.0f}, {-0.0f, 1.0f}, {-1.0f, -0.0f}, {0.0f, 1.0f}, {nan, 1.0f}, {-1.0f, nan}, {-2.5f, 3.0f}};
  for (const auto& b : bounds) {
    for (float scale : {1.0f, 127.0f}) {
      simd::Params<float> p{scale, float16_to_float(float_to_float16(1.0f / scale)), b[0], b[1]};
      p.flush = false;
      for (simd::Clamp c : {simd::Clamp::None, simd::Clamp::KeepInput, simd::Clamp::NonNaNWins, simd::Clamp::MaxThenMin,
                            simd::Clamp::MaxThenMinPreferHi}) {
        for (simd::Rounding r : {simd::Rounding::HalfToEven, simd::Rounding::HalfUp}) {
          simd::use_fp16_instructions(true);
          simd::quantize_narrow(simd::Narrow::Float16, x.data(), with.data(), n, p, r, c);
          simd::use_fp16_instructions(false);
          simd::quantize_narrow(simd::Narrow::Float16, x.data(), without.data(), n, p, r, c);
          simd::use_fp16_instructions(true);
          for (std::size_t i = 0; i < n; ++i) {
            ASSERT_EQ(with[i], without[i]) << "input 0x" << std::hex << i << std::dec << ", bounds " << b[0] << " " << b[1]
                                           << ", scale " << scale << ", clamp " << static_cast<int>(c) << ", rounding "
                                           << static_cast<int>(r);
          }
        }
      }
    }
  }
}

// The same for bfloat16/float16: a vector of 16-bit results is two vectors of float32 lanes, and
// the peel to its boundary runs up to 31 elements one by one.
TEST(SimdKernels, NarrowMisalignedStartsAndTails) {
  with_and_without_16bit_instructions([&] {
    std::mt19937 rng(7);
    std::vector<std::uint16_t> x(400), a(400), b(400);
    for (simd::Narrow t : {simd::Narrow::BFloat16, simd::Narrow::Float16}) {
      for (std::uint16_t& v : x) {
        const float f = static_cast<float>(static_cast<int>(rng() % 4001) - 2000) / 997.0f;
        v = t == simd::Narrow::BFloat16 ? float_to_bfloat16(f) : float_to_float16(f);
      }
      simd::Params<float> p{12.75f, 1.0f / 12.75f, -1.0f, 1.0f};
      p.flush = false;
      simd::Params<float> prefetching = p, streaming = p;
      prefetching.prefetch = true;
      streaming.stream = true;
      for (std::size_t offset = 0; offset < 40; ++offset) {
        for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{17}, std::size_t{63}, std::size_t{301}}) {
          for (const simd::Params<float>& q : {p, prefetching, streaming}) {
            std::fill(a.begin(), a.end(), std::uint16_t{0});
            simd::quantize_narrow(t, x.data() + offset, a.data() + offset, n, q, simd::Rounding::HalfToEven,
                                  simd::Clamp::MaxThenMin);
            simd::end_streams();
            simd::quantize_narrow(t, x.data(), b.data(), n + offset, p, simd::Rounding::HalfToEven, simd::Clamp::MaxThenMin);
            for (std::size_t i = offset; i < offset + n; ++i) ASSERT_EQ(a[i], b[i]) << offset << " " << n << " " << i;
            for (std::size_t i = offset + n; i < a.size(); ++i) ASSERT_EQ(a[i], 0) << "written past the end: " << i;
            for (std::size_t i = 0; i < offset; ++i) ASSERT_EQ(a[i], 0) << "written before the start: " << i;
          }
        }
      }
    }
  });
}

// The rows kernels against the one-channel kernel element by element (each position's own
// parameters): rows of every length around the vector sizes, from every offset of a vector
// boundary, with ordinary stores, with them and prefetches, and with non-temporal stores (a peel to
// the boundary, then vectors across row ends, each reading its parameters on into RowParams' pad);
// nothing written outside.
TEST(SimdKernels, RowsFromEveryOffsetWithAndWithoutStreaming) {
  with_and_without_16bit_instructions([&] {
    std::mt19937 rng(41);
    constexpr std::size_t kSize = 700;
    std::vector<float> xf(kSize), af(kSize);
    std::vector<std::uint16_t> xn(kSize), an(kSize);
    for (std::size_t L : {1, 2, 3, 5, 8, 15, 16, 17, 31, 32, 33, 40, 70}) {
      std::vector<simd::Params<float>> at(L);
      for (std::size_t i = 0; i < L; ++i) {  // bfloat16-exact parameters, so every kernel takes them as they are
        const float s = bfloat16_to_float(float_to_bfloat16(static_cast<float>(4 + rng() % 60)));
        at[i] = {s, bfloat16_to_float(float_to_bfloat16(1.0f / s)), i % 3 == 0 ? -1.0f : -0.5f, i % 5 == 0 ? 0.75f : 1.0f};  // (positions 16 apart differ in both)
        at[i].flush = false;
      }
      std::vector<float> scale(L + simd::kRowPad), inv(L + simd::kRowPad), lo(L + simd::kRowPad), hi(L + simd::kRowPad);
      for (std::size_t j = 0; j < scale.size(); ++j) scale[j] = at[j % L].scale, inv[j] = at[j % L].inv, lo[j] = at[j % L].lo, hi[j] = at[j % L].hi;
      std::vector<std::uint16_t> scale16(scale.size()), inv16(scale.size()), lo16(scale.size()), hi16(scale.size());  // (exact: bfloat16 values)
      for (std::size_t j = 0; j < scale.size(); ++j) {
        scale16[j] = float_to_float16(scale[j]), inv16[j] = float_to_float16(inv[j]), lo16[j] = float_to_float16(lo[j]), hi16[j] = float_to_float16(hi[j]);
      }
      for (std::size_t offset = 0; offset < 33; offset += (offset < 17 ? 1 : 8)) {
        for (std::size_t rows : {0, 1, 2, 7}) {
          if (offset + rows * L > kSize) continue;
          for (const char* stores : {"ordinary", "prefetching", "streamed"}) {
            const bool stream = stores[0] == 's', prefetch = stores[0] == 'p';
            const simd::RowParams<float> rp{scale.data(), inv.data(), lo.data(), hi.data(), L, false, stream, prefetch};
            for (float& v : xf) v = static_cast<float>(static_cast<int>(rng() % 4001) - 2000) / 997.0f;
            std::fill(af.begin(), af.end(), 0.0f);
            simd::quantize_rows(xf.data() + offset, af.data() + offset, rows, rp, simd::Rounding::HalfUp, simd::Clamp::MaxThenMin);
            simd::end_streams();
            for (std::size_t k = 0; k < kSize; ++k) {
              float want = 0.0f;
              if (k >= offset && k < offset + rows * L) {
                simd::quantize(xf.data() + k, &want, 1, at[(k - offset) % L], simd::Rounding::HalfUp, simd::Clamp::MaxThenMin);
              }
              ASSERT_EQ(std::bit_cast<std::uint32_t>(af[k]), std::bit_cast<std::uint32_t>(want))
                  << "float32, length " << L << ", offset " << offset << ", rows " << rows << ", " << stores << " stores" << ", element " << k;
            }
            // float16 rows with and without the parameters as float16 bits (RowParams::f16: AVX512-FP16)
            simd::RowParams<float> rp16 = rp;
            rp16.f16 = {scale16.data(), inv16.data(), lo16.data(), hi16.data()};
            for (const auto& [t, q] : {std::pair{simd::Narrow::BFloat16, rp}, std::pair{simd::Narrow::Float16, rp},
                                       std::pair{simd::Narrow::Float16, rp16}}) {
              for (std::uint16_t& v : xn) {
                const float f = static_cast<float>(static_cast<int>(rng() % 4001) - 2000) / 997.0f;
                v = t == simd::Narrow::BFloat16 ? float_to_bfloat16(f) : float_to_float16(f);
              }
              std::fill(an.begin(), an.end(), std::uint16_t{0});
              simd::quantize_narrow_rows(t, xn.data() + offset, an.data() + offset, rows, q, simd::Rounding::HalfToEven,
                                         simd::Clamp::MaxThenMin);
              simd::end_streams();
              for (std::size_t k = 0; k < kSize; ++k) {
                std::uint16_t want = 0;
                if (k >= offset && k < offset + rows * L) {
                  simd::quantize_narrow(t, xn.data() + k, &want, 1, at[(k - offset) % L], simd::Rounding::HalfToEven,
                                        simd::Clamp::MaxThenMin);
                }
                ASSERT_EQ(an[k], want) << (t == simd::Narrow::BFloat16 ? "bfloat16" : q.f16.scale ? "float16 with float16 parameters" : "float16")
                                       << ", length " << L << ", offset "
                                       << offset << ", rows " << rows << ", " << stores << " stores" << ", element " << k;
              }
            }
          }
        }
      }
    }
  });
}

// The bfloat16/float16 min/max passes, per tensor and in runs (one accumulator a channel, and
// kAccumulatorLanes), against the extremes taken one element at a time: every length to past four
// steps of 32 and 128 (the AVX-512 loops' steps) from odd offsets, runs of every length around
// them in tiles of fewer and more rows than the kernels take at a time (kRowsABlock), with inputs
// drawn from every 16-bit pattern (NaN, ±inf, subnormals, ±0) and runs of NaN only; extremes
// merged into values already there. NaN is skipped. A zero extreme may be
// either zero where both occur: which one a reduction keeps depends on its order, and the profiles
// leave it implementation-defined (docs/op-spec.md §2.2), so -0 and +0 both pass there.
TEST(SimdKernels, NarrowMinMaxEqualsOneElementAtATime) {
  with_and_without_16bit_instructions([&] {
    std::mt19937 rng(53);
    const float inf = std::numeric_limits<float>::infinity();
    std::vector<std::uint16_t> x(6000);
    for (simd::Narrow t : {simd::Narrow::BFloat16, simd::Narrow::Float16}) {
      const auto value = [&](std::uint16_t b) { return t == simd::Narrow::BFloat16 ? bfloat16_to_float(b) : float16_to_float(b); };
      // min/max of x[from, from + n) merged into (lo, hi), NaN skipped; `both` set where +0 and -0
      // both occur among them (the values already there included)
      const auto expected = [&](std::size_t from, std::size_t n, float& lo, float& hi, bool& both) {
        bool plus = std::bit_cast<std::uint32_t>(lo) == 0 || std::bit_cast<std::uint32_t>(hi) == 0;
        bool minus = std::bit_cast<std::uint32_t>(lo) == 0x80000000u || std::bit_cast<std::uint32_t>(hi) == 0x80000000u;
        for (std::size_t i = from; i < from + n; ++i) {
          const float v = value(x[i]);
          if (v == v) lo = std::min(lo, v), hi = std::max(hi, v);
          if (v == 0) (std::signbit(v) ? minus : plus) = true;
        }
        both = both || (plus && minus);
      };
      // the same bits, or either zero for a zero extreme where both zeros occur (see above)
      const auto same = [](float got, float want, bool both) {
        return std::bit_cast<std::uint32_t>(got) == std::bit_cast<std::uint32_t>(want) || (both && got == 0 && want == 0);
      };
      for (int fill = 0; fill < 3; ++fill) {  // any pattern; mostly ordinary values; NaN only
        for (std::uint16_t& v : x) {
          const std::uint16_t any = static_cast<std::uint16_t>(rng());
          const std::uint16_t nan = t == simd::Narrow::BFloat16 ? 0x7FC1 : 0x7E01;
          v = fill == 2 ? nan : fill == 1 && (any & 0x7000) == 0x7000 ? std::uint16_t(any & 0x3FFF) : any;
        }
        for (std::size_t n = 0; n <= 600; n += n < 140 ? 1 : 37) {
          const std::size_t from = n % 7;
          for (const auto& [lo0, hi0] : {std::pair{inf, -inf}, std::pair{0.5f, 0.25f}}) {
            float lo = lo0, hi = hi0, want_lo = lo0, want_hi = hi0;
            bool both = false;
            simd::min_max_narrow(t, x.data() + from, n, &lo, &hi, n % 2 == 1);
            expected(from, n, want_lo, want_hi, both);
            ASSERT_TRUE(same(lo, want_lo, both) && same(hi, want_hi, both)) << "per tensor, fill " << fill << ", n " << n << ": " << lo << " " << hi
                                                                << ", expected " << want_lo << " " << want_hi;
          }
        }
        // tiles of runs (3 channels a row): all channels or the last two, from row 0 or 1, in as many
        // rows as make no block, one, a block and one, two blocks and one (kRowsABlock)
        constexpr std::size_t depth = 3;
        for (std::size_t inner : {1, 5, 16, 31, 32, 33, 64, 70, 96, 129}) {
          for (std::size_t rows : {std::size_t{1}, std::size_t{3}, simd::kRowsABlock + 1, 2 * simd::kRowsABlock + 1}) {
            for (const simd::RunTile tile : {simd::RunTile{0, rows, 0, depth}, simd::RunTile{1, rows, 1, depth - 1}}) {
              ASSERT_LE((tile.row + tile.rows) * depth * inner, x.size());
              for (std::size_t lanes : {std::size_t{1}, simd::kAccumulatorLanes<float>}) {
                std::vector<float> lo(depth * lanes, inf), hi(depth * lanes, -inf), want_lo(depth, inf), want_hi(depth, -inf);
                bool both[depth] = {};
                simd::min_max_narrow_runs(t, x.data(), tile, inner, depth, lanes, lo.data(), hi.data(), false);
                std::vector<float> got_lo(depth, inf), got_hi(depth, -inf);
                simd::reduce_lanes(lo.data(), hi.data(), depth, lanes, got_lo.data(), got_hi.data());
                for (std::size_t o = tile.row; o < tile.row + tile.rows; ++o)
                  for (std::size_t ch = tile.channel; ch < tile.channel + tile.channels; ++ch)
                    expected((o * depth + ch) * inner, inner, want_lo[ch], want_hi[ch], both[ch]);
                for (std::size_t ch = 0; ch < depth; ++ch) {
                  ASSERT_TRUE(same(got_lo[ch], want_lo[ch], both[ch]) && same(got_hi[ch], want_hi[ch], both[ch]))
                      << "runs of " << inner << ", rows " << tile.row << " + " << tile.rows << ", channels " << tile.channel
                      << " + " << tile.channels << ", " << lanes << " lanes, fill " << fill << ", channel " << ch << ": " << got_lo[ch]
                      << " " << got_hi[ch] << ", expected " << want_lo[ch] << " " << want_hi[ch];
                }
              }
            }
          }
        }
      }
    }
  });
}

// A part of a measured reduction that sees only NaN (a position of short per-channel runs, a
// channel of long runs in one task, a per-tensor chunk) has +inf / -inf as its extremes; they must
// not become the range (XLA skips NaN: fuzz/regressions/README.md).
TEST(SimdBackend, PartsThatSawOnlyNaNLeaveTheRange) {
  std::mt19937_64 rng(31);
  const std::uint64_t nan = 0x7fc00000;
  for (const auto& [shape, axis] : {std::pair{Shape{2, 4, 5}, std::int64_t{1}}, std::pair{Shape{2000, 3, 40}, std::int64_t{1}},
                                    std::pair{Shape{1000000}, std::int64_t{-1}}}) {
    SCOPED_TRACE(shape_string(shape));
    OpCase c = random_case(rng, DType::Float32, shape, axis, true);
    c.profile = ProfileId::TfXla;
    c.attrs.range_given = false;
    const ChannelView v = channel_view(c.input.shape, axis);
    for (std::size_t k = 0; k < c.input.size(); ++k) {
      if ((c.input.bits(k) & 0x7fffffff) == 0x7f800000) c.input.set_bits(k, 0x3f800000);  // finite ranges only
      // NaN everywhere in channel 1 (in the whole tensor per tensor) but its last row: the parts
      // of the other tasks and threads see only NaN there (per tensor, when the thread that
      // reduces the last chunk is not the only one at work: most runs).
      const std::size_t last_row = c.input.size() - static_cast<std::size_t>(axis == -1 ? 1 : v.depth * v.inner);
      const bool all_nan = k < last_row && (axis == -1 || v.channel_of(static_cast<std::int64_t>(k)) == 1);
      if (all_nan || (axis != -1 && k % static_cast<std::size_t>(v.depth * v.inner) == 5)) c.input.set_bits(k, nan);
    }
    expect_same(c);
  }
}

// Measured per-channel ranges of long runs are kept in per-lane accumulators up to 4096 channels
// (simd_backend.cc, kLaneChannels) and reduced run by run past that: both sides, with runs that
// end in a partial vector, for every dtype; tiles of whole rows and of some channels in more
// rows than the kernels take at a time (kRowsABlock: two blocks and one row); and short runs
// (per-position accumulators) over several tasks.
TEST(SimdBackend, MeasuredRangesOfFewAndManyChannels) {
  std::mt19937_64 rng(37);
  constexpr auto rows = static_cast<std::int64_t>(2 * simd::kRowsABlock + 1);
  for (const Shape& shape : {Shape{3, 4096, 16}, Shape{3, 4096, 21}, Shape{3, 4097, 16}, Shape{3, 4097, 21},
                             Shape{rows, 40, 64}, Shape{rows, 300, 33},
                             Shape{2000, 40, 5}}) {
    SCOPED_TRACE(shape_string(shape));
    for (DType t : {DType::Float32, DType::Float64}) {
      OpCase c = random_case(rng, t, shape, 1, true);
      c.attrs.range_given = false;
      expect_same(c);
    }
    for (DType t : {DType::BFloat16, DType::Float16}) {
      OpCase c = narrow_case(rng, t, shape, 1);
      c.attrs.range_given = false;
      expect_same(c);
    }
  }
}

// Measured ranges of short rows (runs shorter than kLongRun) are taken k rows at a time as one
// wide row of a multiple of 64 elements and folded back per position (simd_backend.cc,
// rows_per_wide_row): every row length from 1 to 40 and some past it, in enough rows for several
// tasks and a last group of rows that fills no wide row, for every dtype. Infinities become ±1
// (the top exponent bit cleared), so that each channel's extremes are finite values that few rows
// hold and a row left out changes them.
TEST(SimdBackend, MeasuredShortRowsOfEveryLength) {
  std::mt19937_64 rng(41);
  const auto finite = [](OpCase c) {
    const DType t = c.input.dtype;
    for (std::size_t i = 0; i < c.input.size(); ++i) {
      const std::uint64_t b = c.input.bits(i);
      if ((b & ~sign_mask(t)) == exponent_mask(t)) c.input.set_bits(i, b & ~(sign_mask(t) >> 1));
    }
    c.attrs.range_given = false;
    return c;
  };
  std::vector<Shape> shapes;
  for (std::int64_t L = 1; L <= 40; ++L) shapes.push_back({70'000 / L + 3, L});  // axis last: runs of 1
  for (const Shape& s : {Shape{4'000, 3, 5}, Shape{1'000, 7, 9}, Shape{700, 10, 15}, Shape{300, 255, 1}, Shape{300, 257, 1}})
    shapes.push_back(s);
  for (const Shape& shape : shapes) {
    SCOPED_TRACE(shape_string(shape));
    for (DType t : {DType::Float32, DType::Float64}) expect_same(finite(random_case(rng, t, shape, 1, true)));
    for (DType t : {DType::BFloat16, DType::Float16}) expect_same(finite(narrow_case(rng, t, shape, 1)));
  }
}

TEST(SimdBackend, TensOfMillionsThroughTheThreadedPath) {
  std::mt19937_64 rng(29);
  const std::int64_t n = 20'000'000;
  // From 32 MiB the outputs are streamed and the passes prefetch ahead, so each layout's min/max
  // pass runs here with its prefetch (a measured range) where the quantize pass streams.
  const auto ranged = [](OpCase c, bool given) {
    c.attrs.range_given = given;
    if (given && c.attrs.axis != -1) c.profile = ProfileId::TfXla;  // TF's kernel rejects per-channel given ranges
    return c;
  };
  // 80 MB outputs: non-temporal stores per tensor, per channel in runs of 32 (whole vectors from
  // the first element: tensor storage is aligned to 64 bytes) and in rows of 8 channels (short
  // runs: whole vectors across rows); runs of 40 floats are not whole vectors and are stored normally.
  for (const auto& [shape, axis, given] : {std::tuple{Shape{n}, std::int64_t{-1}, false}, std::tuple{Shape{n / 8, 8}, std::int64_t{1}, false},
                                           std::tuple{Shape{n / 128, 4, 32}, std::int64_t{1}, false},
                                           std::tuple{Shape{n / 120, 3, 40}, std::int64_t{1}, true}}) {
    expect_same(ranged(random_case(rng, DType::Float32, shape, axis, true), given));
  }
  // bfloat16: 40 MB outputs, streamed per tensor, in runs of 64 (two vectors of 16-bit lanes on
  // AVX-512) and in rows of 3 channels x 5 (short runs: whole vectors across rows), not in runs of 40.
  for (const auto& [shape, axis, given] : {std::tuple{Shape{n}, std::int64_t{-1}, false}, std::tuple{Shape{n}, std::int64_t{-1}, true},
                                           std::tuple{Shape{n / 256, 4, 64}, std::int64_t{1}, false},
                                           std::tuple{Shape{n / 120, 3, 40}, std::int64_t{1}, true},
                                           std::tuple{Shape{n / 15, 3, 5}, std::int64_t{1}, false}}) {
    expect_same(ranged(narrow_case(rng, DType::BFloat16, shape, axis), given));
  }
  // 18 MB tensors, between 16 and 32 MiB: every pass prefetches ahead but stores as usual
  // (Params::prefetch), per tensor, in runs and in rows, given and measured.
  const std::int64_t m = 4'500'000;
  for (const auto& [shape, axis, given] : {std::tuple{Shape{m}, std::int64_t{-1}, true}, std::tuple{Shape{m / 120, 3, 40}, std::int64_t{1}, false},
                                           std::tuple{Shape{m / 8, 8}, std::int64_t{1}, true}}) {
    expect_same(ranged(random_case(rng, DType::Float32, shape, axis, true), given));
  }
  for (const auto& [shape, axis, given] : {std::tuple{Shape{2 * m}, std::int64_t{-1}, false}, std::tuple{Shape{2 * m / 128, 2, 64}, std::int64_t{1}, true},
                                           std::tuple{Shape{2 * m / 15, 3, 5}, std::int64_t{1}, true}}) {
    expect_same(ranged(narrow_case(rng, DType::Float16, shape, axis), given));
  }
  RecordProperty("target", simd::current_target());
}

}  // namespace
}  // namespace qdq::cpu
