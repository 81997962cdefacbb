// `qdq bench`: Google Benchmark runs of an optimized backend for each dtype × per-tensor/per-channel
// (with --channel-last, per-channel-last and per-4-channels-last too) × range given/measured on tensors from 4 KiB up
// (bench_cases.h), each right after the bandwidth
// bound of the same size measured in the same run. `cpu` (default): the op on host tensors, bound
// by a plain read-scale-write loop over the same threads (through the caches and with
// non-temporal stores). `cuda` (cuda_bench.cu): the kernels on device-resident tensors timed with
// CUDA events, bound by a read-scale-write kernel and a device-to-device copy, then the `cuda`
// backend host to host. Counters: elements/s (items) and bytes/s, where the bytes are those the
// op's passes must move: range given, read + write (2 per element); measured, one more read (3).
// The summary after the run prints each as a percentage of the faster of the bounds run last
// before it at the same size (cpu: right before each op, as the shared machine's bandwidth drifts;
// cuda: once per size).
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <hwy/aligned_allocator.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <iostream>
#include <limits>
#include <string>
#include <utility>
#include <vector>
#include <memory>

#include "conformance/backends.h"
#include "impl/cpu/common/narrow_float.h"
#include "impl/cpu/simd/kernels.h"
#include "impl/cpu/simd/simd_backend.h"
#include "tools/qdq/bandwidth_loop.h"
#include "tools/qdq/bench_cases.h"
#include "tools/qdq/commands.h"
#include "tools/qdq/cuda_bench.h"

namespace qdq::tools {
namespace {

namespace simd = cpu::simd;

void bench_op(benchmark::State& state, BenchConfig cfg) {
  const OpCase c = bench_case(cfg, state.range(0));
  const Shape shape = c.input.shape;
  Tensor out(cfg.dtype, shape);
  cpu::SimdBackend backend;
  for (auto _ : state) {
    const Status s = backend.forward_into(c, out);
    if (!s.ok()) {
      state.SkipWithError(s.message.c_str());
      return;
    }
    benchmark::DoNotOptimize(out.bytes.data());
    benchmark::ClobberMemory();
  }
  const std::int64_t elements = static_cast<std::int64_t>(c.input.size());
  state.SetItemsProcessed(state.iterations() * elements);
  state.SetBytesProcessed(state.iterations() * elements * byte_width(cfg.dtype) * (cfg.range_given ? 2 : 3));
}

// Any backend by name (a plug-in, cpu-scalar, cuda-host) through Backend::run, host tensors in
// and out: what a caller of the backend interface sees, a plug-in's process boundary included.
void bench_backend(benchmark::State& state, std::shared_ptr<Backend> backend, BenchConfig cfg) {
  const OpCase c = bench_case(cfg, state.range(0));
  for (auto _ : state) {
    const Outcome o = backend->run(c);
    if (!o.status.ok()) {
      state.SkipWithError(o.status.message.c_str());
      return;
    }
    benchmark::DoNotOptimize(o.outputs[0].bytes.data());
  }
  const std::int64_t elements = static_cast<std::int64_t>(c.input.size());
  state.SetItemsProcessed(state.iterations() * elements);
  state.SetBytesProcessed(state.iterations() * elements * byte_width(cfg.dtype) * (cfg.range_given ? 2 : 3));
}

// The physical limit: y = x * a, read once and written once, over the same threads and chunks;
// written through the caches (a read for ownership and a write per line) or, with `stream`, with
// non-temporal stores (one write), as the op writes outputs of at least 32 MiB.
void bench_bandwidth(benchmark::State& state, bool stream) {
  const std::size_t n = static_cast<std::size_t>(state.range(0)) / sizeof(float) / 16 * 16;
  hwy::AlignedFreeUniquePtr<float[]> x = hwy::AllocateAligned<float>(n), y = hwy::AllocateAligned<float>(n);
  std::fill_n(x.get(), n, 1.5f);
  std::fill_n(y.get(), n, 0.0f);
  constexpr std::size_t kChunk = std::size_t{1} << 15;  // the op's elements per task
  const tbb::blocked_range<std::size_t> chunks(0, (n + kChunk - 1) / kChunk, 1);
  const auto pass = [&](const tbb::blocked_range<std::size_t>& r) {
    const std::size_t at = r.begin() * kChunk, end = std::min(n, r.end() * kChunk);
    scale_copy(x.get() + at, y.get() + at, end - at, stream);
  };
  for (auto _ : state) {
    // One chunk runs on this thread, as the op runs one task's worth (simd_backend.cc, for_tasks).
    if (chunks.is_divisible()) tbb::parallel_for(chunks, pass);
    else pass(chunks);
    benchmark::DoNotOptimize(y.get());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(2 * n * sizeof(float)));
}

// One SIMD kernel on one thread over 64K elements that stay in the L2 cache: the arithmetic's own
// throughput, which no memory traffic hides (`qdq bench --kernels`). Inputs are the bench's values;
// parameters those of range [-5, 5] and 8 bits, flush as the backend would choose (not needed).
// instructions: bfloat16 rounded by AVX512-BF16's instructions and float16 computed by AVX512-FP16's
// where the CPU has them (the backend's default), else bfloat16 rounded in integer arithmetic and
// float16 in float32 lanes (the rows "bfloat16-integer" and "float16-float32-lanes", beside them).
// inner: 0 for one span (per tensor), else per-channel runs of `inner` elements through the runs
// kernel, 256 channels with the same parameters (the rows "given-runs-of-64"): what a run costs
// beyond its elements.
void bench_kernel(benchmark::State& state, DType t, simd::Rounding r, simd::Clamp c, bool instructions, std::size_t inner) {
  constexpr std::size_t n = std::size_t{1} << 16, kChannels = 256;
  simd::use_bf16_instructions(instructions);
  simd::use_fp16_instructions(instructions);
  Tensor x(t, {static_cast<std::int64_t>(n)}), y(t, {static_cast<std::int64_t>(n)});
  for (std::size_t i = 0; i < n; ++i) x.set_bits(i, bench_bits(t, bench_value(i)));
  const double scale = 127.0 / 5, inv = 5.0 / 127;
  // The timed loop over elements of type E with parameters p: span(x, y) per tensor, else
  // runs(x, y, count, rp) over the n / inner runs.
  const auto time = [&]<typename E, typename A>(E*, simd::Params<A> p, auto&& span, auto&& runs) {
    p.flush = false;
    const std::vector<simd::Params<A>> channels(kChannels, p);
    const simd::RunParams<A> rp{channels.data(), inner, kChannels, false};
    const E* in = elements<E>(x);
    E* out = elements<E>(y);
    for (auto _ : state) {
      if (inner == 0) span(in, out, p);
      else runs(in, out, n / inner, rp);
      benchmark::DoNotOptimize(y.bytes.data());
      benchmark::ClobberMemory();
    }
  };
  const auto wide = [&](auto* type, auto p) {
    time(type, p, [&](const auto* a, auto* b, const auto& q) { simd::quantize(a, b, n, q, r, c); },
         [&](const auto* a, auto* b, std::size_t count, const auto& rp) { simd::quantize_runs(a, b, 0, count, rp, r, c); });
  };
  switch (t) {
    case DType::Float64: wide(static_cast<double*>(nullptr), simd::Params<double>{scale, inv, -5.0, 5.0}); break;
    case DType::Float32:
      wide(static_cast<float*>(nullptr), simd::Params<float>{static_cast<float>(scale), static_cast<float>(inv), -5.0f, 5.0f});
      break;
    default: {  // parameters of the dtype's precision, as the backend passes them
      const auto narrow = [&](double v) {
        const auto bits = static_cast<std::uint16_t>(bench_bits(t, v));
        return t == DType::BFloat16 ? std::bit_cast<float>(std::uint32_t{bits} << 16) : cpu::float16_to_float(bits);
      };
      const simd::Narrow k = t == DType::BFloat16 ? simd::Narrow::BFloat16 : simd::Narrow::Float16;
      time(static_cast<std::uint16_t*>(nullptr), simd::Params<float>{narrow(scale), narrow(inv), -5.0f, 5.0f},
           [&](const std::uint16_t* a, std::uint16_t* b, const simd::Params<float>& q) { simd::quantize_narrow(k, a, b, n, q, r, c); },
           [&](const std::uint16_t* a, std::uint16_t* b, std::size_t count, const simd::RunParams<float>& rp) {
             simd::quantize_narrow_runs(k, a, b, 0, count, rp, r, c);
           });
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  simd::use_bf16_instructions(true);
  simd::use_fp16_instructions(true);
}

// The min/max pass of a measured range alone, as bench_kernel times the quantize pass: one thread,
// 64K elements in the L2 cache. instructions: float16 in float16 lanes with AVX512-FP16 where the
// CPU has it, else in float32 lanes (the row "float16-float32-lanes"). inner: 0 for one span (per
// tensor), else per-channel runs of `inner` elements through the runs kernel into 256 channels'
// kAccumulatorLanes accumulators, as the backend measures them (the rows "min-max-runs-of-64").
void bench_min_max(benchmark::State& state, DType t, bool instructions, std::size_t inner) {
  constexpr std::size_t n = std::size_t{1} << 16, kChannels = 256;
  simd::use_fp16_instructions(instructions);
  Tensor x(t, {static_cast<std::int64_t>(n)});
  for (std::size_t i = 0; i < n; ++i) x.set_bits(i, bench_bits(t, bench_value(i)));
  // The timed loop into accumulators of type A: span(lo, hi) per tensor, else runs(lo, hi, tile,
  // lanes) over the n / inner runs as one tile (rows of kChannels runs).
  const auto time = [&]<typename A>(A*, auto&& span, auto&& runs) {
    constexpr A inf = std::numeric_limits<A>::infinity();
    const std::size_t lanes = simd::kAccumulatorLanes<A>;
    std::vector<A> lo(kChannels * lanes, inf), hi(kChannels * lanes, -inf);
    for (auto _ : state) {
      if (inner == 0) span(lo.data(), hi.data());
      else runs(lo.data(), hi.data(), simd::RunTile{0, n / inner / kChannels, 0, kChannels}, lanes);
      benchmark::DoNotOptimize(lo.data());
      benchmark::DoNotOptimize(hi.data());
      benchmark::ClobberMemory();
    }
  };
  // float32/float64: elements and accumulators of the same type
  const auto wide = [&]<typename T>(T* type) {
    const T* in = elements<T>(x);
    time(type, [&](T* l, T* h) { simd::min_max(in, n, l, h, false); },
         [&](T* l, T* h, const simd::RunTile& tile, std::size_t lanes) { simd::min_max_runs(in, tile, inner, kChannels, lanes, l, h, false); });
  };
  if (t == DType::Float64) {
    wide(static_cast<double*>(nullptr));
  } else if (t == DType::Float32) {
    wide(static_cast<float*>(nullptr));
  } else {
    const simd::Narrow k = t == DType::BFloat16 ? simd::Narrow::BFloat16 : simd::Narrow::Float16;
    const std::uint16_t* in = elements<std::uint16_t>(x);
    time(static_cast<float*>(nullptr), [&](float* l, float* h) { simd::min_max_narrow(k, in, n, l, h, false); },
         [&](float* l, float* h, const simd::RunTile& tile, std::size_t lanes) {
           simd::min_max_narrow_runs(k, in, tile, inner, kChannels, lanes, l, h, false);
         });
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  simd::use_fp16_instructions(true);
}

// " with AVX512-BF16 and AVX512-FP16" (those the kernels of the current target use), or "".
std::string instruction_sets() {
  std::vector<std::string> sets;
  if (cpu::simd::current_target_uses_bf16_instructions()) sets.push_back("AVX512-BF16");
  if (cpu::simd::current_target_uses_fp16_instructions()) sets.push_back("AVX512-FP16");
  return sets.empty() ? "" : fmt::format(" with {}", fmt::join(sets, " and "));
}

// Prints the usual table, then each op's bytes/s as a percentage of the faster bandwidth loop
// run right before it at the same size (this machine's bandwidth drifts over minutes, so only
// neighbours in time are compared).
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  explicit SummaryReporter(std::string what) : what_(std::move(what)) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred || r.run_type != Run::RT_Iteration) continue;
      const auto bps = r.counters.find("bytes_per_second");
      if (bps == r.counters.end()) continue;
      std::string name = r.benchmark_name();
      for (const char* suffix : {"/real_time", "/manual_time"}) {
        if (const auto at = name.rfind(suffix); at != std::string::npos) name.erase(at);
      }
      const std::string size = name.substr(name.rfind('/') + 1);
      std::string launches;
      if (const auto k = r.counters.find("kernels"); k != r.counters.end()) {
        launches = fmt::format("  {} kernel(s), {} memset(s)", k->second.value, r.counters.at("memsets").value);
      }
      if (name.rfind("bandwidth/", 0) == 0) {
        auto& [at_size, bound] = loop_;
        if (at_size != size || after_op_) at_size = size, bound = 0;
        bound = std::max(bound, bps->second.value);
        after_op_ = false;
      } else if (loop_.first == size && loop_.second > 0) {
        lines_.push_back(fmt::format("{:<48} {:>8.2f} GB/s {:>6.1f} %  (bound {:.1f} GB/s){}", name, bps->second.value / 1e9,
                                     100 * bps->second.value / loop_.second, loop_.second / 1e9, launches));
        after_op_ = true;
      } else {
        lines_.push_back(fmt::format("{:<48} {:>8.2f} GB/s", name, bps->second.value / 1e9));
      }
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    std::cout << "\nsummary (" << what_ << "): GB/s and % of the faster bound run last before it at the same size\n";
    for (const std::string& line : lines_) std::cout << line << "\n";
  }

 private:
  std::string what_;
  // size, and the faster bound's bytes/s among the bound runs right before the latest ops
  std::pair<std::string, double> loop_;
  bool after_op_ = false;
  std::vector<std::string> lines_;
};

}  // namespace

Command add_bench_command(CLI::App& app) {
  auto backend = std::make_shared<std::string>("cpu");
  auto max_bytes = std::make_shared<std::int64_t>(0);
  auto max_host_bytes = std::make_shared<std::int64_t>(std::int64_t{256} << 20);
  auto extras = std::make_shared<std::vector<std::string>>();
  CLI::App* bench = app.add_subcommand("bench", "Benchmark an optimized backend against the memory bandwidth");
  bench->add_option("--backend", *backend,
                    "cpu (the optimized kernels in place), cuda (device-resident tensors), or any other backend "
                    "through its interface, host to host (e.g. plugin:PATH)")
      ->capture_default_str()
      ->check(backend_check());
  bench->add_option("--max-bytes", *max_bytes, "largest tensor in bytes (default 1 GiB for cpu, 4 GiB for cuda, 64 MiB otherwise)");
  bench->add_option("--max-host-bytes", *max_host_bytes, "cuda: largest tensor timed host to host")->capture_default_str();
  auto kernels = std::make_shared<bool>(false);
  bench->add_flag("--kernels", *kernels,
                  "cpu: time the SIMD kernels alone instead, one thread on 64K elements in the L2 cache, per dtype, "
                  "rounding and clamp (given-non-nan-wins: tf-gpu's clamp), the given range in per-channel runs of 64 (given-runs-of-64: 256 channels), and each "
                  "dtype's min/max pass (min-max, and in the same runs: min-max-runs-of-64) (elements/s: the arithmetic's own limit); where the CPU has AVX512-BF16, bfloat16 "
                  "also rounded in integers (bfloat16-integer), and where it has AVX512-FP16, float16 also computed in "
                  "float32 lanes (float16-float32-lanes), as on CPUs without them");
  auto channel_last = std::make_shared<bool>(false);
  bench->add_flag("--channel-last", *channel_last,
                  "also time per channel with the channel axis last (per-channel-last: [n / 256, 256], axis 1, runs of "
                  "one element, as in NHWC activations and HWIO weights; per-4-channels-last: [n / 4, 4], rows "
                  "shorter than a vector)");
  auto case_timeout = std::make_shared<double>(conformance::BackendOptions{}.case_timeout_s);
  add_case_timeout_option(bench, *case_timeout);
  bench->allow_extras();
  return {bench, [=] {
            const bool cuda = *backend == "cuda", cpu = *backend == "cpu";
            const std::int64_t largest = *max_bytes > 0 ? *max_bytes : cpu ? std::int64_t{1} << 30 : cuda ? std::int64_t{4} << 30 : std::int64_t{64} << 20;
            std::vector<std::int64_t> sizes;
            for (std::int64_t b = 4096; b <= largest; b *= 8) sizes.push_back(b);
            if (sizes.empty() || sizes.back() != largest) sizes.push_back(largest);
            std::shared_ptr<Backend> other;
            if (!cpu && !cuda) other = conformance::make_backend(*backend, {*case_timeout});
            if (*kernels) {
              if (!cpu) throw CLI::ValidationError("--kernels", "times the cpu backend's kernels only");
              for (DType t : kAllDTypes) {
                for (auto [r, rn] : {std::pair{simd::Rounding::HalfToEven, "half-to-even"}, std::pair{simd::Rounding::HalfUp, "half-up"}}) {
                  for (auto [c, cn] : {std::pair{simd::Clamp::None, "measured"}, std::pair{simd::Clamp::MaxThenMin, "given"}}) {
                    benchmark::RegisterBenchmark(fmt::format("kernel/{}/{}/{}", dtype_name(t), rn, cn).c_str(), bench_kernel, t, r, c, true, 0);
                    if (t == DType::BFloat16 && simd::bf16_instructions_available()) {
                      benchmark::RegisterBenchmark(fmt::format("kernel/bfloat16-integer/{}/{}", rn, cn).c_str(), bench_kernel, t, r, c, false, 0);
                    }
                    if (t == DType::Float16 && simd::fp16_instructions_available()) {
                      benchmark::RegisterBenchmark(fmt::format("kernel/float16-float32-lanes/{}/{}", rn, cn).c_str(), bench_kernel, t, r, c, false, 0);
                    }
                  }
                }
                // tf-gpu's clamp (fmax(fmin(v, hi), lo)): against "half-to-even/given", the cost of its NaN rule
                benchmark::RegisterBenchmark(fmt::format("kernel/{}/half-to-even/given-non-nan-wins", dtype_name(t)).c_str(), bench_kernel, t,
                                             simd::Rounding::HalfToEven, simd::Clamp::NonNaNWins, true, std::size_t{0});
                // per channel, runs of 64 (as the bench's per-channel rows): against "half-to-even/given", the cost of a run
                benchmark::RegisterBenchmark(fmt::format("kernel/{}/half-to-even/given-runs-of-64", dtype_name(t)).c_str(), bench_kernel, t,
                                             simd::Rounding::HalfToEven, simd::Clamp::MaxThenMin, true, std::size_t{64});
                benchmark::RegisterBenchmark(fmt::format("kernel/{}/min-max", dtype_name(t)).c_str(), bench_min_max, t, true, std::size_t{0});
                if (t == DType::Float16 && simd::fp16_instructions_available()) {
                  benchmark::RegisterBenchmark("kernel/float16-float32-lanes/min-max", bench_min_max, t, false, std::size_t{0});
                }
                // the measured range of the same runs of 64: against "min-max", the cost of a run
                benchmark::RegisterBenchmark(fmt::format("kernel/{}/min-max-runs-of-64", dtype_name(t)).c_str(), bench_min_max, t, true, std::size_t{64});
              }
            } else if (cuda) {
              register_cuda_benchmarks(sizes, *max_host_bytes, bench_configs(*channel_last));
            } else {
              // Each op right after the two bandwidth loops at its size: ratios of neighbours in time.
              for (std::int64_t b : sizes) {
                for (const BenchConfig& cfg : bench_configs(*channel_last)) {
                  if (other && !other->supports_op(Op::Forward, bench_profile(cfg), cfg.dtype)) continue;
                  benchmark::RegisterBenchmark("bandwidth/read-scale-write", bench_bandwidth, false)->Arg(b)->UseRealTime();
                  benchmark::RegisterBenchmark("bandwidth/read-scale-stream", bench_bandwidth, true)->Arg(b)->UseRealTime();
                  if (other) benchmark::RegisterBenchmark(bench_name("qdq", cfg).c_str(), bench_backend, other, cfg)->Arg(b)->UseRealTime();
                  else benchmark::RegisterBenchmark(bench_name("qdq", cfg).c_str(), bench_op, cfg)->Arg(b)->UseRealTime();
                }
              }
            }
            std::vector<std::string> args = {"qdq bench"};
            for (const std::string& e : bench->remaining()) args.push_back(e);
            std::vector<char*> argv;
            for (std::string& s : args) argv.push_back(s.data());
            int argc = static_cast<int>(argv.size());
            benchmark::Initialize(&argc, argv.data());
            SummaryReporter reporter(cuda  ? "cuda, device-resident tensors"
                                     : cpu ? fmt::format("cpu, simd target {}{}", cpu::simd::current_target(), instruction_sets())
                                           : fmt::format("{}, host to host through the backend interface", other->name()));
            benchmark::RunSpecifiedBenchmarks(&reporter);
            benchmark::Shutdown();
            return 0;
          }};
}

}  // namespace qdq::tools
