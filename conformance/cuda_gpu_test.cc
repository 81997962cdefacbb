// The `cuda` backend on a GPU (CTest label `gpu`; tools/gpu_check.sh runs it on a lent machine).
// Expected values: the reference for every suite, TF's answers for the golden files, and for
// tensors too large for the reference the `cpu` backend (itself equal to the reference on every
// suite). Without a usable device every test reports skipped with the CUDA runtime's reason.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <tbb/parallel_for.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <random>

#include "conformance/backends.h"
#include "conformance/case_io.h"
#include "conformance/golden_io.h"
#include "conformance/grid.h"
#include "conformance/known_answers.h"
#include "conformance/suites.h"
#include "fuzz/sixteen_bit_sweep.h"
#include "impl/cuda/device/api.h"
#include "impl/cuda/device_entry.h"
#include "reference/contract/view.h"

namespace qdq::conformance {
namespace {

class Gpu : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string& why = cuda::device_unavailable_reason(); !why.empty()) GTEST_SKIP() << "no CUDA device: " << why;
  }
};

void expect_clean(const std::vector<SuiteResult>& results) {
  for (const SuiteResult& r : results) {
    const Tally t = r.total();
    for (const Mismatch& m : r.mismatches) ADD_FAILURE() << r.suite << " " << r.backend << ": " << format_mismatch(m);
    EXPECT_EQ(t.failed, 0) << r.suite << " " << r.backend;
    EXPECT_GT(t.passed, 0) << r.suite << " " << r.backend;
    std::cout << r.suite << " / " << r.backend << ": " << t.passed << " passed, " << t.failed << " failed, " << t.skipped
              << " skipped, " << t.undefined << " implementation-defined elements\n";
  }
}

// Every case suite (known, grid, edge, random, layout) for every profile and dtype: cuda and cpu,
// each against the reference in the same run.
TEST_F(Gpu, EverySuiteEqualsTheReference) {
  for (const std::string& suite : case_suite_names()) {
    std::vector<SuiteCase> cases;
    for (ProfileId p : kAllProfiles) {
      for (DType t : kAllDTypes) {
        for (SuiteCase& c : suite_cases(suite, p, t, kDefaultSeed, default_known_answers_dir())) cases.push_back(std::move(c));
      }
    }
    expect_clean(run_suite(suite, cases, {"cuda", "cpu"}, RunOptions{20, 0, {}}));
  }
}

TEST_F(Gpu, EveryGoldenFileEqualsTf) {
  const std::vector<std::string> files = golden_files_in(default_golden_dir());
  ASSERT_FALSE(files.empty());
  for (const std::string& file : files) expect_clean(run_suite(file, golden_suite_cases(golden::read_golden(file)), {"cuda"}, RunOptions{20, 0, {}}));
}

// Every bfloat16 and float16 pattern under each sweep configuration: equal to cuda-host (the same
// code on the host, itself equal to the reference in the exhaustive tests) for every range, and to
// the reference for the first.
TEST_F(Gpu, EverySixteenBitPattern) {
  struct Job {
    ProfileId p;
    DType t;
    Attrs a;
    std::size_t range;
  };
  std::vector<Job> jobs;
  for (DType t : {DType::BFloat16, DType::Float16}) {
    for (ProfileId p : kAllProfiles) {
      if (!profile(p).supports(t) || !make_backend("cuda-host")->supports(p, t)) continue;
      for (const Attrs& a : fuzz::sweep_configs()) {
        for (std::size_t r = 0; r < fuzz::kSweepRanges.size(); ++r) jobs.push_back({p, t, a, r});
      }
    }
  }
  std::atomic<long> elements{0};
  std::mutex m;
  std::vector<std::string> failures;
  tbb::parallel_for(std::size_t{0}, jobs.size(), [&](std::size_t j) {
    const Job& job = jobs[j];
    const OpCase c = fuzz::sweep_case(job.p, job.t, job.a, fuzz::kSweepRanges[job.range]);
    const Outcome got = make_backend("cuda")->run(c);
    std::vector<Comparison> checks = {compare_outcomes("sweep", c, make_backend("cuda-host")->run(c), got)};
    if (job.range == 0) checks.push_back(compare_outcomes("sweep", c, make_backend("reference")->run(c), got));
    elements += checks[0].elements;
    for (const Comparison& r : checks) {
      if (r.ok()) continue;
      std::lock_guard lock(m);
      failures.push_back(std::string(profile_name(job.p)) + " " + case_json("sweep", c).dump().substr(0, 200) + ": " +
                         format_mismatch(r.mismatches.front()));
    }
  });
  for (const std::string& f : failures) ADD_FAILURE() << f;
  std::cout << "16-bit sweeps: " << jobs.size() << " cases, " << elements << " elements equal to cuda-host (and the "
            << "reference for the first range)\n";
  EXPECT_GT(elements.load(), 0);
}

// Random ordinary values of magnitude up to 8, fast to make in bulk.
Tensor bulk_tensor(DType t, const Shape& shape, std::uint64_t seed) {
  Tensor x(t, shape);
  std::mt19937_64 rng(seed);
  const FloatFormat f = format_of(t);
  for (std::size_t k = 0; k < x.size(); ++k) {
    const std::uint64_t r = rng();
    const auto e = static_cast<std::uint64_t>(f.emax - 8 + static_cast<int>(r % 12));
    x.set_bits(k, (r >> 63 ? sign_mask(t) : 0) | (e << (f.precision - 1)) | ((r >> 8) & ((std::uint64_t{1} << (f.precision - 1)) - 1)));
  }
  return x;
}

OpCase bulk_case(ProfileId p, DType t, const Shape& shape, std::int64_t axis, bool given) {
  OpCase c;
  c.profile = p;
  c.attrs.axis = axis;
  c.attrs.range_given = given;
  c.attrs.round_mode = "HALF_UP";
  c.input = bulk_tensor(t, shape, 7);
  const Shape range = axis == -1 ? Shape{} : Shape{shape[static_cast<std::size_t>(axis)]};
  c.input_min = Tensor(t, range);
  c.input_max = Tensor(t, range);
  for (std::size_t k = 0; k < c.input_min.size(); ++k) {
    c.input_min.set_bits(k, *parse_decimal_value(t, "-3.5"));
    c.input_max.set_bits(k, *parse_decimal_value(t, "2"));
  }
  return c;
}

void expect_same_as_cpu(const OpCase& c, const Outcome& got) {
  const Outcome cpu = make_backend("cpu")->run(c);
  ASSERT_TRUE(cpu.status.ok()) << cpu.status.message;
  ASSERT_TRUE(got.status.ok()) << got.status.message;
  const Comparison r = compare_outcomes("bulk", c, cpu, got);
  EXPECT_TRUE(r.ok()) << r.mismatches.size() << " mismatches, first " << format_mismatch(r.mismatches.front());
  EXPECT_EQ(r.elements, static_cast<std::int64_t>(c.input.size()));
}

// Over 100 million elements, per tensor and per channel with the axis first and last: the same
// bits as the cpu backend.
TEST_F(Gpu, HundredMillionElementsEqualCpu) {
  const auto device = make_backend("cuda");
  struct Bulk {
    ProfileId p;
    DType t;
    Shape shape;
    std::int64_t axis;
    bool given;
  };
  const Bulk bulks[] = {{ProfileId::TfCpu, DType::Float32, {100000007}, -1, false},
                        {ProfileId::TfXla, DType::Float32, {1000000, 101}, 1, false},
                        {ProfileId::TfXla, DType::BFloat16, {3, 33333337}, 0, false},
                        {ProfileId::TfXla, DType::Float16, {100000007}, -1, true}};
  for (const Bulk& b : bulks) {
    const OpCase c = bulk_case(b.p, b.t, b.shape, b.axis, b.given);
    expect_same_as_cpu(c, device->run(c));
  }
}

// The device entry points with inputs and outputs that start 1 to 3 elements past an aligned
// address, on lengths around the block and chunk sizes, each called twice on one workspace.
TEST_F(Gpu, MisalignedDevicePointers) {
  for (DType t : {DType::BFloat16, DType::Float32, DType::Float64}) {
    for (std::int64_t n : {1, 255, 257, 4097, 100003}) {
      for (int offset : {1, 2, 3}) {
        const ProfileId p = t == DType::BFloat16 ? ProfileId::TfXla : ProfileId::TfCpu;
        const bool per_channel = n % 2 == 1 && n > 1;
        const OpCase c = bulk_case(p, t, per_channel ? Shape{n / 2, 2} : Shape{n}, per_channel ? 1 : -1, false);
        const std::size_t w = static_cast<std::size_t>(byte_width(t)), bytes = c.input.bytes.size();
        unsigned char *in = nullptr, *out = nullptr, *ws = nullptr;
        ASSERT_EQ(cudaMalloc(&in, bytes + 4 * w), cudaSuccess);
        ASSERT_EQ(cudaMalloc(&out, bytes + 4 * w), cudaSuccess);
        ASSERT_EQ(cudaMalloc(&ws, cuda::forward_workspace_bytes(c.input.shape, c.attrs) + 16), cudaSuccess);
        ASSERT_EQ(cudaMemset(ws, 0, cuda::forward_workspace_bytes(c.input.shape, c.attrs) + 16), cudaSuccess);
        ASSERT_EQ(cudaMemcpy(in + offset * w, c.input.bytes.data(), bytes, cudaMemcpyHostToDevice), cudaSuccess);
        // twice with the same workspace: the first call leaves it ready for the second
        for (int call = 0; call < 2; ++call) {
          ASSERT_EQ(cuda::forward_on_device(p, t, c.attrs, c.input.shape, in + offset * w, nullptr, nullptr,
                                            out + (3 - offset + 1) * w, ws, nullptr),
                    cudaSuccess);
          Outcome got;
          got.outputs.emplace_back(t, c.input.shape);
          ASSERT_EQ(cudaMemcpy(got.outputs[0].bytes.data(), out + (3 - offset + 1) * w, bytes, cudaMemcpyDeviceToHost), cudaSuccess);
          expect_same_as_cpu(c, got);
        }
        cudaFree(in);
        cudaFree(out);
        cudaFree(ws);
      }
    }
  }
}

// Empty tensors compute nothing; a case validation rejects touches no device memory; the next
// case runs as usual.
TEST_F(Gpu, EmptyAndRejectedCasesLeaveTheDeviceUsable) {
  const auto device = make_backend("cuda");
  OpCase empty = bulk_case(ProfileId::TfCpu, DType::Float32, {4, 0}, 0, false);
  const Outcome e = device->run(empty);
  ASSERT_TRUE(e.status.ok());
  EXPECT_EQ(e.outputs.at(0).shape, (Shape{4, 0}));
  OpCase bad = bulk_case(ProfileId::TfCpu, DType::Float32, {16}, -1, true);
  bad.attrs.num_bits = 0;
  EXPECT_EQ(device->run(bad).status, make_backend("reference")->run(bad).status);
  const OpCase good = bulk_case(ProfileId::TfCpu, DType::Float32, {1000, 3}, 1, false);
  expect_same_as_cpu(good, device->run(good));
}

}  // namespace
}  // namespace qdq::conformance
