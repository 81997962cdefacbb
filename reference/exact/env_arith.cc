#include "reference/exact/env_arith.h"

namespace qdq::exact {

EnvArith::EnvArith(DType storage, ArithEnv env)
    : storage_(storage), env_(env), storage_format_(format_of(storage)), compute_format_(format_of(env.compute)) {}

XFloat EnvArith::read(Bits a) const {
  XFloat x = decode(a, storage_format_);
  if (env_.daz && is_tiny(x, compute_format_)) return XFloat::zero(x.neg);
  return x;
}

EnvArith::Bits EnvArith::write(const XFloat& exact) const {
  if (env_.compute == storage_) return round_to_format(exact, storage_format_, env_.ftz);
  const Bits wide = round_to_format(exact, compute_format_, env_.ftz);
  return round_to_format(decode(wide, compute_format_), storage_format_, false);
}

EnvArith::Bits EnvArith::add(Bits a, Bits b) const {
  const XFloat x = read(a), y = read(b);
  if (x.is_nan() || y.is_nan() || (x.is_inf() && y.is_inf() && x.neg != y.neg)) return write(XFloat::nan());
  if (x.is_inf()) return write(x);
  if (y.is_inf()) return write(y);
  const Rational sum = x.value() + y.value();
  if (sum == 0) return write(XFloat::zero(x.is_zero() && y.is_zero() && x.neg && y.neg));
  return write(XFloat::of(sum));
}

EnvArith::Bits EnvArith::mul(Bits a, Bits b) const {
  const XFloat x = read(a), y = read(b);
  const bool neg = x.neg != y.neg;
  if (x.is_nan() || y.is_nan() || (x.is_inf() && y.is_zero()) || (x.is_zero() && y.is_inf())) {
    return write(XFloat::nan());
  }
  if (x.is_inf() || y.is_inf()) return write(XFloat::inf(neg));
  return write({XFloat::Finite, neg, x.mag * y.mag});
}

EnvArith::Bits EnvArith::div(Bits a, Bits b) const {
  const XFloat x = read(a), y = read(b);
  const bool neg = x.neg != y.neg;
  if (x.is_nan() || y.is_nan() || (x.is_inf() && y.is_inf()) || (x.is_zero() && y.is_zero())) {
    return write(XFloat::nan());
  }
  if (x.is_inf() || y.is_zero()) return write(XFloat::inf(neg));
  if (y.is_inf()) return write(XFloat::zero(neg));
  return write({XFloat::Finite, neg, x.mag / y.mag});
}

EnvArith::Bits EnvArith::fma(Bits a, Bits b, Bits c) const {
  const XFloat x = read(a), y = read(b), z = read(c);
  if (x.is_nan() || y.is_nan() || z.is_nan() || (x.is_inf() && y.is_zero()) || (x.is_zero() && y.is_inf())) {
    return write(XFloat::nan());
  }
  const bool neg = x.neg != y.neg;
  if (x.is_inf() || y.is_inf()) {
    return z.is_inf() && z.neg != neg ? write(XFloat::nan()) : write(XFloat::inf(neg));
  }
  if (z.is_inf()) return write(z);
  const Rational sum = (neg ? Rational(-(x.mag * y.mag)) : Rational(x.mag * y.mag)) + z.value();
  const bool product_zero = x.is_zero() || y.is_zero();
  if (sum == 0) return write(XFloat::zero(product_zero && z.is_zero() && neg && z.neg));
  return write(XFloat::of(sum));
}

EnvArith::Bits EnvArith::mul_reciprocal(Bits a, Bits q, DType reciprocal_type) const {
  const EnvArith wide(reciprocal_type, env_);
  const FloatFormat c = format_of(reciprocal_type);
  const Bits r = wide.div(round_to_format(XFloat::of(1), c, false), round_to_format(read(q), c, false));
  const XFloat x = read(a), y = wide.read(r);
  const bool neg = x.neg != y.neg;
  if (x.is_nan() || y.is_nan() || (x.is_inf() && y.is_zero()) || (x.is_zero() && y.is_inf())) return write(XFloat::nan());
  if (x.is_inf() || y.is_inf()) return write(XFloat::inf(neg));
  return write({XFloat::Finite, neg, x.mag * y.mag});
}

EnvArith::Bits EnvArith::negate(Bits a) const { return a ^ sign_mask(storage_); }

EnvArith::Bits EnvArith::widen(Bits a, DType wider) const {
  return round_to_format(decode(a, storage_format_), format_of(wider), false);
}

EnvArith::Bits EnvArith::narrow(Bits wide, DType wide_type) const { return write(decode(wide, format_of(wide_type))); }

EnvArith::Bits EnvArith::rint(Bits a) const {
  XFloat x = read(a);
  if (x.kind != XFloat::Finite) return write(x);
  const Integer& n = numerator(x.mag);
  const Integer& d = denominator(x.mag);
  Integer q = n / d;
  const Integer twice_r = (n - q * d) * 2;
  if (twice_r > d || (twice_r == d && bit_test(q, 0))) ++q;
  return write({XFloat::Finite, x.neg, Rational(q)});
}

EnvArith::Bits EnvArith::floor(Bits a) const {
  XFloat x = read(a);
  if (x.kind != XFloat::Finite) return write(x);
  const Integer& n = numerator(x.mag);
  const Integer& d = denominator(x.mag);
  Integer q = n / d;                      // floor of the magnitude
  if (x.neg && q * d != n) ++q;           // ceil of the magnitude for negative values
  return write({XFloat::Finite, x.neg, Rational(q)});
}

bool EnvArith::lt(Bits a, Bits b) const { return less(read(a), read(b)); }

bool EnvArith::le(Bits a, Bits b) const {
  const XFloat x = read(a), y = read(b);
  return !x.is_nan() && !y.is_nan() && !less(y, x);
}

EnvArith::Bits EnvArith::max_finite() const {
  // (2 - 2^(1-p)) * 2^emax, the largest finite value of the dtype.
  const FloatFormat& f = storage_format_;
  const Integer sig = (Integer(1) << f.precision) - 1;
  return round_to_format(XFloat::of(Rational(Integer(sig << (f.emax - f.precision + 1)))), f, false);
}

}  // namespace qdq::exact
