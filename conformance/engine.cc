#include "conformance/engine.h"

#include <algorithm>
#include <cmath>
#include <atomic>
#include <map>
#include <memory>
#include <stdexcept>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "conformance/backends.h"

namespace qdq::conformance {

Tally& Tally::operator+=(const Tally& o) {
  passed += o.passed;
  failed += o.failed;
  skipped += o.skipped;
  undefined_cases += o.undefined_cases;
  undefined += o.undefined;
  bounded += o.bounded;
  return *this;
}

void DistanceHistogram::add(const Mismatch& m) {
  if (std::isnan(m.ulps)) {
    ++other;
    return;
  }
  auto bucket = [](double v, const auto& edges) {
    std::size_t b = 0;
    while (b + 1 < std::size(edges) && v >= edges[b + 1]) ++b;
    return b;
  };
  ++ulps[bucket(std::fabs(m.ulps), kUlpEdges)];
  if (!std::isnan(m.steps)) ++steps[bucket(std::fabs(m.steps), kStepEdges)];
}

DistanceHistogram& DistanceHistogram::operator+=(const DistanceHistogram& o) {
  for (std::size_t i = 0; i < ulps.size(); ++i) ulps[i] += o.ulps[i];
  for (std::size_t i = 0; i < steps.size(); ++i) steps[i] += o.steps[i];
  other += o.other;
  return *this;
}

Tally SuiteResult::total() const {
  Tally t;
  for (const auto& [row, cols] : cells) {
    for (const auto& [col, tally] : cols) t += tally;
  }
  return t;
}

std::string row_of(const OpCase& c) {
  return std::string(profile_name(c.profile)) + "/" + std::string(dtype_name(c.input.dtype));
}

std::string column_of(const OpCase& c) {
  const std::string layout = c.attrs.axis == -1 ? "/per-tensor" : "/per-channel";
  if (c.op == Op::Gradient) return "gradient" + layout;
  if (c.attrs.round_mode == "HALF_UP" || c.attrs.round_mode == "HALF_TO_EVEN") return c.attrs.round_mode + layout;
  return "other" + layout;
}

Verdict not_run(const SuiteCase& sc, const std::string& why) {
  Verdict v;
  v.tally.failed = 1;
  v.mismatches.push_back({sc.id, "backend error", -1, "", "an outcome", why, ""});
  return v;
}

namespace {

constexpr const char* kByTensorFlow = "TensorFlow";
constexpr const char* kByReference = "the reference";
constexpr const char* kByBoth = "TensorFlow and the reference";

// The reference's mismatches merged into TF's: one per element (output, element), naming whose
// answer it contradicts.
void merge_reference_mismatches(std::vector<Mismatch>& tf, std::vector<Mismatch>&& reference) {
  std::map<std::pair<std::string, std::int64_t>, std::size_t> at;
  for (std::size_t i = 0; i < tf.size(); ++i) at.emplace(std::pair{tf[i].output, tf[i].element}, i);
  for (Mismatch& r : reference) {
    const auto found = at.find({r.output, r.element});
    if (found == at.end()) {
      r.expected_by = kByReference;
      tf.push_back(std::move(r));
      continue;
    }
    Mismatch& k = tf[found->second];
    if (k.expected == r.expected && k.allowed == r.allowed) {
      k.expected_by = kByBoth;
    } else {
      k.reference_expected = r.allowed.empty() ? r.expected : fmt::format("one of {{{}}}", fmt::join(r.allowed, ", "));
    }
  }
}

}  // namespace

Verdict judge_outcome(const SuiteCase& sc, const Outcome& reference, const Outcome& observed, bool observed_is_reference) {
  Verdict v;
  const OpCase& c = sc.op_case;
  std::int64_t compared = 0;  // elements compared by the primary check: the known answer, else the reference
  if (sc.known) {
    // The fresh reference's classes, where it has the known answer's output shape.
    const bool reference_classes = reference.status.ok() && sc.known->status.ok() && !reference.outputs.empty() &&
                                   !sc.known->outputs.empty() && reference.outputs[0].shape == sc.known->outputs[0].shape;
    Comparison k = compare_outcomes(sc.id, c, *sc.known, observed, sc.match, false, reference_classes ? &reference : nullptr);
    for (Mismatch& m : k.mismatches) m.expected_by = kByTensorFlow;
    v.mismatches = std::move(k.mismatches);
    v.tally.undefined = k.undefined;
    v.tally.bounded = k.bounded;
    compared = k.elements;
  }
  if (!observed_is_reference) {
    Comparison r = compare_outcomes(sc.id, c, reference, observed);
    if (!sc.known) {
      v.tally.undefined = r.undefined;
      v.tally.bounded = r.bounded;
      compared = r.elements;
      for (Mismatch& m : r.mismatches) m.expected_by = kByReference;
      v.mismatches = std::move(r.mismatches);
    } else {
      merge_reference_mismatches(v.mismatches, std::move(r.mismatches));
    }
  }
  if (!v.mismatches.empty()) v.tally.failed = 1;
  else if (compared == 0 && v.tally.undefined > 0) v.tally.undefined_cases = 1;
  else v.tally.passed = 1;
  return v;
}

SuiteResult collect(const std::string& suite, const std::string& backend, const std::vector<SuiteCase>& cases,
                    const std::vector<Verdict>& verdicts, const RunOptions& options) {
  SuiteResult r;
  r.suite = suite;
  r.backend = backend;
  r.cases = static_cast<long>(cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Verdict& v = verdicts[i];
    r.cells[row_of(cases[i].op_case)][column_of(cases[i].op_case)] += v.tally;
    r.mismatch_count += static_cast<long>(v.mismatches.size());
    const std::string row = row_of(cases[i].op_case), column = column_of(cases[i].op_case);
    for (Mismatch m : v.mismatches) {
      r.distances.add(m);
      m.row = row;
      m.column = column;
      std::vector<Mismatch>& in_cell = r.cell_mismatches[row][column];
      if (in_cell.size() < SuiteResult::kCellMismatches) in_cell.push_back(m);
      if (r.mismatches.size() < options.max_mismatches) r.mismatches.push_back(std::move(m));
    }
  }
  return r;
}

namespace {

Verdict skipped() {
  Verdict v;
  v.tally.skipped = 1;
  return v;
}

// The verdicts of one backend on cases[begin, end), whose reference outcomes are `expected`.
void judge_batch(Backend& backend, const std::vector<SuiteCase>& cases, std::size_t begin,
                 const std::vector<Outcome>& expected, std::vector<Verdict>& verdicts) {
  const bool is_reference = backend.name() == "reference";
  std::vector<const OpCase*> batch;
  std::vector<std::size_t> at;
  for (std::size_t k = 0; k < expected.size(); ++k) {
    const SuiteCase& sc = cases[begin + k];
    const OpCase& c = sc.op_case;
    if (!backend.supports_op(c.op, c.profile, c.input.dtype) || (is_reference && !sc.known)) {
      verdicts[begin + k] = skipped();
    } else if (is_reference) {
      verdicts[begin + k] = judge_outcome(sc, expected[k], expected[k], true);
    } else {
      batch.push_back(&c);
      at.push_back(k);
    }
  }
  if (batch.empty()) return;
  std::vector<BatchAnswer> answers;
  try {
    answers = backend.run_batch(batch);
  } catch (const BackendLost& e) {  // the run ends here, naming the case
    const std::string id = e.case_index < at.size() ? cases[begin + at[e.case_index]].id : "(unknown)";
    throw std::runtime_error(fmt::format("backend {} can run no further case after case {}: {}", backend.name(), id, e.what()));
  }
  for (std::size_t j = 0; j < at.size(); ++j) {
    const SuiteCase& sc = cases[begin + at[j]];
    Verdict& v = verdicts[begin + at[j]];
    if (answers[j].failure.empty()) {
      v = judge_outcome(sc, expected[at[j]], answers[j].outcome, false);
    } else {
      v = not_run(sc, answers[j].failure);
    }
  }
}

}  // namespace

std::vector<SuiteResult> run_suite(const std::string& suite, const std::vector<SuiteCase>& cases,
                                   const std::vector<std::string>& backends, const RunOptions& options) {
  for (const std::string& name : backends) {
    if (!make_backend(name, options.backend)) throw std::invalid_argument("unknown backend '" + name + "'");
  }
  // verdicts[b][i]: backend b on case i; filled by worker threads in batches, merged in case order.
  std::vector<std::vector<Verdict>> verdicts(backends.size(), std::vector<Verdict>(cases.size()));
  const std::size_t batches = (cases.size() + kBatchSize - 1) / kBatchSize;
  parallel_for_each_index(batches, options.threads, [&] {
    std::vector<std::unique_ptr<Backend>> mine;
    for (const std::string& name : backends) mine.push_back(make_backend(name, options.backend));
    return [&verdicts, &cases, progress = options.progress, reference = make_backend("reference"), mine = std::move(mine)](std::size_t batch) {
      const std::size_t begin = batch * kBatchSize, end = std::min(cases.size(), begin + kBatchSize);
      std::vector<Outcome> expected;
      for (std::size_t i = begin; i < end; ++i) expected.push_back(reference->run(cases[i].op_case));
      for (std::size_t b = 0; b < mine.size(); ++b) judge_batch(*mine[b], cases, begin, expected, verdicts[b]);
      if (progress) progress(end - begin);
    };
  });

  std::vector<SuiteResult> results;
  for (std::size_t b = 0; b < backends.size(); ++b) results.push_back(collect(suite, backends[b], cases, verdicts[b], options));
  return results;
}

}  // namespace qdq::conformance
