// Named bit patterns of one dtype and one-ULP steps between patterns, for the case generators
// (grid, edge). Values are rounded to the dtype to nearest-even, with gradual underflow.
#pragma once

#include <cstdint>

#include "reference/contract/dtype.h"
#include "reference/exact/exact_float.h"

namespace qdq::conformance {

struct Patterns {
  using Bits = std::uint64_t;
  DType t;
  int p;
  Bits sign, inf, nan, max_finite, min_normal, max_subnormal;
  explicit Patterns(DType dt)
      : t(dt), p(format_of(dt).precision), sign(sign_mask(dt)), inf(exponent_mask(dt)),
        nan(exponent_mask(dt) | (Bits{1} << (format_of(dt).precision - 2))), max_finite(exponent_mask(dt) - 1),
        min_normal(Bits{1} << (format_of(dt).precision - 1)), max_subnormal((Bits{1} << (format_of(dt).precision - 1)) - 1) {}

  Bits of(const exact::Rational& v) const { return exact::round_to_format(exact::XFloat::of(v), format_of(t), false); }
  Bits neg(Bits b) const { return b ^ sign; }
  // The neighbouring pattern toward +inf / -inf (one ULP), saturating at the infinities.
  Bits up(Bits b) const {
    if (b == sign) return 1;  // -0 -> smallest subnormal
    if (b & sign) return b - 1;
    return b == inf ? b : b + 1;
  }
  Bits down(Bits b) const { return neg(up(neg(b))); }
};

}  // namespace qdq::conformance
