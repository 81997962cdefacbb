// The scale selection in SIMD lanes (scales.h) against select_scale (host_params.h), channel by
// channel, bit for bit, on every Highway target this machine runs: every profile and dtype the cpu
// backend supports, integer ranges of 2 to 16 bits, and ranges drawn from each dtype's special
// values (signed zeros, subnormals, the smallest normal, the largest finite value, infinities,
// NaN) and its random bit patterns. The expected values are select_scale's, the same code the
// scalar backend runs, itself checked against the reference and TF's golden files (conformance/).
#include "impl/cpu/simd/scales.h"

#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <bit>
#include <cmath>
#include <iterator>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include "impl/cpu/common/narrow_float.h"
#include "impl/cpu/scalar/scalar_backend.h"

namespace qdq::cpu::simd {
namespace {

template <typename C>
std::uint64_t bits_of(C v) {
  if constexpr (sizeof(C) == 8) return std::bit_cast<std::uint64_t>(v);
  else return std::bit_cast<std::uint32_t>(v);
}

// A value of dtype t, in C: a special one or a random pattern.
template <typename C>
C draw(std::mt19937_64& rng, DType t) {
  const Env<C> env(t, ArithEnv{});
  const C min_normal = t == DType::Float16 ? C(std::ldexp(1.0, -14)) : std::numeric_limits<C>::min();
  const C specials[] = {C(0), -C(0), min_normal, -min_normal, env.max_finite(), -env.max_finite(),
                        std::numeric_limits<C>::infinity(), -std::numeric_limits<C>::infinity(),
                        std::numeric_limits<C>::quiet_NaN(), std::numeric_limits<C>::denorm_min(),
                        -std::numeric_limits<C>::min() / 4, C(1), C(-1), C(6), C(-0.5)};
  if (rng() % 4 == 0) return specials[rng() % std::size(specials)];
  const std::uint64_t r = rng();
  if (rng() % 2 == 0) return C(std::ldexp(static_cast<double>(static_cast<std::int64_t>(r % 2001) - 1000), -static_cast<int>(rng() % 12)));
  switch (t) {
    case DType::BFloat16: return bfloat16_to_float(static_cast<std::uint16_t>(r));
    case DType::Float16: return float16_to_float(static_cast<std::uint16_t>(r));
    case DType::Float32: return static_cast<C>(std::bit_cast<float>(static_cast<std::uint32_t>(r)));
    default: return static_cast<C>(std::bit_cast<double>(r));
  }
}

constexpr const char* kFields[4] = {"scale", "inv", "lo'", "hi'"};

struct Tally {
  std::size_t channels = 0, in_lanes = 0;
};

// Every supported profile and dtype, 2- to 16-bit integer ranges: select_channel_scales against
// select_scale on `per_config` drawn ranges.
template <typename C>
void compare_all(DType t, std::size_t per_config, std::uint64_t seed, Tally& tally) {
  ScalarBackend scalar;
  std::mt19937_64 rng(seed);
  for (ProfileId id : kAllProfiles) {
    const Profile& p = profile(id);
    if (!p.supports(t) || !scalar.supports(id, t)) continue;
    const Env<C> host(t, p.rules(t).host);
    for (std::int64_t bits : {2, 4, 8, 13, 16}) {
      for (int form = 0; form < 3; ++form) {
        Attrs a;
        a.num_bits = bits;
        a.signed_input = form != 2;
        a.narrow_range = form == 1;
        const auto [qmin, qmax] = integer_range(p, host, a);
        std::vector<C> lo(per_config), hi(per_config);
        for (std::size_t i = 0; i < per_config; ++i) {
          lo[i] = draw<C>(rng, t);
          hi[i] = draw<C>(rng, t);
          if (rng() % 4 != 0 && lo[i] > hi[i]) std::swap(lo[i], hi[i]);
        }
        std::size_t in_lanes = 0;
        const std::vector<Scale<C>> got = select_channel_scales(p, host, qmin, qmax, lo, hi, &in_lanes);
        ASSERT_EQ(got.size(), per_config);
        tally.channels += per_config;
        tally.in_lanes += in_lanes;
        for (std::size_t i = 0; i < per_config; ++i) {
          const Scale<C> want = select_scale(p, host, qmin, qmax, lo[i], hi[i]);
          const C g[4] = {got[i].scale, got[i].inv, got[i].lo, got[i].hi}, w[4] = {want.scale, want.inv, want.lo, want.hi};
          for (int k = 0; k < 4; ++k) {
            ASSERT_EQ(bits_of(g[k]), bits_of(w[k]))
                << kFields[k] << " of channel " << i << ", " << profile_name(id) << " "
                << dtype_name(t) << " b" << bits << " form " << form
                << ": lo " << lo[i] << " hi " << hi[i] << ", lanes " << g[k] << ", select_scale " << w[k];
          }
        }
      }
    }
  }
}

class ScaleLanes : public ::testing::Test {
 protected:
  void TearDown() override { hwy::SetSupportedTargetsForTest(0); }
};

// Every target, every dtype; a channel count that leaves a tail on every vector width.
TEST_F(ScaleLanes, SameBitsAsSelectScaleOnEveryTarget) {
  for (std::int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(hwy::TargetName(target));
    for (DType t : {DType::BFloat16, DType::Float16, DType::Float32}) {
      Tally tally;
      compare_all<float>(t, 1003, 17 + static_cast<std::uint64_t>(t), tally);
      // Both ways are exercised: most channels in lanes, the specials' hard ones one by one.
      EXPECT_GT(tally.in_lanes, tally.channels / 4) << dtype_name(t);
      EXPECT_LT(tally.in_lanes, tally.channels) << dtype_name(t);
    }
    Tally tally;
    compare_all<double>(DType::Float64, 1003, 29, tally);
    EXPECT_GT(tally.in_lanes, tally.channels / 4);
    EXPECT_LT(tally.in_lanes, tally.channels);
  }
}

// The flags themselves: a subnormal or NaN bound, and an inverse lo / qmin at the smallest normal
// (lo = -128·m, hi = 64·m, so that lo's scale 2^126 is the smaller), are left to select_scale;
// ordinary ranges are not.
TEST_F(ScaleLanes, HardLanesAreTheOnesFlushingOrNaNCanChange) {
  const Profile& p = profile(ProfileId::TfCpu);
  const Env<float> host(DType::Float32, p.rules(DType::Float32).host);
  const auto rule = scale_rule(p, host, -128.0f, 127.0f);
  ASSERT_TRUE(rule.has_value());
  constexpr float m = std::numeric_limits<float>::min();
  const std::vector<float> lo = {-1.0f, -m / 2, -1.0f, std::numeric_limits<float>::quiet_NaN(), -6.0f, -128.0f * m},
                           hi = {1.0f, 1.0f, m / 4, 1.0f, 0.0f, 64.0f * m};
  std::vector<float> scale(lo.size()), inv(lo.size()), lo_out(lo.size()), hi_out(lo.size());
  std::vector<std::uint8_t> hard(lo.size());
  select_scales(*rule, lo.data(), hi.data(), lo.size(), scale.data(), inv.data(), lo_out.data(), hi_out.data(), hard.data());
  EXPECT_EQ(hard, (std::vector<std::uint8_t>{0, 1, 1, 1, 0, 1}));
}

}  // namespace
}  // namespace qdq::cpu::simd
