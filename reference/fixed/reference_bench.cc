// Elements per second of the reference, one thread, each path (fixed: the fast path; gmp: GMP
// rationals), every profile and dtype it has a kernel for, per tensor and per channel (axis 0 of
// [64, N/64]), given and measured ranges, HALF_TO_EVEN and HALF_UP. Inputs: a smooth ramp over
// [-1.2, 1.2]·range with every 97th element a tie of the grid, so that clamping, ties and both
// rounding directions all occur. Run: build/bin/reference_bench [--benchmark_filter=...]
//   reported: items_per_second = elements per second (the counter "elements_per_s" too).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstring>
#include <string>

#include "reference/exact/reference_backend.h"

namespace qdq {
namespace {

std::uint64_t bits_of(DType t, double v) {
  if (t == DType::Float64) {
    std::uint64_t b;
    std::memcpy(&b, &v, 8);
    return b;
  }
  const float f = static_cast<float>(v);
  std::uint32_t b;
  std::memcpy(&b, &f, 4);
  if (t == DType::Float32) return b;
  if (t == DType::BFloat16) return b >> 16;  // truncation: any pattern is as good an input
  // float16: rebuild from the float's exponent and top mantissa bits (inputs stay in [-2, 2])
  const std::uint32_t sign = (b >> 16) & 0x8000, exp = (b >> 23) & 0xff, man = (b >> 13) & 0x3ff;
  if (exp < 113) return sign;  // below float16's normal range: a signed zero
  return sign | ((exp - 112) << 10) | man;
}

OpCase make_case(ProfileId p, DType t, bool per_channel, bool given, bool half_up, std::int64_t n) {
  OpCase c;
  c.profile = p;
  c.attrs.num_bits = 8;
  c.attrs.range_given = given;
  c.attrs.round_mode = half_up ? "HALF_UP" : "HALF_TO_EVEN";
  const std::int64_t depth = per_channel ? 64 : 1;
  c.attrs.axis = per_channel ? 0 : -1;
  const Shape shape = per_channel ? Shape{depth, n / depth} : Shape{n};
  std::vector<std::uint64_t> x(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const double ramp = -1.2 + 2.4 * static_cast<double>(i % 1000) / 999.0;
    const double tie = (std::floor(ramp * 127.0) + 0.5) / 127.0;
    x[static_cast<std::size_t>(i)] = bits_of(t, i % 97 == 0 ? tie : ramp);
  }
  c.input = make_tensor(t, shape, x);
  const Shape range_shape = per_channel ? Shape{depth} : Shape{};
  const std::size_t ranges = per_channel ? static_cast<std::size_t>(depth) : 1;
  c.input_min = make_tensor(t, range_shape, std::vector<std::uint64_t>(ranges, bits_of(t, -1.0)));
  c.input_max = make_tensor(t, range_shape, std::vector<std::uint64_t>(ranges, bits_of(t, 1.0)));
  return c;
}

void run(benchmark::State& state, ProfileId p, DType t, ReferencePath path, bool per_channel, bool given, bool half_up) {
  // GMP takes about 10 µs an element: a smaller tensor keeps its runs short.
  const std::int64_t n = path == ReferencePath::Fixed ? 64 * 1024 : 64 * 64;
  const OpCase c = make_case(p, t, per_channel, given, half_up, n);
  ReferenceBackend reference(path);
  const Outcome first = reference.run(c);
  if (!first.status.ok()) {
    state.SkipWithError(("the case is rejected: " + first.status.message).c_str());
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(reference.run(c));
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["elements_per_s"] = benchmark::Counter(static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
}

// Per-channel given ranges: TF >= 2.16 rejects them (tf-cpu, tf-gpu); they are measured there.
bool accepts(ProfileId p, bool per_channel, bool given) {
  return !(per_channel && given && profile(p).range_checks == RangeChecks::ScalarFirst);
}

const int registered = [] {
  for (ProfileId p : kAllProfiles) {
    for (DType t : {DType::BFloat16, DType::Float16, DType::Float32, DType::Float64}) {
      if (!profile(p).supports(t)) continue;
      for (ReferencePath path : {ReferencePath::Fixed, ReferencePath::Gmp}) {
        for (bool per_channel : {false, true}) {
          for (bool given : {true, false}) {
            if (!accepts(p, per_channel, given)) continue;
            for (bool half_up : {false, true}) {
              const std::string name = std::string(path == ReferencePath::Fixed ? "fixed" : "gmp") + "/" +
                                       std::string(profile_name(p)) + "/" + std::string(dtype_name(t)) + "/" +
                                       (per_channel ? "per-channel" : "per-tensor") + "/" + (given ? "given" : "measured") +
                                       "/" + (half_up ? "HALF_UP" : "HALF_TO_EVEN");
              benchmark::RegisterBenchmark(name.c_str(), run, p, t, path, per_channel, given, half_up)->Unit(benchmark::kMillisecond);
            }
          }
        }
      }
    }
  }
  return 0;
}();

}  // namespace
}  // namespace qdq

BENCHMARK_MAIN();
