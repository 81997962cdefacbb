// The fast path against the oracle of the oracle: every operation of FixedArith (128-bit words)
// and, where it applies (formats of at most 24 bits of precision), FixedArith64 gives the bits
// EnvArith (GMP rationals) gives, for every dtype and every arithmetic environment a profile uses
// (compute in T or wider; FTZ and DAZ on or off), on operands drawn from every special class:
// signed zeros, subnormals, the FTZ/DAZ boundary (the smallest normal of T, a few ULPs either way;
// bfloat16's is float32's), ties (values of few significant bits, whose sums and products land on
// midpoints, and halves for rint and floor; 1 and its neighbours), overflow (near the largest finite), infinities, NaNs with any payload, and
// random patterns. RapidCheck shrinks a failure to its smallest operands; RC_PARAMS sets the seed
// and count (CTest: a fixed seed in `quick`, a fresh one in `fuzz`).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdio>
#include <string>

#include "reference/exact/env_arith.h"
#include "reference/fixed/fixed_arith.h"

namespace qdq {
namespace {

using Bits = std::uint64_t;

// One operand of dtype t from one of the classes above.
rc::Gen<Bits> operand(DType t) {
  const FloatFormat f = format_of(t);
  const Bits sign = sign_mask(t), min_normal = Bits{1} << (f.precision - 1), max_finite = exponent_mask(t) - 1;
  const Bits frac_mask = min_normal - 1;
  return rc::gen::mapcat(rc::gen::pair(rc::gen::inRange(0, 10), rc::gen::arbitrary<Bits>()), [=](std::pair<int, Bits> k) {
    const Bits r = k.second, s = (r >> 63) ? sign : 0;
    const int small = static_cast<int>(r % 9) - 4;
    Bits b = 0;
    switch (k.first) {
      case 0: b = s; break;                                          // ±0
      case 1: b = s | (r % frac_mask + 1); break;                    // a subnormal
      case 2: b = s | (min_normal + static_cast<Bits>(small)); break;  // the smallest normal, ±4 ULPs
      case 3: b = s | (max_finite - (r % 8)); break;                 // near overflow
      case 4: b = s | exponent_mask(t); break;                       // ±infinity
      case 5: b = s | exponent_mask(t) | (r % frac_mask + 1); break; // a NaN, any payload
      case 6: {  // few significant bits, exponent near 0: ties and exact results
        const int e = static_cast<int>((r >> 8) % 8) - 3;
        const Bits sig = min_normal | ((r & 7) << (f.precision - 4));
        b = s | (static_cast<Bits>(f.emax + e) << (f.precision - 1)) | (sig & frac_mask);
        break;
      }
      case 7: {  // exponent near 0, any significand
        const int e = static_cast<int>((r >> 8) % 16) - 8;
        b = s | (static_cast<Bits>(f.emax + e) << (f.precision - 1)) | (r & frac_mask);
        break;
      }
      case 8: {  // 1 and its neighbours, ±4 ULPs: times the smallest normal, a product at FTZ's boundary
        const Bits one = static_cast<Bits>(f.emax) << (f.precision - 1);
        b = s | (one + static_cast<Bits>(small));
        break;
      }
      default: b = r & all_ones(t); break;  // any pattern
    }
    return rc::gen::just(b & all_ones(t));
  });
}

struct EnvCase {
  DType storage;
  ArithEnv env;
};

rc::Gen<EnvCase> env_case() {
  return rc::gen::map(rc::gen::tuple(rc::gen::inRange(0, 4), rc::gen::inRange(0, 3), rc::gen::arbitrary<bool>(),
                                     rc::gen::arbitrary<bool>()),
                      [](std::tuple<int, int, bool, bool> v) {
                        const auto storage = static_cast<DType>(std::get<0>(v));
                        // compute: T itself, float32 or float64, never narrower than T
                        DType compute = std::get<1>(v) == 0 ? storage : std::get<1>(v) == 1 ? DType::Float32 : DType::Float64;
                        if (format_of(compute).width < format_of(storage).width) compute = storage;
                        return EnvCase{storage, {compute, std::get<2>(v), std::get<3>(v)}};
                      });
}

std::string describe(const EnvCase& e) {
  return std::string(dtype_name(e.storage)) + " in " + std::string(dtype_name(e.env.compute)) + (e.env.ftz ? " FTZ" : "") +
         (e.env.daz ? " DAZ" : "");
}

// Whether the 64-bit words hold the env's formats (fixed::FixedArith64's precondition).
bool fits_64(const EnvCase& e) { return fixed::FixedArith64::holds(e.storage) && fixed::FixedArith64::holds(e.env.compute); }

// Calls check(fast) with FixedArith and, where it applies, with FixedArith64.
template <class F>
void for_each_word(const EnvCase& e, F&& check) {
  check(fixed::FixedArith(e.storage, e.env));
  if (fits_64(e)) check(fixed::FixedArith64(e.storage, e.env));
}

template <class Fast>
void binary_operations(const Fast& fast, const exact::EnvArith& gmp, const EnvCase& e, Bits a, Bits b, Bits c) {
  RC_ASSERT(fast.add(a, b) == gmp.add(a, b));
  RC_ASSERT(fast.mul(a, b) == gmp.mul(a, b));
  RC_ASSERT(fast.div(a, b) == gmp.div(a, b));
  RC_ASSERT(fast.fma(a, b, c) == gmp.fma(a, b, c));
  RC_ASSERT(fast.lt(a, b) == gmp.lt(a, b));
  RC_ASSERT(fast.le(a, b) == gmp.le(a, b));
  for (DType r : {e.storage, DType::Float32, DType::Float64}) {
    if (format_of(r).width >= format_of(e.storage).width && Fast::holds(r)) {
      RC_ASSERT(fast.mul_reciprocal(a, b, r) == gmp.mul_reciprocal(a, b, r));
    }
  }
}

RC_GTEST_PROP(FixedVsGmp, BinaryOperations, ()) {
  const EnvCase e = *env_case();
  const Bits a = *operand(e.storage), b = *operand(e.storage), c = *operand(e.storage);
  const exact::EnvArith gmp(e.storage, e.env);
  RC_TAG(describe(e));
  for_each_word(e, [&](const auto& fast) { binary_operations(fast, gmp, e, a, b, c); });
}

template <class Fast>
void unary_operations(const Fast& fast, const exact::EnvArith& gmp, const EnvCase& e, Bits a, std::int64_t v) {
  RC_ASSERT(fast.rint(a) == gmp.rint(a));
  RC_ASSERT(fast.floor(a) == gmp.floor(a));
  RC_ASSERT(fast.negate(a) == gmp.negate(a));
  RC_ASSERT(fast.canonical(a) == gmp.canonical(a));
  RC_ASSERT(fast.is_nan(a) == gmp.is_nan(a));
  for (DType w : {e.storage, DType::Float32, DType::Float64}) {
    if (format_of(w).width < format_of(e.storage).width) continue;
    RC_ASSERT(fast.widen(a, w) == gmp.widen(a, w));
  }
  RC_ASSERT(fast.from_int(v) == gmp.from_int(v));
  RC_ASSERT(fast.half() == gmp.half());
  RC_ASSERT(fast.max_finite() == gmp.max_finite());
  RC_ASSERT(fast.nan() == gmp.nan());
}

RC_GTEST_PROP(FixedVsGmp, UnaryOperationsAndConversions, ()) {
  const EnvCase e = *env_case();
  const Bits a = *operand(e.storage);
  const exact::EnvArith gmp(e.storage, e.env);
  // Integers of every size (the integer range's ends: ±2^b, 2^b - 1 up to b = 62) and 1/2.
  const int shift = *rc::gen::inRange(0, 63);
  const std::int64_t v = static_cast<std::int64_t>(*rc::gen::arbitrary<std::uint64_t>() >> (63 - shift)) *
                         (*rc::gen::arbitrary<bool>() ? -1 : 1);
  RC_TAG(describe(e));
  for_each_word(e, [&](const auto& fast) { unary_operations(fast, gmp, e, a, v); });
  // Narrowing from every wider dtype (both words: a float64 operand of the 64-bit word is exact):
  // operands of the wide type's classes, and T's operand widened with any bits below T's last
  // place (T's classes seen from the wide type: a carry into infinity from T's largest finite, the
  // rounding across T's smallest normal, ties).
  for (DType w : {e.storage, DType::Float32, DType::Float64}) {
    if (format_of(w).width < format_of(e.storage).width) continue;
    const int below = format_of(w).precision - format_of(e.storage).precision;
    // the bits below T's last place: none, a tie, a hair either side of it, all, or any
    const Bits half_ulp = below == 0 ? 0 : Bits{1} << (below - 1);
    const Bits low = below == 0 ? 0
                                : *rc::gen::element(Bits{0}, half_ulp, half_ulp - 1, half_ulp + 1, 2 * half_ulp - 1,
                                                    *rc::gen::arbitrary<Bits>() & (2 * half_ulp - 1));
    for (const Bits wide : {*operand(w), gmp.widen(a, w) | (gmp.is_nan(a) ? 0 : low)}) {
      for_each_word(e, [&](const auto& fast) { RC_ASSERT(fast.narrow(wide, w) == gmp.narrow(wide, w)); });
    }
  }
}

// Quotients a hair from a midpoint, solved for rather than drawn: a·2^k = M·b ± 1 for an odd
// midpoint M of p + 1 bits and an odd p-bit divisor b (M ≡ ∓b^-1 mod 2^k), so that a/b lies
// 1/(2b) ULP above or below the midpoint M/2^k. A quotient carried to too few bits, or with its
// remainder dropped, lands on the midpoint and breaks the tie; random operands almost never do.
RC_GTEST_PROP(FixedVsGmp, QuotientsNextToAMidpoint, ()) {
  using fixed::u128;
  const EnvCase e = *env_case();
  const FloatFormat f = format_of(e.storage);
  const int p = f.precision;
  const Bits frac_mask = (Bits{1} << (p - 1)) - 1;
  const u128 b_sig = (Bits{1} << (p - 1)) | (*rc::gen::arbitrary<Bits>() & frac_mask) | 1;
  const bool above = *rc::gen::arbitrary<bool>();
  const int k = p + *rc::gen::inRange(0, 2);
  const u128 mask = (u128{1} << k) - 1;
  u128 inv = b_sig;  // b^-1 modulo 2^k by Newton's iteration: right to 3 bits, doubling each step
  for (int i = 0; i < 6; ++i) inv = (inv * (2 - b_sig * inv)) & mask;
  const u128 residue = (above ? (u128{0} - inv) : inv) & mask;  // M ≡ -(±1)·b^-1
  const u128 m = k == p ? residue | (u128{1} << p) : residue;
  RC_PRE(m >> p == 1);  // M of p + 1 bits
  const u128 num = above ? m * b_sig + 1 : m * b_sig - 1;
  RC_ASSERT((num & mask) == 0);
  const u128 a_sig = num >> k;
  RC_PRE(a_sig >> (p - 1) == 1);  // a p-bit significand
  // Unbiased exponents near 0, or a's near the smallest normal (the quotient at FTZ's boundary).
  const bool edge = *rc::gen::arbitrary<bool>();
  const int ea = (edge ? f.emin : 0) + *rc::gen::inRange(-1, 3), eb = edge ? 0 : *rc::gen::inRange(-2, 3);
  RC_PRE(ea >= f.emin);
  auto pack = [&](u128 sig, int exp) { return (static_cast<Bits>(exp + f.emax) << (p - 1)) | (static_cast<Bits>(sig) & frac_mask); };
  const Bits a = pack(a_sig, ea) | (*rc::gen::arbitrary<bool>() ? sign_mask(e.storage) : 0), b = pack(b_sig, eb);
  const exact::EnvArith gmp(e.storage, e.env);
  RC_TAG(describe(e));
  for_each_word(e, [&](const auto& fast) { RC_ASSERT(fast.div(a, b) == gmp.div(a, b)); });
}

// A scale that puts v·scale within a few ULPs of the midpoint n - 1/2, where HALF_UP's fused and
// separate forms part (the rounded product lands on the midpoint, the exact one beside it): the
// quotient fl((n - 1/2) / v) from GMP, its bits moved by `ulps`.
Bits near_midpoint_scale(const exact::EnvArith& gmp, DType t, Bits v, int n, int ulps) {
  const Bits midpoint = gmp.mul(gmp.from_int(2 * static_cast<std::int64_t>(n) - 1), gmp.half());
  return (gmp.div(midpoint, v) + static_cast<Bits>(ulps)) & all_ones(t);
}

// half_up_floors and half_up_floor against GMP's composition of the four operations, on operands of every class and
// on scales solved to put v·scale next to a midpoint.
RC_GTEST_PROP(FixedVsGmp, HalfUpFloorsBothWays, ()) {
  const EnvCase e = *env_case();
  const exact::EnvArith gmp(e.storage, e.env);
  const Bits v = *operand(e.storage);
  const Bits scale = *rc::gen::arbitrary<bool>()
                         ? *operand(e.storage)
                         : near_midpoint_scale(gmp, e.storage, v, *rc::gen::inRange(-300, 300), *rc::gen::inRange(-3, 4));
  const auto expected = gmp.half_up_floors(v, scale);
  RC_TAG(describe(e));
  RC_CLASSIFY(expected.first != expected.second, "fused and separate part");
  RC_ASSERT(gmp.half_up_floor(v, scale, true) == expected.first);
  RC_ASSERT(gmp.half_up_floor(v, scale, false) == expected.second);
  for_each_word(e, [&](const auto& fast) {
    RC_ASSERT(fast.half_up_floors(v, scale) == expected);
    RC_ASSERT(fast.half_up_floor(v, scale, true) == expected.first);
    RC_ASSERT(fast.half_up_floor(v, scale, false) == expected.second);
  });
}

// The construction above does reach the cases where the two forms part (else the property would
// test the fused form twice): a fixed sweep over XLA's envs (each dtype computed in itself, the
// 16-bit ones also in float32), counted, and checked against GMP as it goes.
TEST(FixedVsGmp, NearMidpointScalesPartTheForms) {
  const EnvCase envs[] = {{DType::BFloat16, {DType::BFloat16, false, false}}, {DType::BFloat16, {DType::Float32, false, false}},
                          {DType::Float16, {DType::Float16, false, false}},   {DType::Float16, {DType::Float32, false, false}},
                          {DType::Float32, {DType::Float32, false, false}},   {DType::Float64, {DType::Float64, false, false}}};
  for (const EnvCase& e : envs) {
    const exact::EnvArith gmp(e.storage, e.env);
    int parted = 0, total = 0;
    for (int i = 0; i < 64; ++i) {
      // v = ±(64 + i)·2^(i mod 5) / 256, signs alternating
      const Bits v = gmp.mul(gmp.from_int((i % 2 ? -1 : 1) * (64 + i)), gmp.div(gmp.from_int(1 << (i % 5)), gmp.from_int(256)));
      for (int n : {-37, -2, 1, 3, 100}) {
        for (int ulps = -3; ulps <= 3; ++ulps) {
          const Bits scale = near_midpoint_scale(gmp, e.storage, v, n, ulps);
          const auto expected = gmp.half_up_floors(v, scale);
          parted += expected.first != expected.second;
          ++total;
          for_each_word(e, [&](const auto& fast) {
            ASSERT_EQ(fast.half_up_floors(v, scale), expected) << describe(e) << " v " << v << " scale " << scale;
            ASSERT_EQ(fast.half_up_floor(v, scale, false), expected.second) << describe(e) << " v " << v << " scale " << scale;
          });
        }
      }
    }
    EXPECT_GT(parted, 0) << describe(e) << ": no case of " << total << " parts the fused and separate forms";
    std::printf("%s: %d of %d cases part the forms\n", describe(e).c_str(), parted, total);
  }
}

}  // namespace
}  // namespace qdq
