#include "conformance/eval.h"

#include <string>
#include <variant>

#include "conformance/case_io.h"

namespace qdq::conformance {

EvalCounts run_eval(std::istream& in, std::ostream& out, Backend& backend) {
  EvalCounts counts;
  for_each_case_line(in, [&](long, const std::variant<CaseLine, BadCase>& parsed) {
    if (auto* bad = std::get_if<BadCase>(&parsed)) {
      ++counts.bad_cases;
      out << json_line(bad_case_json(*bad)) << "\n";
      return;
    }
    const CaseLine& c = std::get<CaseLine>(parsed);
    ++counts.cases;
    if (!backend.supports_op(c.op_case.op, c.op_case.profile, c.op_case.input.dtype)) {
      ++counts.unsupported;
      const std::string why = "backend " + std::string(backend.name()) + " does not implement profile " +
                              std::string(profile_name(c.op_case.profile)) + " for " +
                              std::string(dtype_name(c.op_case.input.dtype));
      out << json_line(nlohmann::ordered_json{{"id", c.id}, {"error", {{"code", "Unsupported"}, {"message", why}}}}) << "\n";
      return;
    }
    Outcome o;
    try {
      o = backend.run(c.op_case);
    } catch (const std::exception& e) {
      ++counts.backend_failures;
      out << json_line(nlohmann::ordered_json{{"id", c.id}, {"error", {{"code", "BackendError"}, {"message", e.what()}}}}) << "\n";
      return;
    }
    if (!o.status.ok()) ++counts.errors;
    out << json_line(answer_json(c.id, c.op_case.op, o)) << "\n";
  });
  out.flush();
  return counts;
}

}  // namespace qdq::conformance
