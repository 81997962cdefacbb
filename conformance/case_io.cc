#include "conformance/case_io.h"

#include <cctype>
#include <charconv>
#include <limits>
#include <regex>
#include <set>

#include "reference/exact/exact_float.h"

namespace qdq::conformance {
namespace {

using nlohmann::json;

struct Bad {
  std::string message;
};

[[noreturn]] void fail(std::string m) { throw Bad{std::move(m)}; }

std::string_view op_name(Op op) { return op == Op::Forward ? "forward" : "gradient"; }

std::uint64_t parse_element(DType t, const json& e, const std::string& where) {
  if (!e.is_string()) fail(where + ": expected a string (hex bits or decimal), got " + e.dump());
  const std::string s = e.get<std::string>();
  const int digits = format_of(t).width / 4;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    const std::string hex = s.substr(2);
    if (static_cast<int>(hex.size()) != digits) {
      fail(where + ": '" + s + "' has " + std::to_string(hex.size()) + " hex digits, " +
           std::string(dtype_name(t)) + " needs " + std::to_string(digits));
    }
    std::uint64_t v = 0;
    const auto [ptr, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
    if (ec != std::errc{} || ptr != hex.data() + hex.size()) fail(where + ": '" + s + "' is not hexadecimal");
    return v;
  }
  if (auto v = parse_decimal_value(t, s)) return *v;
  fail(where + ": '" + s + "' is neither 0x-hex bits nor a decimal number");
}

Tensor parse_tensor(DType t, const json& j, const std::string& name) {
  if (!j.is_object()) fail(name + ": expected an object with shape and data");
  for (const auto& [k, v] : j.items()) {
    if (k != "shape" && k != "data") fail(name + ": unknown key '" + k + "'");
  }
  if (!j.contains("shape") || !j["shape"].is_array()) fail(name + ": missing shape (an array of dimensions)");
  if (!j.contains("data") || !j["data"].is_array()) fail(name + ": missing data (an array of strings)");
  Shape shape;
  for (const json& d : j["shape"]) {
    if (!d.is_number_integer() || d.get<std::int64_t>() < 0) fail(name + ": shape entries must be integers >= 0, got " + d.dump());
    shape.push_back(d.get<std::int64_t>());
  }
  const std::int64_t n = num_elements(shape);
  if (n < 0 || n > (std::int64_t{1} << 31)) fail(name + ": shape " + shape_string(shape) + " is too large");
  const json& data = j["data"];
  if (static_cast<std::int64_t>(data.size()) != n) {
    fail(name + ": data has " + std::to_string(data.size()) + " elements, shape " + shape_string(shape) + " needs " +
         std::to_string(n));
  }
  Tensor out(t, shape);
  for (std::size_t i = 0; i < data.size(); ++i) out.set_bits(i, parse_element(t, data[i], name + ".data[" + std::to_string(i) + "]"));
  return out;
}

// TF's int attributes are int64 in the NodeDef; a kernel that reads one into an int rejects values
// outside int32 itself (validate.h), so any int64 is a valid case here.
std::int64_t int_attr(const json& v, const std::string& name) {
  if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<std::uint64_t>() > std::numeric_limits<std::int64_t>::max())) {
    fail("attr '" + name + "' must be an int64 integer, got " + v.dump());
  }
  return v.get<std::int64_t>();
}

bool bool_attr(const json& v, const std::string& name) {
  if (!v.is_boolean()) fail("attr '" + name + "' must be true or false, got " + v.dump());
  return v.get<bool>();
}

Attrs parse_attrs(const json& j, Op op) {
  Attrs a;
  if (!j.is_object()) fail("attrs: expected an object");
  for (const auto& [k, v] : j.items()) {
    if (op == Op::Gradient && k != "axis") fail("attr '" + k + "' does not apply to op gradient (only axis)");
    if (k == "signed_input") a.signed_input = bool_attr(v, k);
    else if (k == "range_given") a.range_given = bool_attr(v, k);
    else if (k == "narrow_range") a.narrow_range = bool_attr(v, k);
    else if (k == "num_bits") a.num_bits = int_attr(v, k);
    else if (k == "axis") a.axis = int_attr(v, k);
    else if (k == "round_mode") {
      if (!v.is_string()) fail("attr 'round_mode' must be a string, got " + v.dump());
      a.round_mode = v.get<std::string>();
    } else {
      fail("unknown attr '" + k + "'");
    }
  }
  return a;
}

std::string required_string(const json& j, const char* key) {
  if (!j.contains(key)) fail(std::string("missing '") + key + "'");
  if (!j[key].is_string()) fail(std::string("'") + key + "' must be a string, got " + j[key].dump());
  return j[key].get<std::string>();
}

Outcome parse_outcome(const json& j, const OpCase& c, const std::string& where) {
  if (!j.is_object()) fail(where + ": expected an object");
  Outcome o;
  if (j.contains("error")) {
    const json& e = j["error"];
    if (!e.is_object() || !e.contains("code") || !e["code"].is_string()) {
      fail(where + ".error: expected an object with a string \"code\", got " + e.dump());
    }
    if (e.contains("message") && !e["message"].is_string()) {
      fail(where + ".error.message: must be a string, got " + e["message"].dump());
    }
    const std::string code = e["code"].get<std::string>();
    Code parsed = Code::Ok;
    for (Code k : kErrorCodes) {
      if (code_name(k) == code) parsed = k;
    }
    if (parsed == Code::Ok) fail(where + ".error.code: unknown code '" + code + "'");
    o.status = {parsed, e.value("message", "")};
    return o;
  }
  const DType t = c.input.dtype;
  const std::vector<std::string> names = c.op == Op::Forward
      ? std::vector<std::string>{"output"} : std::vector<std::string>{"input_backprop", "input_min_backprop", "input_max_backprop"};
  for (const std::string& n : names) {
    if (!j.contains(n)) fail(where + ": missing '" + n + "'");
    o.outputs.push_back(parse_tensor(t, j[n], where + "." + n));
  }
  return o;
}

Match parse_match(const json& j) {
  if (!j.is_string()) fail("'match' must be a string");
  const std::string s = j.get<std::string>();
  if (s == "bits") return {};
  try {
    if (s.rfind("abs:", 0) == 0) return {Match::Tolerance, std::stod(s.substr(4)), 0};
    const std::size_t comma = s.find(',');
    if (s.rfind("close:", 0) == 0 && comma != std::string::npos) {
      return {Match::Tolerance, std::stod(s.substr(6, comma - 6)), std::stod(s.substr(comma + 1))};
    }
  } catch (const std::exception&) {
  }
  fail("'match' must be \"bits\", \"abs:ATOL\" or \"close:ATOL,RTOL\", got '" + s + "'");
}

using ojson = nlohmann::ordered_json;

ojson tensor_json(const Tensor& t) {
  ojson data = ojson::array();
  for (std::size_t i = 0; i < t.size(); ++i) data.push_back(hex_bits(t.dtype, t.bits(i)));
  return {{"shape", t.shape}, {"data", data}};
}

}  // namespace

// Decimal text to the nearest value of t (ties to even): exact rational, one rounding.
std::optional<std::uint64_t> parse_decimal_value(DType t, const std::string& s) {
  static const std::regex number(R"(([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?)");
  const FloatFormat f = format_of(t);
  std::string lower;
  for (char ch : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const bool neg = !lower.empty() && lower[0] == '-';
  const std::string body = !lower.empty() && (lower[0] == '-' || lower[0] == '+') ? lower.substr(1) : lower;
  if (body == "nan") return exact::round_to_format(exact::XFloat::nan(), f, false) ^ (neg ? 0 : sign_mask(t));
  if (body == "inf" || body == "infinity") return exact::round_to_format(exact::XFloat::inf(neg), f, false);
  std::smatch m;
  if (!std::regex_match(lower, m, number) || (m[2].length() == 0 && m[3].length() == 0)) return std::nullopt;
  const std::string digits = m[2].str() + m[3].str();
  if (digits.size() > 800) return std::nullopt;
  long exp10 = (m[4].matched ? std::stol(m[4].str()) : 0) - static_cast<long>(m[3].length());
  const std::size_t first = digits.find_first_not_of('0');  // a leading 0 would read as octal
  exact::Integer mant(first == std::string::npos ? std::string("0") : digits.substr(first));
  // Far outside every format's range: skip the huge power of ten.
  const long magnitude = exp10 + static_cast<long>(digits.size());
  if (mant == 0 || magnitude < -800) return exact::round_to_format(exact::XFloat::zero(neg), f, false);
  if (magnitude > 800) return exact::round_to_format(exact::XFloat::inf(neg), f, false);
  exact::Rational value;
  const exact::Integer p10 = boost::multiprecision::pow(exact::Integer(10), static_cast<unsigned>(exp10 < 0 ? -exp10 : exp10));
  value = exp10 < 0 ? exact::Rational(mant, p10) : exact::Rational(mant * p10);
  return exact::round_to_format({exact::XFloat::Finite, neg, value}, f, false);
}

Outcome parse_answer(const nlohmann::json& answer, const OpCase& c) {
  try {
    return parse_outcome(answer, c, "answer");
  } catch (const Bad& b) {
    throw std::runtime_error(b.message);
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("answer: ") + e.what());
  }
}

std::string hex_bits(DType t, std::uint64_t bits) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%0*llx", format_of(t).width / 4, static_cast<unsigned long long>(bits));
  return buf;
}

std::variant<CaseLine, BadCase> parse_case_line(std::string_view line, long line_number) {
  const std::string where = "line " + std::to_string(line_number) + ": ";
  json j;
  try {
    j = json::parse(line);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 6E666
    return BadCase{"", where + "not valid JSON (" + std::string(e.what()) + ")"};
  }
  std::string id;
  if (j.is_object() && j.contains("id") && j["id"].is_string()) id = j["id"].get<std::string>();
  try {
    if (!j.is_object()) fail("a case must be a JSON object");
    static const std::set<std::string> keys = {"id", "op", "profile", "dtype", "input", "input_min", "input_max",
                                               "gradients", "attrs", "expect", "match", "source", "note"};
    for (const auto& [k, v] : j.items()) {
      if (!keys.count(k)) fail("unknown key '" + k + "'");
    }
    CaseLine out;
    out.id = required_string(j, "id");
    OpCase& c = out.op_case;
    const std::string op = j.contains("op") ? required_string(j, "op") : "forward";
    if (op == "forward") c.op = Op::Forward;
    else if (op == "gradient") c.op = Op::Gradient;
    else fail("unknown op '" + op + "' (forward or gradient)");
    const std::string prof = required_string(j, "profile");
    const auto p = parse_profile(prof);
    if (!p) fail("unknown profile '" + prof + "' (tf-cpu, tf-gpu, tf-xla, exact)");
    c.profile = *p;
    const std::string dt = required_string(j, "dtype");
    const auto t = parse_dtype(dt);
    if (!t) fail("unknown dtype '" + dt + "' (bfloat16, float16, float32, float64)");
    if (!j.contains("input")) fail("missing 'input'");
    c.input = parse_tensor(*t, j["input"], "input");
    c.input_min = j.contains("input_min") ? parse_tensor(*t, j["input_min"], "input_min") : Tensor(*t, {});
    c.input_max = j.contains("input_max") ? parse_tensor(*t, j["input_max"], "input_max") : Tensor(*t, {});
    if (c.op == Op::Gradient) {
      if (!j.contains("gradients")) fail("op gradient needs 'gradients'");
      c.gradients = parse_tensor(*t, j["gradients"], "gradients");
    } else if (j.contains("gradients")) {
      fail("'gradients' belongs to op gradient only");
    }
    if (j.contains("attrs")) c.attrs = parse_attrs(j["attrs"], c.op);
    if (j.contains("expect")) out.expect = parse_outcome(j["expect"], c, "expect");
    if (j.contains("match")) out.match = parse_match(j["match"]);
    if (j.contains("source")) out.source = required_string(j, "source");
    return out;
  } catch (const Bad& b) {
    return BadCase{id, where + b.message};
  } catch (const std::exception& e) {  // json type errors and the like: still this line's fault
    return BadCase{id, where + e.what()};
  }
}

ojson answer_json(const std::string& id, Op op, const Outcome& o, bool with_classes) {
  ojson a = {{"id", id}};
  if (!o.status.ok()) {
    a["error"] = {{"code", code_name(o.status.code)}, {"message", o.status.message}};
    return a;
  }
  if (op == Op::Forward) {
    a["output"] = tensor_json(o.outputs.at(0));
  } else {
    a["input_backprop"] = tensor_json(o.outputs.at(0));
    a["input_min_backprop"] = tensor_json(o.outputs.at(1));
    a["input_max_backprop"] = tensor_json(o.outputs.at(2));
  }
  if (!with_classes || o.undefined.empty()) return a;
  ojson undefined = ojson::array(), bounded = ojson::array(), unconstrained = ojson::array();
  const DType t = o.outputs.at(0).dtype;
  for (std::size_t i = 0; i < o.undefined.size(); ++i) {
    switch (o.element_class(i)) {
      case ElementClass::Defined: continue;
      case ElementClass::Bounded: {
        ojson values = ojson::array();
        for (std::uint64_t v : o.alternatives_of(i)->values) values.push_back(hex_bits(t, v));
        bounded.push_back({{"element", i}, {"values", values}});
        break;
      }
      case ElementClass::Unconstrained: unconstrained.push_back(i); break;
    }
    undefined.push_back(i);
  }
  if (!undefined.empty()) a["implementation_defined"] = undefined;
  if (!bounded.empty()) a["bounded"] = bounded;
  if (!unconstrained.empty()) a["unconstrained"] = unconstrained;
  return a;
}

ojson bad_case_json(const BadCase& bad) {
  return {{"id", bad.id.empty() ? ojson(nullptr) : ojson(bad.id)}, {"error", {{"code", "BadCase"}, {"message", bad.message}}}};
}

ojson case_json(const std::string& id, const OpCase& c) {
  const Profile& p = profile(c.profile);
  ojson j = {{"id", id}, {"op", std::string(op_name(c.op))}, {"profile", std::string(p.name)},
            {"dtype", std::string(dtype_name(c.input.dtype))}, {"input", tensor_json(c.input)},
            {"input_min", tensor_json(c.input_min)}, {"input_max", tensor_json(c.input_max)}};
  if (c.op == Op::Gradient) {
    j["gradients"] = tensor_json(c.gradients);
    j["attrs"] = {{"axis", c.attrs.axis}};
  } else {
    const Attrs& a = c.attrs;
    j["attrs"] = {{"signed_input", a.signed_input}, {"num_bits", a.num_bits}, {"range_given", a.range_given},
                  {"round_mode", a.round_mode}, {"narrow_range", a.narrow_range}, {"axis", a.axis}};
  }
  return j;
}

}  // namespace qdq::conformance
