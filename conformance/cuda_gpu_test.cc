// The `cuda` backend on a GPU (CTest label `gpu`; tools/gpu_check.sh runs it on a lent machine).
// Expected values: the reference for every suite, TF's answers for the golden files, and for
// tensors too large for the reference `cuda-host`, the same core code run on the host (itself
// equal to the reference on every suite and every 16-bit pattern), with `cpu` as a second check
// where the tensor is small enough for both. Without a usable device every test reports skipped
// with the CUDA runtime's reason.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
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

// The backend under test: `cuda`, or with QDQ_GPU_TEST_BACKEND=cuda-host the same code on the host,
// which tools/gpu_check.sh --time-here uses to time the tests' host work on a machine without a
// GPU (the tests through device pointers then report skipped).
std::string backend_under_test() {
  const char* name = std::getenv("QDQ_GPU_TEST_BACKEND");
  return name && *name ? name : "cuda";
}

// Tests through the backend door: on the device, or on cuda-host to time them.
class Gpu : public ::testing::Test {
 protected:
  void SetUp() override {
    if (backend_under_test() != "cuda") return;
    if (const std::string& why = cuda::device_unavailable_reason(); !why.empty()) GTEST_SKIP() << "no CUDA device: " << why;
  }
};

// Tests of the device entry points (api.h) with device pointers: a device is needed.
class GpuPointers : public ::testing::Test {
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
    expect_clean(run_suite(suite, cases, {backend_under_test(), "cpu"}, RunOptions{20, 0, {}}));
  }
}

TEST_F(Gpu, EveryGoldenFileEqualsTf) {
  const std::vector<std::string> files = golden_files_in(default_golden_dir());
  ASSERT_FALSE(files.empty());
  for (const std::string& file : files) expect_clean(run_suite(file, golden_suite_cases(golden::read_golden(file)), {backend_under_test()}, RunOptions{20, 0, {}}));
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
    const Outcome got = make_backend(backend_under_test())->run(c);
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

// got equals cuda-host's answer (the same core code on the host), and cpu's as a second check.
void expect_same_as_host(const OpCase& c, const Outcome& got) {
  ASSERT_TRUE(got.status.ok()) << got.status.message;
  for (const char* expected_by : {"cuda-host", "cpu"}) {
    const Outcome want = make_backend(expected_by)->run(c);
    ASSERT_TRUE(want.status.ok()) << expected_by << ": " << want.status.message;
    const Comparison r = compare_outcomes("bulk", c, want, got);
    EXPECT_TRUE(r.ok()) << "against " << expected_by << ": " << r.mismatches.size() << " mismatches, first "
                        << format_mismatch(r.mismatches.front());
    EXPECT_EQ(r.elements, static_cast<std::int64_t>(c.input.size()));
  }
}

// Over 100 million elements, per tensor and per channel with the axis first and last: the same
// bits as cuda-host and cpu.
TEST_F(Gpu, HundredMillionElementsEqualTheHost) {
  const auto device = make_backend(backend_under_test());
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
    expect_same_as_host(c, device->run(c));
  }
}

// Device memory for a test, freed at the end of the scope.
struct DeviceBytes {
  unsigned char* p = nullptr;
  explicit DeviceBytes(std::size_t bytes) { EXPECT_EQ(cudaMalloc(&p, bytes == 0 ? 1 : bytes), cudaSuccess); }
  ~DeviceBytes() { cudaFree(p); }
  DeviceBytes(const DeviceBytes&) = delete;
  DeviceBytes& operator=(const DeviceBytes&) = delete;
};

// One case through the device entry points with every input tensor `offset` elements past an
// aligned address and the output `out_offset` (each 0 to 3), on the given workspace; the outcome
// copied back.
Outcome run_at_offset(const OpCase& c, int offset, int out_offset, unsigned char* workspace) {
  const DType t = c.input.dtype;
  const std::size_t w = static_cast<std::size_t>(byte_width(t));
  auto on_device = [&](const Tensor& x, DeviceBytes& mem) {
    EXPECT_EQ(cudaMemcpy(mem.p + offset * w, x.bytes.data(), x.bytes.size(), cudaMemcpyHostToDevice), cudaSuccess);
    return mem.p + offset * w;
  };
  DeviceBytes in(c.input.bytes.size() + 4 * w), lo(c.input_min.bytes.size() + 4 * w), hi(c.input_max.bytes.size() + 4 * w),
      dy(c.gradients.bytes.size() + 4 * w), out(c.input.bytes.size() + 4 * w);
  unsigned char* y = out.p + out_offset * w;
  Outcome got = c.op == Op::Forward ? Outcome{} : gradient_outputs(c);
  if (c.op == Op::Forward) got.outputs.emplace_back(t, c.input.shape);
  const void* x = on_device(c.input, in);
  const void* l = on_device(c.input_min, lo);
  const void* h = on_device(c.input_max, hi);
  if (c.op == Op::Forward) {
    EXPECT_EQ(cuda::forward_on_device(c.profile, t, c.attrs, c.input.shape, x, c.attrs.range_given ? l : nullptr,
                                      c.attrs.range_given ? h : nullptr, y, workspace, nullptr),
              cudaSuccess);
  } else {
    EXPECT_EQ(cuda::gradient_on_device(c.profile, t, c.attrs.axis, c.input.shape, on_device(c.gradients, dy), x, l, h, y, nullptr),
              cudaSuccess);
  }
  EXPECT_EQ(cudaMemcpy(got.outputs[0].bytes.data(), y, c.input.bytes.size(), cudaMemcpyDeviceToHost), cudaSuccess);
  return got;
}

// The cases of every layout the kernels know (runs and columns, per tensor and per channel with
// the axis first and last), with measured and given ranges, and the gradient.
std::vector<OpCase> layout_cases(DType t, std::int64_t n) {
  const ProfileId p = t == DType::Float64 || t == DType::Float32 ? ProfileId::TfCpu : ProfileId::TfXla;
  std::vector<OpCase> cases;
  for (bool given : {false, true}) {
    cases.push_back(bulk_case(p, t, {n}, -1, given));                    // runs (n >= 1024) or columns
    if (n >= 4) cases.push_back(bulk_case(p, t, {n / 2, 2}, 1, given));  // columns, the axis last
    if (n >= 4) cases.push_back(bulk_case(p, t, {2, n / 2}, 0, given));  // runs where n / 2 >= 1024
  }
  for (std::size_t i = 0, count = cases.size(); i < count; ++i) {
    if (!cases[i].attrs.range_given) continue;
    OpCase g = cases[i];
    g.op = Op::Gradient;
    g.gradients = bulk_tensor(t, g.input.shape, 11);
    cases.push_back(g);
  }
  return cases;
}

// The device entry points with every tensor starting 1 to 3 elements past an aligned address, on
// lengths around the block and chunk sizes, in every layout, forward and gradient; each forward
// case called twice on one workspace (the first call leaves it ready for the second). The output
// starts at the inputs' parity (16-bit elements then go in pairs, from either parity) or at the
// other one (one at a time).
TEST_F(GpuPointers, MisalignedDevicePointers) {
  for (DType t : {DType::BFloat16, DType::Float16, DType::Float32, DType::Float64}) {
    for (std::int64_t n : {1, 255, 257, 4097, 100003}) {
      for (const OpCase& c : layout_cases(t, n)) {
        const std::size_t ws_bytes = c.op == Op::Forward ? cuda::forward_workspace_bytes(c.input.shape, c.attrs) : 0;
        DeviceBytes ws(ws_bytes + 16);
        ASSERT_EQ(cudaMemset(ws.p, 0, ws_bytes + 16), cudaSuccess);
        for (const auto& [offset, out_offset] : std::initializer_list<std::pair<int, int>>{{1, 3}, {2, 2}, {3, 1}, {0, 1}, {1, 2}}) {
          for (int call = 0; call < (c.op == Op::Forward ? 2 : 1); ++call) {
            SCOPED_TRACE(case_json("misaligned", c).dump().substr(0, 160) + " offsets " + std::to_string(offset) + ", " +
                         std::to_string(out_offset));
            expect_same_as_host(c, run_at_offset(c, offset, out_offset, ws.p));
          }
        }
      }
    }
  }
}

// x with every normal value divided by 4 (its exponent lowered by 2; exact): a narrower range.
Tensor quartered(const Tensor& x) {
  Tensor y = x;
  const FloatFormat f = format_of(x.dtype);
  const std::uint64_t one = std::uint64_t{1} << (f.precision - 1), exp = exponent_mask(x.dtype);
  for (std::size_t k = 0; k < y.size(); ++k) {
    const std::uint64_t b = y.bits(k);
    if ((b & exp) > 2 * one && (b & exp) != exp) y.set_bits(k, b - 2 * one);
  }
  return y;
}

// A measured range's call leaves its workspace zeroed (reset_when_last): read back after the
// call, zeros expected; and the next call, on an input of a narrower range (which keys left from
// the first call would widen), equals the host.
TEST_F(GpuPointers, TheWorkspaceIsLeftZeroedForTheNextCall) {
  struct Config {
    Shape shape;
    std::int64_t axis;
  };
  for (const Config& k : {Config{{100003}, -1}, Config{{1000, 7}, 1}, Config{{7, 5000}, 0}, Config{{300, 3}, 1}}) {
    const OpCase wide = bulk_case(ProfileId::TfCpu, DType::Float32, k.shape, k.axis, false);
    OpCase narrow = wide;
    narrow.input = quartered(wide.input);
    const std::size_t bytes = cuda::forward_workspace_bytes(wide.input.shape, wide.attrs);
    DeviceBytes ws(bytes);
    ASSERT_EQ(cudaMemset(ws.p, 0, bytes), cudaSuccess);
    for (const OpCase* c : std::initializer_list<const OpCase*>{&wide, &narrow}) {
      expect_same_as_host(*c, run_at_offset(*c, 1, 3, ws.p));
      std::vector<unsigned char> back(bytes, 0xff);
      ASSERT_EQ(cudaMemcpy(back.data(), ws.p, bytes, cudaMemcpyDeviceToHost), cudaSuccess);
      EXPECT_EQ(std::count(back.begin(), back.end(), 0), static_cast<std::ptrdiff_t>(bytes)) << "the workspace is not zeroed";
    }
  }
}

// Beyond 2^31 elements (64-bit indexing, row striding past gridDim.y's cap): float16 with a given
// range, per tensor and per channel, made and run on the device; sampled windows (the ends, around
// 2^31, and spread between) equal cuda-host's answer on the same window, which a given range
// makes independent of the rest.
TEST_F(GpuPointers, BeyondTwoToThe31ElementsOnSampledWindows) {
  const std::int64_t big = (std::int64_t{1} << 31) + 6;
  struct Config {
    Shape shape;
    std::int64_t axis;
  };
  for (const Config& k : {Config{{big}, -1}, Config{{big / 2, 2}, 1}}) {
    const OpCase c = bulk_case(ProfileId::TfXla, DType::Float16, {4096}, -1, true);  // the range and a pattern
    const std::int64_t period = k.axis == -1 ? 1 : 2;
    // The input: the 4096-element pattern repeated, so that any window's values are known on the host.
    const std::size_t bytes = static_cast<std::size_t>(big) * 2;
    DeviceBytes in(bytes), out(bytes);
    ASSERT_EQ(cudaMemcpy(in.p, c.input.bytes.data(), c.input.bytes.size(), cudaMemcpyHostToDevice), cudaSuccess);
    for (std::size_t done = c.input.bytes.size(); done < bytes; done *= 2) {  // the pattern doubled on the device
      ASSERT_EQ(cudaMemcpy(in.p + done, in.p, std::min(done, bytes - done), cudaMemcpyDeviceToDevice), cudaSuccess);
    }
    Attrs attrs = c.attrs;
    attrs.axis = k.axis;
    const Tensor lo = k.axis == -1 ? c.input_min : bulk_case(ProfileId::TfXla, DType::Float16, {1, 2}, 1, true).input_min;
    const Tensor hi = k.axis == -1 ? c.input_max : bulk_case(ProfileId::TfXla, DType::Float16, {1, 2}, 1, true).input_max;
    DeviceBytes dlo(lo.bytes.size()), dhi(hi.bytes.size());
    ASSERT_EQ(cudaMemcpy(dlo.p, lo.bytes.data(), lo.bytes.size(), cudaMemcpyHostToDevice), cudaSuccess);
    ASSERT_EQ(cudaMemcpy(dhi.p, hi.bytes.data(), hi.bytes.size(), cudaMemcpyHostToDevice), cudaSuccess);
    ASSERT_EQ(cuda::forward_on_device(ProfileId::TfXla, DType::Float16, attrs, k.shape, in.p, dlo.p, dhi.p, out.p, nullptr, nullptr),
              cudaSuccess);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    const std::int64_t w = 4096;  // window length, a multiple of the pattern and of the channel period
    for (std::int64_t start : {std::int64_t{0}, (std::int64_t{1} << 31) - w, std::int64_t{1} << 31, big - 6 - w,
                               std::int64_t{123456789} * 8, std::int64_t{1500000001} / w * w}) {
      OpCase window = c;
      window.attrs.axis = k.axis;
      window.input = Tensor(DType::Float16, k.axis == -1 ? Shape{w} : Shape{w / period, period});
      for (std::int64_t i = 0; i < w; ++i) window.input.set_bits(static_cast<std::size_t>(i), c.input.bits(static_cast<std::size_t>((start + i) % 4096)));
      window.input_min = lo;
      window.input_max = hi;
      Outcome got;
      got.outputs.emplace_back(DType::Float16, window.input.shape);
      ASSERT_EQ(cudaMemcpy(got.outputs[0].bytes.data(), out.p + start * 2, static_cast<std::size_t>(w) * 2, cudaMemcpyDeviceToHost),
                cudaSuccess);
      SCOPED_TRACE("window at " + std::to_string(start) + ", axis " + std::to_string(k.axis));
      const Comparison r = compare_outcomes("beyond-2^31", window, make_backend("cuda-host")->run(window), got);
      EXPECT_TRUE(r.ok()) << format_mismatch(r.mismatches.front());
    }
    // The last, short window: the tensor's tail after the last whole window.
    std::vector<unsigned char> tail(12);
    ASSERT_EQ(cudaMemcpy(tail.data(), out.p + bytes - 12, 12, cudaMemcpyDeviceToHost), cudaSuccess);
    OpCase end = c;
    end.attrs.axis = k.axis;
    end.input = Tensor(DType::Float16, k.axis == -1 ? Shape{6} : Shape{3, 2});
    for (std::int64_t i = 0; i < 6; ++i) end.input.set_bits(static_cast<std::size_t>(i), c.input.bits(static_cast<std::size_t>((big - 6 + i) % 4096)));
    end.input_min = lo;
    end.input_max = hi;
    const Outcome want = make_backend("cuda-host")->run(end);
    ASSERT_TRUE(want.status.ok()) << want.status.message;
    EXPECT_TRUE(std::equal(tail.begin(), tail.end(), want.outputs[0].bytes.begin())) << "the last 6 elements";
  }
}

// Empty tensors compute nothing; a case validation rejects touches no device memory; the next
// case runs as usual.
TEST_F(Gpu, EmptyAndRejectedCasesLeaveTheDeviceUsable) {
  const auto device = make_backend(backend_under_test());
  OpCase empty = bulk_case(ProfileId::TfCpu, DType::Float32, {4, 0}, 0, false);
  const Outcome e = device->run(empty);
  ASSERT_TRUE(e.status.ok());
  EXPECT_EQ(e.outputs.at(0).shape, (Shape{4, 0}));
  OpCase bad = bulk_case(ProfileId::TfCpu, DType::Float32, {16}, -1, true);
  bad.attrs.num_bits = 0;
  EXPECT_EQ(device->run(bad).status, make_backend("reference")->run(bad).status);
  const OpCase good = bulk_case(ProfileId::TfCpu, DType::Float32, {1000, 3}, 1, false);
  expect_same_as_host(good, device->run(good));
}

}  // namespace
}  // namespace qdq::conformance
