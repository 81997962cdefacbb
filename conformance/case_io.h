// Cases and answers as JSON lines: the `qdq eval` format of docs/case-format.md, shared by `qdq eval`, the
// known-answer files and the conformance reports.
#pragma once

#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "reference/contract/backend.h"

namespace qdq::conformance {

// How a known answer is checked against an outcome. Bits: bit for bit (NaN matches NaN).
// Tolerance: |observed - expected| <= atol + rtol * |expected|, exactly as TF's own test checks
// it (test::ExpectTensorNear: "abs:ATOL"; assertAllCloseAccordingToType: "close:ATOL,RTOL");
// used only where TF's test itself uses a tolerance, and reported as such.
struct Match {
  enum Kind { Bits, Tolerance } kind = Bits;
  double atol = 0, rtol = 0;
};

struct CaseLine {
  std::string id;
  OpCase op_case;
  // Known-answer files only: the expected outcome, how to match it, and where it comes from.
  std::optional<Outcome> expect;
  Match match;
  std::string source;
};

// A line that is not a valid case: the message names the line and what is wrong. `id` is the
// case's id when it could be read, else empty.
struct BadCase {
  std::string id;
  std::string message;
};

// Parses one JSON line. Omitted attrs take TF's defaults; an omitted input_min/input_max is a
// scalar +0 of the dtype. `data` entries are "0x" plus exactly the dtype's width in hex digits, or
// decimal strings ("0.3", "-1e-3", "nan", "-inf"), rounded to the dtype to nearest-even.
std::variant<CaseLine, BadCase> parse_case_line(std::string_view line, long line_number);

// Parses every non-blank line of `in` and calls f(line_number, parsed) for each, in order.
template <typename F>
void for_each_case_line(std::istream& in, F&& f) {
  std::string line;
  long number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") != std::string::npos) f(number, parse_case_line(line, number));
  }
}

// The answer line for an outcome (docs/case-format.md §5), keys in the order it gives: output, or the gradient's three
// tensors, or error. With `with_classes`, the elements of the first output that are not Defined
// (reference/contract/backend.h), each list only when not empty: "implementation_defined" (flat
// indices of all of them), "bounded" ({"element": i, "values": [hex, ...]}: TF's answer is one of
// the values, the first being the output's) and "unconstrained" (flat indices: nothing known).
nlohmann::ordered_json answer_json(const std::string& id, Op op, const Outcome& outcome, bool with_classes = true);
nlohmann::ordered_json bad_case_json(const BadCase& bad);

// Decimal text ("0.3", "-1e-3", "nan", "-inf") to the nearest value of t, ties to even (one
// exact rounding); nullopt when the text is not a number.
std::optional<std::uint64_t> parse_decimal_value(DType t, const std::string& text);

// The outcome in an answer object (the format answer_json writes, also used under "expect"): an
// "error" with code and message, or the op's output tensors. Throws std::runtime_error saying
// what is wrong.
Outcome parse_answer(const nlohmann::json& answer, const OpCase& c);

// Lowercase hex with 0x and the dtype's full width: 0x3f800000.
std::string hex_bits(DType t, std::uint64_t bits);

// One line of output: the object as compact JSON, any bytes that are not UTF-8 (in a message a
// plug-in or a malformed line brought) written as U+FFFD instead of failing.
template <typename Json>
std::string json_line(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Text as valid UTF-8: bytes that are not UTF-8 replaced with U+FFFD (for XML and HTML reports).
inline std::string utf8_or_replaced(const std::string& s) {
  return nlohmann::json::parse(json_line(nlohmann::json(s))).get<std::string>();
}

// The case as a JSON object in the same format (for known-answer files and reports).
nlohmann::ordered_json case_json(const std::string& id, const OpCase& c);

}  // namespace qdq::conformance
