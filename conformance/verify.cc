#include "conformance/verify.h"

#include <map>
#include <memory>
#include <optional>

#include "conformance/backends.h"
#include "conformance/case_io.h"
#include "reference/exact/reference_backend.h"

namespace qdq::conformance {
namespace {

std::string match_text(const Match& m) {
  if (m.kind == Match::Bits) return "bits";
  char buf[64];
  if (m.rtol == 0) std::snprintf(buf, sizeof buf, "abs:%.17g", m.atol);
  else std::snprintf(buf, sizeof buf, "close:%.17g,%.17g", m.atol, m.rtol);
  return buf;
}

struct Answer {
  long line = 0;
  bool unsupported = false;
  std::string failure;  // the backend gave no outcome (a crashed plug-in)
  Outcome outcome;
};

// A case file read: its cases, the line each came from, and its problems.
struct CaseFile {
  std::vector<SuiteCase> cases;
  std::vector<long> lines;
  std::map<std::string, std::size_t> index;  // id -> position
};

CaseFile read_cases(std::istream& case_in, const std::string& cases_name, VerifyResult& out) {
  CaseFile f;
  for_each_case_line(case_in, [&](long number, std::variant<CaseLine, BadCase> parsed) {
    if (auto* bad = std::get_if<BadCase>(&parsed)) {
      out.problems.push_back(cases_name + ": " + bad->message);
      return;
    }
    CaseLine& c = std::get<CaseLine>(parsed);
    if (const auto at = f.index.find(c.id); at != f.index.end()) {
      out.problems.push_back(cases_name + ": line " + std::to_string(number) + ": a second case '" + c.id + "' (first on line " +
                             std::to_string(f.lines[at->second]) + ")");
      return;
    }
    f.index[c.id] = f.cases.size();
    f.lines.push_back(number);
    f.cases.push_back({c.id, std::move(c.op_case), std::move(c.expect), c.match, c.source});
  });
  return f;
}

// Judges every answer (in parallel: the reference is exact and slow) and fills out.result.
void judge_answers(const CaseFile& f, const std::vector<std::optional<Answer>>& answers, const std::string& cases_name,
                   const std::string& answerer, const RunOptions& options, VerifyResult& out) {
  const std::vector<SuiteCase>& cases = f.cases;
  std::vector<Verdict> verdicts(cases.size());
  parallel_for_each_index(cases.size(), options.threads, [&] {
    return [&, reference = ReferenceBackend()](std::size_t i) mutable {
      const SuiteCase& sc = cases[i];
      if (!answers[i]) {
        verdicts[i].tally.failed = 1;
        verdicts[i].mismatches.push_back({sc.id, "answer", -1, "", "an answer", "none", ""});
        return;
      }
      if (answers[i]->unsupported) {
        verdicts[i].tally.skipped = 1;
        return;
      }
      if (!answers[i]->failure.empty()) {
        verdicts[i] = not_run(sc, answers[i]->failure);
        return;
      }
      verdicts[i] = judge_answer(sc, answers[i]->outcome, reference);
    };
  });
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (!answers[i]) {
      out.problems.push_back(cases_name + ": line " + std::to_string(f.lines[i]) + ": case '" + cases[i].id + "' has no answer");
    } else {
      ++out.answered;
      out.unsupported += answers[i]->unsupported;
    }
  }
  out.result = collect("verify " + cases_name, answerer, cases, verdicts, options);
}

// The string `key` of an answer's "error" object; "" where there is none or it is no string
// (parse_outcome then names what is wrong with the error).
std::string error_text(const nlohmann::json& answer, const char* key) {
  if (!answer.contains("error") || !answer["error"].is_object()) return "";
  const nlohmann::json& e = answer["error"];
  return e.contains(key) && e[key].is_string() ? e[key].get<std::string>() : "";
}

}  // namespace

Verdict judge_answer(const SuiteCase& sc, const Outcome& observed, Backend& reference) {
  return judge_outcome(sc, reference.run(sc.op_case), observed);
}

nlohmann::ordered_json case_line_json(const SuiteCase& c) {
  nlohmann::ordered_json j = case_json(c.id, c.op_case);
  if (c.known) {
    // No element classes: the reference's decide (judge_outcome), and a golden file's flags do not
    // tell Bounded from Unconstrained.
    nlohmann::ordered_json expect = answer_json(c.id, c.op_case.op, *c.known, false);
    expect.erase("id");
    j["expect"] = expect;
    if (c.match.kind != Match::Bits) j["match"] = match_text(c.match);
  }
  if (!c.source.empty()) j["source"] = c.source;
  return j;
}

VerifyResult verify_answers(std::istream& case_in, const std::string& cases_name, std::istream& answer_in,
                            const std::string& answers_name, const RunOptions& options) {
  VerifyResult out;
  const CaseFile f = read_cases(case_in, cases_name, out);
  const std::vector<SuiteCase>& cases = f.cases;
  const std::map<std::string, std::size_t>& index = f.index;

  std::vector<std::optional<Answer>> answers(cases.size());
  std::string line;
  long number = 0;
  std::size_t last = 0;
  bool any = false;
  while (std::getline(answer_in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = answers_name + ": line " + std::to_string(number) + ": ";
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      out.problems.push_back(where + "not valid JSON");
      continue;
    }
    if (!j.is_object() || !j.contains("id") || !j["id"].is_string()) {
      out.problems.push_back(where + "an answer must be a JSON object with a string \"id\"");
      continue;
    }
    const std::string id = j["id"].get<std::string>();
    const auto at = index.find(id);
    if (at == index.end()) {
      out.problems.push_back(where + "answers '" + id + "', which is no case of " + cases_name);
      continue;
    }
    const std::size_t i = at->second;
    if (answers[i]) {
      out.problems.push_back(where + "a second answer to '" + id + "' (first on line " + std::to_string(answers[i]->line) + ")");
      continue;
    }
    if (any && i < last) out.notes.push_back(where + "'" + id + "' is answered out of order");
    any = true;
    last = i;
    Answer a;
    a.line = number;
    const std::string code = error_text(j, "code");
    if (code == "Unsupported") {
      a.unsupported = true;
    } else if (code == "BadCase" || code == "BackendError") {
      out.problems.push_back(where + "the program did not answer '" + id + "' (" + code + ": " +
                             error_text(j, "message") + ")");
      continue;
    } else {
      try {
        a.outcome = parse_answer(j, cases[i].op_case);
      } catch (const std::exception& e) {
        out.problems.push_back(where + "'" + id + "': " + e.what());
        continue;
      }
    }
    answers[i] = std::move(a);
  }

  judge_answers(f, answers, cases_name, "answers", options, out);
  return out;
}

VerifyResult verify_backend(std::istream& case_in, const std::string& cases_name, const std::string& backend_name,
                            const RunOptions& options) {
  if (!make_backend(backend_name, options.backend)) throw std::invalid_argument(unknown_backend_message(backend_name));
  VerifyResult out;
  const CaseFile f = read_cases(case_in, cases_name, out);
  std::vector<std::optional<Answer>> answers(f.cases.size());
  parallel_for_each_index((f.cases.size() + kBatchSize - 1) / kBatchSize, options.threads, [&] {
    return [&, backend = std::shared_ptr<Backend>(make_backend(backend_name, options.backend))](std::size_t b) {
      std::vector<const OpCase*> batch;
      std::vector<std::size_t> at;
      for (std::size_t i = b * kBatchSize; i < std::min(f.cases.size(), (b + 1) * kBatchSize); ++i) {
        const OpCase& c = f.cases[i].op_case;
        answers[i].emplace();
        answers[i]->line = f.lines[i];
        if (!backend->supports_op(c.op, c.profile, c.input.dtype)) {
          answers[i]->unsupported = true;
        } else {
          batch.push_back(&c);
          at.push_back(i);
        }
      }
      std::vector<BatchAnswer> got = batch.empty() ? std::vector<BatchAnswer>{} : backend->run_batch(batch);
      for (std::size_t j = 0; j < at.size(); ++j) {
        answers[at[j]]->failure = std::move(got[j].failure);
        answers[at[j]]->outcome = std::move(got[j].outcome);
      }
    };
  });
  judge_answers(f, answers, cases_name, backend_name, options, out);
  return out;
}

}  // namespace qdq::conformance
