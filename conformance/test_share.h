// For tests only: the share of its cases a heavy test runs. QDQ_TEST_STRIDE is the CMake cache
// variable of that name, compiled into every GoogleTest executable (qdq_add_test): 1 (every case)
// except in the sanitizer tree, where the heavy tests keep about one case in N: the cases
// `--shard 1/N` takes (every kind of case the whole set has, the same ones in every run).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "conformance/run_report.h"

namespace qdq::conformance {

inline constexpr int kTestStride = QDQ_TEST_STRIDE;
static_assert(kTestStride >= 1, "QDQ_TEST_STRIDE must be a positive integer");

// The cases of `all` this run checks: all of them, or shard 1 of kTestStride (recorded in the test's
// XML output as the property `share`, so a thinned run is never mistaken for a whole one).
inline std::vector<SuiteCase> test_share(std::vector<SuiteCase> all) {
  if (kTestStride == 1) return all;
  ::testing::Test::RecordProperty("share", "1/" + std::to_string(kTestStride));
  return shard_cases(std::move(all), Shard{1, kTestStride});
}

}  // namespace qdq::conformance
