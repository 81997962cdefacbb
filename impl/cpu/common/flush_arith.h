// Arithmetic in float or double with x86 FTZ/DAZ modelled in software, so that results never
// depend on the calling thread's MXCSR and the MXCSR is never changed. Requires the default
// rounding mode (round to nearest), which the backend checks.
//
// DAZ: a subnormal operand is read as a zero of its sign. FTZ: a result that is tiny after
// rounding (its value rounded to the format's precision with unbounded exponent lies below the
// smallest normal) becomes a zero of its sign. Sums of two values of a format that land below the
// smallest normal are exact, so for add the check is direct; for mul and div a tiny-looking
// hardware result is recomputed with one operand scaled by 2^(digits+2), where the rounding is
// that of the unbounded exponent range, to tell the two cases apart.
#pragma once

#include <cmath>
#include <limits>

namespace qdq::cpu {

template <typename C>
class FlushArith {
 public:
  FlushArith(bool ftz, bool daz) : ftz_(ftz), daz_(daz) {}

  C read(C x) const { return daz_ && x != 0 && std::fabs(x) < kMinNormal ? std::copysign(C(0), x) : x; }

  C add(C a, C b) const {
    const C r = read(a) + read(b);
    return ftz_ && r != 0 && std::fabs(r) < kMinNormal ? std::copysign(C(0), r) : r;
  }

  C mul(C a, C b) const {
    a = read(a);
    b = read(b);
    const C r = a * b;
    if (!ftz_ || !(std::fabs(r) <= kMinNormal) || a == 0 || b == 0) return r;
    const C scaled = std::fabs(a) < std::fabs(b) ? (a * kScale) * b : a * (b * kScale);
    return flush_scaled(scaled, r);
  }

  C div(C a, C b) const {
    a = read(a);
    b = read(b);
    const C r = a / b;
    if (!ftz_ || !(std::fabs(r) <= kMinNormal) || a == 0 || std::isinf(b)) return r;
    return flush_scaled((a * kScale) / b, r);
  }

  // a * b + c with one rounding. The recheck of a tiny result scales a and c; where that would
  // overflow (|c| above 2^(max_exponent - digits - 2)), the hardware's result stands.
  C fma(C a, C b, C c) const {
    a = read(a);
    b = read(b);
    c = read(c);
    const C r = std::fma(a, b, c);
    if (!ftz_ || !(std::fabs(r) <= kMinNormal) || r == 0) return r;
    const C scaled = std::fma(a * kScale, b, c * kScale);
    return std::isfinite(scaled) ? flush_scaled(scaled, r) : r;
  }

  C rint(C a) const { return std::nearbyint(read(a)); }  // ties to even in the default mode
  C floor(C a) const { return std::floor(read(a)); }
  bool lt(C a, C b) const { return read(a) < read(b); }
  bool le(C a, C b) const { return read(a) <= read(b); }

 private:
  static constexpr C kMinNormal = std::numeric_limits<C>::min();
  // 2^(digits + 2): 2^26 for float, 2^55 for double.
  static constexpr C kScale = std::numeric_limits<C>::digits == 24 ? C(67108864.0) : C(36028797018963968.0);

  // `scaled` is the exact result times kScale rounded at full precision; `r` the hardware result.
  static C flush_scaled(C scaled, C r) {
    if (std::fabs(scaled) < kMinNormal * kScale) return std::copysign(C(0), r);
    return scaled / kScale;  // not tiny: the normal result, exactly
  }

  bool ftz_, daz_;
};

}  // namespace qdq::cpu
