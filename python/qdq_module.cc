// The C++ side of the Python package `qdq` (python/qdq/): cases from the suites, golden files and
// case files, the reference, and the judging and reports of the engine, over plain Python values.
// Tensors cross as (shape tuple, bytes of the elements' bits); outcomes as ("ok", [tensors],
// element classes: one byte per element of the first output, ElementClass) or ("error", code, message). The Python layer turns them into
// numpy arrays and checks what users pass (python/qdq/__init__.py).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <sstream>

#include "conformance/backends.h"
#include "conformance/golden_io.h"
#include "conformance/grid.h"
#include "conformance/known_answers.h"
#include "conformance/report.h"
#include "conformance/suites.h"
#include "conformance/verify.h"
#include "golden/golden_file.h"
#include "python/dlpack_io.h"
#include "reference/exact/reference_backend.h"

namespace py = pybind11;

namespace qdq::python {
namespace {

using conformance::SuiteCase;

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

std::vector<std::string> profile_names() {
  std::vector<std::string> names;
  for (ProfileId p : kAllProfiles) names.emplace_back(profile_name(p));
  return names;
}

std::vector<std::string> dtype_names() {
  std::vector<std::string> names;
  for (DType t : kAllDTypes) names.emplace_back(dtype_name(t));
  return names;
}

ProfileId profile_arg(const std::string& name) {
  if (auto p = parse_profile(name)) return *p;
  throw py::value_error("unknown profile '" + name + "' (profiles: " + joined(profile_names()) + "; or BASE@RELEASE)");
}

DType dtype_arg(const std::string& name) {
  if (auto t = parse_dtype(name)) return *t;
  throw py::value_error("unknown dtype '" + name + "' (dtypes: " + joined(dtype_names()) + ")");
}

py::tuple tensor_out(const Tensor& t) {
  return py::make_tuple(py::tuple(py::cast(t.shape)), py::bytes(reinterpret_cast<const char*>(t.bytes.data()), t.bytes.size()));
}

// A tensor of dtype t from (shape, bytes); `what` names it in errors.
Tensor tensor_in(DType t, const py::handle& value, const std::string& what) {
  py::tuple pair;
  try {
    pair = value.cast<py::tuple>();
  } catch (const py::cast_error&) {
    throw py::type_error(what + ": expected (shape, bytes)");
  }
  if (pair.size() != 2) throw py::type_error(what + ": expected (shape, bytes)");
  Tensor out;
  out.dtype = t;
  out.shape = pair[0].cast<Shape>();
  const std::string bytes = pair[1].cast<std::string>();
  const std::int64_t n = num_elements(out.shape);
  if (n < 0) throw py::value_error(what + ": shape " + shape_string(out.shape) + " has a negative dimension or too many elements");
  if (static_cast<std::uint64_t>(n) * byte_width(t) != bytes.size()) {
    throw py::value_error(what + ": shape " + shape_string(out.shape) + " holds " + std::to_string(n) + " elements, the data " +
                          std::to_string(bytes.size() / byte_width(t)) + "");
  }
  out.bytes.assign(bytes.begin(), bytes.end());
  return out;
}

py::tuple outcome_out(const Outcome& o) {
  if (!o.status.ok()) return py::make_tuple("error", std::string(code_name(o.status.code)), o.status.message);
  py::list outputs;
  for (const Tensor& t : o.outputs) outputs.append(tensor_out(t));
  return py::make_tuple("ok", outputs, py::bytes(reinterpret_cast<const char*>(o.undefined.data()), o.undefined.size()));
}

// An answer: ("ok", [tensors]) or ("error", code, message), for case c.
Outcome outcome_in(const OpCase& c, const py::tuple& answer) {
  const std::string kind = answer[0].cast<std::string>();
  if (kind == "error") {
    const std::string code = answer[1].cast<std::string>();
    for (Code k : kErrorCodes) {
      if (code_name(k) == code) return Outcome::rejected({k, answer[2].cast<std::string>()});
    }
    throw py::value_error("unknown error code '" + code + "' (InvalidArgument, NotFound, Unimplemented)");
  }
  Outcome o;
  const py::list outputs = answer[1].cast<py::list>();
  const std::vector<std::string> names = c.op == Op::Forward
                                             ? std::vector<std::string>{"output"}
                                             : std::vector<std::string>{"input_backprop", "input_min_backprop", "input_max_backprop"};
  if (outputs.size() != names.size()) {
    throw py::value_error("the op has " + std::to_string(names.size()) + " output(s), the answer " + std::to_string(outputs.size()));
  }
  for (std::size_t i = 0; i < names.size(); ++i) o.outputs.push_back(tensor_in(c.input.dtype, outputs[i], names[i]));
  return o;
}

py::dict mismatch_out(const conformance::Mismatch& m) {
  py::dict d;
  d["case"] = m.case_id;
  d["output"] = m.output;
  d["element"] = m.element;
  d["input"] = m.input;
  d["expected"] = m.expected;
  d["got"] = m.observed;
  d["distance"] = m.distance;
  d["allowed"] = m.allowed;  // a Bounded element's allowed values (hex), else empty
  d["expected_by"] = m.expected_by;  // "TensorFlow", "the reference", both, or "" (compare.h)
  d["reference_expected"] = m.reference_expected;
  d["line"] = conformance::format_mismatch(m);
  return d;
}

// A verdict, and from the reference's outcome the elements of the first output that are not
// Defined: "bounded" {element: [allowed values, hex; the first the reference's]} and "unconstrained"
// [elements] (reference/contract/backend.h).
py::dict verdict_out(const conformance::Verdict& v, const Outcome& reference) {
  py::dict d;
  d["verdict"] = v.tally.failed ? "failed" : v.tally.undefined_cases ? "unchecked" : "passed";
  py::list mismatches;
  for (const auto& m : v.mismatches) mismatches.append(mismatch_out(m));
  d["mismatches"] = mismatches;
  d["unconstrained_elements"] = v.tally.undefined;
  d["bounded_elements"] = v.tally.bounded;
  py::dict bounded;
  py::list unconstrained;
  if (reference.status.ok() && !reference.outputs.empty()) {
    const DType t = reference.outputs[0].dtype;
    for (const Alternatives& a : reference.alternatives) {
      std::vector<std::string> values;
      for (std::uint64_t b : a.values) values.push_back(conformance::hex_bits(t, b));
      bounded[py::int_(a.element)] = values;
    }
    for (std::size_t k = 0; k < reference.undefined.size(); ++k) {
      if (reference.element_class(k) == ElementClass::Unconstrained) unconstrained.append(k);
    }
  }
  d["bounded"] = bounded;
  d["unconstrained"] = unconstrained;
  return d;
}

py::dict attrs_out(const Attrs& a) {
  py::dict d;
  d["signed_input"] = a.signed_input;
  d["num_bits"] = a.num_bits;
  d["range_given"] = a.range_given;
  d["round_mode"] = a.round_mode;
  d["narrow_range"] = a.narrow_range;
  d["axis"] = a.axis;
  return d;
}

Attrs attrs_in(const py::dict& d) {
  Attrs a;
  for (const auto& [key, value] : d) {
    const std::string k = key.cast<std::string>();
    if (k == "signed_input") a.signed_input = value.cast<bool>();
    else if (k == "num_bits") a.num_bits = value.cast<std::int64_t>();
    else if (k == "range_given") a.range_given = value.cast<bool>();
    else if (k == "round_mode") a.round_mode = value.cast<std::string>();
    else if (k == "narrow_range") a.narrow_range = value.cast<bool>();
    else if (k == "axis") a.axis = value.cast<std::int64_t>();
    else throw py::type_error("unknown attribute '" + k + "' (signed_input, num_bits, range_given, round_mode, narrow_range, axis)");
  }
  return a;
}

std::vector<SuiteCase> suite_cases(const std::string& suite, const std::vector<std::string>& profiles,
                                   const std::vector<std::string>& dtypes, std::uint64_t seed, const std::string& known_dir) {
  const auto& names = conformance::case_suite_names();
  if (std::find(names.begin(), names.end(), suite) == names.end()) {
    throw py::value_error("unknown suite '" + suite + "' (suites: " + joined(names) + ")");
  }
  std::vector<SuiteCase> out;
  for (const std::string& p : profiles) {
    for (const std::string& t : dtypes) {
      for (SuiteCase& c : conformance::suite_cases(suite, profile_arg(p), dtype_arg(t), seed,
                                                   known_dir.empty() ? conformance::default_known_answers_dir() : known_dir)) {
        out.push_back(std::move(c));
      }
    }
  }
  return out;
}

std::vector<SuiteCase> golden_cases(const std::string& path) {
  try {
    return conformance::golden_suite_cases(golden::read_golden(path));
  } catch (const golden::GoldenError& e) {
    throw py::value_error(e.what());
  }
}

std::vector<SuiteCase> parse_cases(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::vector<SuiteCase> out;
  conformance::for_each_case_line(in, [&](long, std::variant<conformance::CaseLine, conformance::BadCase> parsed) {
    if (auto* bad = std::get_if<conformance::BadCase>(&parsed)) throw py::value_error(name + ": " + bad->message);
    auto& c = std::get<conformance::CaseLine>(parsed);
    out.push_back({c.id, std::move(c.op_case), std::move(c.expect), c.match, c.source});
  });
  return out;
}

SuiteCase make_case(const std::string& id, const std::string& op, const std::string& profile, const std::string& dtype,
                    const py::dict& attrs, const py::dict& tensors) {
  SuiteCase sc;
  sc.id = id;
  if (op != "forward" && op != "gradient") throw py::value_error("unknown op '" + op + "' (forward, gradient)");
  OpCase& c = sc.op_case;
  c.op = op == "forward" ? Op::Forward : Op::Gradient;
  c.profile = profile_arg(profile);
  c.attrs = attrs_in(attrs);
  const DType t = dtype_arg(dtype);
  for (const auto& [key, value] : tensors) {
    const std::string k = key.cast<std::string>();
    if (k == "input") c.input = tensor_in(t, value, k);
    else if (k == "input_min") c.input_min = tensor_in(t, value, k);
    else if (k == "input_max") c.input_max = tensor_in(t, value, k);
    else if (k == "gradients" && c.op == Op::Gradient) c.gradients = tensor_in(t, value, k);
    else throw py::type_error("unknown tensor '" + k + "' for the " + op + " op");
  }
  for (const char* needed : {"input", "input_min", "input_max"}) {
    if (!tensors.contains(needed)) throw py::type_error(std::string("missing tensor '") + needed + "'");
  }
  if (c.op == Op::Gradient && !tensors.contains("gradients")) throw py::type_error("missing tensor 'gradients'");
  return sc;
}

const Tensor& tensor_of(const SuiteCase& sc, const std::string& name) {
  const OpCase& c = sc.op_case;
  if (name == "input") return c.input;
  if (name == "input_min") return c.input_min;
  if (name == "input_max") return c.input_max;
  if (name == "gradients" && c.op == Op::Gradient) return c.gradients;
  throw py::value_error("no tensor '" + name + "' in this case");
}

// Judges every answer (answers[i] for cases[i]: an answer tuple, ("unsupported",), or ("failure",
// message)) and returns the matrix as `qdq conformance` prints it, with the totals and the cells.
py::dict report(const std::vector<SuiteCase>& cases, const py::list& answers, const std::string& suite,
                const std::string& answerer, std::size_t max_mismatches) {
  if (answers.size() != cases.size()) throw py::value_error("one answer per case");
  std::vector<std::optional<Outcome>> outcomes(cases.size());
  std::vector<std::string> failures(cases.size());
  std::vector<bool> unsupported(cases.size(), false);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const py::tuple a = answers[i].cast<py::tuple>();
    const std::string kind = a[0].cast<std::string>();
    if (kind == "unsupported") unsupported[i] = true;
    else if (kind == "failure") failures[i] = a[1].cast<std::string>();
    else outcomes[i] = outcome_in(cases[i].op_case, a);
  }
  std::vector<conformance::Verdict> verdicts(cases.size());
  {
    py::gil_scoped_release release;
    conformance::parallel_for_each_index(cases.size(), 0, [&] {
      return [&, reference = ReferenceBackend()](std::size_t i) mutable {
        conformance::Verdict& v = verdicts[i];
        if (unsupported[i]) {
          v.tally.skipped = 1;
        } else if (!failures[i].empty()) {
          v = conformance::not_run(cases[i], failures[i]);
        } else {
          v = conformance::judge_answer(cases[i], *outcomes[i], reference);
        }
      };
    });
  }
  conformance::RunOptions options;
  options.max_mismatches = max_mismatches;
  const conformance::SuiteResult r = conformance::collect(suite, answerer, cases, verdicts, options);
  std::ostringstream text;
  conformance::print_report(text, {r});
  const conformance::Tally t = r.total();
  py::dict out;
  out["text"] = text.str();
  out["passed"] = t.passed;
  out["failed"] = t.failed;
  out["skipped"] = t.skipped;
  out["implementation_defined_cases"] = t.undefined_cases;
  out["implementation_defined_elements"] = t.undefined;
  out["bounded_elements"] = t.bounded;
  py::dict cells;
  for (const auto& [row, cols] : r.cells) {
    for (const auto& [col, tally] : cols) {
      cells[py::make_tuple(row, col)] = py::make_tuple(tally.passed, tally.failed, tally.skipped);
    }
  }
  out["cells"] = cells;
  py::list mismatches;
  for (const auto& m : r.mismatches) mismatches.append(mismatch_out(m));
  out["mismatches"] = mismatches;
  out["mismatch_count"] = r.mismatch_count;
  return out;
}

}  // namespace
}  // namespace qdq::python

PYBIND11_MODULE(_qdq, m) {
  using namespace qdq;
  using namespace qdq::python;
  m.doc() = "C++ core of the qdq package (use the package `qdq`, not this module)";
  py::class_<SuiteCase>(m, "Case")
      .def_property_readonly("id", [](const SuiteCase& c) { return c.id; })
      .def_property_readonly("op", [](const SuiteCase& c) { return c.op_case.op == Op::Forward ? "forward" : "gradient"; })
      .def_property_readonly("profile", [](const SuiteCase& c) { return std::string(profile_name(c.op_case.profile)); })
      .def_property_readonly("dtype", [](const SuiteCase& c) { return std::string(dtype_name(c.op_case.input.dtype)); })
      .def_property_readonly("source", [](const SuiteCase& c) { return c.source; })
      .def_property_readonly("attrs", [](const SuiteCase& c) { return attrs_out(c.op_case.attrs); })
      .def("tensor", [](const SuiteCase& c, const std::string& name) { return tensor_out(tensor_of(c, name)); })
      .def("known", [](const SuiteCase& c) -> py::object {
        if (!c.known) return py::none();
        return outcome_out(*c.known);
      })
      .def("reference", [](const SuiteCase& c, const std::string& profile) {
        OpCase oc = c.op_case;
        if (!profile.empty()) oc.profile = profile_arg(profile);
        Outcome o;
        {
          py::gil_scoped_release release;
          o = ReferenceBackend().run(oc);
        }
        return outcome_out(o);
      })
      .def("judge", [](const SuiteCase& c, const py::tuple& answer) {
        const Outcome observed = outcome_in(c.op_case, answer);
        conformance::Verdict v;
        Outcome reference;
        {
          py::gil_scoped_release release;
          reference = ReferenceBackend().run(c.op_case);
          v = conformance::judge_outcome(c, reference, observed);  // as judge_answer does
        }
        return verdict_out(v, reference);
      })
      .def("json", [](const SuiteCase& c) { return conformance::json_line(conformance::case_line_json(c)); });
  m.def("suite_names", [] { return conformance::case_suite_names(); });
  m.def("profile_names", &profile_names);
  m.def("canonical_profile", [](const std::string& name) { return std::string(profile_name(profile_arg(name))); });
  m.def("dtype_names", &dtype_names);
  m.def("suite_cases", &suite_cases, py::arg("suite"), py::arg("profiles"), py::arg("dtypes"), py::arg("seed"), py::arg("known_dir"));
  m.def("golden_cases", &golden_cases, py::arg("path"));
  m.def("parse_cases", &parse_cases, py::arg("text"), py::arg("name"));
  m.def("make_case", &make_case, py::arg("id"), py::arg("op"), py::arg("profile"), py::arg("dtype"), py::arg("attrs"),
        py::arg("tensors"));
  m.def("report", &report, py::arg("cases"), py::arg("answers"), py::arg("suite"), py::arg("answerer"), py::arg("max_mismatches"));
  m.def("read_dlpack", &read_dlpack, py::arg("capsule"), py::arg("what"));
  m.def("export_dlpack", &export_dlpack, py::arg("dtype"), py::arg("shape"), py::arg("data"));
  m.attr("default_seed") = conformance::kDefaultSeed;
}
