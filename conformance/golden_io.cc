#include "conformance/golden_io.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "conformance/case_io.h"
#include "conformance/known_answers.h"
#include "reference/exact/reference_backend.h"

namespace qdq::conformance {
namespace {

// Copies the reference's element classes onto an answer with the same output shape. A golden file
// stores one flag per element that is not Defined (Bounded or Unconstrained alike) and one reason
// per case: the unconstrained elements' reason, else the causes of the bounded ones.
void mark_undefined(const OpCase& c, Outcome& answer, ReferenceBackend& reference) {
  const Outcome r = reference.run(c);
  if (r.undefined.empty() || !answer.status.ok() || answer.outputs.empty() || r.outputs.empty() ||
      answer.outputs[0].shape != r.outputs[0].shape) {
    return;
  }
  answer.undefined = r.undefined;
  answer.alternatives = r.alternatives;
  std::uint8_t causes = 0;
  for (const Alternatives& a : r.alternatives) causes |= a.causes;
  answer.undefined_reason = !r.undefined_reason.empty() ? r.undefined_reason : undefined_cause_text(causes);
}

}  // namespace

golden::GoldenFile golden_from_backend(const std::vector<SuiteCase>& cases, Backend& backend, golden::Provenance provenance) {
  golden::GoldenFile file{std::move(provenance), {}};
  ReferenceBackend reference;
  for (const SuiteCase& s : cases) {
    if (!backend.supports_op(s.op_case.op, s.op_case.profile, s.op_case.input.dtype)) {
      throw std::runtime_error("backend " + std::string(backend.name()) + " does not implement case " + s.id);
    }
    Outcome answer = backend.run(s.op_case);
    answer.undefined.clear();
    answer.alternatives.clear();
    answer.undefined_reason.clear();
    mark_undefined(s.op_case, answer, reference);
    file.cases.push_back({s.id, s.op_case, std::move(answer)});
  }
  return file;
}

golden::GoldenFile golden_from_answers(const std::vector<SuiteCase>& cases, std::istream& answers,
                                       golden::Provenance provenance) {
  std::string line;
  long number = 0;
  auto next_line = [&]() -> nlohmann::json {
    if (!std::getline(answers, line)) {
      throw std::runtime_error("answers end after line " + std::to_string(number) + ": " + std::to_string(cases.size()) +
                               " cases need " + std::to_string(cases.size() + 1) + " lines");
    }
    ++number;
    try {
      return nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error("answers line " + std::to_string(number) + ": not valid JSON (" + e.what() + ")");
    }
  };
  const nlohmann::json header = next_line();
  if (!header.is_object() || !header.contains("provenance") || !header["provenance"].is_object()) {
    throw std::runtime_error("answers line 1: expected {\"provenance\": {...}}");
  }
  const nlohmann::json& p = header["provenance"];
  auto text = [&](const char* key) -> std::string {  // an optional string of the provenance
    if (!p.contains(key)) return "";
    if (!p[key].is_string()) throw std::runtime_error(std::string("answers line 1: provenance.") + key + " must be a string");
    return p[key].get<std::string>();
  };
  provenance.tf_version = text("tf_version");
  provenance.tf_mode = text("tf_mode");
  provenance.device = text("device");
  provenance.answers_from = "tensorflow";
  golden::GoldenFile file{std::move(provenance), {}};
  ReferenceBackend reference;
  for (const SuiteCase& s : cases) {
    const nlohmann::json a = next_line();
    const std::string where = "answers line " + std::to_string(number);
    if (!a.is_object() || !a.contains("id") || a["id"] != s.id) {
      throw std::runtime_error(where + ": expected the answer to case " + s.id);
    }
    Outcome answer;
    try {
      answer = parse_answer(a, s.op_case);
    } catch (const std::exception& e) {
      throw std::runtime_error(where + ": " + e.what());
    }
    mark_undefined(s.op_case, answer, reference);
    file.cases.push_back({s.id, s.op_case, std::move(answer)});
  }
  if (std::getline(answers, line) && line.find_first_not_of(" \t\r") != std::string::npos) {
    throw std::runtime_error("answers line " + std::to_string(number + 1) + ": more answers than cases");
  }
  return file;
}

std::string default_golden_dir() { return source_dir() + "/golden"; }

std::vector<std::string> golden_files_in(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".h5") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<SuiteCase> golden_suite_cases(const golden::GoldenFile& file) {
  std::vector<SuiteCase> out;
  for (const golden::GoldenCase& c : file.cases) out.push_back({c.id, c.op_case, c.answer, {}, "golden"});
  return out;
}

}  // namespace qdq::conformance
