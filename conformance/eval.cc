#include "conformance/eval.h"

#include <string>
#include <variant>

#include "conformance/case_io.h"

namespace qdq::conformance {

EvalCounts run_eval(std::istream& in, std::ostream& out, Backend& backend) {
  EvalCounts counts;
  std::string line;
  long number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto parsed = parse_case_line(line, number);
    if (auto* bad = std::get_if<BadCase>(&parsed)) {
      ++counts.bad_cases;
      out << bad_case_json(*bad).dump() << "\n";
      continue;
    }
    const CaseLine& c = std::get<CaseLine>(parsed);
    ++counts.cases;
    if (!backend.supports(c.op_case.profile, c.op_case.input.dtype)) {
      ++counts.unsupported;
      const std::string why = "backend " + std::string(backend.name()) + " does not implement profile " +
                              std::string(profile_name(c.op_case.profile)) + " for " +
                              std::string(dtype_name(c.op_case.input.dtype));
      out << nlohmann::json{{"id", c.id}, {"error", {{"code", "Unsupported"}, {"message", why}}}}.dump() << "\n";
      continue;
    }
    const Outcome o = backend.run(c.op_case);
    if (!o.status.ok()) ++counts.errors;
    out << answer_json(c.id, c.op_case.op, o).dump() << "\n";
  }
  out.flush();
  return counts;
}

}  // namespace qdq::conformance
