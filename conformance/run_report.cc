#include "conformance/run_report.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "conformance/case_io.h"

namespace qdq::conformance {
namespace {

using Json = nlohmann::ordered_json;

Json tally_json(const Tally& t) {
  return {{"passed", t.passed},
          {"failed", t.failed},
          {"skipped", t.skipped},
          {"implementation_defined_cases", t.undefined_cases},
          {"implementation_defined_elements", t.undefined},
          {"bounded_elements", t.bounded}};
}

Json number_or_null(double v) { return std::isnan(v) ? Json(nullptr) : Json(v); }

Json mismatch_json(const Mismatch& m) {
  Json j = {{"case", m.case_id}, {"row", m.row}, {"column", m.column}, {"output", m.output},
            {"element", m.element}, {"input", m.input}, {"expected", m.expected}, {"observed", m.observed},
            {"ulps", number_or_null(m.ulps)}, {"steps", number_or_null(m.steps)}, {"line", format_mismatch(m)}};
  if (!m.allowed.empty()) j["allowed"] = m.allowed;
  if (!m.expected_by.empty()) j["expected_by"] = m.expected_by;
  if (!m.reference_expected.empty()) j["reference_expected"] = m.reference_expected;
  return j;
}

Json suite_json(const SuiteResult& r, long cases_in_run) {
  Json cells = Json::array();
  for (const auto& [row, cols] : r.cells) {
    for (const auto& [col, t] : cols) {
      Json c = {{"row", row}, {"column", col}};
      c.update(tally_json(t));
      Json first = Json::array();
      if (const auto at = r.cell_mismatches.find(row); at != r.cell_mismatches.end()) {
        if (const auto in = at->second.find(col); in != at->second.end()) {
          for (const Mismatch& m : in->second) first.push_back(mismatch_json(m));
        }
      }
      c["first_mismatches"] = first;
      cells.push_back(c);
    }
  }
  Json mismatches = Json::array();
  for (const Mismatch& m : r.mismatches) mismatches.push_back(mismatch_json(m));
  const DistanceHistogram& d = r.distances;
  return {{"suite", r.suite},
          {"backend", r.backend},
          {"cases_in_run", cases_in_run},
          {"cases", r.cases},
          {"totals", tally_json(r.total())},
          {"cells", cells},
          {"mismatch_count", r.mismatch_count},
          {"mismatches", mismatches},
          {"distances", {{"ulp_edges", DistanceHistogram::kUlpEdges}, {"ulps", d.ulps},
                         {"step_edges", DistanceHistogram::kStepEdges}, {"steps", d.steps}, {"other", d.other}}}};
}

// Field access that names the file and the field on failure.
class Reader {
 public:
  Reader(const nlohmann::json& j, std::string where) : j_(j), where_(std::move(where)) {}
  const nlohmann::json& at(const char* key) const {
    if (!j_.is_object() || !j_.contains(key)) throw ReportError(where_ + ": no \"" + key + "\"");
    return j_.at(key);
  }
  template <typename T>
  T get(const char* key) const {
    try {
      return at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
      throw ReportError(where_ + ": \"" + key + "\" has the wrong type");
    }
  }
  long count(const char* key) const {
    const long v = get<long>(key);
    if (v < 0) throw ReportError(where_ + ": \"" + key + "\" is negative");
    return v;
  }
  // A count added to the schema later: 0 where a report has none.
  bool optional_present(const char* key) const { return j_.is_object() && j_.contains(key); }
  long optional_count(const char* key) const { return optional_present(key) ? count(key) : 0; }
  Reader in(const char* key) const { return Reader(at(key), where_ + "." + key); }
  const std::string& where() const { return where_; }

 private:
  const nlohmann::json& j_;
  std::string where_;
};

Tally tally_from(const Reader& r) {
  Tally t;
  t.passed = r.count("passed");
  t.failed = r.count("failed");
  t.skipped = r.count("skipped");
  t.undefined_cases = r.count("implementation_defined_cases");
  t.undefined = r.count("implementation_defined_elements");
  t.bounded = r.optional_count("bounded_elements");  // absent from reports of qdq before it: none
  return t;
}

double number_from(const nlohmann::json& v) { return v.is_number() ? v.get<double>() : NAN; }

Mismatch mismatch_from(const Reader& m) {
  Mismatch x;
  x.case_id = m.get<std::string>("case");
  x.row = m.get<std::string>("row");
  x.column = m.get<std::string>("column");
  x.output = m.get<std::string>("output");
  x.element = m.get<std::int64_t>("element");
  x.input = m.get<std::string>("input");
  x.expected = m.get<std::string>("expected");
  x.observed = m.get<std::string>("observed");
  x.ulps = number_from(m.at("ulps"));
  x.steps = number_from(m.at("steps"));
  if (m.optional_present("allowed")) x.allowed = m.get<std::vector<std::string>>("allowed");
  if (m.optional_present("expected_by")) x.expected_by = m.get<std::string>("expected_by");
  if (m.optional_present("reference_expected")) x.reference_expected = m.get<std::string>("reference_expected");
  const std::string line = m.get<std::string>("line");
  // The distance text is the line's last parenthesis, as format_mismatch wrote it.
  const std::size_t open = line.rfind(" (");
  if (!std::isnan(x.ulps) && open != std::string::npos && line.back() == ')') x.distance = line.substr(open + 2, line.size() - open - 3);
  return x;
}

std::string shard_text(const Shard& s) { return std::to_string(s.index) + "/" + std::to_string(s.count); }

// Text as XML 1.0 character data: markup escaped, characters XML forbids (controls other than tab,
// newline, return) and bytes that are not UTF-8 replaced with U+FFFD.
std::string xml_text(const std::string& s) {
  std::string out;
  for (const char ch : utf8_or_replaced(s)) {
    const auto u = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (u < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') out += "\xEF\xBF\xBD";
        else out += ch;
    }
  }
  return out;
}

}  // namespace

Shard parse_shard(const std::string& spec) {
  const std::size_t slash = spec.find('/');
  auto number = [&](std::string_view text, int& v) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty();
  };
  Shard s;
  if (slash == std::string::npos || !number(std::string_view(spec).substr(0, slash), s.index) ||
      !number(std::string_view(spec).substr(slash + 1), s.count) || s.count < 1 || s.index < 1 || s.index > s.count) {
    throw std::invalid_argument("shard '" + spec + "': expected I/N with 1 <= I <= N (e.g. 2/4)");
  }
  return s;
}

std::vector<SuiteCase> shard_cases(std::vector<SuiteCase> all, const Shard& s) {
  if (s.whole()) return all;
  // The stratum: what picks a different path through a kernel (op, profile, dtype, rounding mode,
  // signedness, narrow_range, range_given, per-tensor or per-channel).
  using Stratum = std::tuple<Op, ProfileId, DType, std::string, bool, bool, bool, bool>;
  std::map<Stratum, long> seen;
  std::vector<SuiteCase> mine;
  for (SuiteCase& c : all) {
    const OpCase& o = c.op_case;
    const Attrs& a = o.attrs;
    const long rank = seen[{o.op, o.profile, o.input.dtype, a.round_mode, a.signed_input, a.narrow_range,
                            a.range_given, a.axis == -1}]++;
    if (rank % s.count == s.index - 1) mine.push_back(std::move(c));
  }
  return mine;
}

nlohmann::ordered_json report_json(const RunReport& r) {
  const RunInfo& i = r.info;
  Tally total;
  Json suites = Json::array();
  for (const SuiteResult& s : r.results) {
    total += s.total();
    const auto in_run = i.cases_in_run.find(s.suite);
    suites.push_back(suite_json(s, in_run == i.cases_in_run.end() ? s.cases : in_run->second));
  }
  return {{"schema", "qdq-report"},
          {"schema_version", kReportSchemaVersion},
          {"provenance", {{"command", i.command}, {"selection", i.selection}, {"qdq_version", i.qdq_version},
                          {"git_commit", i.git_commit}, {"created", i.created}, {"machine", i.machine}, {"seed", i.seed},
                          {"backends", i.backends}}},
          {"shard", {{"index", i.shard.index}, {"count", i.shard.count}}},
          {"totals", tally_json(total)},
          {"suites", suites}};
}

RunReport parse_report(const nlohmann::json& j, const std::string& name) {
  const Reader top(j, name);
  if (!j.is_object() || !j.contains("schema") || j["schema"] != "qdq-report") {
    throw ReportError(name + ": not a qdq report (no \"schema\": \"qdq-report\")");
  }
  const int version = top.get<int>("schema_version");
  if (version != kReportSchemaVersion) {
    throw ReportError(fmt::format("{}: report schema version {}, this qdq reads version {}", name, version, kReportSchemaVersion));
  }
  RunReport r;
  const Reader p = top.in("provenance");
  r.info.command = p.get<std::string>("command");
  r.info.selection = p.get<std::string>("selection");
  r.info.qdq_version = p.get<std::string>("qdq_version");
  r.info.git_commit = p.get<std::string>("git_commit");
  r.info.created = p.get<std::string>("created");
  r.info.machine = p.get<std::string>("machine");
  r.info.seed = p.get<std::uint64_t>("seed");
  r.info.backends = p.get<std::vector<std::string>>("backends");
  const Reader sh = top.in("shard");
  r.info.shard = {sh.get<int>("index"), sh.get<int>("count")};
  if (r.info.shard.count < 1 || r.info.shard.index < 1 || r.info.shard.index > r.info.shard.count) {
    throw ReportError(name + ": shard " + shard_text(r.info.shard) + " is not I/N with 1 <= I <= N");
  }
  const nlohmann::json& suites = top.at("suites");
  if (!suites.is_array()) throw ReportError(name + ": \"suites\" is not a list");
  for (std::size_t n = 0; n < suites.size(); ++n) {
    const Reader s(suites[n], fmt::format("{}: suites[{}]", name, n));
    SuiteResult res;
    res.suite = s.get<std::string>("suite");
    res.backend = s.get<std::string>("backend");
    res.cases = s.count("cases");
    r.info.cases_in_run[res.suite] = s.count("cases_in_run");
    res.mismatch_count = s.count("mismatch_count");
    const nlohmann::json& cells = s.at("cells");
    if (!cells.is_array()) throw ReportError(s.where() + ": \"cells\" is not a list");
    for (const nlohmann::json& cj : cells) {
      const Reader c(cj, s.where() + ".cells");
      const std::string row = c.get<std::string>("row"), col = c.get<std::string>("column");
      res.cells[row][col] = tally_from(c);
      const nlohmann::json& first = c.at("first_mismatches");
      if (!first.is_array()) throw ReportError(c.where() + ": \"first_mismatches\" is not a list");
      for (const nlohmann::json& mj : first) res.cell_mismatches[row][col].push_back(mismatch_from(Reader(mj, c.where() + ".first_mismatches")));
    }
    const nlohmann::json& ms = s.at("mismatches");
    if (!ms.is_array()) throw ReportError(s.where() + ": \"mismatches\" is not a list");
    for (const nlohmann::json& mj : ms) res.mismatches.push_back(mismatch_from(Reader(mj, s.where() + ".mismatches")));
    const Reader d = s.in("distances");
    const auto ulps = d.get<std::vector<long>>("ulps");
    const auto steps = d.get<std::vector<long>>("steps");
    if (ulps.size() != res.distances.ulps.size() || steps.size() != res.distances.steps.size()) {
      throw ReportError(d.where() + ": the histograms' buckets are not this version's");
    }
    std::copy(ulps.begin(), ulps.end(), res.distances.ulps.begin());
    std::copy(steps.begin(), steps.end(), res.distances.steps.begin());
    res.distances.other = d.count("other");
    r.results.push_back(std::move(res));
  }
  return r;
}

RunReport read_report(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ReportError(path + ": cannot open");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw ReportError(path + ": not JSON (" + e.what() + ")");
  }
  return parse_report(j, path);
}

RunReport merge_reports(const std::vector<RunReport>& shards, const std::vector<std::string>& names, std::size_t max_mismatches) {
  if (shards.empty()) throw ReportError("report merge: no reports");
  const RunInfo& first = shards[0].info;
  const int n = first.shard.count;
  std::map<int, std::string> seen;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const RunInfo& info = shards[i].info;
    if (info.command != first.command || info.selection != first.selection || info.seed != first.seed ||
        info.backends != first.backends) {
      throw ReportError(fmt::format("report merge: {} is another run than {} ({} {} against {} {})", names[i], names[0],
                                    info.command, info.selection, first.command, first.selection));
    }
    if (info.shard.count != n) {
      throw ReportError(fmt::format("report merge: {} is shard {}, {} is shard {}: not shards of one split", names[i],
                                    shard_text(info.shard), names[0], shard_text(first.shard)));
    }
    if (const auto [at, fresh] = seen.emplace(info.shard.index, names[i]); !fresh) {
      throw ReportError(fmt::format("report merge: shard {} twice ({} and {}): the cases would be counted twice",
                                    shard_text(info.shard), at->second, names[i]));
    }
  }
  for (int i = 1; i <= n; ++i) {
    if (!seen.count(i)) throw ReportError(fmt::format("report merge: shard {}/{} is missing: its cases would be lost", i, n));
  }
  RunReport out;
  out.info = first;
  out.info.shard = Shard{};
  // Suites and backends in the first shard's order; every shard must hold the same ones.
  std::vector<std::pair<std::string, std::string>> order;
  std::map<std::pair<std::string, std::string>, SuiteResult> merged;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    std::set<std::pair<std::string, std::string>> here;
    for (const SuiteResult& r : shards[i].results) {
      const auto key = std::pair{r.suite, r.backend};
      here.insert(key);
      auto [at, fresh] = merged.try_emplace(key);
      SuiteResult& m = at->second;
      if (fresh) {
        if (i != 0) throw ReportError("report merge: " + names[i] + " has suite " + r.suite + " / " + r.backend + ", which " + names[0] + " lacks");
        order.push_back(key);
        m.suite = r.suite;
        m.backend = r.backend;
      }
      for (const auto& [row, cols] : r.cells) {
        for (const auto& [col, t] : cols) m.cells[row][col] += t;
      }
      for (const auto& [row, cols] : r.cell_mismatches) {
        for (const auto& [col, lines] : cols) {
          std::vector<Mismatch>& in_cell = m.cell_mismatches[row][col];
          for (const Mismatch& x : lines) {
            if (in_cell.size() < SuiteResult::kCellMismatches) in_cell.push_back(x);
          }
        }
      }
      m.cases += r.cases;
      m.mismatch_count += r.mismatch_count;
      m.distances += r.distances;
      for (const Mismatch& x : r.mismatches) {
        if (m.mismatches.size() < max_mismatches) m.mismatches.push_back(x);
      }
    }
    if (here.size() != order.size()) {
      throw ReportError("report merge: " + names[i] + " lacks a suite that " + names[0] + " has");
    }
  }
  for (const auto& key : order) {
    SuiteResult& m = merged[key];
    const long in_run = first.cases_in_run.count(m.suite) ? first.cases_in_run.at(m.suite) : m.cases;
    if (m.cases != in_run) {
      throw ReportError(fmt::format("report merge: suite {} / {}: the shards hold {} cases, the run {}", m.suite, m.backend,
                                    m.cases, in_run));
    }
    out.results.push_back(std::move(m));
  }
  return out;
}

std::string junit_xml(const RunReport& r) {
  Tally all;
  long cells = 0;
  for (const SuiteResult& s : r.results) {
    all += s.total();
    for (const auto& [row, cols] : s.cells) cells += static_cast<long>(cols.size());
  }
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  long failing_cells = 0, skipped_cells = 0;
  std::string body;
  for (const SuiteResult& s : r.results) {
    long tests = 0, failures = 0, skipped = 0;
    std::string cases;
    for (const auto& [row, cols] : s.cells) {
      for (const auto& [col, t] : cols) {
        ++tests;
        cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\">\n", xml_text("qdq." + s.suite + "." + s.backend),
                             xml_text(row + " " + col));
        const std::string counts = fmt::format("{} passed, {} failed, {} skipped; {} implementation-defined elements checked "
                                               "against their allowed values, {} left out as unconstrained ({} cases wholly so)",
                                               t.passed, t.failed, t.skipped, t.bounded, t.undefined, t.undefined_cases);
        if (t.failed > 0) {
          ++failures;
          std::string lines;
          if (const auto at = s.cell_mismatches.find(row); at != s.cell_mismatches.end()) {
            if (const auto in = at->second.find(col); in != at->second.end()) {
              for (const Mismatch& m : in->second) lines += "MISMATCH " + format_mismatch(m) + "\n";
            }
          }
          cases += fmt::format("      <failure message=\"{}\" type=\"mismatch\">{}</failure>\n",
                               xml_text(fmt::format("{} of {} cases failed", t.failed, t.passed + t.failed + t.skipped)), xml_text(lines));
        } else if (t.passed == 0 && t.undefined_cases == 0 && t.skipped > 0) {
          ++skipped;
          cases += fmt::format("      <skipped message=\"{}\"/>\n", xml_text("the backend does not implement this profile and dtype"));
        }
        cases += fmt::format("      <system-out>{}</system-out>\n    </testcase>\n", xml_text(counts));
      }
    }
    failing_cells += failures;
    skipped_cells += skipped;
    body += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" timestamp=\"{}\">\n{}  </testsuite>\n",
                        xml_text(s.suite + " / " + s.backend), tests, failures, skipped, xml_text(r.info.created), cases);
  }
  x += fmt::format("<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">\n", xml_text("qdq " + r.info.command),
                   cells, failing_cells, skipped_cells);
  return x + body + "</testsuites>\n";
}

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw ReportError(path + ": cannot write (" + std::strerror(errno) + ")");
    out << content;
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw ReportError(path + ": cannot write (" + std::strerror(errno) + ")");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw ReportError(path + ": cannot write (" + why + ")");
  }
}

}  // namespace qdq::conformance
