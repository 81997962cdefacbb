// Exhaustive 16-bit sweeps (CTest label `exhaustive`): every one of the 65,536 bfloat16 and float16
// bit patterns through every backend, for each profile that defines the dtype, both round modes,
// signed and unsigned, narrow or not, a set of num_bits, given ranges and measured ones. Expected
// values: the reference (the arbitrary-precision model of TF, itself checked against TF's golden
// files); each backend must equal it bit for bit. Each test ends with a line counting what it
// checked.
#include <gtest/gtest.h>
#include <tbb/parallel_for.h>

#include <atomic>
#include <iostream>
#include <mutex>

#include "conformance/backends.h"
#include "conformance/compare.h"
#include "conformance/case_io.h"
#include "fuzz/sixteen_bit_sweep.h"

namespace qdq::fuzz {
namespace {

class Sweep : public ::testing::TestWithParam<std::tuple<ProfileId, DType>> {};

TEST_P(Sweep, EveryPatternEveryBackend) {
  const ProfileId p = std::get<0>(GetParam());  // (not structured bindings: lambdas below capture them)
  const DType t = std::get<1>(GetParam());
  const std::vector<Attrs> configs = sweep_configs();
  std::vector<std::string> backends;
  for (const std::string& name : conformance::backend_names()) {
    if (name != "reference" && conformance::make_backend(name)->supports(p, t)) backends.push_back(name);
  }
  if (backends.empty()) {
    GTEST_SKIP() << "no backend besides the reference implements " << profile_name(p) << "/" << dtype_name(t);
  }
  const std::size_t kRangeCount = kSweepRanges.size();
  std::atomic<long> elements{0}, undefined{0}, cases{0};
  std::mutex m;
  std::vector<std::string> failures;
  tbb::parallel_for(std::size_t{0}, configs.size() * kRangeCount, [&](std::size_t job) {
    const OpCase c = sweep_case(p, t, configs[job / kRangeCount], kSweepRanges[job % kRangeCount]);
    const auto reference = conformance::make_backend("reference");
    const Outcome expected = reference->run(c);
    if (!expected.status.ok()) {
      std::lock_guard lock(m);
      failures.push_back("reference rejected " + conformance::case_json("sweep", c).dump().substr(0, 300) + ": " +
                         expected.status.message);
      return;
    }
    for (const std::string& name : backends) {
      const auto b = conformance::make_backend(name);
      const conformance::Comparison r = conformance::compare_outcomes("sweep", c, expected, b->run(c));
      elements += r.elements;
      undefined += r.undefined;
      ++cases;
      if (!r.ok()) {
        std::lock_guard lock(m);
        const Attrs& a = c.attrs;
        failures.push_back(name + " " + a.round_mode + (a.signed_input ? " signed" : " unsigned") +
                           (a.narrow_range ? " narrow" : "") + " b" + std::to_string(a.num_bits) +
                           (a.range_given ? " given" : " measured") + ": " + std::to_string(r.mismatches.size()) +
                           " mismatches, first " + conformance::format_mismatch(r.mismatches.front()));
      }
    }
  });
  for (const std::string& f : failures) ADD_FAILURE() << f;
  const std::string line = std::string(profile_name(p)) + "/" + std::string(dtype_name(t)) + ": 65536 patterns x " +
                           std::to_string(configs.size() * kRangeCount) + " configurations, " + std::to_string(cases.load()) +
                           " backend runs (" + std::to_string(backends.size()) + " backends), " +
                           std::to_string(elements.load()) + " elements compared bit for bit, " +
                           std::to_string(undefined.load()) + " implementation-defined, " +
                           std::to_string(failures.size()) + " failing runs";
  std::cout << "exhaustive: " << line << "\n";
  RecordProperty("checked", line);
}

std::vector<std::tuple<ProfileId, DType>> sweeps() {
  std::vector<std::tuple<ProfileId, DType>> out;
  for (DType t : {DType::BFloat16, DType::Float16}) {
    for (ProfileId p : kAllProfiles) {
      if (profile(p).supports(t)) out.emplace_back(p, t);
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(SixteenBit, Sweep, ::testing::ValuesIn(sweeps()), [](const auto& param_info) {
  std::string n = std::string(profile_name(std::get<0>(param_info.param))) + "_" + std::string(dtype_name(std::get<1>(param_info.param)));
  for (char& ch : n) {
    if (ch == '-' || ch == '@' || ch == '.') ch = '_';
  }
  return n;
});

}  // namespace
}  // namespace qdq::fuzz
