#include "conformance/html_report.h"

#include "conformance/case_io.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace qdq::conformance {
namespace {

// Text as HTML: markup escaped, and what is not UTF-8 replaced (as the JSON report does).
std::string esc(const std::string& s) {
  std::string out;
  for (const char c : utf8_or_replaced(s)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// A bar chart of counts with labels under the bars, as inline SVG.
std::string histogram_svg(const std::string& title, const std::vector<std::string>& labels, const std::vector<long>& counts) {
  const long top = std::max(1L, *std::max_element(counts.begin(), counts.end()));
  const int bar = 64, gap = 12, height = 110, base = 150;
  const int width = static_cast<int>(counts.size()) * (bar + gap) + gap;
  std::string svg = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="180" role="img" aria-label="{}">)", width, esc(title));
  svg += fmt::format(R"(<text x="{}" y="14" class="t">{}</text>)", gap, esc(title));
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const int h = static_cast<int>(static_cast<double>(counts[i]) / static_cast<double>(top) * height);
    const int x = gap + static_cast<int>(i) * (bar + gap);
    svg += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" class="bar"><title>{}: {}</title></rect>)", x, base - h, bar,
                       std::max(h, counts[i] > 0 ? 1 : 0), esc(labels[i]), counts[i]);
    svg += fmt::format(R"(<text x="{}" y="{}" class="n">{}</text><text x="{}" y="{}" class="l">{}</text>)", x + bar / 2,
                       base - h - 4, counts[i], x + bar / 2, base + 16, esc(labels[i]));
  }
  return svg + "</svg>";
}

std::string edge_text(double v) { return v >= 65536 ? "2^16" : fmt::format("{:g}", v); }

std::string histograms(const DistanceHistogram& d) {
  std::vector<std::string> ulp_labels, step_labels;
  const auto& ue = DistanceHistogram::kUlpEdges;
  for (std::size_t i = 0; i < std::size(ue); ++i) {
    ulp_labels.push_back(i + 1 < std::size(ue) ? fmt::format("{}–{}", edge_text(ue[i]), edge_text(ue[i + 1])) : "≥ " + edge_text(ue[i]));
  }
  const auto& se = DistanceHistogram::kStepEdges;
  for (std::size_t i = 0; i < std::size(se); ++i) {
    step_labels.push_back(i + 1 < std::size(se) ? fmt::format("{}–{}", edge_text(se[i]), edge_text(se[i + 1])) : "≥ " + edge_text(se[i]));
  }
  return "<div class=\"hist\">" +
         histogram_svg("mismatched elements by |ULPs|", ulp_labels, std::vector<long>(d.ulps.begin(), d.ulps.end())) +
         histogram_svg("by |quantization steps|", step_labels, std::vector<long>(d.steps.begin(), d.steps.end())) +
         fmt::format("<p class=\"note\">{} mismatch(es) without a distance (status, shape, NaN, a backend's failure)</p>", d.other) +
         "</div>";
}

std::string matrix(const SuiteResult& s) {
  const std::vector<std::string> preferred = {"HALF_TO_EVEN/per-tensor", "HALF_TO_EVEN/per-channel", "HALF_UP/per-tensor",
                                              "HALF_UP/per-channel", "gradient/per-tensor", "gradient/per-channel"};
  std::vector<std::string> cols;
  std::set<std::string> seen;
  for (const auto& [row, c] : s.cells) {
    for (const auto& [col, t] : c) seen.insert(col);
  }
  for (const std::string& c : preferred) {
    if (seen.count(c)) cols.push_back(c);
  }
  for (const std::string& c : seen) {
    if (std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);
  }
  std::string t = "<table class=\"matrix\"><tr><th>profile/dtype</th>";
  for (const std::string& c : cols) t += "<th>" + esc(c) + "</th>";
  t += "</tr>\n";
  for (const auto& [row, c] : s.cells) {
    t += "<tr><th>" + esc(row) + "</th>";
    for (const std::string& col : cols) {
      const auto it = c.find(col);
      if (it == c.end()) {
        t += "<td class=\"none\">–</td>";
        continue;
      }
      const Tally& x = it->second;
      const char* cls = x.failed ? "fail" : x.passed ? (x.undefined ? "pass impl" : "pass") : x.undefined_cases ? "impl" : "skip";
      std::string inner = fmt::format("{} / {} / {}", x.passed, x.failed, x.skipped);
      if (x.undefined) inner += fmt::format("<br><small>{} impl-def left out</small>", x.undefined);
      if (x.bounded) inner += fmt::format("<br><small>{} checked among alternatives</small>", x.bounded);
      if (x.failed) {
        std::string lines;
        if (const auto at = s.cell_mismatches.find(row); at != s.cell_mismatches.end()) {
          if (const auto in = at->second.find(col); in != at->second.end()) {
            for (const Mismatch& m : in->second) lines += esc("MISMATCH " + format_mismatch(m)) + "\n";
          }
        }
        inner = "<details><summary>" + inner + "</summary><pre>" + lines + "</pre></details>";
      }
      t += fmt::format("<td class=\"{}\" data-row=\"{}\" data-column=\"{}\" data-passed=\"{}\" data-failed=\"{}\" data-skipped=\"{}\" "
                       "data-impl-cases=\"{}\" data-impl-elements=\"{}\" data-bounded-elements=\"{}\">{}</td>",
                       cls, esc(row), esc(col), x.passed, x.failed, x.skipped, x.undefined_cases, x.undefined, x.bounded, inner);
    }
    t += "</tr>\n";
  }
  return t + "</table>\n";
}

constexpr const char* kStyle = R"(
body { font: 14px/1.4 sans-serif; margin: 24px; color: #1a1a1a; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
.prov { color: #555; font-size: 12px; }
table.matrix { border-collapse: collapse; margin: 8px 0; }
table.matrix th, table.matrix td { border: 1px solid #ccc; padding: 4px 8px; text-align: center; vertical-align: top; }
table.matrix th { background: #f3f3f3; }
td.pass { background: #d7f5d7; } td.fail { background: #ffd0d0; } td.skip { background: #eee; color: #777; }
td.impl { background: #ffecc2; } td.pass.impl { background: #e6f5c9; } td.none { color: #bbb; }
details summary { cursor: pointer; font-weight: bold; color: #a00000; }
pre { text-align: left; font-size: 11px; white-space: pre-wrap; max-width: 900px; }
.hist svg { margin-right: 24px; } .bar { fill: #c0392b; }
text.t { font-size: 12px; font-weight: bold; } text.n, text.l { font-size: 10px; text-anchor: middle; }
.note { color: #555; font-size: 12px; }
.total.ok { color: #1e7b1e; } .total.bad { color: #b00000; }
)";

}  // namespace

std::string html_report(const RunReport& r) {
  const RunInfo& i = r.info;
  Tally all;
  for (const SuiteResult& s : r.results) all += s.total();
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc("qdq " + i.command) +
                  "</title><style>" + kStyle + "</style></head><body>\n";
  h += "<h1>qdq " + esc(i.command) + "</h1>\n";
  h += fmt::format("<p class=\"total {}\" data-passed=\"{}\" data-failed=\"{}\" data-skipped=\"{}\">{} passed, {} failed, {} skipped cases; "
                   "implementation-defined elements: {} checked against their allowed values, {} left out as unconstrained "
                   "({} cases wholly so)</p>\n",
                   all.failed ? "bad" : "ok", all.passed, all.failed, all.skipped, all.passed, all.failed, all.skipped, all.bounded,
                   all.undefined, all.undefined_cases);
  h += "<p class=\"prov\">" +
       esc(fmt::format("{} · qdq {} ({}) · {} · {} · seed {} · backends {}{}", i.selection, i.qdq_version, i.git_commit, i.created,
                       i.machine, i.seed, fmt::join(i.backends, ", "),
                       i.shard.whole() ? "" : fmt::format(" · shard {}/{}", i.shard.index, i.shard.count))) +
       "</p>\n<p class=\"note\">cells: passed / failed / skipped cases; green: all passed, red: a failure (click to open its "
       "first mismatches), amber: implementation-defined elements left out (unconstrained), grey: skipped (the backend lacks "
       "the profile and dtype); \"checked among alternatives\": implementation-defined elements whose value is one of a "
       "known set, checked against it</p>\n";
  for (const SuiteResult& s : r.results) {
    const Tally t = s.total();
    h += "<section class=\"suite\" data-suite=\"" + esc(s.suite) + "\" data-backend=\"" + esc(s.backend) + "\">\n";
    h += "<h2>" + esc(s.suite) + " · backend " + esc(s.backend) + "</h2>\n";
    h += fmt::format("<p>{} cases: {} passed, {} failed, {} skipped; {} mismatch(es)</p>\n", s.cases, t.passed, t.failed, t.skipped,
                     s.mismatch_count);
    h += matrix(s);
    if (s.mismatch_count > 0) h += histograms(s.distances);
    h += "</section>\n";
  }
  return h + "</body></html>\n";
}

}  // namespace qdq::conformance
