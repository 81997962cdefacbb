#include "conformance/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "reference/contract/view.h"

namespace qdq::conformance {
namespace {

std::string status_text(const Status& s) {
  if (s.ok()) return "OK";
  return std::string(code_name(s.code)) + " \"" + s.message + "\"";
}

// Distance of two patterns in units in the last place: positions apart on the ordered line of
// values of the format.
long double ulp_distance(DType t, std::uint64_t a, std::uint64_t b) {
  auto ordered = [&](std::uint64_t x) -> long double {
    const std::uint64_t mag = x & ~sign_mask(t);
    return (x & sign_mask(t)) ? -static_cast<long double>(mag) : static_cast<long double>(mag);
  };
  return ordered(b) - ordered(a);
}

// The quantization step of the element's channel, approximately (double arithmetic, display
// only): the larger of |lo|/|qmin| and |hi|/qmax over the given or measured range.
double approx_step(const OpCase& c, std::int64_t k) {
  const Attrs& a = c.attrs;
  if (c.op != Op::Forward || a.num_bits < 1 || a.num_bits > 62) return NAN;
  const ChannelView v = channel_view(c.input.shape, a.axis);
  const std::int64_t ch = a.axis == -1 ? 0 : v.channel_of(k);
  double lo = INFINITY, hi = -INFINITY;
  if (a.range_given && c.input_min.size() > static_cast<std::size_t>(a.axis == -1 ? 0 : ch)) {
    lo = value_as_double(c.input.dtype, c.input_min.bits(a.axis == -1 ? 0 : ch));
    hi = value_as_double(c.input.dtype, c.input_max.bits(a.axis == -1 ? 0 : ch));
  } else {
    for_each_in_channel(v, ch, [&](std::int64_t j) {
      const double x = value_as_double(c.input.dtype, c.input.bits(j));
      lo = std::fmin(lo, x);
      hi = std::fmax(hi, x);
    });
  }
  const double b = static_cast<double>(a.num_bits);
  const double qmax = a.signed_input ? std::exp2(b - 1) - 1 : std::exp2(b) - 1;
  const double qmin = a.signed_input ? std::exp2(b - 1) : 0;
  return std::fmax(qmin > 0 ? std::fabs(lo) / qmin : 0, qmax > 0 ? std::fabs(hi) / qmax : 0);
}

bool within(DType t, std::uint64_t e, std::uint64_t o, const Match& m) {
  const double x = value_as_double(t, e), y = value_as_double(t, o);
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
  return std::fabs(y - x) <= m.atol + m.rtol * std::fabs(x);
}

}  // namespace

Comparison compare_outcomes(const std::string& id, const OpCase& c, const Outcome& expected, const Outcome& observed,
                            const Match& match, bool strict_nan, const Outcome* classes) {
  Comparison r;
  if (expected.status != observed.status) {
    r.mismatches.push_back({id, "status", -1, "", status_text(expected.status), status_text(observed.status), ""});
    return r;
  }
  if (!expected.status.ok()) return r;
  static const char* forward_names[] = {"output"};
  static const char* gradient_names[] = {"input_backprop", "input_min_backprop", "input_max_backprop"};
  if (observed.outputs.size() != expected.outputs.size()) {
    r.mismatches.push_back({id, "outputs", -1, "", std::to_string(expected.outputs.size()) + " tensors",
                            std::to_string(observed.outputs.size()) + " tensors", ""});
    return r;
  }
  const Outcome& cls = classes ? *classes : expected;
  for (std::size_t n = 0; n < expected.outputs.size(); ++n) {
    const Tensor& e = expected.outputs[n];
    const Tensor& o = observed.outputs[n];
    const std::string name = c.op == Op::Forward ? forward_names[0] : gradient_names[n];
    if (e.shape != o.shape || e.dtype != o.dtype || o.bytes.size() != e.bytes.size()) {
      r.mismatches.push_back({id, name, -1, "", "shape " + shape_string(e.shape), "shape " + shape_string(o.shape), ""});
      continue;
    }
    const DType t = e.dtype;
    auto equal = [&](std::uint64_t u, std::uint64_t w) { return u == w || (!strict_nan && is_nan_bits(t, u) && is_nan_bits(t, w)); };
    // A mismatch of element k: observed ob against eb (the distance's origin).
    auto mismatch = [&](std::size_t k, std::uint64_t eb, std::uint64_t ob, std::vector<std::string> allowed) {
      char dist[96] = "";
      double ulps = NAN, steps = NAN;
      if (!is_nan_bits(t, eb) && !is_nan_bits(t, ob)) {
        const double step = name == "output" ? approx_step(c, static_cast<std::int64_t>(k)) : NAN;
        steps = (value_as_double(t, ob) - value_as_double(t, eb)) / step;
        if (!std::isfinite(steps)) steps = NAN;
        ulps = static_cast<double>(ulp_distance(t, eb, ob));
        std::snprintf(dist, sizeof dist, "%+.0Lf ulp", ulp_distance(t, eb, ob));
        if (std::isfinite(steps)) std::snprintf(dist + std::strlen(dist), sizeof dist - std::strlen(dist), ", ~%+.3g step", steps);
      }
      const std::string input = k < c.input.size() ? hex_bits(t, c.input.bits(k)) : "";
      r.mismatches.push_back(
          {id, name, static_cast<std::int64_t>(k), input, hex_bits(t, eb), hex_bits(t, ob), dist, ulps, steps, {}, {}, std::move(allowed)});
    };
    for (std::size_t k = 0; k < e.size(); ++k) {
      const ElementClass ec = n == 0 ? cls.element_class(k) : ElementClass::Defined;
      if (ec == ElementClass::Unconstrained) {
        ++r.undefined;
        continue;
      }
      ++r.elements;
      const std::uint64_t eb = e.bits(k), ob = o.bits(k);
      if (ec == ElementClass::Bounded) {
        ++r.bounded;
        const std::vector<std::uint64_t>& values = cls.alternatives_of(k)->values;
        auto allowed = [&](std::uint64_t b) { return std::any_of(values.begin(), values.end(), [&](std::uint64_t v) { return equal(v, b); }); };
        // Bit for bit, the expected value is an answer of TF's and must be one of the set; under a
        // known answer's tolerance it is TF's test's approximate value, and the observed one may be
        // within the tolerance of it instead.
        const bool tolerance = match.kind == Match::Tolerance;
        const bool expected_allowed = allowed(eb);
        if ((expected_allowed || tolerance) && (allowed(ob) || (tolerance && within(t, eb, ob, match)))) continue;
        // The origin: the expected value where it is outside the set, else the allowed value nearest ob.
        std::uint64_t origin = expected_allowed ? values[0] : eb;
        if (expected_allowed && !is_nan_bits(t, ob)) {
          long double best = INFINITY;
          for (std::uint64_t v : values) {
            if (is_nan_bits(t, v)) continue;
            const long double d = std::fabs(ulp_distance(t, v, ob));
            if (d < best) best = d, origin = v;
          }
        }
        std::vector<std::string> hex;
        for (std::uint64_t v : values) hex.push_back(hex_bits(t, v));
        mismatch(k, origin, ob, std::move(hex));
        continue;
      }
      bool same = equal(eb, ob);
      if (!same && match.kind == Match::Tolerance) same = within(t, eb, ob, match);
      if (!same) mismatch(k, eb, ob, {});
    }
  }
  return r;
}

std::string format_mismatch(const Mismatch& m) {
  // fmt rather than string concatenation: GCC 12 warns falsely (-Wrestrict, GCC bug 105651).
  const std::string element = m.element >= 0 ? fmt::format("[{}] input {}", m.element, m.input) : "";
  const std::string distance = m.distance.empty() ? "" : fmt::format(" ({})", m.distance);
  std::string expected = m.expected;
  if (!m.allowed.empty()) {
    const std::string set = fmt::format("{{{}}}", fmt::join(m.allowed, ", "));
    const bool among = std::find(m.allowed.begin(), m.allowed.end(), m.expected) != m.allowed.end();
    expected = among ? "one of " + set : fmt::format("{}, none of the allowed {},", m.expected, set);
  }
  std::string who;
  if (!m.expected_by.empty()) {
    who = m.reference_expected.empty() ? fmt::format(" ({})", m.expected_by)
                                       : fmt::format(" ({}; the reference: {})", m.expected_by, m.reference_expected);
  }
  return fmt::format("{} {}{} expected {}{} observed {}{}", m.case_id, m.output, element, expected, who, m.observed, distance);
}

}  // namespace qdq::conformance
