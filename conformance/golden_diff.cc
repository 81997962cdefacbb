#include "conformance/golden_diff.h"

#include <map>

namespace qdq::conformance {
namespace {

// The case's inputs (the profile is the file's, compared apart).
bool same_inputs(const OpCase& x, const OpCase& y) {
  return x.op == y.op && x.attrs == y.attrs && x.input == y.input && x.input_min == y.input_min && x.input_max == y.input_max &&
         (x.op == Op::Forward || x.gradients == y.gradients);
}

// A case's id with its file's profile name taken out ("grid/tf-cpu@2.15/float32/..." and
// "grid/tf-cpu/float32/..." both become "grid/*/float32/...", and a leading "tf-cpu@2.15/" goes), so that the same case matches across
// files of two profiles (two releases).
std::string key(std::string id, const std::string& profile) {
  if (id.rfind(profile + "/", 0) == 0) id.erase(0, profile.size() + 1);  // "tf-cpu@2.15/tf-kernel/..."
  const std::string from = "/" + profile + "/";
  for (std::size_t at = id.find(from); at != std::string::npos; at = id.find(from, at + 3)) id.replace(at, from.size(), "/*/");
  return id;
}

}  // namespace

GoldenDiff diff_golden(const golden::GoldenFile& a, const golden::GoldenFile& b, std::size_t max_lines) {
  GoldenDiff d;
  std::map<std::string, const golden::GoldenCase*> in_b;
  for (const golden::GoldenCase& c : b.cases) in_b[key(c.id, b.provenance.profile)] = &c;
  std::map<std::string, bool> in_a;
  for (const golden::GoldenCase& ca : a.cases) {
    in_a[key(ca.id, a.provenance.profile)] = true;
    const auto at = in_b.find(key(ca.id, a.provenance.profile));
    if (at == in_b.end()) {
      d.only_a.push_back(ca.id);
      continue;
    }
    const golden::GoldenCase& cb = *at->second;
    if (!same_inputs(ca.op_case, cb.op_case) || (a.provenance.profile == b.provenance.profile && ca.op_case.profile != cb.op_case.profile)) {
      d.inputs_differ.push_back(ca.id);
      continue;
    }
    ++d.compared;
    // An element either file leaves implementation-defined is not compared.
    Outcome expected = ca.answer;
    if (!cb.answer.undefined.empty() && expected.status.ok() && cb.answer.status.ok()) {
      if (expected.undefined.empty()) expected.undefined.assign(cb.answer.undefined.size(), 0);
      for (std::size_t k = 0; k < expected.undefined.size() && k < cb.answer.undefined.size(); ++k) {
        expected.undefined[k] |= cb.answer.undefined[k];
      }
    }
    const Comparison c = compare_outcomes(ca.id, ca.op_case, expected, cb.answer);
    d.undefined += c.undefined;
    if (c.ok()) continue;
    ++d.answers_differ;
    for (const Mismatch& m : c.mismatches) {
      if (d.lines.size() < max_lines) d.lines.push_back(m);
    }
  }
  for (const golden::GoldenCase& cb : b.cases) {
    if (!in_a.count(key(cb.id, b.provenance.profile))) d.only_b.push_back(cb.id);
  }
  return d;
}

}  // namespace qdq::conformance
