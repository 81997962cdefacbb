// `qdq bench`: Google Benchmark runs of the optimized backend ("cpu") for each dtype ×
// per-tensor/per-channel × range given/measured on tensors from 4 KiB to 1 GiB, and in the same
// run the machine's memory bandwidth from a plain read-scale-write loop over the same sizes with
// the same threads, run right before each op. Counters: elements/s (items) and bytes/s, where the
// bytes are those the op's passes must move: range given, read + write (2 per element); measured,
// one more read (3). The summary after the run prints each as a percentage of the faster of the
// two loops run just before it.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <hwy/aligned_allocator.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <utility>
#include <vector>
#include <memory>

#include "impl/cpu/common/narrow_float.h"
#include "impl/cpu/simd/kernels.h"
#include "impl/cpu/simd/simd_backend.h"
#include "tools/qdq/bandwidth_loop.h"
#include "tools/qdq/commands.h"

namespace qdq::tools {
namespace {

// Per-channel benchmarks: axis 1 of [max(1, n / (256 * 64)), 256, 64], so never below 256 x 64
// elements (the 4 KiB and 32 KiB per-channel rows move 64 KiB or 128 KiB).
constexpr std::int64_t kChannels = 256;

// The bits of v in dtype t (to nearest).
std::uint64_t bits_of(DType t, double v) {
  switch (t) {
    case DType::Float64: return std::bit_cast<std::uint64_t>(v);
    case DType::Float32: return std::bit_cast<std::uint32_t>(static_cast<float>(v));
    case DType::BFloat16: return cpu::float_to_bfloat16(static_cast<float>(v));
    case DType::Float16: return cpu::float_to_float16(static_cast<float>(v));
  }
  return 0;
}

// Inputs with a spread of magnitudes.
void fill(Tensor& t) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    t.set_bits(i, bits_of(t.dtype, static_cast<double>(static_cast<std::int64_t>((i * 2654435761u) % 20001) - 10000) / 1000.0));
  }
}

struct Config {
  DType dtype;
  bool per_channel, range_given;
};

std::string name_of(const Config& c) {
  return fmt::format("qdq/{}/{}/{}", dtype_name(c.dtype), c.per_channel ? "per-channel" : "per-tensor",
                     c.range_given ? "given" : "measured");
}

void bench_op(benchmark::State& state, Config cfg) {
  const std::int64_t bytes = state.range(0);
  const std::int64_t n = bytes / byte_width(cfg.dtype);
  OpCase c;
  // TF 2.21's kernel rejects per-channel given ranges and has no bfloat16/float16 kernel; XLA's
  // semantics (same passes) take both.
  const bool narrow = cfg.dtype == DType::BFloat16 || cfg.dtype == DType::Float16;
  c.profile = narrow || (cfg.per_channel && cfg.range_given) ? ProfileId::TfXla : ProfileId::TfCpu;
  c.attrs.range_given = cfg.range_given;
  c.attrs.axis = cfg.per_channel ? 1 : -1;
  const Shape shape = cfg.per_channel ? Shape{std::max<std::int64_t>(1, n / (kChannels * 64)), kChannels, 64} : Shape{n};
  c.input = Tensor(cfg.dtype, shape);
  fill(c.input);
  const Shape range_shape = cfg.per_channel ? Shape{kChannels} : Shape{};
  c.input_min = Tensor(cfg.dtype, range_shape);
  c.input_max = Tensor(cfg.dtype, range_shape);
  for (std::size_t i = 0; i < c.input_min.size(); ++i) {
    c.input_min.set_bits(i, bits_of(cfg.dtype, -5.0));
    c.input_max.set_bits(i, bits_of(cfg.dtype, 5.0));
  }
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

// The physical limit: y = x * a, read once and written once, over the same threads and chunks;
// written through the caches (a read for ownership and a write per line) or, with `stream`, with
// non-temporal stores (one write), as the op writes outputs of at least 32 MiB.
void bench_bandwidth(benchmark::State& state, bool stream) {
  const std::size_t n = static_cast<std::size_t>(state.range(0)) / sizeof(float) / 16 * 16;
  hwy::AlignedFreeUniquePtr<float[]> x = hwy::AllocateAligned<float>(n), y = hwy::AllocateAligned<float>(n);
  std::fill_n(x.get(), n, 1.5f);
  std::fill_n(y.get(), n, 0.0f);
  constexpr std::size_t kChunk = std::size_t{1} << 15;  // the op's elements per task
  for (auto _ : state) {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, (n + kChunk - 1) / kChunk, 1), [&](auto r) {
      const std::size_t at = r.begin() * kChunk, end = std::min(n, r.end() * kChunk);
      scale_copy(x.get() + at, y.get() + at, end - at, stream);
    });
    benchmark::DoNotOptimize(y.get());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(2 * n * sizeof(float)));
}

// Prints the usual table, then each op's bytes/s as a percentage of the faster bandwidth loop
// run right before it at the same size (this machine's bandwidth drifts over minutes, so only
// neighbours in time are compared).
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred || r.run_type != Run::RT_Iteration) continue;
      const auto bps = r.counters.find("bytes_per_second");
      if (bps == r.counters.end()) continue;
      std::string name = r.benchmark_name();
      if (const auto at = name.rfind("/real_time"); at != std::string::npos) name.erase(at);
      const std::string size = name.substr(name.rfind('/') + 1);
      if (name.rfind("bandwidth/", 0) == 0) {
        auto& [at_size, bound] = loop_;
        if (at_size != size) at_size = size, bound = 0;
        bound = std::max(bound, bps->second.value);
      } else if (loop_.first == size && loop_.second > 0) {
        lines_.push_back(fmt::format("{:<48} {:>8.2f} GB/s {:>6.1f} %  (loop {:.1f} GB/s)", name, bps->second.value / 1e9,
                                     100 * bps->second.value / loop_.second, loop_.second / 1e9));
        loop_ = {};
      }
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    std::cout << "\nsummary (simd target " << cpu::simd::current_target()
              << "): GB/s and % of the faster bandwidth loop run right before at the same size\n";
    for (const std::string& line : lines_) std::cout << line << "\n";
  }

 private:
  std::pair<std::string, double> loop_;  // size, faster loop's bytes/s since the last op
  std::vector<std::string> lines_;
};

}  // namespace

Command add_bench_command(CLI::App& app) {
  auto max_bytes = std::make_shared<std::int64_t>(std::int64_t{1} << 30);
  auto extras = std::make_shared<std::vector<std::string>>();
  CLI::App* bench = app.add_subcommand("bench", "Benchmark the optimized CPU backend against the memory bandwidth");
  bench->add_option("--max-bytes", *max_bytes, "largest tensor in bytes (default 1 GiB)")->capture_default_str();
  bench->allow_extras();
  return {bench, [=] {
            std::vector<std::int64_t> sizes;
            for (std::int64_t b = 4096; b <= *max_bytes; b *= 8) sizes.push_back(b);
            if (sizes.empty() || sizes.back() != *max_bytes) sizes.push_back(*max_bytes);
            // Each op right after the two bandwidth loops at its size: ratios of neighbours in time.
            for (std::int64_t b : sizes) {
              for (DType t : kAllDTypes) {
                for (bool per_channel : {false, true}) {
                  for (bool given : {true, false}) {
                    const Config cfg{t, per_channel, given};
                    benchmark::RegisterBenchmark("bandwidth/read-scale-write", bench_bandwidth, false)->Arg(b)->UseRealTime();
                    benchmark::RegisterBenchmark("bandwidth/read-scale-stream", bench_bandwidth, true)->Arg(b)->UseRealTime();
                    benchmark::RegisterBenchmark(name_of(cfg).c_str(), bench_op, cfg)->Arg(b)->UseRealTime();
                  }
                }
              }
            }
            std::vector<std::string> args = {"qdq bench"};
            for (const std::string& e : bench->remaining()) args.push_back(e);
            std::vector<char*> argv;
            for (std::string& s : args) argv.push_back(s.data());
            int argc = static_cast<int>(argv.size());
            benchmark::Initialize(&argc, argv.data());
            SummaryReporter reporter;
            benchmark::RunSpecifiedBenchmarks(&reporter);
            benchmark::Shutdown();
            return 0;
          }};
}

}  // namespace qdq::tools
