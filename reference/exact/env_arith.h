// IEEE arithmetic on values of one dtype as a profile's ArithEnv carries it out: each operation is
// computed exactly on XFloat values and rounded by round_to_format, first to the env's compute
// format (with FTZ if the env says so), then, when that differs, to the dtype. Operands are read
// with DAZ when the env says so. Round to nearest-even throughout (TF sets FE_TONEAREST).
#pragma once

#include <cstdint>
#include <utility>

#include "reference/contract/profile.h"
#include "reference/exact/exact_float.h"

namespace qdq::exact {

class EnvArith {
 public:
  using Bits = std::uint64_t;
  EnvArith(DType storage, ArithEnv env);

  // Operand as the env reads it: a subnormal (of the compute format) is ±0 under DAZ.
  XFloat read(Bits a) const;
  // An exact result rounded as the env rounds it.
  Bits write(const XFloat& exact) const;

  Bits add(Bits a, Bits b) const;  // a ⊕ b; an exact zero sum is +0 unless both operands are -0
  Bits mul(Bits a, Bits b) const;  // a ⊗ b
  Bits div(Bits a, Bits b) const;  // a ⊘ b
  Bits fma(Bits a, Bits b, Bits c) const;  // a × b + c with one rounding
  // HALF_UP's rounded integer both ways (XLA's open contraction, docs/op-spec.md §7.5):
  // {floor(fma(v, scale, 1/2)), floor((v ⊗ scale) ⊕ 1/2)}.
  std::pair<Bits, Bits> half_up_floors(Bits v, Bits scale) const {
    return {half_up_floor(v, scale, true), half_up_floor(v, scale, false)};
  }
  // One of the two: floor(fma(v, scale, 1/2)) when `fused`, else floor((v ⊗ scale) ⊕ 1/2).
  Bits half_up_floor(Bits v, Bits scale, bool fused) const {
    const Bits h = half();
    return floor(fused ? fma(v, scale, h) : add(mul(v, scale), h));
  }
  // a ⊗ r where r = 1 ⊘ q computed in the compute format and rounded to `reciprocal_type` (the
  // type XLA folds the constant in: DTypeRules::hlo_type), not necessarily to the dtype.
  Bits mul_reciprocal(Bits a, Bits q, DType reciprocal_type) const;
  Bits negate(Bits a) const;       // sign flip, exact (XLA's Neg)
  Bits rint(Bits a) const;         // round to integral, ties to even, sign kept: rint(-0.3) = -0
  Bits floor(Bits a) const;        // floor(-0) = -0, floor(0.3) = +0
  bool lt(Bits a, Bits b) const;   // a < b; false when unordered; -0 == +0
  bool le(Bits a, Bits b) const;   // a <= b; false when unordered
  bool is_nan(Bits a) const { return is_nan_bits(storage_, a); }

  Bits constant(const Rational& v) const { return write(XFloat::of(v)); }  // rounded conversion
  Bits from_int(std::int64_t v) const { return constant(Rational(v)); }
  Bits half() const { return constant(Rational(1, 2)); }
  Bits canonical(Bits a) const { return write(read(a)); }  // as read (DAZ), written back
  Bits widen(Bits a, DType wider) const;          // a's value in a wider dtype (exact)
  Bits narrow(Bits wide, DType wide_type) const;  // a value of wide_type written as the env writes it
  Bits max_finite() const;
  Bits nan() const { return write(XFloat::nan()); }  // the default NaN
  DType storage() const { return storage_; }

 private:
  DType storage_;
  ArithEnv env_;
  FloatFormat storage_format_, compute_format_;
};

}  // namespace qdq::exact
