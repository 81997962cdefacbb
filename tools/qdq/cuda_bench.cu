// `qdq bench --backend cuda`: the op on device-resident tensors timed with CUDA events, beside the
// device's own bandwidth bound measured in the same run, and the `cuda` backend host to host.
#include <benchmark/benchmark.h>
#include <cuda_runtime.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "impl/cuda/core/narrow16.h"
#include "impl/cuda/device/api.h"
#include "impl/cuda/device/cuda_backend.h"
#include "impl/cuda/device/cuda_error.h"
#include "impl/cuda/device_entry.h"
#include "tools/qdq/bench_cases.h"
#include "tools/qdq/cuda_bench.h"

namespace qdq::tools {
namespace {

using cuda::check;

// Device memory freed on scope exit.
struct DeviceBytes {
  void* p = nullptr;
  explicit DeviceBytes(std::size_t bytes) { check(cudaMalloc(&p, bytes < 16 ? 16 : bytes), "cudaMalloc"); }
  ~DeviceBytes() { cudaFree(p); }
  DeviceBytes(const DeviceBytes&) = delete;
  DeviceBytes& operator=(const DeviceBytes&) = delete;
};

// The bound: y = 0.75 x over float4s, one read and one write per element, grid-stride.
__global__ void read_scale_write(const float4* __restrict__ x, float4* __restrict__ y, std::size_t n4) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n4;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const float4 v = x[i];
    y[i] = make_float4(__fmul_rn(v.x, 0.75f), __fmul_rn(v.y, 0.75f), __fmul_rn(v.z, 0.75f), __fmul_rn(v.w, 0.75f));
  }
}

// The inputs of bench_case(), made on the device: bench_value(), rounded as bench_bits() does.
__global__ void fill_inputs(unsigned char* x, std::size_t n, DType t) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const double v = bench_value(i);
    switch (t) {
      case DType::Float64: reinterpret_cast<double*>(x)[i] = v; break;
      case DType::Float32: reinterpret_cast<float*>(x)[i] = static_cast<float>(v); break;
      case DType::BFloat16: reinterpret_cast<std::uint16_t*>(x)[i] = cuda::BFloat16Bits::round(static_cast<float>(v)); break;
      case DType::Float16: reinterpret_cast<std::uint16_t*>(x)[i] = cuda::Float16Bits::round(static_cast<float>(v)); break;
    }
  }
}

// Times each iteration of `body` (queued on `stream`) with CUDA events.
template <class F>
void time_with_events(benchmark::State& state, cudaStream_t stream, F&& body) {
  cudaEvent_t start, stop;
  check(cudaEventCreate(&start), "cudaEventCreate");
  check(cudaEventCreate(&stop), "cudaEventCreate");
  body();  // warm up (and load the module)
  check(cudaStreamSynchronize(stream), "warm-up");
  for (auto _ : state) {
    cudaEventRecord(start, stream);
    body();
    cudaEventRecord(stop, stream);
    check(cudaEventSynchronize(stop), "the timed work");
    float ms = 0;
    cudaEventElapsedTime(&ms, start, stop);
    state.SetIterationTime(ms / 1e3);
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
}

void bench_bound(benchmark::State& state, bool memcpy) {
  const auto bytes = static_cast<std::size_t>(state.range(0)) / 16 * 16;
  DeviceBytes x(bytes), y(bytes);
  check(cudaMemset(x.p, 0, bytes), "cudaMemset");
  int device = 0, sms = 1;
  cudaGetDevice(&device);
  cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device);
  time_with_events(state, nullptr, [&] {
    if (memcpy) {
      check(cudaMemcpyAsync(y.p, x.p, bytes, cudaMemcpyDeviceToDevice, nullptr), "cudaMemcpy");
    } else {
      read_scale_write<<<sms * 8, 256>>>(static_cast<const float4*>(x.p), static_cast<float4*>(y.p), bytes / 16);
    }
  });
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(2 * bytes));
}

// Kernel launches and memsets one forward call queues, counted from a captured graph.
std::pair<int, int> count_launches(const BenchConfig& cfg, const OpCase& c, const void* x, void* y, const void* lo,
                                   const void* hi, void* ws) {
  cudaStream_t s;
  check(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), "cudaStreamCreate");
  check(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
  const cudaError_t launched = cuda::forward_on_device(c.profile, cfg.dtype, c.attrs, c.input.shape, x, lo, hi, y, ws, s);
  cudaGraph_t graph = nullptr;
  check(cudaStreamEndCapture(s, &graph), "cudaStreamEndCapture");
  check(launched, "capturing the op");
  std::size_t count = 0;
  cudaGraphGetNodes(graph, nullptr, &count);
  std::vector<cudaGraphNode_t> nodes(count);
  cudaGraphGetNodes(graph, nodes.data(), &count);
  int kernels = 0, memsets = 0;
  for (cudaGraphNode_t node : nodes) {
    cudaGraphNodeType type;
    cudaGraphNodeGetType(node, &type);
    kernels += type == cudaGraphNodeTypeKernel;
    memsets += type == cudaGraphNodeTypeMemset;
  }
  cudaGraphDestroy(graph);
  cudaStreamDestroy(s);
  return {kernels, memsets};
}

void bench_device_op(benchmark::State& state, BenchConfig cfg) {
  // The case's shape and attributes; its values are made on the device.
  OpCase c;
  c.profile = bench_profile(cfg);
  c.attrs.range_given = cfg.range_given;
  c.attrs.axis = cfg.per_channel() ? 1 : -1;
  c.input = Tensor(cfg.dtype, {0});
  c.input.shape = bench_shape(cfg, state.range(0));
  const auto n = static_cast<std::size_t>(num_elements(c.input.shape));
  const std::size_t w = static_cast<std::size_t>(byte_width(cfg.dtype)), channels = static_cast<std::size_t>(cfg.channels());
  DeviceBytes x(n * w), y(n * w), lo(channels * w), hi(channels * w), ws(cuda::forward_workspace_bytes(c.input.shape, c.attrs));
  fill_inputs<<<1024, 256>>>(static_cast<unsigned char*>(x.p), n, cfg.dtype);
  check(cudaMemset(ws.p, 0, cuda::forward_workspace_bytes(c.input.shape, c.attrs)), "zeroing the workspace");
  std::vector<std::uint64_t> bounds = {bench_bits(cfg.dtype, -5.0), bench_bits(cfg.dtype, 5.0)};
  for (std::size_t i = 0; i < channels; ++i) {
    check(cudaMemcpy(static_cast<unsigned char*>(lo.p) + i * w, &bounds[0], w, cudaMemcpyHostToDevice), "copying the range");
    check(cudaMemcpy(static_cast<unsigned char*>(hi.p) + i * w, &bounds[1], w, cudaMemcpyHostToDevice), "copying the range");
  }
  const auto [kernels, memsets] = count_launches(cfg, c, x.p, y.p, lo.p, hi.p, ws.p);
  time_with_events(state, nullptr, [&] {
    check(cuda::forward_on_device(c.profile, cfg.dtype, c.attrs, c.input.shape, x.p, lo.p, hi.p, y.p, ws.p, nullptr),
          "the op");
  });
  state.counters["kernels"] = kernels;
  state.counters["memsets"] = memsets;
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(n * w) * (cfg.range_given ? 2 : 3));
}

// The `cuda` backend from host tensors to host tensors: validation, copies both ways, the kernels.
void bench_host_to_host(benchmark::State& state, BenchConfig cfg) {
  const OpCase c = bench_case(cfg, state.range(0));
  cuda::DeviceBackend backend;
  backend.run(c);  // warm up
  for (auto _ : state) benchmark::DoNotOptimize(backend.run(c));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(c.input.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(c.input.bytes.size()) * (cfg.range_given ? 2 : 3));
}

}  // namespace

void register_cuda_benchmarks(const std::vector<std::int64_t>& sizes, std::int64_t max_host_bytes, const std::vector<BenchConfig>& configs) {
  if (!cuda::device_unavailable_reason().empty()) throw std::runtime_error("no CUDA device: " + cuda::device_unavailable_reason());
  for (std::int64_t b : sizes) {
    benchmark::RegisterBenchmark("bandwidth/cuda-read-scale-write", bench_bound, false)->Arg(b)->UseManualTime();
    benchmark::RegisterBenchmark("bandwidth/cuda-memcpy-d2d", bench_bound, true)->Arg(b)->UseManualTime();
    for (const BenchConfig& cfg : configs) {
      benchmark::RegisterBenchmark(bench_name("cuda", cfg).c_str(), bench_device_op, cfg)->Arg(b)->UseManualTime();
    }
    if (b > max_host_bytes) continue;
    for (const BenchConfig& cfg : configs) {
      benchmark::RegisterBenchmark(bench_name("cuda-host-to-host", cfg).c_str(), bench_host_to_host, cfg)->Arg(b)->UseRealTime();
    }
  }
}

}  // namespace qdq::tools
