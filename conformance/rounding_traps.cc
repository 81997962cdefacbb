#include "conformance/rounding_traps.h"

#include <algorithm>
#include <optional>
#include <random>
#include <string>

#include <fmt/format.h>

#include "conformance/bit_patterns.h"
#include "reference/exact/tf_op.h"

namespace qdq::conformance {
namespace {

using exact::Integer;
using exact::Rational;
using Bits = std::uint64_t;

Integer pow2(long e) { return Integer(1) << e; }
Rational pow2r(long e) { return e >= 0 ? Rational(pow2(e)) : Rational(1, pow2(-e)); }
long bit_length(const Integer& v) { return v == 0 ? 0 : static_cast<long>(msb(v)) + 1; }

// floor(log2(m)) for m > 0.
long floor_log2(const Rational& m) {
  const Integer& n = numerator(m);
  const Integer& d = denominator(m);
  long e = bit_length(n) - bit_length(d);
  const bool below = e >= 0 ? n < (d << e) : (n << -e) < d;
  return below ? e - 1 : e;
}

Integer floor_of(const Rational& x) {
  const Integer& n = numerator(x);
  const Integer& d = denominator(x);
  Integer q = n / d;
  if (n < 0 && q * d != n) q -= 1;
  return q;
}

// round(t) to an integer as the op does: ties to even, or floor(t + 1/2) for HALF_UP.
Integer round_integer(const Rational& t, bool half_up) {
  if (half_up) return floor_of(t + Rational(1, 2));
  Integer q = floor_of(t);
  const Rational frac = t - Rational(q);
  if (frac > Rational(1, 2) || (frac == Rational(1, 2) && bit_test(q, 0))) ++q;
  return q;
}

// a^-1 modulo m (m odd or a power of two; gcd(a, m) = 1), by the extended Euclidean algorithm.
std::optional<Integer> inverse_mod(Integer a, const Integer& m) {
  a %= m;
  if (a < 0) a += m;
  Integer r0 = m, r1 = a, s0 = 0, s1 = 1;
  while (r1 != 0) {
    const Integer q = r0 / r1;
    Integer t = r0 - q * r1;
    r0 = r1;
    r1 = t;
    t = s0 - q * s1;
    s0 = s1;
    s1 = t;
  }
  if (r0 != 1) return std::nullopt;
  s0 %= m;
  return s0 < 0 ? Integer(s0 + m) : s0;
}

Rational value_of(Bits b, DType t) { return exact::decode(b, format_of(t)).value(); }

// One configuration of the op's attributes, with its integer range.
struct Config {
  int bits;
  bool is_signed, narrow;
  Integer qmax() const { return is_signed ? pow2(bits - 1) - 1 : pow2(bits) - 1; }
  Integer qmin() const { return is_signed ? -pow2(bits - 1) + (narrow ? 1 : 0) : Integer(0); }
  std::string name() const {
    return fmt::format("b{}/{}{}", bits, is_signed ? "signed" : "unsigned", narrow ? "-narrow" : "");
  }
};

// Widths at which some dtype's traps reach 2^-30 ULP: Qmax = 2^c - 1 with c from 11 to 62 (float16
// needs c near 37: its exponent range keeps n·hi/Qmax above its smallest subnormal only for c <= 38),
// signed (narrow or not) and unsigned.
const std::vector<Config>& configs() {
  static const std::vector<Config> list = {
      {12, true, false}, {24, true, true},   {31, true, false},  {37, true, false},  {38, true, true},
      {41, true, false}, {42, true, true},   {48, true, false},  {55, true, true},   {61, true, false},
      {32, false, false}, {37, false, false}, {54, false, false}, {62, false, false}};
  return list;
}

class TrapBuilder {
 public:
  TrapBuilder(ProfileId p, DType t) : p_(p), t_(t), f_(format_of(t)), P_(t), rng_(0x7a9 + static_cast<int>(t)) {}

  std::vector<SuiteCase> take() { return std::move(out_); }

  // A per-tensor given-range case; lo = -hi (signed) or 0, so that the scale binds on hi.
  void add(const std::string& kind, const Config& cfg, bool half_up, Bits hi, const std::vector<Bits>& x) {
    if (x.empty()) return;
    OpCase c;
    c.profile = p_;
    c.attrs = {cfg.is_signed, cfg.bits, true, half_up ? "HALF_UP" : "HALF_TO_EVEN", cfg.narrow, -1};
    c.input = make_tensor(t_, {static_cast<std::int64_t>(x.size())}, x);
    c.input_min = make_tensor(t_, {}, {cfg.is_signed ? P_.neg(hi) : Bits{0}});
    c.input_max = make_tensor(t_, {}, {hi});
    const std::string id = fmt::format("traps/{}/{}/{}/{}/{}/{}", profile_name(p_), dtype_name(t_), kind, cfg.name(),
                                       half_up ? "HALF_UP" : "HALF_TO_EVEN", serial_++);
    out_.push_back({id, std::move(c), {}, {}, ""});
  }

  // The exact profile: y = n·hi/Qmax within 2^-30 ULP of a midpoint (see the header).
  void exact_traps() {
    for (const Config& cfg : configs()) {
      for (int q : {f_.precision, f_.precision - 3, f_.precision / 2 + 1}) {
        const bool subnormal = q < f_.precision;
        for (int construction = 0; construction < 2; ++construction) {
          const bool half_up = (construction + q) % 2 == 1;
          std::vector<Bits> x;
          std::optional<Bits> hi;
          for (int attempt = 0; attempt < 256 && x.size() < 4; ++attempt) {
            const auto nhj = construction == 0 ? block(cfg, q) : modular(cfg, q);
            if (!nhj) continue;
            const auto [n, h, j] = *nhj;
            const auto eh = place(j, q, subnormal);
            if (!eh) continue;
            const Bits hb = P_.of(Rational(h) * pow2r(*eh));
            if (hi && *hi != hb) continue;  // one hi a case: keep the first
            const Rational hv = value_of(hb, t_);
            for (const Integer& sn : {n, Integer(-n)}) {
              if (!cfg.is_signed && sn < 0) continue;
              const Rational y = Rational(sn) * hv / Rational(cfg.qmax());
              const Bits xb = P_.of(y);
              const Rational off = midpoint_offset(y, t_);
              if (round_integer(value_of(xb, t_) * Rational(cfg.qmax()) / hv, half_up) != sn) continue;
              if (off == 0 || abs(off) > trap_bound(p_, t_)) continue;
              hi = hb;
              x.push_back(xb);
            }
          }
          if (hi) add(subnormal ? "subnormal" : construction == 0 ? "block" : "modular", cfg, half_up, *hi, x);
        }
      }
    }
  }

  // The exact profile's overflow edge: n = qmin with hi near the largest finite, so that
  // |n·hi/Qmax| = hi·(1 + 1/Qmax) rounds to the largest finite or past it (to infinity).
  void overflow_edges() {
    const Bits pow_emax = P_.of(pow2r(f_.emax));
    for (int bits : {2, 3, 8, 24}) {
      const Config cfg{bits, true, false};
      for (Bits hi : {P_.max_finite, P_.down(P_.max_finite), pow_emax, P_.down(pow_emax)}) {
        add("overflow", cfg, false, hi, {P_.neg(P_.inf), P_.neg(P_.max_finite), P_.neg(hi), hi, P_.max_finite});
      }
    }
  }

  // The TF profiles' last rounding, y = r ⊗ inv (see the header): r solved from inv's significand.
  void last_multiply_traps() {
    for (const Config& cfg : configs()) {
      for (bool half_up : {false, true}) {
        // hi = 2^e·(1 + u), e small, a random significand.
        const Integer h = pow2(f_.precision - 1) + Integer(rng_() % (Bits{1} << (f_.precision - 1)));
        const Bits hi = P_.of(Rational(h) * pow2r(-(f_.precision - 1) + static_cast<long>(rng_() % 8)));
        const std::optional<exact::TfTrace> zero = trace_of(cfg, half_up, hi, 0);
        if (!zero) continue;
        const Rational inv = value_of(zero->inv, t_);
        if (inv <= 0) continue;
        const Integer odd = numerator(inv) >> static_cast<long>(lsb(numerator(inv)));  // inv = odd·2^f
        const Integer r_max = std::min<Integer>(cfg.qmax(), pow2(f_.precision) - 1);
        std::vector<Bits> x;
        for (long k = 2; k <= 2 * f_.precision + 2 && x.size() < 8; ++k) {
          const auto inv_odd = inverse_mod(odd, pow2(k));
          if (!inv_odd) break;
          for (int sign : {1, -1}) {
            Integer c = ((pow2(k - 1) + sign) * *inv_odd) % pow2(k);
            for (Integer r = c; r <= r_max && r < c + 4 * pow2(k); r += pow2(k)) {
              if (r < 2 || bit_length(r * odd) - f_.precision != k) continue;
              const Rational y = Rational(r) * inv;
              const Rational off = midpoint_offset(y, t_);
              if (off == 0 || abs(off) > trap_bound(p_, t_) || floor_log2(y) < f_.emin) continue;
              if (const auto xb = solve_input(cfg, half_up, hi, y, r)) x.push_back(*xb);
            }
          }
        }
        add("last-multiply", cfg, half_up, hi, x);
      }
    }
  }

 private:
  struct NHJ {
    Integer n, h;
    long j;
  };

  // n = m·2^a, h = R·2^(p - bits(R)) with m·R odd of q+1 bits: n·h·2^j/Qmax = M·(1 + 1/Qmax).
  std::optional<NHJ> block(const Config& cfg, int q) {
    const int p = f_.precision;
    const long m_bits = 2 + static_cast<long>(rng_() % static_cast<Bits>(std::max(1, std::min(q - 2, 12))));
    const Integer m = (pow2(m_bits - 1) + Integer(rng_() % (Bits{1} << (m_bits - 1)))) | 1;
    const Integer r_lo = (pow2(q) + m - 1) / m, r_hi = pow2(q + 1) / m;  // m·R in [2^q, 2^(q+1))
    if (r_lo >= r_hi) return std::nullopt;
    Integer r = (r_lo + Integer(rng_() % 1000003) % (r_hi - r_lo)) | 1;
    if (r >= r_hi || bit_length(r) > p || bit_length(m * r) != q + 1) return std::nullopt;
    const long a = static_cast<long>(rng_() % 3);
    const Integer n = m << a;
    if (n >= cfg.qmax()) return std::nullopt;
    const long w = a + p - bit_length(r);  // n·h = M·2^w
    const long c = bit_length(cfg.qmax());
    return NHJ{n, r << (p - bit_length(r)), c - w};
  }

  // n·h·2^j ≡ ±1 (mod Qmax) with h a p-bit significand and n·h·2^j/Qmax of q+1 bits.
  std::optional<NHJ> modular(const Config& cfg, int q) {
    const int p = f_.precision;
    const Integer Q = cfg.qmax();
    const long n_bits = 2 + static_cast<long>(rng_() % static_cast<Bits>(std::max(1, std::min(q - 3, 16))));
    const Integer n = pow2(n_bits - 1) + Integer(rng_() % (Bits{1} << (n_bits - 1)));
    if (n >= Q) return std::nullopt;
    const int d = rng_() % 2 ? 1 : -1;
    const long J = q + bit_length(Q) - n_bits - p;
    for (long j = std::max<long>(1, J - 1); j <= J + 2; ++j) {
      const auto inv = inverse_mod(n * pow2(j), Q);
      if (!inv) return std::nullopt;
      Integer h = ((d > 0 ? Integer(1) : Integer(Q - 1)) * *inv) % Q;
      if (h < pow2(p - 1)) h += ((pow2(p - 1) - h + Q - 1) / Q) * Q;  // the least representative >= 2^(p-1)
      if (h >= pow2(p)) continue;
      const Integer scaled = n * h * pow2(j);
      if (scaled < Q * pow2(q) || scaled >= Q * pow2(q + 1)) continue;
      return NHJ{n, h, j};
    }
    return std::nullopt;
  }

  // hi's exponent eh: y = n·h·2^eh/Qmax gets the ULP 2^(eh - j + 1) of its midpoint: any normal
  // binade (nearest 2^0) for q = p, the subnormal grid for q < p; hi itself normal.
  std::optional<long> place(long j, int q, bool subnormal) const {
    const int p = f_.precision;
    const long lo = f_.emin - p + 1, hi = f_.emax - p + 1;  // hi = h·2^eh normal
    if (subnormal) {
      const long eh = j + f_.emin - p;
      if (eh < lo || eh > hi) return std::nullopt;
      return eh;
    }
    // y's exponent q + eh - j in [emin, emax]; as near 0 as hi allows.
    const long least = std::max<long>(lo, f_.emin - q + j), most = std::min<long>(hi, f_.emax - q + j);
    if (least > most) return std::nullopt;
    return std::clamp<long>(j - q, least, most);
  }

  std::optional<exact::TfTrace> trace_of(const Config& cfg, bool half_up, Bits hi, Bits x) const {
    OpCase c;
    c.profile = p_;
    c.attrs = {cfg.is_signed, cfg.bits, true, half_up ? "HALF_UP" : "HALF_TO_EVEN", cfg.narrow, -1};
    c.input = make_tensor(t_, {1}, {x});
    c.input_min = make_tensor(t_, {}, {cfg.is_signed ? P_.neg(hi) : Bits{0}});
    c.input_max = make_tensor(t_, {}, {hi});
    if (!validate_case(c).ok()) return std::nullopt;
    return exact::tf_forward_trace(profile(p_), c, 0);
  }

  // An input x near y whose rounded integer, by TF's own steps (the reference's trace), is r.
  std::optional<Bits> solve_input(const Config& cfg, bool half_up, Bits hi, const Rational& y, const Integer& r) {
    Bits x = P_.of(y);
    for (int step = 0; step < 5; ++step) {
      const auto tr = trace_of(cfg, half_up, hi, x);
      if (!tr) return std::nullopt;
      const Rational got = exact::decode(tr->rounded, format_of(tr->step_type)).value();
      if (got == Rational(r)) return x;
      x = got < Rational(r) ? P_.up(x) : P_.down(x);
    }
    return std::nullopt;
  }

  ProfileId p_;
  DType t_;
  FloatFormat f_;
  Patterns P_;
  std::mt19937_64 rng_;
  std::vector<SuiteCase> out_;
  int serial_ = 0;
};

}  // namespace

Rational midpoint_offset(const Rational& v, DType t) {
  const FloatFormat f = format_of(t);
  const Rational m = abs(v);
  if (m == 0) return Rational(-1, 2);
  const long e = std::min<long>(floor_log2(m), f.emax);
  const Rational units = m / pow2r(std::max<long>(e, f.emin) - (f.precision - 1));
  return units - Rational(floor_of(units)) - Rational(1, 2);
}

Rational trap_bound(ProfileId profile_id, DType t) {
  if (profile(profile_id).exact_arithmetic) return pow2r(-30);
  return pow2r(-(format_of(t).precision / 2));
}

std::vector<SuiteCase> rounding_traps(ProfileId profile_id, DType dtype) {
  const Profile& p = profile(profile_id);
  if (!p.supports(dtype)) return {};
  TrapBuilder b(profile_id, dtype);
  if (p.exact_arithmetic) {
    b.exact_traps();
  } else {
    b.last_multiply_traps();
  }
  b.overflow_edges();
  return b.take();
}

}  // namespace qdq::conformance
