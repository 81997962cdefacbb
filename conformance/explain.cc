#include "conformance/explain.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <vector>

#include "conformance/case_io.h"
#include "reference/contract/validate.h"
#include "reference/contract/view.h"
#include "reference/exact/exact_op.h"
#include "reference/exact/reference_backend.h"
#include "reference/exact/tf_op.h"

namespace qdq::conformance {
namespace {

using exact::Rational;

std::string show_bits(DType t, std::uint64_t b) {
  if (is_nan_bits(t, b)) return "nan (" + hex_bits(t, b) + ")";
  return fmt::format("{:.{}g} ({})", value_as_double(t, b), t == DType::Float64 ? 17 : 9, hex_bits(t, b));
}

std::string show_exact(const std::optional<Rational>& v) {
  if (!v) return "-";
  if (denominator(*v) == 1) return numerator(*v).str();
  const double d = v->convert_to<double>();
  return fmt::format("{:.17g}{}", d, Rational(d) == *v ? "" : " (rounded for display)");
}

// The exact value of bits of t, where finite.
std::optional<Rational> value_of(DType t, std::uint64_t b) {
  const exact::XFloat x = exact::decode(b, format_of(t));
  if (x.kind != exact::XFloat::Finite) return std::nullopt;
  return x.value();
}

struct Row {
  std::string name, profile, exact, rule;
  bool differs = false;
  bool used = true;  // false for the scale candidate of the side not chosen
};

std::string env_text(const ArithEnv& e) {
  if (e.ftz && e.daz) return " (with FTZ and DAZ)";
  if (e.ftz) return " (with FTZ)";
  if (e.daz) return " (with DAZ)";
  return "";
}

std::string clamp_text(ClampRule r) {
  switch (r) {
    case ClampRule::KeepInput: return "the clamp is std::max(std::min(v, hi'), lo') on the adjusted bounds (a NaN stays NaN)";
    case ClampRule::NonNaNWins: return "the clamp is fmax(fmin(v, hi'), lo') on the adjusted bounds (a NaN becomes hi')";
    case ClampRule::MaxThenMin: return "XLA's clamp is min(max(lo', v), hi') on the adjusted bounds (a NaN becomes lo')";
    case ClampRule::MaxThenMinPreferHi: return "XLA's clamp is min(hi', max(lo', v)) on the adjusted bounds (hi' wins ties and NaN)";
    case ClampRule::Saturate: break;
  }
  return "the clamp";
}

std::string forward_explanation(const OpCase& c, std::int64_t k, const std::optional<Outcome>& answer, const Alternatives* allowed) {
  const Profile& p = profile(c.profile);
  const DType t = c.input.dtype;
  const exact::TfTrace tr = exact::tf_forward_trace(p, c, k);
  const exact::ExactTrace ex = exact::exact_forward_trace(c, k);
  const DType st = tr.step_type;
  const std::string in_t = std::string(dtype_name(t)), in_st = std::string(dtype_name(st));
  const DTypeRules& rules = p.rules(t);
  std::vector<Row> rows;
  auto add = [&](std::string name, DType type, std::uint64_t bits, std::optional<Rational> exact_value, std::string rule) {
    Row r{std::move(name), show_bits(type, bits), show_exact(exact_value), std::move(rule)};
    const auto mine = value_of(type, bits);
    r.differs = exact_value.has_value() && (!mine || *mine != *exact_value);
    rows.push_back(std::move(r));
  };
  const std::string int_rule = p.int_range == IntRangeRule::PowerOfTwoInT
      ? "XLA forms the integer range in " + in_t + ": ±2^(b-1) (2^b unsigned) rounded to " + in_t + ", then ∓ 1 in " + in_t
      : "TF's kernel converts the int64 bounds to " + in_t + ", one rounding each";
  add("integer range qmin", t, tr.qmin, Rational(ex.qmin), int_rule);
  add("integer range qmax", t, tr.qmax, Rational(ex.qmax), int_rule);
  const std::string range_rule = c.attrs.range_given ? "the given bounds are read as they are"
      : "the measured range reads elements in the device arithmetic" + env_text(rules.device) + " and skips NaN";
  add(c.attrs.range_given ? "range lo (given)" : "range lo (measured)", t, tr.lo, ex.lo, range_rule);
  add(c.attrs.range_given ? "range hi (given)" : "range hi (measured)", t, tr.hi, ex.hi, range_rule);
  const std::string host_rule = "the scale is qmin ⊘ lo or qmax ⊘ hi rounded to " + in_t + " in TF's host arithmetic" + env_text(rules.host);
  std::optional<Rational> ex_s_lo, ex_s_hi;
  if (ex.lo && ex.qmin * *ex.lo > 0) ex_s_lo = Rational(ex.qmin) / *ex.lo;
  if (ex.hi && ex.qmax * *ex.hi > 0) ex_s_hi = Rational(ex.qmax) / *ex.hi;
  add("scale candidate qmin/lo", t, tr.s_lo, ex_s_lo, host_rule);
  add("scale candidate qmax/hi", t, tr.s_hi, ex_s_hi, host_rule);
  rows[rows.size() - (tr.from_lo ? 1 : 2)].used = false;
  add(tr.from_lo ? "scale (from lo)" : "scale (from hi)", t, tr.scale, ex.scale, host_rule);
  if (!ex.scale && !ex.poisoned) {  // no side constrains it (q·bound <= 0 on both): no exact scale
    rows.back().differs = true;
    rows.back().rule = "neither side constrains the scale: TF scales by the largest finite " + in_t +
                       ", where the exact op outputs zeros of each input's sign";
  }
  std::optional<Rational> ex_inv, ex_adj_lo, ex_adj_hi;
  if (ex.scale) {
    ex_inv = Rational(1) / *ex.scale;
    ex_adj_lo = Rational(ex.qmin) / *ex.scale;
    ex_adj_hi = Rational(ex.qmax) / *ex.scale;
  }
  const std::string q_name = tr.from_lo ? "Qmin" : "Qmax", b_name = tr.from_lo ? "lo" : "hi";
  add("inverse scale inv", t, tr.inv, ex_inv,
      p.divides_by_constant_via_reciprocal
          ? "XLA folds 1/" + q_name + " into a multiply: inv = " + b_name + " ⊗ fl(1/" + q_name + "), the reciprocal rounded to " +
                std::string(dtype_name(rules.hlo_type))
          : "inv = " + b_name + " ⊘ " + q_name + " rounded to " + in_t + ", computed apart from the scale");
  add("adjusted lo'", t, tr.adj_lo, ex_adj_lo, "lo' = qmin ⊗ inv rounded to " + in_t + " (or lo itself)");
  add("adjusted hi'", t, tr.adj_hi, ex_adj_hi, "hi' = qmax ⊗ inv rounded to " + in_t + " (or hi itself)");
  const std::optional<Rational> ex_v = value_of(t, c.input.bits(static_cast<std::size_t>(k)));
  add("input v", st, tr.v, ex_v, "");
  if (c.attrs.range_given) add("v clamped to [lo', hi']", st, tr.clamped, ex.clamped, clamp_text(p.clamp));
  const std::string each_op = st == t && (t == DType::BFloat16 || t == DType::Float16) ? " (" + in_t + " values computed in float32, rounded back after each operation)" : "";
  if (tr.fused) {
    add("fma(v, scale, 0.5)", st, tr.product, ex.scaled ? std::optional<Rational>(*ex.scaled + Rational(1, 2)) : std::nullopt,
        "XLA contracts HALF_UP's v × scale + 0.5 into one fused multiply-add, rounded once to " + in_st);
  } else {
    add("v ⊗ scale", st, tr.product, ex.scaled, "v × scale is rounded to " + in_st + " before it is rounded to an integer" + each_op);
    if (tr.half_up) {
      add("(v ⊗ scale) ⊕ 0.5", st, tr.sum, ex.scaled ? std::optional<Rational>(*ex.scaled + Rational(1, 2)) : std::nullopt,
          "HALF_UP is floor(s ⊕ 0.5), with the addition rounded to " + in_st);
    }
  }
  add(tr.half_up ? "floor: the integer r" : "rint: the integer r", st, tr.rounded,
      ex.n ? std::optional<Rational>(Rational(*ex.n)) : std::nullopt,
      tr.half_up ? "HALF_UP rounds the rounded sum down" : "HALF_TO_EVEN is rint of the rounded product");
  add("r ⊗ inv", st, tr.before_output, ex.exact_result, "the result is r × inv rounded to " + in_st + ", not r / scale");
  Row out{"output", show_bits(t, tr.result), show_bits(t, ex.result), "the output rounded to " + in_t};
  out.differs = tr.result != ex.result && !(is_nan_bits(t, tr.result) && is_nan_bits(t, ex.result));
  rows.push_back(out);

  // Every rounded step may differ from its exact counterpart; each one that does says by which rule.
  std::string text = fmt::format("{:<28} {:<44} {}\n", "step", "profile " + std::string(p.name), "exact (ideal op, every step exact)");
  for (const Row& r : rows) {
    text += fmt::format("{:<28} {:<44} {}\n", r.name, r.profile, r.exact);
    if (r.differs && !r.rule.empty()) text += fmt::format("{:<28} differs: {}\n", "", r.rule);
  }
  if (ex.poisoned) text += "exact: a NaN or infinite bound or element makes every output of the channel NaN\n";
  // The first rounded step that departs from the exact op is where the difference begins: later
  // steps carry it along (and may add their own).
  const auto first = std::find_if(rows.begin(), rows.end(), [](const Row& r) { return r.differs && r.used && !r.rule.empty(); });
  if (!out.differs) text += "\nthe output equals the exact op's\n";
  else if (ex.poisoned) text += "\nthe output differs from the exact op's, whose channel is NaN (above)\n";
  else if (first == rows.end() || first->name == "output") text += "\nthe output differs from the exact op's: only its rounding to " + in_t + " makes it so\n";
  else text += "\nthe output differs from the exact op's; it begins at \"" + first->name + "\": " + first->rule + "\n";
  if (answer && answer->status.ok() && !answer->outputs.empty() && static_cast<std::size_t>(k) < answer->outputs[0].size()) {
    const std::uint64_t a = answer->outputs[0].bits(static_cast<std::size_t>(k));
    auto same = [&](std::uint64_t u, std::uint64_t w) { return u == w || (is_nan_bits(t, u) && is_nan_bits(t, w)); };
    const bool is_tf = same(a, tr.result);
    const bool is_exact = same(a, ex.result);
    const bool is_allowed = allowed && std::any_of(allowed->values.begin(), allowed->values.end(), [&](std::uint64_t v) { return same(a, v); });
    text += fmt::format("answer: {}: {}\n", show_bits(t, a),
                        is_tf ? "equals " + std::string(p.name) + "'s output" + (is_exact ? " (and the exact one)" : "")
                        : is_allowed ? "is one of the values " + std::string(p.name) + " allows here, not the output above" +
                                           (is_exact ? " (it equals the exact op's)" : "")
                        : is_exact ? "equals the exact op's output, not " + std::string(p.name) + "'s"
                                   : "equals neither");
  }
  return text;
}

}  // namespace

std::string explain_case(const std::string& id, const OpCase& c, const std::optional<Outcome>& answer,
                         std::optional<std::int64_t> element) {
  std::string text = "case " + id + "\n" + json_line(case_json(id, c)).substr(0, 400) + "\n\n";
  ReferenceBackend reference;
  const Outcome r = reference.run(c);
  if (!r.status.ok()) {
    return text + fmt::format("the op rejects the case: {}: {}\n", code_name(r.status.code), r.status.message) +
           (answer && !answer->status.ok() ? fmt::format("answer: {}: {}\n", code_name(answer->status.code), answer->status.message) : "");
  }
  const auto n = static_cast<std::int64_t>(r.outputs[0].size());
  if (n == 0) return text + "the output is empty: nothing to explain\n";
  std::int64_t k = 0;
  if (element) {
    if (*element < 0 || *element >= n) throw std::invalid_argument(fmt::format("element {} is not in 0..{}", *element, n - 1));
    k = *element;
  } else if (answer && answer->status.ok() && !answer->outputs.empty() && answer->outputs[0].size() == r.outputs[0].size()) {
    // The first element that fails as compare_outcomes judges it.
    const DType t = c.input.dtype;
    for (std::int64_t i = 0; i < n; ++i) {
      const auto ui = static_cast<std::size_t>(i);
      const std::uint64_t a = answer->outputs[0].bits(ui);
      auto same = [&](std::uint64_t v) { return v == a || (is_nan_bits(t, v) && is_nan_bits(t, a)); };
      const ElementClass cls = r.element_class(ui);
      if (cls == ElementClass::Unconstrained) continue;
      const bool ok = cls == ElementClass::Bounded
                          ? std::any_of(r.alternatives_of(ui)->values.begin(), r.alternatives_of(ui)->values.end(), same)
                          : same(r.outputs[0].bits(ui));
      if (!ok) {
        k = i;
        break;
      }
    }
  }
  const DType t = c.input.dtype;
  const auto uk = static_cast<std::size_t>(k);
  text += fmt::format("element {} of {}, input {}\n", k, n, show_bits(t, c.input.bits(uk)));
  const Alternatives* allowed = r.element_class(uk) == ElementClass::Bounded ? r.alternatives_of(uk) : nullptr;
  if (r.element_class(uk) == ElementClass::Unconstrained) {
    text += "this element is implementation-defined under the profile, and unconstrained (never compared): " + r.undefined_reason + "\n";
  } else if (allowed) {
    std::vector<std::string> shown;
    for (std::uint64_t v : allowed->values) shown.push_back(show_bits(t, v));
    text += fmt::format("this element is implementation-defined under the profile, bounded: TF answers one of {{{}}}, the first "
                        "being the output below; an answer passes with any of them: {}\n",
                        fmt::join(shown, ", "), undefined_cause_text(allowed->causes));
  }
  if (c.op == Op::Gradient) {
    const ChannelView v = channel_view(c.input.shape, c.attrs.axis);
    const auto ch = static_cast<std::size_t>(v.channel_of(k));
    text += fmt::format("gradient: input_backprop = gradients ⊗ (lo <= x <= hi ? 1 : 0) in the device arithmetic\n"
                        "x {}, lo {}, hi {}, gradient {}\nprofile {}: {}\nexact: {}\n",
                        show_bits(t, c.input.bits(static_cast<std::size_t>(k))), show_bits(t, c.input_min.bits(ch)),
                        show_bits(t, c.input_max.bits(ch)), show_bits(t, c.gradients.bits(static_cast<std::size_t>(k))),
                        profile_name(c.profile), show_bits(t, r.outputs[0].bits(static_cast<std::size_t>(k))),
                        show_bits(t, exact::exact_gradient(c).outputs[0].bits(static_cast<std::size_t>(k))));
    return text;
  }
  if (profile(c.profile).exact_arithmetic) return text + "the exact profile has no intermediate rounding to show\n";
  return text + "\n" + forward_explanation(c, k, answer, allowed);
}

}  // namespace qdq::conformance
