// bfloat16 and float16 values in float32 lanes, per Highway target: loading them, rounding a
// float32 lane to the dtype (to nearest, ties to even) and packing the rounded bits. Shared by the
// kernels (kernels.cc) and the scale selection (scales.cc), which include it after foreach_target.h
// (Highway's -inl.h convention: it is read once per target, so its guard toggles instead of closing).
#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"
#include "impl/cpu/common/narrow_float.h"

#if defined(QDQ_CPU_SIMD_NARROW_LANES_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef QDQ_CPU_SIMD_NARROW_LANES_INL_H_
#undef QDQ_CPU_SIMD_NARROW_LANES_INL_H_
#else
#define QDQ_CPU_SIMD_NARROW_LANES_INL_H_
#endif

HWY_BEFORE_NAMESPACE();
namespace qdq::cpu::simd {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class D>
HWY_INLINE hn::VFromD<D> LoadBF16(D df, const uint16_t* p) {
  const hn::RebindToUnsigned<D> du;
  const hn::Rebind<uint16_t, D> du16;
  return hn::BitCast(df, hn::ShiftLeft<16>(hn::PromoteTo(du, hn::LoadU(du16, p))));
}

// To the nearest bfloat16, ties to even, still in the float32 lane's bits (the low half not yet
// cleared): add 0x7FFF plus the lowest kept bit. A carry reaches the exponent, and infinity, as it
// should. A NaN stays a NaN as long as its payload reaches the kept half, which holds for every
// NaN here: a loaded bfloat16 NaN, or a NaN that x86 arithmetic made quiet (bit 22 set).
template <class D, class V>
HWY_INLINE hn::VFromD<hn::RebindToUnsigned<D>> RoundBF16Bits(D, V v) {
  const hn::RebindToUnsigned<D> du;
  const auto u = hn::BitCast(du, v);
  return hn::Add(hn::Add(u, hn::Set(du, 0x7FFFu)), hn::And(hn::ShiftRight<16>(u), hn::Set(du, 1)));
}

template <class D, class V>
HWY_INLINE V RoundBF16(D df, V v) {
  const hn::RebindToUnsigned<D> du;
  return hn::BitCast(df, hn::And(RoundBF16Bits(df, v), hn::Set(du, 0xFFFF0000u)));
}

// The bfloat16 bits of v rounded to nearest, ties to even (the high halves of RoundBF16Bits).
template <class D, class V>
HWY_INLINE hn::VFromD<hn::Rebind<uint16_t, D>> PackBF16(D df, V v) {
  const hn::RebindToSigned<D> di;
  const hn::Rebind<uint16_t, D> du16;
  return hn::DemoteTo(du16, hn::BitCast(di, hn::ShiftRight<16>(RoundBF16Bits(df, v))));
}

#if HWY_TARGET >= HWY_SSE4  // no F16C: Highway's float16 emulation truncates, so per lane
template <class D>
HWY_INLINE hn::VFromD<D> LoadF16(D df, const uint16_t* p) {
  HWY_ALIGN float lanes[hn::MaxLanes(df)];
  for (size_t i = 0; i < hn::Lanes(df); ++i) lanes[i] = cpu::float16_to_float(p[i]);
  return hn::Load(df, lanes);
}
template <class D, class V>
HWY_INLINE V RoundF16(D df, V v) {
  HWY_ALIGN float lanes[hn::MaxLanes(df)];
  hn::Store(v, df, lanes);
  for (size_t i = 0; i < hn::Lanes(df); ++i) lanes[i] = cpu::float16_to_float(cpu::float_to_float16(lanes[i]));
  return hn::Load(df, lanes);
}
template <class D, class V>
HWY_INLINE hn::VFromD<hn::Rebind<uint16_t, D>> PackF16(D df, V v) {
  const hn::Rebind<uint16_t, D> du16;
  HWY_ALIGN float lanes[hn::MaxLanes(df)];
  HWY_ALIGN uint16_t bits[hn::MaxLanes(df)];
  hn::Store(v, df, lanes);
  for (size_t i = 0; i < hn::Lanes(df); ++i) bits[i] = cpu::float_to_float16(lanes[i]);
  return hn::Load(du16, bits);
}
#else  // F16C: vcvtph2ps / vcvtps2ph with round-to-nearest-even, subnormals and specials exact
template <class D>
HWY_INLINE hn::VFromD<D> LoadF16(D df, const uint16_t* p) {
  const hn::Rebind<hwy::float16_t, D> dh;
  return hn::PromoteTo(df, hn::LoadU(dh, reinterpret_cast<const hwy::float16_t*>(p)));
}
template <class D, class V>
HWY_INLINE V RoundF16(D df, V v) {
  const hn::Rebind<hwy::float16_t, D> dh;
  return hn::PromoteTo(df, hn::DemoteTo(dh, v));
}
template <class D, class V>
HWY_INLINE hn::VFromD<hn::Rebind<uint16_t, D>> PackF16(D df, V v) {
  const hn::Rebind<hwy::float16_t, D> dh;
  const hn::Rebind<uint16_t, D> du16;
  return hn::BitCast(du16, hn::DemoteTo(dh, v));
}
#endif

}  // namespace HWY_NAMESPACE
}  // namespace qdq::cpu::simd
HWY_AFTER_NAMESPACE();

#endif  // QDQ_CPU_SIMD_NARROW_LANES_INL_H_
