// The CUDA core's arithmetic and indexing, compiled by the host compiler, against independent
// oracles: the CPU backends' 16-bit converters, the hardware with MXCSR's FTZ/DAZ set, a sort of
// the values themselves, and a count of the visits of every element.
#include <gtest/gtest.h>

#include <type_traits>
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "impl/cpu/common/narrow_float.h"
#include "impl/cpu/common/tiny_operands.h"
#include "impl/cuda/core/element.h"
#include "impl/cuda/core/geometry.h"
#include "impl/cuda/core/thread_batch.h"

namespace qdq::cuda {
namespace {

using cpu::testing::aim_at_smallest_normal;
using cpu::testing::random_near_tiny;

TEST(Narrow16, WideningEqualsTheCpuConverters) {
  for (std::uint32_t h = 0; h < 65536; ++h) {
    const auto b = static_cast<std::uint16_t>(h);
    EXPECT_EQ(bits_of(BFloat16Bits::widen(b)), bits_of(cpu::bfloat16_to_float(b))) << std::hex << h;
    const float ours = Float16Bits::widen(b), cpu = cpu::float16_to_float(b);
    if (std::isnan(cpu)) {
      EXPECT_TRUE(std::isnan(ours)) << std::hex << h;
    } else {
      EXPECT_EQ(bits_of(ours), bits_of(cpu)) << std::hex << h;
    }
  }
}

// Every float at, next to, and halfway between the values of the 16-bit format, plus random
// floats: the rounding equals the CPU converters' (any NaN for a NaN, with the sign kept).
template <class Ours>
void check_rounding(float (*widen)(std::uint16_t), std::uint16_t (*cpu_round)(float)) {
  std::vector<float> probes;
  for (std::uint32_t h = 0; h < 65535; ++h) {
    const float v = widen(static_cast<std::uint16_t>(h)), next = widen(static_cast<std::uint16_t>(h + 1));
    if (std::isnan(v) || std::isnan(next) || std::isinf(v)) continue;
    const float mid = std::isinf(next) ? std::nextafter(v, next) : v + (next - v) / 2;  // exact: few digits
    for (float f : {v, mid}) {
      probes.push_back(f);
      probes.push_back(std::nextafter(f, -INFINITY));
      probes.push_back(std::nextafter(f, INFINITY));
    }
  }
  std::mt19937 rng(11);
  for (int i = 0; i < 1000000; ++i) probes.push_back(float_of(static_cast<std::uint32_t>(rng())));
  for (float f : probes) {
    const std::uint16_t ours = Ours::round(f), cpu = cpu_round(f);
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(Ours::widen(ours))) << std::hex << bits_of(f);
      EXPECT_EQ(ours & 0x8000, cpu & 0x8000);
    } else {
      ASSERT_EQ(ours, cpu) << std::hex << "float 0x" << bits_of(f);
    }
  }
}

TEST(Narrow16, RoundingEqualsTheCpuConverters) {
  check_rounding<BFloat16Bits>(cpu::bfloat16_to_float, cpu::float_to_bfloat16);
  check_rounding<Float16Bits>(cpu::float16_to_float, cpu::float_to_float16);
}

template <typename C>
__attribute__((noinline)) void hardware(C a, C b, C c, C* out) {
  out[0] = a + b;
  out[1] = a * b;
  out[2] = a / b;
  out[3] = std::fma(a, b, c);
}

// SoftEnv with FTZ and DAZ against the hardware with MXCSR.FTZ and DAZ set; without them,
// against the plain hardware.
template <typename C>
void check_soft_env(bool flush) {
  SoftEnv<C> e;
  e.storage = sizeof(C) == 4 ? DType::Float32 : DType::Float64;
  e.ftz = e.daz = flush;
  std::mt19937_64 rng(5);
  const unsigned saved = _mm_getcsr();
  for (int i = 0; i < 300000; ++i) {
    C a = random_near_tiny<C>(rng), b = random_near_tiny<C>(rng), c = random_near_tiny<C>(rng);
    aim_at_smallest_normal(rng, i, a, b);
    if (i % 8 == 0) c = -a * b;  // fma results near zero
    C hw[4];
    if (flush) _mm_setcsr(saved | 0x8040u);
    hardware(a, b, c, hw);
    _mm_setcsr(saved);
    const C ours[4] = {e.add(a, b), e.mul(a, b), e.div(a, b), e.fma(a, b, c)};
    for (int k = 0; k < 4; ++k) {
      if (std::isnan(hw[k])) {
        ASSERT_TRUE(std::isnan(ours[k]));
      } else {
        ASSERT_EQ(bits_of(ours[k]), bits_of(hw[k])) << "op " << k << std::hexfloat << " a=" << a << " b=" << b << " c=" << c;
      }
    }
    ASSERT_EQ(e.lt(a, b), flush ? (e.read(a) < e.read(b)) : (a < b));
  }
}

TEST(SoftEnv, FlushingEqualsTheHardwareWithFtzAndDaz) {
  check_soft_env<float>(true);
  check_soft_env<double>(true);
}

TEST(SoftEnv, GradualEqualsThePlainHardware) {
  check_soft_env<float>(false);
  check_soft_env<double>(false);
}

template <typename C>
void check_keys() {
  const C inf = std::numeric_limits<C>::infinity(), tiny = std::numeric_limits<C>::denorm_min();
  std::vector<C> v = {-inf, -std::numeric_limits<C>::max(), C(-1.5), -std::numeric_limits<C>::min(), -tiny, C(-0.0),
                      C(0.0), tiny, std::numeric_limits<C>::min(), C(1), std::numeric_limits<C>::max(), inf};
  for (std::size_t i = 0; i + 1 < v.size(); ++i) {
    EXPECT_LT(order_key(v[i]), order_key(v[i + 1])) << i;
    EXPECT_GT(order_key(v[i]), 0u);
    EXPECT_EQ(bits_of(key_value<C>(order_key(v[i]))), bits_of(v[i]));
  }
  RangeKeys r;
  EXPECT_EQ(range_lo<C>(r), inf);  // nothing seen: [+inf, -inf]
  EXPECT_EQ(range_hi<C>(r), -inf);
  for (C x : {C(3), C(-0.0), C(0.0), C(-2)}) include(r, x);
  EXPECT_EQ(range_lo<C>(r), C(-2));
  EXPECT_EQ(range_hi<C>(r), C(3));
}

TEST(OrderKeys, SortAsTheValuesAndReadBack) {
  check_keys<float>();
  check_keys<double>();
}

// Every element is visited exactly once, by the table entry of its own channel, whatever the
// launch's size: with CUDA's cap on gridDim.y, and with a cap of 2 rows of blocks, so that the
// blocks stride over rows as they do on the device beyond 65535 rows; element by element and,
// in the runs layout, in pairs that start at either parity, each pair on a word boundary.
TEST(Geometry, EveryElementOnceWithItsChannel) {
  const std::int64_t shapes[][3] = {{1, 1, 1},     {1, 1, 255},   {1, 1, 256},  {1, 1, 257},    {1, 1, 1023},
                                    {1, 1, 1024},  {1, 1, 4097},  {1, 1, 9000}, {3, 5, 1},      {1000, 3, 1},
                                    {7, 300, 1},   {2, 65, 3},    {5, 2, 1030}, {2, 3, 5000},   {40, 257, 1},
                                    {1, 70000, 1}, {9, 1, 100},   {3, 100, 1},  {130, 2, 1023}, {1, 1, 70000},
                                    {20000, 3, 1}};
  // Every element of a launch l, visited with batches of B: how often each was seen.
  auto visits = [](const Geometry& g, const Launch& l, auto batch) {
    constexpr int B = decltype(batch)::value;
    std::vector<int> seen(static_cast<std::size_t>(g.n), 0);
    for (std::int64_t by = 0; by < l.y; ++by) {
      for (std::int64_t bx = 0; bx < l.x; ++bx) {
        for_each_segment(g, bx, by, l.x, l.y, [&](const Segment& seg) {
          ASSERT_GE(seg.count, 1);
          ASSERT_LE(seg.count, kThreads);
          for (int tx = 0; tx < kThreads; ++tx) {
            for_each_batch<B>(g, seg, bx, l.x, tx, [&](const Batch& b) {
              ASSERT_GE(b.count, 1);
              ASSERT_LE(b.count, B);
              ASSERT_TRUE(!b.pairs || (g.runs && g.pair_skew >= 0));
              for (int i = 0; b.pairs && i < b.count; ++i) {
                ASSERT_EQ((b.first + i * b.stride + g.pair_skew) % 2, 0) << "pair at " << b.first + i * b.stride;
              }
              ASSERT_LT(b.entry, seg.count);
              for (int j = 0; j < b.elements(); ++j) {
                const std::int64_t k = b.at(j);
                ASSERT_GE(k, 0);
                ASSERT_LT(k, g.n);
                ++seen[static_cast<std::size_t>(k)];
                ASSERT_EQ((seg.first + b.entry) % g.depth, (k / g.inner) % g.depth) << "element " << k;
              }
            });
          }
        });
      }
    }
    return seen;
  };
  int strided_runs = 0, strided_columns = 0;  // launches whose blocks stride over rows
  for (const auto& s : shapes) {
    const std::int64_t outer = s[0], depth = s[1], inner = s[2], n = outer * depth * inner;
    Geometry g = make_geometry(n, depth, inner);
    if (g.blocks_y > 2) ++(g.runs ? strided_runs : strided_columns);
    for (const auto& [target, skew] : {std::pair<std::int64_t, int>{1, -1}, {3, -1}, {1 << 20, -1}, {1, 0}, {3, 0}, {3, 1}, {1 << 20, 1}}) {
      g.pair_skew = skew;
      for (const std::int64_t max_y : {kMaxGridY, std::int64_t{2}}) {
        const Launch l = launch_for(g, target, max_y);
        ASSERT_LE(l.y, max_y);
        for (const std::vector<int>& seen : {visits(g, l, std::integral_constant<int, 4>{}), visits(g, l, std::integral_constant<int, 8>{})}) {
          for (std::int64_t k = 0; k < n; ++k) {
            ASSERT_EQ(seen[static_cast<std::size_t>(k)], 1)
                << outer << "x" << depth << "x" << inner << " element " << k << ", max_y " << max_y << ", pair_skew " << skew;
          }
        }
      }
    }
  }
  EXPECT_GT(strided_runs, 0);
  EXPECT_GT(strided_columns, 0);
}

TEST(Geometry, PairsOnlyOf16BitTensorsAtOneParity) {
  alignas(8) std::uint16_t buf[8];
  EXPECT_EQ(pair_skew_of(2, {buf, buf + 4}), 0);
  EXPECT_EQ(pair_skew_of(2, {buf + 1, buf + 3, buf + 7}), 1);
  EXPECT_EQ(pair_skew_of(2, {buf, buf + 1}), -1);
  EXPECT_EQ(pair_skew_of(2, {buf + 2, buf + 5}), -1);
  EXPECT_EQ(pair_skew_of(2, {reinterpret_cast<const char*>(buf) + 1}), -1);
  EXPECT_EQ(pair_skew_of(4, {buf, buf + 4}), -1);
  EXPECT_EQ(pair_skew_of(8, {buf}), -1);
}

// A copy through load_batch and store_batch over every batch of a launch, with the input and the
// output at every offset from a word boundary (so pairs at either parity, and elements one at a
// time where the two differ): every element lands where it came from, each half of a pair too.
TEST(ThreadBatch, PairedLoadsAndStoresKeepEveryElementInPlace) {
  constexpr int B = batch_of(2);
  const std::int64_t shapes[][3] = {{1, 1, 1024}, {1, 1, 1025}, {3, 1, 1031}, {2, 3, 5000}, {1, 1, 9001}, {5, 2, 1030}};
  int paired = 0, unpaired = 0;
  for (const auto& s : shapes) {
    const std::int64_t n = s[0] * s[1] * s[2];
    std::vector<std::uint16_t> in_buf(static_cast<std::size_t>(n) + 4), out_buf(static_cast<std::size_t>(n) + 4);
    for (int in_at = 0; in_at < 4; ++in_at) {
      for (int out_at = 0; out_at < 4; ++out_at) {
        std::uint16_t* in = in_buf.data() + in_at;
        std::uint16_t* out = out_buf.data() + out_at;
        for (std::int64_t k = 0; k < n; ++k) in[k] = static_cast<std::uint16_t>(k * 40503u + 7);
        std::fill(out_buf.begin(), out_buf.end(), std::uint16_t{0xdead});
        Geometry g = make_geometry(n, s[1], s[2]);
        g.pair_skew = pair_skew_of(2, {in, out});
        ++(g.pair_skew >= 0 ? paired : unpaired);
        const Launch l = launch_for(g, 3);
        for (std::int64_t by = 0; by < l.y; ++by) {
          for (std::int64_t bx = 0; bx < l.x; ++bx) {
            for_each_segment(g, bx, by, l.x, l.y, [&](const Segment& seg) {
              for (int tx = 0; tx < kThreads; ++tx) {
                for_each_batch<B>(g, seg, bx, l.x, tx, [&](const Batch& b) {
                  std::uint16_t v[kBatchElements<B, std::uint16_t>] = {};
                  load_batch<B>(in, b, v);
                  store_batch<B>(out, b, v);
                });
              }
            });
          }
        }
        for (std::int64_t k = 0; k < n; ++k) ASSERT_EQ(out[k], in[k]) << "element " << k << ", offsets " << in_at << " " << out_at;
        EXPECT_EQ(out_buf[static_cast<std::size_t>(out_at + n)], 0xdead) << "written past the end";
        if (out_at > 0) {
          EXPECT_EQ(out_buf[static_cast<std::size_t>(out_at - 1)], 0xdead) << "written before the start";
        }
      }
    }
  }
  EXPECT_GT(paired, 0);
  EXPECT_GT(unpaired, 0);
}

}  // namespace
}  // namespace qdq::cuda
