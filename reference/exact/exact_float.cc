#include "reference/exact/exact_float.h"

#include <algorithm>

namespace qdq::exact {
namespace {

std::uint64_t sign_bit(const FloatFormat& f, bool neg) { return neg ? std::uint64_t{1} << (f.width - 1) : 0; }
int exp_field_bits(const FloatFormat& f) { return f.width - f.precision; }
std::uint64_t exp_all_ones(const FloatFormat& f) {
  return ((std::uint64_t{1} << exp_field_bits(f)) - 1) << (f.precision - 1);
}

// floor(log2(mag)) for mag > 0.
long floor_log2(const Integer& num, const Integer& den) {
  long e = static_cast<long>(msb(num)) - static_cast<long>(msb(den));
  const bool below = e >= 0 ? num < (den << e) : (num << -e) < den;
  return below ? e - 1 : e;
}

// The integer nearest to mag / 2^qe, ties to even.
Integer round_scaled(const Integer& num, const Integer& den, long qe) {
  const Integer n = qe < 0 ? Integer(num << -qe) : num;
  const Integer d = qe > 0 ? Integer(den << qe) : den;
  Integer q = n / d;
  const Integer twice_r = (n - q * d) * 2;
  if (twice_r > d || (twice_r == d && bit_test(q, 0))) ++q;
  return q;
}

}  // namespace

XFloat decode(std::uint64_t bits, const FloatFormat& f) {
  const int frac_bits = f.precision - 1;
  const bool neg = (bits >> (f.width - 1)) & 1;
  const std::uint64_t frac = bits & ((std::uint64_t{1} << frac_bits) - 1);
  const std::uint64_t biased = (bits & exp_all_ones(f)) >> frac_bits;
  if (biased == (std::uint64_t{1} << exp_field_bits(f)) - 1) return frac ? XFloat::nan() : XFloat::inf(neg);
  Integer sig(frac);
  long e = f.emin - frac_bits;  // subnormal scale
  if (biased != 0) {
    sig += Integer(1) << frac_bits;
    e = static_cast<long>(biased) - f.emax - frac_bits;
  }
  Rational mag = e >= 0 ? Rational(Integer(sig << e)) : Rational(sig, Integer(Integer(1) << -e));
  return {XFloat::Finite, neg, mag};
}

bool less(const XFloat& a, const XFloat& b) {
  if (a.is_nan() || b.is_nan()) return false;
  const int ra = a.is_inf() ? (a.neg ? -1 : 1) : 0, rb = b.is_inf() ? (b.neg ? -1 : 1) : 0;
  if (ra != rb) return ra < rb;
  return ra == 0 && a.value() < b.value();
}

bool is_tiny(const XFloat& x, const FloatFormat& f) {
  if (x.kind != XFloat::Finite || x.mag == 0) return false;
  return floor_log2(numerator(x.mag), denominator(x.mag)) < f.emin;
}

std::uint64_t round_to_format(const XFloat& x, const FloatFormat& f, bool ftz) {
  const std::uint64_t sign = sign_bit(f, x.neg);
  const int p = f.precision;
  if (x.kind == XFloat::NaN) return sign_bit(f, true) | exp_all_ones(f) | (std::uint64_t{1} << (p - 2));
  if (x.kind == XFloat::Inf) return sign | exp_all_ones(f);
  if (x.mag == 0) return sign;

  const Integer& num = numerator(x.mag);
  const Integer& den = denominator(x.mag);
  const long e = floor_log2(num, den);
  if (ftz) {
    // Tininess after rounding: round to p bits with an unbounded exponent first.
    const Integer n = round_scaled(num, den, e - (p - 1));
    const long rounded_exp = n >> p ? e + 1 : e;
    if (rounded_exp < f.emin) return sign;
  }
  long qe = std::max<long>(e, f.emin) - (p - 1);
  Integer n = round_scaled(num, den, qe);
  if (n == 0) return sign;
  if (n >> p) {  // rounding carried into a new binade: n == 2^p exactly
    n >>= 1;
    ++qe;
  }
  const std::uint64_t sig = n.convert_to<std::uint64_t>();
  if (!(sig >> (p - 1))) return sign | sig;  // subnormal: qe == emin - (p - 1)
  const long exponent = qe + (p - 1);
  if (exponent > f.emax) return sign | exp_all_ones(f);
  const std::uint64_t biased = static_cast<std::uint64_t>(exponent + f.emax);
  return sign | (biased << (p - 1)) | (sig & ((std::uint64_t{1} << (p - 1)) - 1));
}

}  // namespace qdq::exact
