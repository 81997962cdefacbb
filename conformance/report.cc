#include "conformance/report.h"

#include <fmt/format.h>

#include <set>

namespace qdq::conformance {

std::string explain_command(const std::string& suite, const Mismatch& m) {
  std::string where;
  if (suite.rfind("golden ", 0) == 0) {
    const std::string file = suite.substr(7);
    where = "--golden " + (file.find('/') == std::string::npos ? "golden/" + file : file);
  } else if (suite.rfind("verify ", 0) == 0) {
    where = "--case " + suite.substr(7);
  } else {
    where = "--suite " + suite;
  }
  std::string cmd = "qdq explain " + where + " --id '" + m.case_id + "'";
  if (m.element >= 0) cmd += " --element " + std::to_string(m.element);
  if (suite.rfind("verify ", 0) == 0) cmd += " --answer ANSWERS";
  return cmd;
}

void print_report(std::ostream& out, const std::vector<SuiteResult>& results) {
  const std::vector<std::string> preferred = {"HALF_TO_EVEN/per-tensor", "HALF_TO_EVEN/per-channel", "HALF_UP/per-tensor",
                                              "HALF_UP/per-channel", "gradient/per-tensor", "gradient/per-channel"};
  for (const SuiteResult& r : results) {
    std::vector<std::string> cols = preferred;
    std::set<std::string> seen;
    for (const auto& [row, c] : r.cells) {
      for (const auto& [col, t] : c) seen.insert(col);
    }
    for (const std::string& col : seen) {
      if (std::find(cols.begin(), cols.end(), col) == cols.end()) cols.push_back(col);
    }
    out << fmt::format("\n== suite {} / backend {} (cells: passed/failed/skipped cases; impl-def: cases wholly "
                       "unconstrained/unconstrained elements left out/bounded elements checked against their allowed "
                       "values) ==\n", r.suite, r.backend);
    out << fmt::format("{:<18}", "profile/dtype");
    for (const std::string& col : cols) out << fmt::format(" {:>25}", col);
    out << fmt::format(" {:>18}\n", "impl-def");
    for (const auto& [row, c] : r.cells) {
      out << fmt::format("{:<18}", row);
      long undefined = 0, undefined_cases = 0, bounded = 0;
      for (const std::string& col : cols) {
        auto it = c.find(col);
        if (it == c.end()) {
          out << fmt::format(" {:>25}", "-");
          continue;
        }
        const Tally& t = it->second;
        undefined += t.undefined;
        undefined_cases += t.undefined_cases;
        bounded += t.bounded;
        out << fmt::format(" {:>25}", fmt::format("{}/{}/{}", t.passed, t.failed, t.skipped));
      }
      out << fmt::format(" {:>18}\n", fmt::format("{}/{}/{}", undefined_cases, undefined, bounded));
    }
    const Tally t = r.total();
    out << fmt::format("total: {} passed, {} failed, {} skipped cases; implementation-defined elements: {} checked against "
                       "their allowed values, {} left out as unconstrained ({} cases wholly so, counted as neither)\n",
                       t.passed, t.failed, t.skipped, t.bounded, t.undefined, t.undefined_cases);
    for (const Mismatch& m : r.mismatches) out << "MISMATCH " << format_mismatch(m) << "\n";
    if (!r.mismatches.empty()) out << "explain the first: " << explain_command(r.suite, r.mismatches.front()) << "\n";
    if (r.mismatch_count > static_cast<long>(r.mismatches.size())) {
      out << fmt::format("... {} more mismatches not shown\n", r.mismatch_count - static_cast<long>(r.mismatches.size()));
    }
  }
}

}  // namespace qdq::conformance
