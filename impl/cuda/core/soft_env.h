// Arithmetic on the values of one dtype as a profile's ArithEnv states it, for host and device:
// FTZ and DAZ done in software on top of hd.h's IEEE operations (never by a compiler flag or the
// thread's mode), and, for bfloat16 and float16, rounding back to the 16-bit format after every
// operation where the profile says so. Values of every dtype are carried in C: float for
// bfloat16, float16 and float32, double for float64.
#pragma once

#include <cstdint>

#include "impl/cuda/core/hd.h"
#include "impl/cuda/core/narrow16.h"
#include "reference/contract/dtype.h"

namespace qdq::cuda {

template <typename C>
struct FloatBits;
template <>
struct FloatBits<float> {
  using U = std::uint32_t;
  static constexpr U kSign = 0x80000000u, kAbs = 0x7fffffffu, kInf = 0x7f800000u;
  static constexpr U kMinNormal = 0x00800000u;
  static constexpr int kDigits = 24;
  QDQ_HD static U bits(float x) { return bits_of(x); }
  QDQ_HD static float value(U u) { return float_of(u); }
};
template <>
struct FloatBits<double> {
  using U = std::uint64_t;
  static constexpr U kSign = 0x8000000000000000ull, kAbs = 0x7fffffffffffffffull, kInf = 0x7ff0000000000000ull;
  static constexpr U kMinNormal = 0x0010000000000000ull;
  static constexpr int kDigits = 53;
  QDQ_HD static U bits(double x) { return bits_of(x); }
  QDQ_HD static double value(U u) { return double_of(u); }
};

template <typename C>
QDQ_HD bool is_nan(C x) {
  using B = FloatBits<C>;
  return (B::bits(x) & B::kAbs) > B::kInf;
}
// |x| < the smallest normal, zero included.
template <typename C>
QDQ_HD bool below_normal(C x) {
  using B = FloatBits<C>;
  return (B::bits(x) & B::kAbs) < B::kMinNormal;
}
template <typename C>
QDQ_HD C zero_like(C x) {  // a zero with x's sign
  using B = FloatBits<C>;
  return B::value(B::bits(x) & B::kSign);
}
template <typename C>
QDQ_HD C abs_of(C x) {
  using B = FloatBits<C>;
  return B::value(B::bits(x) & B::kAbs);
}
template <typename C>
QDQ_HD C infinity() {
  return FloatBits<C>::value(FloatBits<C>::kInf);
}

// An ArithEnv of a dtype stored as `storage`, as plain data that a kernel takes by value.
// `narrow_each_op`: results are rounded back to the 16-bit storage format after every operation
// (for float32 and float64 storage it changes nothing).
template <typename C>
struct SoftEnv {
  DType storage = DType::Float32;
  bool ftz = false, daz = false, narrow_each_op = true;

  // Storage bits of one element to a value and back (16-bit formats: exact widening, one
  // rounding on the way back).
  QDQ_HD C load(std::uint64_t b) const {
    if (storage == DType::BFloat16) return BFloat16Bits::widen(static_cast<std::uint16_t>(b));
    if (storage == DType::Float16) return Float16Bits::widen(static_cast<std::uint16_t>(b));
    return FloatBits<C>::value(static_cast<typename FloatBits<C>::U>(b));
  }
  QDQ_HD std::uint64_t store(C v) const {
    if (storage == DType::BFloat16) return BFloat16Bits::round(static_cast<float>(v));
    if (storage == DType::Float16) return Float16Bits::round(static_cast<float>(v));
    return FloatBits<C>::bits(v);
  }
  // v rounded to the storage format where every operation is.
  QDQ_HD C narrow(C v) const {
    return narrow_each_op && (storage == DType::BFloat16 || storage == DType::Float16) ? load(store(v)) : v;
  }

  // DAZ: a subnormal operand is read as a zero of its sign.
  QDQ_HD C read(C x) const { return daz && below_normal(x) ? zero_like(x) : x; }

  // Each operation: operands read under DAZ, the IEEE result, FTZ applied, then narrowed.
  QDQ_HD C add(C a, C b) const {
    const C r = add_rn(read(a), read(b));
    // a sum below the smallest normal is exact, so it is also tiny before rounding
    return narrow(ftz && below_normal(r) ? zero_like(r) : r);
  }
  QDQ_HD C mul(C a, C b) const {
    a = read(a);
    b = read(b);
    const C r = mul_rn(a, b);
    if (!ftz || !tiny_candidate(r) || a == C(0) || b == C(0)) return narrow(r);
    // Recompute with the smaller operand scaled up, where no result is subnormal.
    const C scaled = abs_of(a) < abs_of(b) ? mul_rn(mul_rn(a, kScale), b) : mul_rn(a, mul_rn(b, kScale));
    return narrow(flush_scaled(scaled, r));
  }
  QDQ_HD C div(C a, C b) const {
    a = read(a);
    b = read(b);
    const C r = div_rn(a, b);
    if (!ftz || !tiny_candidate(r) || a == C(0) || abs_of(b) == infinity<C>()) return narrow(r);
    return narrow(flush_scaled(div_rn(mul_rn(a, kScale), b), r));
  }
  QDQ_HD C fma(C a, C b, C c) const {
    a = read(a);
    b = read(b);
    c = read(c);
    const C r = fma_rn(a, b, c);
    if (!ftz || !tiny_candidate(r) || r == C(0)) return narrow(r);
    const C scaled = fma_rn(mul_rn(a, kScale), b, mul_rn(c, kScale));
    // where scaling c overflows, the recheck cannot be made and the hardware result stands
    return narrow(abs_of(scaled) < infinity<C>() ? flush_scaled(scaled, r) : r);
  }
  // x * (1 / q): the reciprocal rounded in C, and to the storage format too where
  // `reciprocal_in_storage` (XLA folds the constant in its HLO type: float16 yes, bfloat16 no).
  QDQ_HD C mul_reciprocal(C x, C q, bool reciprocal_in_storage) const {
    SoftEnv wide = *this;
    wide.narrow_each_op = false;
    const C r = wide.div(C(1), q);
    return mul(x, reciprocal_in_storage ? load(store(r)) : r);
  }
  QDQ_HD C rint(C x) const { return narrow(rint_even(read(x))); }
  QDQ_HD C floor(C x) const { return narrow(floor_of(read(x))); }
  QDQ_HD bool lt(C a, C b) const { return read(a) < read(b); }
  QDQ_HD bool le(C a, C b) const { return read(a) <= read(b); }
  // The largest finite value of the storage format.
  QDQ_HD C max_finite() const {
    if (storage == DType::BFloat16) return BFloat16Bits::widen(0x7f7f);
    if (storage == DType::Float16) return Float16Bits::widen(0x7bff);
    return FloatBits<C>::value(FloatBits<C>::kInf - 1);
  }

 private:
  // 2^(digits + 2): enough that a scaled result that rounds below the smallest normal times the
  // scale was tiny in the unbounded-exponent sense.
  static constexpr C kScale = FloatBits<C>::kDigits == 24 ? C(67108864.0) : C(36028797018963968.0);

  // |r| <= the smallest normal: the only results FTZ can change (the smallest normal itself may
  // be a tiny value rounded up).
  QDQ_HD static bool tiny_candidate(C r) {
    using B = FloatBits<C>;
    return (B::bits(r) & B::kAbs) <= B::kMinNormal;
  }
  // `scaled` is the exact result times kScale rounded at full precision; `r` the IEEE result.
  QDQ_HD static C flush_scaled(C scaled, C r) {
    using B = FloatBits<C>;
    const C threshold = mul_rn(B::value(B::kMinNormal), kScale);
    if (abs_of(scaled) < threshold) return zero_like(r);
    return div_rn(scaled, kScale);  // not tiny: the normal result, exactly
  }
};

}  // namespace qdq::cuda
