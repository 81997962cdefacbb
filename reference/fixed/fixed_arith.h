// The reference's fast path: IEEE arithmetic on values of one dtype as a profile's ArithEnv carries
// it out, computed with fixed-width integers (64-bit significands, 128-bit products, quotients and
// sums) instead of GMP rationals. It is a second derivation of exactly what EnvArith
// (reference/exact/env_arith.h) computes, with the same interface and the same contract: each
// operation's exact result, rounded to nearest-even in the env's compute format (with FTZ if the
// env says so), then, when that differs, to the dtype; operands read with DAZ when the env says so.
//
// How the exact result is held: a magnitude m (an unsigned word, Word: 128 bits, or 64 where every
// format involved has at most 24 bits of precision), an exponent e and a sign, value m·2^e, where
// m carries many bits above its lowest when anything was shifted out; the bits shifted out are
// then kept as one "sticky" bit ORed into m's lowest (below the rounding point by at least 8 bits),
// which rounds exactly as the exact value does: it is never a midpoint and lies on the same side
// of every midpoint. With 128 bits (formats of up to 53 bits of precision): products of two
// significands (at most 106 bits) and sums aligned in a 126-bit window are exact; a quotient
// carries at least 75 bits and its remainder's sticky bit. With 64 bits (formats of up to 24 bits:
// bfloat16, float16, float32): products (at most 48 bits) and sums aligned in a 62-bit window are
// exact; a quotient carries at least 40 bits. The 64-bit words take about a tenth fewer
// instructions an element; both words are checked against GMP by fixed_arith_test.
//
// No hardware floating-point operation is used, and nothing is shared with the cpu backends or the
// CUDA core (docs/op-spec.md §2.8 for the environments).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "reference/contract/profile.h"

// Every definition below is forced inline: TF's algorithm calls them per element, and GCC would
// otherwise leave most of them as calls (about twice as slow).
#define QDQ_HOT [[gnu::always_inline]]

namespace qdq::fixed {

// The 128-bit word. GCC and Clang provide it as an extension, which -Wpedantic names at each use
// unless the use is marked so (__extension__); this alias is the one place it is.
__extension__ typedef unsigned __int128 u128;

// A binary format's constants, looked up once (the hot paths below take this, not a DType).
struct Format {
  DType t;
  int p, emin, emax;  // precision (hidden bit included), exponent range
  std::uint64_t sign, exp_mask, min_normal;
  explicit constexpr Format(DType d)
      : t(d), p(format_of(d).precision), emin(format_of(d).emin), emax(format_of(d).emax), sign(sign_mask(d)),
        exp_mask(exponent_mask(d)), min_normal(std::uint64_t{1} << (format_of(d).precision - 1)) {}
};

// The four formats' constants, built at compile time (widen and narrow look theirs up per element).
inline constexpr Format kFormats[] = {Format(DType::BFloat16), Format(DType::Float16), Format(DType::Float32),
                                      Format(DType::Float64)};
inline const Format& format_constants(DType d) { return kFormats[static_cast<int>(d)]; }

// An IEEE value taken apart: value = sig·2^exp (sig < 2^53) for finite ones.
struct Value {
  enum Kind : std::uint8_t { Zero, Finite, Inf, NaN };
  Kind kind;
  bool neg;
  std::int32_t exp;
  std::uint64_t sig;
};

// Word: unsigned __int128 for every dtype and env; std::uint64_t only where the storage and the
// compute format (and every reciprocal type of mul_reciprocal) hold at most 24 bits of precision
// (holds() says; the constructor refuses others).
template <class Word>
class BasicFixedArith {
 public:
  using Bits = std::uint64_t;
  using Value = fixed::Value;
  BasicFixedArith(DType storage, ArithEnv env);
  static bool holds(DType t) { return sizeof(Word) > 8 || format_of(t).precision <= 24; }

  Bits add(Bits a, Bits b) const;          // a ⊕ b; an exact zero sum is +0 unless both operands are -0
  Bits mul(Bits a, Bits b) const;          // a ⊗ b
  Bits div(Bits a, Bits b) const;          // a ⊘ b
  Bits fma(Bits a, Bits b, Bits c) const;  // a × b + c with one rounding
  // HALF_UP's rounded integer both ways, where XLA leaves the contraction open (docs/op-spec.md
  // §7.5): {floor(fma(v, scale, 1/2)), floor((v ⊗ scale) ⊕ 1/2)}, as those calls give them.
  std::pair<Bits, Bits> half_up_floors(Bits v, Bits scale) const;
  // One of the two: floor(fma(v, scale, 1/2)) when `fused`, else floor((v ⊗ scale) ⊕ 1/2).
  Bits half_up_floor(Bits v, Bits scale, bool fused) const;
  // a ⊗ r where r = 1 ⊘ q computed in `reciprocal_type` (EnvArith::mul_reciprocal).
  Bits mul_reciprocal(Bits a, Bits q, DType reciprocal_type) const;
  Bits negate(Bits a) const { return a ^ sign_; }  // exact
  Bits rint(Bits a) const;   // round to integral, ties to even, sign kept
  Bits floor(Bits a) const;  // floor(-0) = -0, floor(0.3) = +0
  bool lt(Bits a, Bits b) const;  // a < b; false when unordered; -0 == +0 (DAZ applies)
  bool le(Bits a, Bits b) const;  // a <= b; false when unordered
  bool is_nan(Bits a) const { return (a & ~sign_) > s_.exp_mask; }

  Bits from_int(std::int64_t v) const;  // v rounded as the env writes it
  Bits half() const;                    // 1/2
  Bits canonical(Bits a) const;         // a as the env reads it, written back (a flushed subnormal: ±0)
  Bits widen(Bits a, DType wider) const;          // a's value in a wider dtype (exact)
  Bits narrow(Bits wide, DType wide_type) const;  // a value of wide_type written as the env writes it
  Bits max_finite() const;
  Bits nan() const { return nan_; }  // the default NaN (sign set, quiet)
  DType storage() const { return storage_; }

  // `read` and `write` are public for BasicFixedArith of the other word (mul_reciprocal).
  Value read(Bits a) const;  // with DAZ (of the compute format) when the env says so
  // The exact value (-1)^neg · m · 2^e, m > 0 (sticky bit included), rounded as the env writes.
  Bits write(bool neg, Word m, int e) const;

 private:
  Bits write_value(const Value& v) const;
  Bits product(const Value& x, const Value& y) const;  // x × y rounded, IEEE's rules for NaN, ±inf, ±0
  Bits integer(bool neg, std::uint64_t n) const;       // rint's and floor's result, exact in T

  // The order of a read value's bits (-mag for negative ones; 0 for both zeros and for what DAZ
  // flushes), or none for a NaN.
  std::optional<std::int64_t> order_key(Bits a) const;

  // Fast lanes: the same results as the general code for the commonest operands, in fewer steps
  // (the general code takes about 100 instructions an operation, these a quarter of that). Each
  // returns false, leaving `out` alone, where its case does not hold; fixed_arith_test checks both.
  // Whether a is a normal number of T (neither zero, subnormal, infinite nor NaN).
  bool is_normal(Bits a) const { return ((a & s_.exp_mask) >> frac_bits_) - 1 < max_biased_ - 1; }
  // The lanes round once, to T. Where the compute format is wider, its rounding comes first; the
  // lanes apply only where that one is exact: every normal of T is one of the compute format's,
  // T's normal range lies inside its own (so a result normal in T is normal there, never flushed),
  // and the exact result fits its precision (always for a product when 2p(T) <= p(compute); for a
  // sum when the exponents differ by at most sum_lane_reach_). DAZ reads T's normals as they are.
  // a ⊗ b for normal a, b whose exact product is normal in T before rounding and finite after.
  bool mul_normal(Bits a, Bits b, Bits& out) const;
  // a ⊕ b for normal a, b whose sum is nonzero and normal in T before rounding and finite after.
  // In 64 bits for every format: three guard bits below the significands, the lowest a sticky bit
  // ORed in (the value it stands for and the exact one lie strictly between the same two even
  // numbers, and rounding drops at least two bits: they round alike).
  bool add_normal(Bits a, Bits b, Bits& out) const;
  // half_up_floors (the forms asked for: a null pointer skips one) for normal v, scale, in fixed point:
  // the exact product P·2^-F (F >= 1 bits after the point), 1/2 = 2^(F-1) added, each sum rounded as the
  // env writes it (to the compute format's precision, then T's) and floored, without the general code's
  // decoding and encoding of each of the five operations. |v·scale| < 1/4 gives +0 both ways (the sums
  // stay in [1/4, 3/4] whatever the rounding of the product). It declines (false) where a rounded value
  // would be tiny or overflow, a sum reaches 2^63, the product is an integer (F <= 0), or a sum is an
  // exact zero.
  bool half_up_lane(Bits v, Bits scale, Bits* fused, Bits* separate) const;
  // half_up_floor where the lane declines: the four operations it stands for.
  Bits half_up_floor_general(Bits v, Bits scale, bool fused) const;
  // Whether read() takes every normal of T as it is (DAZ flushes only subnormals or nothing): then
  // the general code's arithmetic may start from the bits of normal operands, skipping read() and
  // the checks of the other kinds (mul, add and fma do so where the lanes above do not apply).
  bool reads_normals_as_they_are() const { return !daz_other_; }
  // A normal a's value as sig·2^exp (the general code's Value, without the kind).
  Bits normal_sig(Bits a) const { return (a & (s_.min_normal - 1)) | s_.min_normal; }
  int normal_exp(Bits a) const { return static_cast<int>((a & s_.exp_mask) >> frac_bits_) - s_.emax - frac_bits_; }
  // T's normal keys with DAZ of subnormals only or none (one test instead of order_key's classes).
  std::int64_t simple_key(Bits a) const;

  DType storage_, compute_;
  Format s_, c_;  // the storage and compute formats
  bool ftz_, daz_;
  Bits sign_, nan_;
  int compute_emin_;
  // DAZ flushes exactly T's subnormals (compute's smallest normal is T's), or nothing (compute's
  // is smaller), or what read() finds below compute's smallest normal (daz_other_).
  bool daz_flushes_subnormals_only_, daz_flushes_none_, daz_other_;
  bool canonical_by_class_;  // the compute format holds every value of T (canonical()'s shortcut)
  int frac_bits_;            // T's p - 1
  Bits max_biased_;          // T's biased exponent of infinities and NaNs
  bool product_lane_;        // mul_normal applies (see above)
  bool half_up_lane_;        // half_up_lane applies: nested formats, 2p(T) + 4 bits fit in Word
  int sum_lane_reach_;       // add_normal applies to exponents this far apart (-1: never)
};

using FixedArith = BasicFixedArith<u128>;  // every dtype and env
using FixedArith64 = BasicFixedArith<std::uint64_t>;  // formats of at most 24 bits of precision

// The index of the highest set bit of m > 0.
inline int top_bit(u128 m) {
  const auto hi = static_cast<std::uint64_t>(m >> 64);
  return hi ? 127 - __builtin_clzll(hi) : 63 - __builtin_clzll(static_cast<std::uint64_t>(m));
}
inline int top_bit(std::uint64_t m) { return 63 - __builtin_clzll(m); }

// The pieces fixed_exact_op.cc needs too: a bit pattern of `t` taken apart (no DAZ), and an exact
// value m·2^e (m > 0, sticky bit included as above) rounded to `t` (ftz: x86's FTZ, tininess after
// rounding), sign bit added.
QDQ_HOT Value unpack(std::uint64_t bits, const Format& f);
template <class Word>
QDQ_HOT std::uint64_t round_to(bool neg, Word m, int e, const Format& f, bool ftz);

// ---- Definitions (inline: TF's algorithm calls them per element) ----

namespace detail {

using Bits = std::uint64_t;

template <class Word>
constexpr int kWordBits = static_cast<int>(sizeof(Word) * 8);

// m / 2^k rounded to the nearest integer, ties to even (k >= 0).
template <class Word>
QDQ_HOT inline Word shift_round(Word m, int k) {
  constexpr int w = kWordBits<Word>;
  if (k == 0) return m;
  if (k > w) return 0;
  if (k == w) return m > (Word{1} << (w - 1)) ? 1 : 0;
  const Word q = m >> k, rem = m & ((Word{1} << k) - 1), half = Word{1} << (k - 1);
  return rem > half || (rem == half && (q & 1)) ? q + 1 : q;
}

QDQ_HOT inline Bits signed_zero(const Format& f, bool neg) { return neg ? f.sign : 0; }
QDQ_HOT inline Bits infinity(const Format& f, bool neg) { return signed_zero(f, neg) | f.exp_mask; }
QDQ_HOT inline Bits default_nan(const Format& f) { return f.sign | f.exp_mask | (f.min_normal >> 1); }

// A value of any kind rounded to t without FTZ (a conversion: EnvArith's round_to_format of a
// decoded value): NaN becomes t's default NaN.
QDQ_HOT inline Bits convert(const Value& v, const Format& f) {
  switch (v.kind) {
    case Value::NaN: return default_nan(f);
    case Value::Inf: return infinity(f, v.neg);
    case Value::Zero: return signed_zero(f, v.neg);
    case Value::Finite: break;
  }
  return round_to(v.neg, v.sig, v.exp, f, false);
}

}  // namespace detail

QDQ_HOT inline Value unpack(std::uint64_t bits, const Format& f) {
  using V = Value;
  const int frac_bits = f.p - 1;
  const bool neg = (bits & f.sign) != 0;
  const std::uint64_t frac = bits & (f.min_normal - 1);
  const std::uint64_t biased = (bits & f.exp_mask) >> frac_bits;
  if (biased == (f.exp_mask >> frac_bits)) return {frac ? V::NaN : V::Inf, neg, 0, 0};
  if (biased == 0) {
    if (frac == 0) return {V::Zero, neg, 0, 0};
    return {V::Finite, neg, f.emin - frac_bits, frac};
  }
  return {V::Finite, neg, static_cast<std::int32_t>(biased) - f.emax - frac_bits, frac | f.min_normal};
}

// m·2^e (m > 0) rounded to f, before encoding: sig·2^qe (sig < 2^p; 0 for a zero), or overflow.
struct Rounded {
  std::uint64_t sig;
  int qe;
  bool overflow;
};

template <class Word>
QDQ_HOT inline Rounded round_parts(Word m, int e, const Format& f, bool ftz) {
  const int p = f.p;
  const int m_top = top_bit(m);
  const int top = m_top + e;  // floor(log2(value)): the sticky bit never is m's top bit
  if (ftz && top < f.emin) {
    // x86's tininess after rounding: rounded to p bits with an unbounded exponent, below 2^emin.
    // Only a value in [2^(emin-1), 2^emin) can round up to 2^emin.
    if (top < f.emin - 1) return {0, 0, false};
    const int k = m_top - (p - 1);
    if (!(k > 0 && (detail::shift_round(m, k) >> p))) return {0, 0, false};
  }
  int qe = std::max(top, f.emin) - (p - 1);  // the exponent of the result's last place
  const int k = qe - e;
  std::uint64_t sig;
  if (k <= 0) {
    sig = static_cast<std::uint64_t>(m << -k);  // exact, and below 2^p
  } else if (k < 64 && (sizeof(Word) == 8 || !(m >> 32 >> 32))) {  // the usual case, in 64 bits
    const auto m64 = static_cast<std::uint64_t>(m);
    const std::uint64_t q = m64 >> k, rem = m64 & ((std::uint64_t{1} << k) - 1), half = std::uint64_t{1} << (k - 1);
    sig = rem > half || (rem == half && (q & 1)) ? q + 1 : q;
  } else {
    sig = static_cast<std::uint64_t>(detail::shift_round(m, k));
  }
  if (sig >> p) {  // rounding carried into the next binade: sig = 2^p
    sig >>= 1;
    ++qe;
  }
  return {sig, qe, sig != 0 && qe + p - 1 > f.emax};
}

QDQ_HOT inline std::uint64_t encode(bool neg, const Rounded& r, const Format& f) {
  const std::uint64_t sign = detail::signed_zero(f, neg);
  if (r.overflow) return sign | f.exp_mask;
  if (!(r.sig >> (f.p - 1))) return sign | r.sig;  // a zero or a subnormal
  const auto biased = static_cast<std::uint64_t>(r.qe + f.p - 1 + f.emax);
  return sign | (biased << (f.p - 1)) | (r.sig & (f.min_normal - 1));
}

template <class Word>
QDQ_HOT inline std::uint64_t round_to(bool neg, Word m, int e, const Format& f, bool ftz) {
  return encode(neg, round_parts(m, e, f, ftz), f);
}

template <class Word>
inline BasicFixedArith<Word>::BasicFixedArith(DType storage, ArithEnv env)
    : storage_(storage), compute_(env.compute), s_(storage), c_(env.compute), ftz_(env.ftz), daz_(env.daz),
      sign_(sign_mask(storage)), nan_(detail::default_nan(s_)), compute_emin_(format_of(env.compute).emin),
      daz_flushes_subnormals_only_(env.daz && format_of(env.compute).emin == format_of(storage).emin),
      daz_flushes_none_(!env.daz || format_of(env.compute).emin < format_of(storage).emin),
      daz_other_(!daz_flushes_subnormals_only_ && !daz_flushes_none_),
      canonical_by_class_(c_.p >= s_.p && c_.emax >= s_.emax && c_.emin <= s_.emin), frac_bits_(s_.p - 1),
      max_biased_(s_.exp_mask >> (s_.p - 1)) {
  const bool nested = !daz_other_ && c_.p >= s_.p && c_.emin <= s_.emin && c_.emax >= s_.emax;
  product_lane_ = nested && (storage == env.compute || 2 * s_.p <= c_.p);
  half_up_lane_ = nested && 2 * s_.p + 4 <= detail::kWordBits<Word>;
  // a + b with exponents d apart has at most p(T) + d + 1 bits: exact in the compute format when
  // that is at most p(compute).
  sum_lane_reach_ = !nested ? -1 : storage == env.compute ? 1 << 20 : c_.p - s_.p - 1;
  if (!holds(storage) || !holds(env.compute)) {
    throw std::invalid_argument("fixed::BasicFixedArith: a 64-bit word cannot hold " + std::string(dtype_name(storage)) +
                                " computed in " + std::string(dtype_name(env.compute)) + " exactly");
  }
}

template <class Word>
QDQ_HOT inline Value BasicFixedArith<Word>::read(Bits a) const {
  if (daz_flushes_subnormals_only_ && (a & s_.exp_mask) == 0) return {Value::Zero, (a & sign_) != 0, 0, 0};
  Value v = unpack(a, s_);
  if (daz_other_ && v.kind == Value::Finite && 63 - std::countl_zero(v.sig) + v.exp < compute_emin_) {
    return {Value::Zero, v.neg, 0, 0};
  }
  return v;
}

template <class Word>
QDQ_HOT inline std::uint64_t BasicFixedArith<Word>::write(bool neg, Word m, int e) const {
  if (compute_ == storage_) return round_to(neg, m, e, s_, ftz_);
  // Rounded to the compute format, then from there to T (no FTZ on the way down).
  const Rounded wide = round_parts(m, e, c_, ftz_);
  if (wide.overflow) return detail::infinity(s_, neg);
  if (wide.sig == 0) return detail::signed_zero(s_, neg);
  return round_to(neg, wide.sig, wide.qe, s_, false);
}

template <class Word>
QDQ_HOT inline std::uint64_t BasicFixedArith<Word>::write_value(const Value& v) const {
  switch (v.kind) {
    case Value::NaN: return nan_;
    case Value::Inf: return detail::infinity(s_, v.neg);
    case Value::Zero: return detail::signed_zero(s_, v.neg);
    case Value::Finite: break;
  }
  return write(v.neg, v.sig, v.exp);
}


namespace detail {

// (-1)^neg_a·ma·2^ea + (-1)^neg_b·mb·2^eb for ma, mb in (0, 2^107) (128-bit words) or (0, 2^48)
// (64-bit words), exact but for a sticky bit: the operand reaching higher is placed with its top
// bit at w - 3 (125 or 61), the other aligned to it (the bits it loses below the window, only when
// it lies wholly below the first's top 20 or 13 bits, become the sticky bit); both doubled so the
// sticky bit sits below them. Returns the sign, the magnitude (0 for an exact cancellation) and
// the exponent.
template <class Word>
struct Sum {
  bool neg;
  Word m;
  int e;
};
template <class Word>
QDQ_HOT inline Sum<Word> add_magnitudes(bool neg_a, Word ma, int ea, bool neg_b, Word mb, int eb) {
  constexpr int w = kWordBits<Word>;
  if (top_bit(mb) + eb > top_bit(ma) + ea) {
    std::swap(neg_a, neg_b);
    std::swap(ma, mb);
    std::swap(ea, eb);
  }
  const int sa = w - 3 - top_bit(ma);
  const int e = ea - sa;
  Word a = ma << sa, b;
  bool sticky = false;
  if (const int d = eb - e; d >= 0) {
    b = mb << d;  // its top is at most a's: no overflow
  } else if (-d >= w) {
    b = 0;
    sticky = true;
  } else {
    b = mb >> -d;
    sticky = (mb & ((Word{1} << -d) - 1)) != 0;
  }
  a <<= 1;
  b = (b << 1) | (sticky ? 1 : 0);
  if (neg_a == neg_b) return {neg_a, a + b, e - 1};
  return a >= b ? Sum<Word>{neg_a, a - b, e - 1} : Sum<Word>{neg_b, b - a, e - 1};
}

}  // namespace detail

template <class Word>
QDQ_HOT inline bool BasicFixedArith<Word>::add_normal(Bits a, Bits b, Bits& out) const {
  if (sum_lane_reach_ < 0 || !is_normal(a) || !is_normal(b)) return false;
  if ((a & ~sign_) < (b & ~sign_)) std::swap(a, b);  // |a| >= |b|: the result has a's sign
  const int fb = frac_bits_;
  const Bits frac = s_.min_normal - 1;
  const int ea = static_cast<int>((a & s_.exp_mask) >> fb), d = ea - static_cast<int>((b & s_.exp_mask) >> fb);
  if (d > sum_lane_reach_) return false;  // the compute format's rounding would not be exact
  const Bits ma = ((a & frac) | s_.min_normal) << 3;  // top at bit fb + 3 (at most 55)
  Bits mb = ((b & frac) | s_.min_normal) << 3;
  if (d > fb + 3) {
    mb = 1;  // wholly below the guard bits: the sticky bit alone
  } else if (d > 0) {
    mb = (mb >> d) | ((mb & ((Bits{1} << d) - 1)) != 0 ? 1 : 0);
  }
  // Subtracting with d >= 2 loses at most one bit (m > 2^(fb+2)); with d <= 1 nothing was dropped.
  const Bits m = ((a ^ b) & sign_) ? ma - mb : ma + mb;
  if (m == 0) return false;  // exact cancellation: +0, the general code's
  const int top = top_bit(m);
  int exp_top = ea - s_.emax + top - fb - 3;  // the exponent of m's top bit
  if (exp_top < s_.emin) return false;        // tiny: FTZ or gradual underflow decide
  const int k = top - fb;                     // bits to drop (2 or more where a sticky bit is set)
  Bits sig;
  if (k <= 0) {
    sig = m << -k;
  } else {
    const Bits q = m >> k, rem = m & ((Bits{1} << k) - 1), half = Bits{1} << (k - 1);
    sig = rem > half || (rem == half && (q & 1)) ? q + 1 : q;
  }
  if (sig >> s_.p) {
    sig >>= 1;
    ++exp_top;
  }
  if (exp_top > s_.emax) return false;  // overflow
  out = (a & sign_) | (static_cast<Bits>(exp_top + s_.emax) << fb) | (sig & frac);
  return true;
}

template <class Word>
QDQ_HOT inline std::uint64_t BasicFixedArith<Word>::add(Bits a, Bits b) const {
  if (Bits r; add_normal(a, b, r)) return r;
  if (reads_normals_as_they_are() && is_normal(a) && is_normal(b)) {
    const detail::Sum<Word> s = detail::add_magnitudes<Word>((a & sign_) != 0, normal_sig(a), normal_exp(a), (b & sign_) != 0,
                                                             normal_sig(b), normal_exp(b));
    return s.m == 0 ? detail::signed_zero(s_, false) : write(s.neg, s.m, s.e);
  }
  const Value x = read(a), y = read(b);
  if (x.kind == Value::NaN || y.kind == Value::NaN || (x.kind == Value::Inf && y.kind == Value::Inf && x.neg != y.neg)) {
    return nan_;
  }
  if (x.kind == Value::Inf) return write_value(x);
  if (y.kind == Value::Inf) return write_value(y);
  if (x.kind == Value::Zero && y.kind == Value::Zero) return detail::signed_zero(s_, x.neg && y.neg);
  if (x.kind == Value::Zero) return write_value(y);
  if (y.kind == Value::Zero) return write_value(x);
  const detail::Sum<Word> s = detail::add_magnitudes<Word>(x.neg, x.sig, x.exp, y.neg, y.sig, y.exp);
  return s.m == 0 ? detail::signed_zero(s_, false) : write(s.neg, s.m, s.e);
}

template <class Word>
QDQ_HOT inline std::uint64_t BasicFixedArith<Word>::product(const Value& x, const Value& y) const {
  const bool neg = x.neg != y.neg;
  if (x.kind == Value::NaN || y.kind == Value::NaN || (x.kind == Value::Inf && y.kind == Value::Zero) ||
      (x.kind == Value::Zero && y.kind == Value::Inf)) {
    return nan_;
  }
  if (x.kind == Value::Inf || y.kind == Value::Inf) return detail::infinity(s_, neg);
  if (x.kind == Value::Zero || y.kind == Value::Zero) return detail::signed_zero(s_, neg);
  return write(neg, static_cast<Word>(x.sig) * y.sig, x.exp + y.exp);
}

template <class Word>
QDQ_HOT inline bool BasicFixedArith<Word>::mul_normal(Bits a, Bits b, Bits& out) const {
  if (!product_lane_ || !is_normal(a) || !is_normal(b)) return false;
  const int fb = frac_bits_;
  const Bits frac = s_.min_normal - 1;
  const Bits ea = (a & s_.exp_mask) >> fb, eb = (b & s_.exp_mask) >> fb;
  const Word prod = static_cast<Word>((a & frac) | s_.min_normal) * ((b & frac) | s_.min_normal);  // in [2^2fb, 2^(2fb+2))
  const int carry = (prod >> (2 * fb + 1)) != 0 ? 1 : 0;
  int top = static_cast<int>(ea + eb) - 2 * s_.emax + carry;  // the exact product's exponent
  if (top < s_.emin) return false;                              // tiny: FTZ or gradual underflow decide
  const int k = fb + carry;
  Word q = prod >> k;
  const Word rem = prod & ((Word{1} << k) - 1), half = Word{1} << (k - 1);
  if (rem > half || (rem == half && (q & 1))) ++q;
  if (q >> s_.p) {  // carried into the next binade
    q >>= 1;
    ++top;
  }
  if (top > s_.emax) return false;  // overflow
  out = ((a ^ b) & sign_) | (static_cast<Bits>(top + s_.emax) << fb) | (static_cast<Bits>(q) & frac);
  return true;
}

template <class Word>
QDQ_HOT inline std::uint64_t BasicFixedArith<Word>::mul(Bits a, Bits b) const {
  if (Bits r; mul_normal(a, b, r)) return r;
  if (reads_normals_as_they_are() && is_normal(a) && is_normal(b)) {
    return write(((a ^ b) & sign_) != 0, static_cast<Word>(normal_sig(a)) * normal_sig(b), normal_exp(a) + normal_exp(b));
  }
  return product(read(a), read(b));
}

template <class Word>
QDQ_HOT inline std::uint64_t BasicFixedArith<Word>::div(Bits a, Bits b) const {
  const Value x = read(a), y = read(b);
  const bool neg = x.neg != y.neg;
  if (x.kind == Value::NaN || y.kind == Value::NaN || (x.kind == Value::Inf && y.kind == Value::Inf) ||
      (x.kind == Value::Zero && y.kind == Value::Zero)) {
    return nan_;
  }
  if (x.kind == Value::Inf || y.kind == Value::Zero) return detail::infinity(s_, neg);
  if (y.kind == Value::Inf || x.kind == Value::Zero) return detail::signed_zero(s_, neg);
  // x.sig placed with its top at bit w - 1: the quotient has at least 127 - 52 = 75 bits (128-bit
  // words) or 63 - 23 = 40 (64-bit words).
  const int shift = detail::kWordBits<Word> - 1 - (63 - std::countl_zero(x.sig));
  const Word num = static_cast<Word>(x.sig) << shift;
  const Word q = num / y.sig;
  const bool sticky = num - q * y.sig != 0;
  return write(neg, q | (sticky ? 1 : 0), x.exp - shift - y.exp);
}

template <class Word>
QDQ_HOT inline std::uint64_t BasicFixedArith<Word>::fma(Bits a, Bits b, Bits c) const {
  if (reads_normals_as_they_are() && is_normal(a) && is_normal(b) && is_normal(c)) {
    const detail::Sum<Word> s =
        detail::add_magnitudes<Word>(((a ^ b) & sign_) != 0, static_cast<Word>(normal_sig(a)) * normal_sig(b),
                                     normal_exp(a) + normal_exp(b), (c & sign_) != 0, normal_sig(c), normal_exp(c));
    return s.m == 0 ? detail::signed_zero(s_, false) : write(s.neg, s.m, s.e);
  }
  const Value x = read(a), y = read(b), z = read(c);
  if (x.kind == Value::NaN || y.kind == Value::NaN || z.kind == Value::NaN ||
      (x.kind == Value::Inf && y.kind == Value::Zero) || (x.kind == Value::Zero && y.kind == Value::Inf)) {
    return nan_;
  }
  const bool neg = x.neg != y.neg;
  if (x.kind == Value::Inf || y.kind == Value::Inf) {
    return z.kind == Value::Inf && z.neg != neg ? nan_ : detail::infinity(s_, neg);
  }
  if (z.kind == Value::Inf) return write_value(z);
  if (x.kind == Value::Zero || y.kind == Value::Zero) {
    return z.kind == Value::Zero ? detail::signed_zero(s_, neg && z.neg) : write_value(z);
  }
  if (z.kind == Value::Zero) return product(x, y);  // x, y finite nonzero here
  const detail::Sum<Word> s = detail::add_magnitudes<Word>(neg, static_cast<Word>(x.sig) * y.sig, x.exp + y.exp, z.neg, z.sig, z.exp);
  return s.m == 0 ? detail::signed_zero(s_, false) : write(s.neg, s.m, s.e);
}

namespace detail {

// m > 0 rounded to p significant bits, nearest-even, kept at its scale (a carry gives 2^(top+1)).
template <class Word>
QDQ_HOT inline Word round_bits(Word m, int p) {
  const int t = top_bit(m);
  if (t < p) return m;
  const int k = t - p + 1;
  Word q = m >> k;
  const Word rem = m & ((Word{1} << k) - 1), half = Word{1} << (k - 1);
  if (rem > half || (rem == half && (q & 1))) ++q;
  return q << k;
}

}  // namespace detail

template <class Word>
QDQ_HOT inline bool BasicFixedArith<Word>::half_up_lane(Bits v, Bits scale, Bits* fused, Bits* separate) const {
  if (!half_up_lane_ || !is_normal(v) || !is_normal(scale)) return false;
  const int f = -(normal_exp(v) + normal_exp(scale));  // bits after the point
  if (f <= 0) return false;
  const bool neg = ((v ^ scale) & sign_) != 0;
  const Word prod = static_cast<Word>(normal_sig(v)) * normal_sig(scale);  // < 2^(2p)
  const int top = top_bit(prod);
  if (top + 1 - f <= -2) {  // |v·scale| < 1/4
    if (fused) *fused = 0;
    if (separate) *separate = 0;
    return true;
  }
  // Here f <= top + 3 <= 2p + 1: every value below is under 2^(2p + 2).
  const Word half = Word{1} << (f - 1);
  // The sum (-1)^neg·m·2^-f + 1/2, rounded, floored; false where it is zero, tiny or too large.
  auto floor_of_sum = [&](Word m, Bits* out) {
    if (!out) return true;
    const bool sum_neg = neg && m > half;
    const Word sum = !neg ? m + half : sum_neg ? m - half : half - m;
    if (sum == 0) return false;
    const int t = top_bit(sum);
    if (t - f < s_.emin || t + 1 - f > std::min(s_.emax, 62)) return false;  // integer() takes n < 2^63
    Word r = detail::round_bits(sum, c_.p);
    if (s_.p < c_.p) r = detail::round_bits(r, s_.p);
    const Word n = sum_neg ? (r + (Word{1} << f) - 1) >> f : r >> f;
    *out = n == 0 ? 0 : integer(sum_neg, static_cast<std::uint64_t>(n));
    return true;
  };
  if (top + 1 - f > s_.emax) return false;  // the product may overflow
  if (!floor_of_sum(prod, fused)) return false;
  if (!separate) return true;
  Word rounded = detail::round_bits(prod, c_.p);
  if (s_.p < c_.p) rounded = detail::round_bits(rounded, s_.p);
  return floor_of_sum(rounded, separate);
}

template <class Word>
QDQ_HOT inline std::pair<std::uint64_t, std::uint64_t> BasicFixedArith<Word>::half_up_floors(Bits v, Bits scale) const {
  if (Bits fused, separate; half_up_lane(v, scale, &fused, &separate)) return {fused, separate};
  return {half_up_floor_general(v, scale, true), half_up_floor_general(v, scale, false)};
}

template <class Word>
QDQ_HOT inline std::uint64_t BasicFixedArith<Word>::half_up_floor(Bits v, Bits scale, bool fused) const {
  if (Bits r; half_up_lane(v, scale, fused ? &r : nullptr, fused ? nullptr : &r)) return r;
  return half_up_floor_general(v, scale, fused);
}

template <class Word>
inline std::uint64_t BasicFixedArith<Word>::half_up_floor_general(Bits v, Bits scale, bool fused) const {
  const Bits h = half();
  return floor(fused ? fma(v, scale, h) : add(mul(v, scale), h));
}

template <class Word>
QDQ_HOT inline std::uint64_t BasicFixedArith<Word>::mul_reciprocal(Bits a, Bits q, DType reciprocal_type) const {
  const BasicFixedArith wide(reciprocal_type, ArithEnv{compute_, ftz_, daz_});
  const Format rf(reciprocal_type);
  const Bits r = wide.div(round_to(false, std::uint64_t{1}, 0, rf, false), detail::convert(read(q), rf));
  return product(read(a), wide.read(r));
}

// n != 0 (< 2^63), an integer that T holds exactly (the rounding of one of T's values to an
// integer), encoded: no rounding, and never tiny.
template <class Word>
QDQ_HOT inline std::uint64_t BasicFixedArith<Word>::integer(bool neg, std::uint64_t n) const {
  const int top = 63 - std::countl_zero(n);
  const Bits sig = top <= s_.p - 1 ? n << (s_.p - 1 - top) : n >> (top - (s_.p - 1));
  return detail::signed_zero(s_, neg) | (static_cast<Bits>(top + s_.emax) << (s_.p - 1)) | (sig & (s_.min_normal - 1));
}

template <class Word>
QDQ_HOT inline std::uint64_t BasicFixedArith<Word>::rint(Bits a) const {
  if (!daz_other_ && is_normal(a)) {  // fast lane: the integer is T's, written exactly
    const int fb = frac_bits_, e = static_cast<int>((a & s_.exp_mask) >> fb) - s_.emax;
    const bool neg = (a & sign_) != 0;
    if (e >= fb) return a;                               // an integer already
    if (e < -1) return detail::signed_zero(s_, neg);     // below 1/2
    const Bits sig = (a & (s_.min_normal - 1)) | s_.min_normal;
    const int k = fb - e;                                // 1 to p
    const Bits q = sig >> k, rem = sig & ((Bits{1} << k) - 1), half = Bits{1} << (k - 1);
    const Bits n = rem > half || (rem == half && (q & 1)) ? q + 1 : q;
    return n == 0 ? detail::signed_zero(s_, neg) : integer(neg, n);
  }
  const Value x = read(a);
  if (x.kind != Value::Finite) return write_value(x);
  if (x.exp >= 0) return write(x.neg, x.sig, x.exp);  // an integer already
  const int k = -x.exp;  // x.sig < 2^53: below 1/2 from k = 54 on
  if (k > 53) return detail::signed_zero(s_, x.neg);
  const Bits q = x.sig >> k, rem = x.sig & ((Bits{1} << k) - 1), half = Bits{1} << (k - 1);
  const Bits n = rem > half || (rem == half && (q & 1)) ? q + 1 : q;
  return n == 0 ? detail::signed_zero(s_, x.neg) : integer(x.neg, n);
}

template <class Word>
QDQ_HOT inline std::uint64_t BasicFixedArith<Word>::floor(Bits a) const {
  if (!daz_other_ && is_normal(a)) {  // fast lane, as rint's
    const int fb = frac_bits_, e = static_cast<int>((a & s_.exp_mask) >> fb) - s_.emax;
    const bool neg = (a & sign_) != 0;
    if (e >= fb) return a;
    if (e < 0) return neg ? integer(true, 1) : 0;  // -1 below zero, +0 above
    const Bits sig = (a & (s_.min_normal - 1)) | s_.min_normal;
    const int k = fb - e;  // 1 to p - 1
    Bits n = sig >> k;
    if (neg && (sig & ((Bits{1} << k) - 1)) != 0) ++n;
    return integer(neg, n);
  }
  const Value x = read(a);
  if (x.kind != Value::Finite) return write_value(x);
  if (x.exp >= 0) return write(x.neg, x.sig, x.exp);
  const int k = -x.exp;
  Bits n = k >= 64 ? 0 : x.sig >> k;  // the magnitude's floor (x.sig < 2^53)
  const bool inexact = k >= 64 ? true : (x.sig & ((Bits{1} << k) - 1)) != 0;
  if (x.neg && inexact) ++n;  // the magnitude's ceiling for negative values
  return n == 0 ? detail::signed_zero(s_, x.neg) : integer(x.neg, n);
}

template <class Word>
QDQ_HOT inline std::optional<std::int64_t> BasicFixedArith<Word>::order_key(Bits a) const {
  const Bits mag = a & ~sign_;
  const Bits inf = s_.exp_mask;
  if (mag > inf) return std::nullopt;  // NaN
  bool zero = mag == 0 || (daz_flushes_subnormals_only_ && mag < s_.min_normal);
  if (!daz_flushes_none_ && !daz_flushes_subnormals_only_) zero = read(a).kind == Value::Zero;
  if (zero) return 0;
  return a & sign_ ? -static_cast<std::int64_t>(mag) : static_cast<std::int64_t>(mag);
}

template <class Word>
QDQ_HOT inline std::int64_t BasicFixedArith<Word>::simple_key(Bits a) const {
  Bits mag = a & ~sign_;
  if (daz_flushes_subnormals_only_ && mag < s_.min_normal) mag = 0;
  return a & sign_ ? -static_cast<std::int64_t>(mag) : static_cast<std::int64_t>(mag);
}

template <class Word>
QDQ_HOT inline bool BasicFixedArith<Word>::lt(Bits a, Bits b) const {
  if (!daz_other_) return !is_nan(a) && !is_nan(b) && simple_key(a) < simple_key(b);
  const auto x = order_key(a), y = order_key(b);
  return x && y && *x < *y;
}

template <class Word>
QDQ_HOT inline bool BasicFixedArith<Word>::le(Bits a, Bits b) const {
  if (!daz_other_) return !is_nan(a) && !is_nan(b) && simple_key(a) <= simple_key(b);
  const auto x = order_key(a), y = order_key(b);
  return x && y && *x <= *y;
}

template <class Word>
QDQ_HOT inline std::uint64_t BasicFixedArith<Word>::from_int(std::int64_t v) const {
  if (v == 0) return 0;
  const bool neg = v < 0;
  const Word m = neg ? static_cast<Word>(-(v + 1)) + 1 : static_cast<Word>(v);
  return write(neg, m, 0);
}

template <class Word>
QDQ_HOT inline std::uint64_t BasicFixedArith<Word>::half() const { return write(false, Word{1}, -1); }
template <class Word>
QDQ_HOT inline std::uint64_t BasicFixedArith<Word>::canonical(Bits a) const {
  const Bits mag = a & ~sign_;
  if (mag > s_.exp_mask) return nan_;
  // Zeros, normals and infinities are written back as they are, where the compute format holds T.
  if (!canonical_by_class_) return write_value(read(a));
  if (mag == 0 || mag >= s_.min_normal) return a;
  // A subnormal of T: DAZ on reading, or FTZ on writing, makes it ±0 where the compute format's
  // smallest normal is T's; where it is smaller, it stays.
  return (daz_ || ftz_) && c_.emin == s_.emin ? a & sign_ : a;
}
template <class Word>
QDQ_HOT inline std::uint64_t BasicFixedArith<Word>::widen(Bits a, DType wider) const {
  const Format& w = format_constants(wider);
  if (is_normal(a)) {  // lane: the exponent rebiased, the fraction moved up (w holds T's normals)
    const Bits biased = ((a & s_.exp_mask) >> frac_bits_) + static_cast<Bits>(w.emax - s_.emax);
    return ((a & sign_) ? w.sign : 0) | (biased << (w.p - 1)) | ((a & (s_.min_normal - 1)) << (w.p - s_.p));
  }
  return detail::convert(unpack(a, s_), w);
}
template <class Word>
QDQ_HOT inline std::uint64_t BasicFixedArith<Word>::narrow(Bits wide, DType wide_type) const {
  const Format& w = format_constants(wide_type);
  const Bits mag = wide & ~w.sign;
  // Lane: a normal of the wide type whose exponent is in the normal ranges of T and of the compute
  // format, where the env rounds once (the compute format is T, or holds the wide type's precision
  // and so rounds it exactly): the significand rounded to T's precision, nearest-even; a carry out
  // of T's largest binade gives infinity, as it should.
  if (mag >= w.min_normal && mag < w.exp_mask && w.p >= s_.p && (compute_ == storage_ || c_.p >= w.p)) {
    const int e = static_cast<int>(mag >> (w.p - 1)) - w.emax;
    if (e >= std::max(s_.emin, c_.emin) && e <= std::min(s_.emax, c_.emax)) {
      const int k = w.p - s_.p;
      const Bits sig = (mag & (w.min_normal - 1)) | w.min_normal;
      Bits q = sig >> k;
      if (k > 0) {
        const Bits dropped = sig & ((Bits{1} << k) - 1), half_ulp = Bits{1} << (k - 1);
        if (dropped > half_ulp || (dropped == half_ulp && (q & 1))) ++q;
      }
      // q in [2^(p-1), 2^p]: adding the rebiased exponent carries 2^p into it
      const Bits bits = (static_cast<Bits>(e + s_.emax) << frac_bits_) + (q - s_.min_normal);
      return ((wide & w.sign) ? sign_ : 0) | bits;
    }
  }
  return write_value(unpack(wide, w));
}
template <class Word>
QDQ_HOT inline std::uint64_t BasicFixedArith<Word>::max_finite() const { return s_.exp_mask - 1; }

}  // namespace qdq::fixed
