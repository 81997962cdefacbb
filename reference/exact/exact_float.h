// Floating-point values held exactly (Boost.Multiprecision rationals over GMP) and the one
// function that rounds an exact value to a binary format. This is the arbitrary-precision core:
// the reference never uses the hardware's float arithmetic for the values it checks.
#pragma once

#include <cstdint>

#include <boost/multiprecision/gmp.hpp>

#include "reference/contract/dtype.h"

namespace qdq::exact {

using Rational = boost::multiprecision::mpq_rational;
using Integer = boost::multiprecision::mpz_int;

// An IEEE value: NaN, ±infinity, or a finite value with its sign kept apart so that -0 exists.
// For finite values `mag` >= 0 holds the magnitude.
struct XFloat {
  enum Kind : std::uint8_t { Finite, Inf, NaN };
  Kind kind = Finite;
  bool neg = false;
  Rational mag;

  bool is_nan() const { return kind == NaN; }
  bool is_inf() const { return kind == Inf; }
  bool is_zero() const { return kind == Finite && mag == 0; }
  Rational value() const { return neg ? Rational(-mag) : mag; }  // finite only

  static XFloat nan() { return {NaN, false, 0}; }
  static XFloat inf(bool neg) { return {Inf, neg, 0}; }
  static XFloat zero(bool neg) { return {Finite, neg, 0}; }
  static XFloat of(const Rational& v) { return {Finite, v < 0, v < 0 ? Rational(-v) : v}; }
};

// a < b on the extended reals; false when either is NaN; -0 and +0 are equal.
bool less(const XFloat& a, const XFloat& b);

// The exact value of a bit pattern of format `f` (subnormals included).
XFloat decode(std::uint64_t bits, const FloatFormat& f);

// Whether a finite nonzero value lies below the format's smallest normal (a subnormal of `f`).
bool is_tiny(const XFloat& x, const FloatFormat& f);

// Rounds an exact value to format `f`, to nearest with ties to even, and encodes it.
// Gradual underflow (ftz = false): results below 2^emin are rounded to the subnormal grid, and
// may become ±0. Flush to zero (ftz = true), as x86 MXCSR.FTZ does with its after-rounding
// tininess: the value is first rounded to `precision` bits with an unbounded exponent; if that
// is below 2^emin the result is a zero of the value's sign, otherwise it is the normal result.
// Magnitudes that round past the largest finite become ±infinity. NaN encodes as the format's
// default quiet NaN with the sign bit set (x86's default NaN); zeros keep their sign.
std::uint64_t round_to_format(const XFloat& x, const FloatFormat& f, bool ftz);

}  // namespace qdq::exact
