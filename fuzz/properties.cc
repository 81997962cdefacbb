#include "fuzz/properties.h"

#include <rapidcheck.h>

#include <algorithm>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <sstream>

#include "conformance/backends.h"
#include "conformance/compare.h"
#include "fuzz/generators.h"
#include "reference/contract/view.h"
#include "reference/exact/env_arith.h"

namespace qdq::fuzz {
namespace {

using exact::EnvArith;
using exact::Integer;
using exact::Rational;
using Bits = std::uint64_t;

thread_local std::optional<Failure> g_last_failure;

// The named backend, made once a thread with the target's options.
Backend& backend(const std::string& name, const conformance::BackendOptions& options = {}) {
  thread_local std::map<std::string, std::unique_ptr<Backend>> cache;
  auto& b = cache[name];
  if (!b) b = conformance::make_backend(name, options);
  if (!b) throw std::invalid_argument("unknown backend: " + name);
  return *b;
}

Outcome reference_of(const OpCase& c) { return backend("reference").run(c); }

std::string hex(Bits b) {
  std::ostringstream s;
  s << "0x" << std::hex << b;
  return s.str();
}

bool defined(const Outcome& reference, std::size_t k) { return k >= reference.undefined.size() || !reference.undefined[k]; }

// Runs c on every backend of the target that supports its profile and dtype: f(name, outcome).
// An exception out of a backend is a failure of `property`.
template <typename F>
void for_each_backend(const std::string& property, const Target& target, const OpCase& c, F&& f) {
  for (const std::string& name : target.backends) {
    Backend& b = backend(name, target.backend_options);
    if (!b.supports_op(c.op, c.profile, c.input.dtype)) continue;
    Outcome o;
    try {
      o = b.run(c);
    } catch (const std::exception& e) {
      fail_property(property, name, c, std::string("threw: ") + e.what());
    }
    f(name, o);
  }
}

CaseSpec spec_for(ProfileId p, DType t) {
  CaseSpec s;
  s.profile = p;
  s.dtype = t;
  return s;
}

// A profile and a dtype it has a kernel for.
std::pair<ProfileId, DType> gen_pair(std::initializer_list<ProfileId> profiles) {
  const std::vector<ProfileId> ps(profiles);
  const ProfileId p = *rc::gen::elementOf(ps);
  std::vector<DType> ts;
  for (DType t : kAllDTypes) {
    if (profile(p).supports(t)) ts.push_back(t);
  }
  return {p, *rc::gen::elementOf(ts)};
}

// ---- differential and validation ----------------------------------------------------------

void differential(const Target& target) {
  const OpCase c = *rc::gen::weightedOneOf<OpCase>({{6, gen_any_case(false)}, {1, gen_any_case(true)}});
  const Outcome expected = reference_of(c);
  RC_TAG(std::string(profile_name(c.profile)), expected.status.ok() ? "accepted" : "rejected");
  for_each_backend("differential", target, c, [&](const std::string& name, const Outcome& observed) {
    if (name == "reference") return;
    const conformance::Comparison cmp = conformance::compare_outcomes("fuzz", c, expected, observed);
    if (!cmp.ok()) fail_property("differential", name, c, conformance::format_mismatch(cmp.mismatches.front()));
  });
}

void validation(const Target& target) {
  const OpCase c = *gen_any_case(true);
  const Outcome expected = reference_of(c);
  if (expected.status.ok()) fail_property("validation", "reference", c, "a case broken on purpose was accepted");
  for_each_backend("validation", target, c, [&](const std::string& name, const Outcome& observed) {
    if (!(observed.status == expected.status)) {
      fail_property("validation", name, c,
           "status " + std::string(code_name(observed.status.code)) + " \"" + observed.status.message + "\", TF says " +
               std::string(code_name(expected.status.code)) + " \"" + expected.status.message + "\"");
    }
  });
}

// ---- the grid and the clamp bounds (TF's kernel: tf-cpu, tf-gpu) -------------------------

// [qmin, qmax] exactly, as TF's kernel computes it in int64 (docs/op-spec.md §2.3).
std::pair<Integer, Integer> integer_range(const Attrs& a) {
  const int b = static_cast<int>(a.num_bits);
  if (!a.signed_input) return {Integer(0), (Integer(1) << b) - 1};
  return {-(Integer(1) << (b - 1)) + (a.narrow_range ? 1 : 0), (Integer(1) << (b - 1)) - 1};
}

// One channel's grid as TF's kernel computes it (docs/op-spec.md §2.3, §2.4), in the host env.
struct KernelGrid {
  Bits inv, lo, hi;      // the inverse scale, and the clamp bounds lo', hi'
  Integer qmin, qmax;    // the integer range
  bool usable;           // inv finite and nonzero
};

KernelGrid kernel_grid(const OpCase& c, Bits lo, Bits hi) {
  const DType t = c.input.dtype;
  const Profile& p = profile(c.profile);
  const EnvArith h(t, p.rules(t).host);
  const auto [qmin, qmax] = integer_range(c.attrs);
  const Bits qlo = h.constant(Rational(qmin)), qhi = h.constant(Rational(qmax)), zero = 0, maxf = h.max_finite();
  const Bits s_lo = h.lt(zero, h.mul(qlo, lo)) ? h.div(qlo, lo) : maxf;
  const Bits s_hi = h.lt(zero, h.mul(qhi, hi)) ? h.div(qhi, hi) : maxf;
  KernelGrid g;
  g.qmin = qmin, g.qmax = qmax;
  if (h.lt(s_lo, s_hi)) {
    g.inv = h.div(lo, qlo), g.lo = lo, g.hi = h.mul(qhi, g.inv);
  } else {
    g.inv = h.div(hi, qhi), g.lo = h.mul(qlo, g.inv), g.hi = hi;
  }
  const exact::XFloat inv = h.read(g.inv);
  g.usable = inv.kind == exact::XFloat::Finite && !inv.is_zero();
  return g;
}

// Rational value of finite bits as the device env reads them (DAZ).
Rational value_of(const EnvArith& env, Bits b) { return env.read(b).value(); }

Integer round_to_integer(const Rational& q) {
  Integer n = numerator(q), d = denominator(q);
  Integer fl = n / d;  // toward zero
  if (n < 0 && fl * d != n) fl -= 1;  // floor
  const Rational frac = q - Rational(fl);
  if (frac > Rational(1, 2) || (frac == Rational(1, 2) && (fl % 2 != 0))) fl += 1;
  return fl;
}

// Forward cases of TF's kernel with a given range and num_bits <= precision - 2, so that every
// integer of the range is a value of T and fl(r * inv) / inv rounds back to r.
OpCase gen_kernel_given_case(bool per_channel_only) {
  const std::pair<ProfileId, DType> pt = gen_pair({ProfileId::TfCpu, ProfileId::TfGpu});
  const ProfileId p = pt.first;  // (not structured bindings: lambdas below capture them)
  const DType t = pt.second;
  CaseSpec s = spec_for(p, t);
  s.gradients = false;
  s.range_given_only = true;
  s.per_channel_only = per_channel_only;
  OpCase c = *gen_case(s);
  c.attrs.num_bits = std::min<std::int64_t>(c.attrs.num_bits, format_of(t).precision - 2);
  return c;
}

// Every non-NaN output of a channel with a given range is fl(r ⊗ inv) for an integer r in
// [qmin, qmax], and lies in [lo', hi'] (docs/op-spec.md §2.4, §2.5); where lo' > hi' (unsigned with a
// negative range), every non-NaN output is the same value.
void grid_and_clamp(const Target& target) {
  // TF's CPU kernel rejects per-channel given ranges; tf-gpu takes them.
  const OpCase c = gen_kernel_given_case(false);
  const Outcome ref = reference_of(c);
  if (!ref.status.ok()) return;
  const DType t = c.input.dtype;
  const EnvArith dev(t, profile(c.profile).rules(t).device);
  const ChannelView v = channel_view(c.input.shape, c.attrs.axis);
  for_each_backend("grid", target, c, [&](const std::string& name, const Outcome& o) {
    if (!o.status.ok()) return;  // the differential property compares statuses
    for (std::int64_t ch = 0; ch < v.depth; ++ch) {
      const KernelGrid g = kernel_grid(c, c.input_min.bits(static_cast<std::size_t>(ch)), c.input_max.bits(static_cast<std::size_t>(ch)));
      if (!g.usable) continue;
      std::optional<Bits> first_output;
      for_each_in_channel(v, ch, [&](std::int64_t k) {
        const std::size_t i = static_cast<std::size_t>(k);
        const Bits y = o.outputs[0].bits(i);
        if (!defined(ref, i) || dev.is_nan(y)) return;
        const exact::XFloat yv = dev.read(y);
        if (yv.is_inf()) fail_property("grid", name, c, "output " + std::to_string(i) + " is infinite: " + hex(y));
        if (!yv.is_zero()) {
          const Integer r = round_to_integer(yv.value() / value_of(dev, g.inv));
          const Bits back = dev.mul(dev.constant(Rational(r)), g.inv);
          if (back != y || r < g.qmin || r > g.qmax) {
            fail_property("grid", name, c,
                 "output " + std::to_string(i) + " = " + hex(y) + " is not fl(r * inv) for an integer r in [qmin, qmax] (nearest r " +
                     r.str() + ", inv " + hex(g.inv) + ")");
          }
        }
        if (dev.lt(g.hi, g.lo)) {
          // Inverted bounds (an unsigned type with a negative range: lo' = qmin * inv = -0 > hi'):
          // min(v, hi') then max(., lo') gives lo' for every non-NaN input (docs/op-spec.md §2.5).
          if (!first_output) first_output = y;
          if (y != *first_output) {
            fail_property("clamp", name, c,
                 "bounds [lo', hi'] = [" + hex(g.lo) + ", " + hex(g.hi) + "] are inverted, so every output should be Q(lo'); output " +
                     std::to_string(i) + " = " + hex(y) + ", another " + hex(*first_output));
          }
        } else if (dev.lt(y, g.lo) || dev.lt(g.hi, y)) {
          fail_property("clamp", name, c,
               "output " + std::to_string(i) + " = " + hex(y) + " outside [lo', hi'] = [" + hex(g.lo) + ", " + hex(g.hi) + "]");
        }
      });
    }
  });
}

// Whether channel ch has an ordinary grid: the exact scale of docs/op-spec.md §8.1 (the largest s with
// s*lo >= qmin and s*hi <= qmax over the sides that constrain it) exists, and it and 2^num_bits
// stay well inside T's finite range. Otherwise TF computes an overflowed, zero or negative
// inverse scale (e.g. an unsigned type with a range that has no positive part, or float16 with
// qmin / lo beyond 65504) and its outputs follow no grid. measured_lo/hi: the channel's
// extremes when the range is measured.
bool ordinary_grid(const OpCase& c, std::int64_t ch, const exact::XFloat& measured_lo, const exact::XFloat& measured_hi) {
  const DType t = c.input.dtype;
  const FloatFormat f = format_of(t);
  exact::XFloat lo = measured_lo, hi = measured_hi;
  if (c.attrs.range_given) {
    const std::size_t i = c.attrs.axis == -1 ? 0 : static_cast<std::size_t>(ch);
    lo = exact::decode(c.input_min.bits(i), f), hi = exact::decode(c.input_max.bits(i), f);
  }
  if (lo.kind != exact::XFloat::Finite || hi.kind != exact::XFloat::Finite) return false;
  const int b = static_cast<int>(c.attrs.num_bits);
  const auto [qmin_int, qmax_int] = integer_range(c.attrs);
  const Rational qmin(qmin_int), qmax(qmax_int);
  const Rational half_max = exact::decode(exponent_mask(t) - 1, f).value() / 2;
  if (Rational(Integer(1) << b) > half_max) return false;
  std::optional<Rational> s;
  if (qmin * lo.value() > 0) s = qmin / lo.value();
  if (qmax * hi.value() > 0 && (!s || qmax / hi.value() < *s)) s = qmax / hi.value();
  return s && *s <= half_max;
}

// ---- monotonicity ------------------------------------------------------------------------

// Within a channel with an ordinary grid, x_i < x_j implies y_i <= y_j (values; NaN inputs and
// outputs left out).
void monotone(const Target& target) {
  const std::pair<ProfileId, DType> pt = gen_pair({ProfileId::TfCpu, ProfileId::TfGpu, ProfileId::TfXla, ProfileId::Exact});
  const ProfileId p = pt.first;  // (not structured bindings: lambdas below capture them)
  const DType t = pt.second;
  CaseSpec s = spec_for(p, t);
  s.gradients = false;
  const OpCase c = *gen_case(s);
  const Outcome ref = reference_of(c);
  if (!ref.status.ok()) return;
  const ChannelView v = channel_view(c.input.shape, c.attrs.axis);
  const FloatFormat f = format_of(t);
  auto value = [&](Bits b) { return exact::decode(b, f); };
  long compared = 0;
  for_each_backend("monotone", target, c, [&](const std::string& name, const Outcome& o) {
    if (!o.status.ok()) return;
    for (std::int64_t ch = 0; ch < v.depth; ++ch) {
      std::vector<std::size_t> idx;
      exact::XFloat bottom = exact::XFloat::inf(false), top = exact::XFloat::inf(true);  // measured extremes
      for_each_in_channel(v, ch, [&](std::int64_t k) {
        const std::size_t i = static_cast<std::size_t>(k);
        if (!is_nan_bits(t, c.input.bits(i))) {
          if (exact::less(top, value(c.input.bits(i)))) top = value(c.input.bits(i));
          if (exact::less(value(c.input.bits(i)), bottom)) bottom = value(c.input.bits(i));
        }
        if (defined(ref, i) && !is_nan_bits(t, c.input.bits(i)) && !is_nan_bits(t, o.outputs[0].bits(i))) idx.push_back(i);
      });
      if (!ordinary_grid(c, ch, bottom, top)) continue;
      ++compared;
      for (std::size_t a : idx) {
        for (std::size_t b : idx) {
          if (exact::less(value(c.input.bits(a)), value(c.input.bits(b))) &&
              exact::less(value(o.outputs[0].bits(b)), value(o.outputs[0].bits(a)))) {
            fail_property("monotone", name, c,
                 "inputs " + std::to_string(a) + " < " + std::to_string(b) + " (" + hex(c.input.bits(a)) + " < " +
                     hex(c.input.bits(b)) + ") but outputs " + hex(o.outputs[0].bits(a)) + " > " + hex(o.outputs[0].bits(b)));
          }
        }
      }
    }
  });
  RC_TAG(compared > 0 ? "channels compared" : "no channel with an ordinary grid");
}

// ---- per-channel equals per-tensor slice by slice ------------------------------------------

// Channel ch of c as a per-tensor case: its elements in memory order, its range.
OpCase slice_case(const OpCase& c, std::int64_t ch, std::vector<std::size_t>& members) {
  const ChannelView v = channel_view(c.input.shape, c.attrs.axis);
  members.clear();
  for_each_in_channel(v, ch, [&](std::int64_t k) { members.push_back(static_cast<std::size_t>(k)); });
  OpCase s = c;
  s.attrs.axis = -1;
  s.input = Tensor(c.input.dtype, Shape{static_cast<std::int64_t>(members.size())});
  for (std::size_t j = 0; j < members.size(); ++j) s.input.set_bits(j, c.input.bits(members[j]));
  s.input_min = Tensor(c.input.dtype, Shape{});
  s.input_max = Tensor(c.input.dtype, Shape{});
  s.input_min.set_bits(0, c.input_min.bits(static_cast<std::size_t>(ch)));
  s.input_max.set_bits(0, c.input_max.bits(static_cast<std::size_t>(ch)));
  return s;
}

void per_channel_is_per_tensor_per_slice(const Target& target) {
  const std::pair<ProfileId, DType> pt = gen_pair({ProfileId::TfCpu, ProfileId::TfGpu, ProfileId::TfXla, ProfileId::Exact});
  const ProfileId p = pt.first;  // (not structured bindings: lambdas below capture them)
  const DType t = pt.second;
  CaseSpec s = spec_for(p, t);
  s.gradients = false;
  s.per_channel_only = true;
  const OpCase c = *gen_case(s);
  const Outcome ref = reference_of(c);
  if (!ref.status.ok()) return;
  const ChannelView v = channel_view(c.input.shape, c.attrs.axis);
  for_each_backend("per-channel", target, c, [&](const std::string& name, const Outcome& o) {
    if (!o.status.ok()) return;
    std::vector<std::size_t> members;
    for (std::int64_t ch = 0; ch < v.depth; ++ch) {
      const OpCase sc = slice_case(c, ch, members);
      const Outcome sref = reference_of(sc);
      const Outcome so = backend(name, target.backend_options).run(sc);
      if (!so.status.ok()) {
        // TF checks min <= max only for a per-tensor range (docs/op-spec.md §4.2): an inverted channel range
        // is taken per channel and rejected alone.
        if (so.status.message.rfind("Invalid range", 0) == 0) continue;
        fail_property("per-channel", name, c, "channel " + std::to_string(ch) + " alone is rejected: " + so.status.message);
      }
      for (std::size_t j = 0; j < members.size(); ++j) {
        const std::size_t i = members[j];
        if (!defined(ref, i) || !defined(sref, j)) continue;
        const Bits a = o.outputs[0].bits(i), b = so.outputs[0].bits(j);
        if (a != b && !(is_nan_bits(t, a) && is_nan_bits(t, b))) {
          fail_property("per-channel", name, c,
               "element " + std::to_string(i) + " (channel " + std::to_string(ch) + "): per-channel " + hex(a) +
                   ", the channel alone per-tensor " + hex(b));
        }
      }
    }
  });
}

// ---- permutation ---------------------------------------------------------------------------

// With a measured per-tensor range, permuting the input permutes the output.
void permutation(const Target& target) {
  const std::pair<ProfileId, DType> pt = gen_pair({ProfileId::TfCpu, ProfileId::TfGpu, ProfileId::TfXla, ProfileId::Exact});
  const ProfileId p = pt.first;  // (not structured bindings: lambdas below capture them)
  const DType t = pt.second;
  CaseSpec s = spec_for(p, t);
  s.gradients = false;
  OpCase c = *gen_case(s);
  c.attrs.axis = -1;
  c.attrs.range_given = false;
  c.input_min = Tensor(t, Shape{});
  c.input_max = Tensor(t, Shape{});
  const Outcome ref = reference_of(c);
  if (!ref.status.ok()) return;
  std::vector<std::size_t> perm(c.input.size());
  std::iota(perm.begin(), perm.end(), std::size_t{0});
  std::mt19937_64 rng(*rc::gen::arbitrary<std::uint64_t>());
  std::shuffle(perm.begin(), perm.end(), rng);
  OpCase pc = c;
  for (std::size_t j = 0; j < perm.size(); ++j) pc.input.set_bits(j, c.input.bits(perm[j]));
  const Outcome pref = reference_of(pc);
  for_each_backend("permutation", target, c, [&](const std::string& name, const Outcome& o) {
    if (!o.status.ok()) return;
    const Outcome po = backend(name, target.backend_options).run(pc);
    for (std::size_t j = 0; j < perm.size(); ++j) {
      if (!defined(pref, j) || !defined(ref, perm[j])) continue;
      const Bits a = po.outputs[0].bits(j), b = o.outputs[0].bits(perm[j]);
      if (a != b && !(is_nan_bits(t, a) && is_nan_bits(t, b))) {
        fail_property("permutation", name, c,
             "element " + std::to_string(perm[j]) + " moved to " + std::to_string(j) + ": " + hex(b) + " became " + hex(a));
      }
    }
  });
}

// ---- the gradient --------------------------------------------------------------------------

// input_backprop = g ⊗ (lo <= x <= hi ? 1 : 0) in the device env with the raw bounds of the
// element's channel (docs/op-spec.md §5.1; the exact profile selects g or +0, §8.5); min/max backprops are +0.
void gradient_mask(const Target& target) {
  const std::pair<ProfileId, DType> pt = gen_pair({ProfileId::TfCpu, ProfileId::TfGpu, ProfileId::TfXla, ProfileId::Exact});
  const ProfileId p = pt.first;  // (not structured bindings: lambdas below capture them)
  const DType t = pt.second;
  CaseSpec s = spec_for(p, t);
  OpCase c = *gen_case(s);
  if (c.op != Op::Gradient) {  // make it one
    c.op = Op::Gradient;
    const std::int64_t axis = c.attrs.axis;
    c.attrs = Attrs{};
    c.attrs.axis = axis;
    c.gradients = c.input;
    for (std::size_t k = 0; k < c.gradients.size(); ++k) c.gradients.set_bits(k, *gen_value(t, GridHint{1.0 / 4, 16}));
  }
  const Outcome ref = reference_of(c);
  if (!ref.status.ok()) return;
  const Profile& prof = profile(p);
  const EnvArith dev(t, prof.rules(t).device);
  const ChannelView v = channel_view(c.input.shape, c.attrs.axis);
  const Bits one = dev.constant(1), zero = 0;
  for_each_backend("gradient", target, c, [&](const std::string& name, const Outcome& o) {
    if (!o.status.ok()) return;
    for (std::int64_t ch = 0; ch < v.depth; ++ch) {
      const Bits lo = c.input_min.bits(static_cast<std::size_t>(ch)), hi = c.input_max.bits(static_cast<std::size_t>(ch));
      for_each_in_channel(v, ch, [&](std::int64_t k) {
        const std::size_t i = static_cast<std::size_t>(k);
        const Bits x = c.input.bits(i), g = c.gradients.bits(i);
        const bool inside = prof.exact_arithmetic ? !exact::less(exact::decode(x, format_of(t)), exact::decode(lo, format_of(t))) &&
                                                        !exact::less(exact::decode(hi, format_of(t)), exact::decode(x, format_of(t))) &&
                                                        !is_nan_bits(t, x) && !is_nan_bits(t, lo) && !is_nan_bits(t, hi)
                                                  : dev.le(lo, x) && dev.le(x, hi);
        const Bits want = prof.exact_arithmetic ? (inside ? g : zero) : dev.mul(g, inside ? one : zero);
        const Bits got = o.outputs[0].bits(i);
        if (got != want && !(is_nan_bits(t, got) && is_nan_bits(t, want))) {
          fail_property("gradient", name, c,
               "input_backprop[" + std::to_string(i) + "] = " + hex(got) + ", g ⊗ mask = " + hex(want) + " (x " + hex(x) +
                   ", range [" + hex(lo) + ", " + hex(hi) + "])");
        }
      });
    }
    for (std::size_t k = 1; k < o.outputs.size(); ++k) {
      if (o.outputs[k].shape != c.input_min.shape) fail_property("gradient", name, c, "min/max backprop has the wrong shape");
      for (std::size_t i = 0; i < o.outputs[k].size(); ++i) {
        if (o.outputs[k].bits(i) != 0) fail_property("gradient", name, c, "min/max backprop is not +0 at " + std::to_string(i));
      }
    }
  });
}

// ---- idempotence ---------------------------------------------------------------------------

// With a given range, quantizing an output again gives it back bit for bit: TF's kernel
// (tf-cpu, tf-gpu), num_bits <= precision - 4, channels with inv > 0. Requantizing y = fl(r ⊗ inv)
// gives r(1 + δ) with |δ| up to about 4 ulp, plus a rounding of s ⊕ 0.5 for HALF_UP, so r must stay
// below 2^(p-4) for that to stay under half a step. Counterexamples (properties_test.cc): 22 bits
// of float32, and inv <= 0 (an unsigned type with a range that has no positive part).
void idempotent(const Target& target) {
  OpCase c = gen_kernel_given_case(false);
  c.attrs.num_bits = std::min<std::int64_t>(c.attrs.num_bits, format_of(c.input.dtype).precision - 4);
  const Outcome ref = reference_of(c);
  if (!ref.status.ok()) return;
  for_each_backend("idempotence", target, c, [&](const std::string& name, const Outcome& o) {
    if (!o.status.ok()) return;
    OpCase again = c;
    again.input = o.outputs[0];
    const Outcome twice = backend(name, target.backend_options).run(again);
    const Outcome twice_ref = reference_of(again);
    const DType t = c.input.dtype;
    const EnvArith dev(t, profile(c.profile).rules(t).device);
    const ChannelView v = channel_view(c.input.shape, c.attrs.axis);
    for (std::size_t i = 0; i < o.outputs[0].size(); ++i) {
      if (!defined(ref, i) || !defined(twice_ref, i)) continue;
      const std::size_t ch = static_cast<std::size_t>(v.channel_of(static_cast<std::int64_t>(i)));
      const KernelGrid g = kernel_grid(c, c.input_min.bits(ch), c.input_max.bits(ch));
      if (!g.usable || !dev.lt(0, g.inv)) continue;  // inv <= 0: see UnsignedNegativeRangeIsNotIdempotent
      const Bits a = o.outputs[0].bits(i), b = twice.outputs[0].bits(i);
      if (a != b && !(is_nan_bits(c.input.dtype, a) && is_nan_bits(c.input.dtype, b))) {
        fail_property("idempotence", name, c, "element " + std::to_string(i) + ": Q(x) = " + hex(a) + ", Q(Q(x)) = " + hex(b));
      }
    }
  });
}

}  // namespace

void clear_last_failure() { g_last_failure.reset(); }

void fail_property(const std::string& property, const std::string& backend_name, const OpCase& c, const std::string& message) {
  g_last_failure = Failure{property, backend_name, message, c};
  RC_FAIL(backend_name + " (" + std::string(profile_name(c.profile)) + "/" + std::string(dtype_name(c.input.dtype)) +
          "): " + message);
}
std::optional<Failure> last_failure() { return g_last_failure; }

const std::vector<Property>& properties() {
  static const std::vector<Property> all = {
      {"differential", "every profile and dtype: each backend equals the reference bit for bit (NaN payloads aside)",
       differential},
      {"validation", "every profile: a broken case gets TF's error code and message from every backend, never a crash",
       validation},
      {"grid", "tf-cpu, tf-gpu, given range, num_bits <= p-2: outputs are fl(r*inv), r an integer of [qmin, qmax], inside [lo', hi']",
       grid_and_clamp},
      {"monotone", "every profile: within a channel, a larger input never gives a smaller output, where the grid is ordinary (ordinary_grid)",
       monotone},
      {"per-channel", "every profile: a per-channel result equals each channel run alone per tensor",
       per_channel_is_per_tensor_per_slice},
      {"permutation", "every profile, measured per-tensor range: permuting the input permutes the output", permutation},
      {"gradient", "every profile: input_backprop = g * (lo <= x <= hi), min/max backprops +0", gradient_mask},
      {"idempotence", "tf-cpu, tf-gpu, given range, num_bits <= p-4, inv > 0: Q(Q(x)) = Q(x)", idempotent},
  };
  return all;
}

const Property* find_property(const std::string& name) {
  for (const Property& p : properties()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace qdq::fuzz
