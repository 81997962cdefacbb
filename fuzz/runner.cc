#include "fuzz/runner.h"

#include <rapidcheck.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>
#include <stdexcept>

#include "conformance/backends.h"

namespace qdq::fuzz {
namespace {

// RapidCheck wants a listener; the runner reports through `progress` instead.
struct QuietListener : rc::detail::TestListener {
  void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
  void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

std::string metadata_id(const Property& p) { return "qdq-fuzz/" + p.name; }

}  // namespace

std::vector<Property> select_properties(const std::vector<std::string>& names) {
  if (names.empty()) return properties();
  std::vector<Property> out;
  for (const std::string& name : names) {
    const Property* p = find_property(name);
    if (!p) throw std::invalid_argument("unknown property '" + name + "'");
    out.push_back(*p);
  }
  return out;
}

FuzzResult run_fuzz(const std::vector<Property>& selected, const FuzzOptions& options,
                    const std::function<void(const FuzzResult&)>& progress) {
  if (selected.empty()) throw std::invalid_argument("no property to run");
  Target target{options.backends.empty() ? conformance::backend_names() : options.backends, options.backend_options};
  for (const std::string& b : target.backends) {
    if (!conformance::make_backend(b, options.backend_options)) throw std::invalid_argument(conformance::unknown_backend_message(b));
  }
  std::unordered_map<std::string, rc::detail::Reproduce> reproduce;
  if (!options.reproduce.empty()) {
    if (selected.size() != 1) throw std::invalid_argument("--reproduce replays one property: name it with --property");
    try {
      const auto config = rc::detail::configFromString(options.reproduce);
      for (const auto& [id, r] : config.reproduce) reproduce[metadata_id(selected[0])] = r;
    } catch (const rc::detail::ConfigurationException& e) {
      throw std::invalid_argument(std::string("bad reproduce string: ") + e.what());
    }
    if (reproduce.empty()) throw std::invalid_argument("the reproduce string holds no failure");
  }

  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  FuzzResult result;
  std::vector<bool> failed(selected.size(), false);
  QuietListener listener;
  const std::uint64_t step = static_cast<std::uint64_t>(options.shard_count);
  for (std::uint64_t k = static_cast<std::uint64_t>(options.shard_index - 1);; k += step) {
    const std::size_t i = static_cast<std::size_t>(k % selected.size());
    if (options.max_checks > 0 && k >= options.max_checks) break;
    if (options.max_checks == 0 && std::all_of(failed.begin(), failed.end(), [](bool f) { return f; })) break;
    if (!reproduce.empty() && result.checks > 0) break;
    if (reproduce.empty() && options.max_checks == 0 && elapsed() >= options.seconds) break;
    const Property& p = selected[i];
    if (failed[i]) {
      ++result.by_property[p.name].skipped;
      continue;
    }
    rc::detail::TestMetadata metadata;
    metadata.id = metadata_id(p);
    metadata.description = p.name;
    rc::detail::TestParams params;
    params.seed = options.seed + k;
    params.maxSuccess = options.cases;
    params.disableShrinking = !options.shrink;
    clear_last_failure();
    const rc::detail::TestResult r = rc::detail::checkProperty(
        rc::detail::toProperty([&] { p.body(target); }), metadata, params, listener, reproduce);
    ++result.checks;
    rc::detail::FailureResult failure;
    if (r.match(failure)) {
      const std::optional<Failure> last = last_failure();
      FoundFailure found;
      found.failure = last ? *last : Failure{p.name, "", failure.description, {}};
      found.seed = params.seed;
      rc::detail::Configuration config;
      config.reproduce[metadata.id] = failure.reproduce;
      found.reproduce = rc::detail::configToMinimalString(config);
      found.cases_before = failure.numSuccess;
      found.shrinks = static_cast<int>(failure.reproduce.shrinkPath.size());
      result.cases += failure.numSuccess + 1;
      result.failures.push_back(std::move(found));
      failed[i] = true;
      ++result.by_property[p.name].failed;
    } else {
      rc::detail::SuccessResult success;
      rc::detail::GaveUpResult gave_up;
      rc::detail::Error error;
      ++result.by_property[p.name].passed;
      if (r.match(success)) result.cases += success.numSuccess;
      else if (r.match(gave_up)) result.cases += gave_up.numSuccess;
      else if (r.match(error)) throw std::runtime_error("property " + p.name + ": " + error.description);
    }
    result.seconds = elapsed();
    progress(result);
  }
  result.seconds = elapsed();
  return result;
}

}  // namespace qdq::fuzz
