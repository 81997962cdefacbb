// The CUDA kernels: the range reduction, the forward op and the gradient. Each is a thin shell
// over impl/cuda/core/ (the arithmetic and the indexing, shared with the cuda-host backend): what
// is here is only the device's parallel mechanics, shared memory, barriers, atomics and CUB's
// block reduction.
#include <cub/block/block_reduce.cuh>

#include "impl/cuda/core/rules.h"
#include "impl/cuda/core/thread_batch.h"
#include "impl/cuda/device/api.h"

namespace qdq::cuda {
namespace {

// Blocks per multiprocessor a launch aims at (2048 resident threads on sm_90); the rest stride.
constexpr int kBlocksPerSm = 2048 / kThreads;

// Keys only grow (atomicMax from zero), so a key read here without the atomic is at most the
// current one: where it is already k or more, the atomic cannot win and is skipped, sparing the
// contention of every block on the same channel's keys.
__device__ void atomic_merge(RangeKeys* at, const RangeKeys& k) {
  static_assert(sizeof(unsigned long long) == sizeof(std::uint64_t));
  auto* lo = reinterpret_cast<unsigned long long*>(&at->lo_complement);
  auto* hi = reinterpret_cast<unsigned long long*>(&at->hi);
  if (k.lo_complement != 0 && *const_cast<volatile unsigned long long*>(lo) < k.lo_complement) atomicMax(lo, k.lo_complement);
  if (k.hi != 0 && *const_cast<volatile unsigned long long*>(hi) < k.hi) atomicMax(hi, k.hi);
}

struct MergeKeys {
  __device__ RangeKeys operator()(const RangeKeys& a, const RangeKeys& b) const {
    RangeKeys r = a;
    merge(r, b);
    return r;
  }
};

// Measured ranges: each thread's extremes, combined per channel in the block (CUB in the runs
// layout, shared-memory atomics in the columns layout), then once per block and channel into
// `keys` in global memory, which starts zeroed. Every kernel loads a whole batch of its thread's
// elements before using any (thread_batch.h).
template <typename U, typename C>
__global__ void __launch_bounds__(kThreads) range_kernel(const U* __restrict__ x, Geometry g, SoftEnv<C> dev,
                                                         RangeKeys* __restrict__ keys) {
  constexpr int kB = batch_of(sizeof(U));
  using Reduce = cub::BlockReduce<RangeKeys, kThreads>;
  __shared__ typename Reduce::TempStorage temp;
  __shared__ RangeKeys part[kThreads];
  for_each_segment(g, blockIdx.x, blockIdx.y, gridDim.x, gridDim.y, [&](const Segment& s) {
    RangeKeys mine;
    int entry = -1;
    for_each_batch<kB>(g, s, blockIdx.x, gridDim.x, threadIdx.x, [&](const Batch& b) {
      range_batch<kB>(dev, x, b, mine);
      entry = b.entry;
    });
    if (g.runs) {
      const RangeKeys total = Reduce(temp).Reduce(mine, MergeKeys{});
      if (threadIdx.x == 0) atomic_merge(&keys[s.first], total);
    } else {
      for (int t = threadIdx.x; t < s.count; t += kThreads) part[t] = RangeKeys{};
      __syncthreads();
      if (entry >= 0) atomic_merge(&part[entry], mine);
      __syncthreads();
      for (int t = threadIdx.x; t < s.count; t += kThreads) atomic_merge(&keys[(s.first + t) % g.depth], part[t]);
    }
    __syncthreads();  // the shared memory is reused by the next segment
  });
}

// After a block has read its channels' measured keys: the last block of the grid to get here
// sets the keys and the counter back to zeros, ready for the next call, so that no memset is
// needed between calls.
__device__ void reset_when_last(RangeKeys* keys, std::int64_t depth, unsigned* finished) {
  __shared__ bool last;
  __syncthreads();  // every read of `keys` by this block is done
  if (threadIdx.x == 0) {
    __threadfence();
    last = atomicAdd(finished, 1u) == gridDim.x * gridDim.y - 1;
  }
  __syncthreads();
  if (!last) return;
  __threadfence();  // acquire: the other blocks' reads (before their fence and atomic) come before these writes
  for (std::int64_t c = threadIdx.x; c < depth; c += kThreads) keys[c] = RangeKeys{};
  if (threadIdx.x == 0) *finished = 0;
}

// The forward op: the block's channel scales into shared memory, then its elements. With a
// measured range (`finished` not null), the keys are reset at the end.
template <typename U, typename C>
__global__ void __launch_bounds__(kThreads) forward_kernel(const U* __restrict__ x, U* __restrict__ y, Geometry g,
                                                           Rules<C> r, RangeSource<U> src, RangeKeys* keys,
                                                           unsigned* finished) {
  constexpr int kB = batch_of(sizeof(U));
  __shared__ Scale<C> table[kThreads];
  for_each_segment(g, blockIdx.x, blockIdx.y, gridDim.x, gridDim.y, [&](const Segment& s) {
    for (int t = threadIdx.x; t < s.count; t += kThreads) table[t] = channel_scale(r, src, (s.first + t) % g.depth);
    __syncthreads();
    for_each_batch<kB>(g, s, blockIdx.x, gridDim.x, threadIdx.x,
                       [&](const Batch& b) { forward_batch<kB>(r, table[b.entry], x, y, b); });
    __syncthreads();
  });
  if (finished) reset_when_last(keys, g.depth, finished);
}

template <typename U, typename C>
__global__ void __launch_bounds__(kThreads) gradient_kernel(const U* __restrict__ dy, const U* __restrict__ x,
                                                            const U* __restrict__ lo, const U* __restrict__ hi,
                                                            U* __restrict__ dx, Geometry g, SoftEnv<C> dev) {
  constexpr int kB = batch_of(sizeof(U));
  for_each_segment(g, blockIdx.x, blockIdx.y, gridDim.x, gridDim.y, [&](const Segment& s) {
    for_each_batch<kB>(g, s, blockIdx.x, gridDim.x, threadIdx.x, [&](const Batch& b) {
      const std::int64_t ch = (s.first + b.entry) % g.depth;
      gradient_batch<kB>(dev, dy, x, lo[ch], hi[ch], dx, b);
    });
  });
}

dim3 grid_for(const Geometry& g) {
  int device = 0, sms = 1;
  cudaGetDevice(&device);
  cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device);
  const Launch l = launch_for(g, static_cast<std::int64_t>(sms) * kBlocksPerSm);
  return dim3(static_cast<unsigned>(l.x), static_cast<unsigned>(l.y));
}

template <typename U, typename C>
cudaError_t forward(const Profile& p, DType t, const Attrs& a, Geometry g, const void* input, const void* lo,
                    const void* hi, void* output, void* workspace, cudaStream_t stream) {
  g.pair_skew = pair_skew_of(sizeof(U), {input, output});
  const Rules<C> r = make_rules<C>(p, t, a);
  const auto* x = static_cast<const U*>(input);
  RangeSource<U> src;
  const dim3 grid = grid_for(g);
  RangeKeys* keys = nullptr;
  unsigned* finished = nullptr;
  if (a.range_given) {
    src.given_lo = static_cast<const U*>(lo);
    src.given_hi = static_cast<const U*>(hi);
  } else {
    keys = static_cast<RangeKeys*>(workspace);
    finished = reinterpret_cast<unsigned*>(keys + g.depth);
    range_kernel<U, C><<<grid, kThreads, 0, stream>>>(x, g, r.dev, keys);
    if (cudaError_t e = cudaGetLastError()) return e;
    src.measured = keys;
  }
  forward_kernel<U, C><<<grid, kThreads, 0, stream>>>(x, static_cast<U*>(output), g, r, src, keys, finished);
  return cudaGetLastError();
}

template <typename U, typename C>
cudaError_t gradient(const Profile& p, DType t, Geometry g, const void* dy, const void* x, const void* lo,
                     const void* hi, void* dx, cudaStream_t stream) {
  g.pair_skew = pair_skew_of(sizeof(U), {dy, x, dx});
  gradient_kernel<U, C><<<grid_for(g), kThreads, 0, stream>>>(
      static_cast<const U*>(dy), static_cast<const U*>(x), static_cast<const U*>(lo), static_cast<const U*>(hi),
      static_cast<U*>(dx), g, gradient_env<C>(p, t));
  return cudaGetLastError();
}

}  // namespace

std::size_t forward_workspace_bytes(const Shape& shape, const Attrs& attrs) {
  if (attrs.range_given) return 0;
  // the keys of every channel, then the count of finished blocks
  return static_cast<std::size_t>(channel_view(shape, attrs.axis).depth) * sizeof(RangeKeys) + sizeof(RangeKeys);
}

cudaError_t forward_on_device(ProfileId id, DType t, const Attrs& a, const Shape& shape, const void* input,
                              const void* input_min, const void* input_max, void* output, void* workspace,
                              cudaStream_t stream) {
  const Geometry g = case_geometry(shape, a.axis);
  if (g.n == 0) return cudaSuccess;
  const Profile& p = profile(id);
  if (t == DType::Float64) return forward<std::uint64_t, double>(p, t, a, g, input, input_min, input_max, output, workspace, stream);
  if (t == DType::Float32) return forward<std::uint32_t, float>(p, t, a, g, input, input_min, input_max, output, workspace, stream);
  return forward<std::uint16_t, float>(p, t, a, g, input, input_min, input_max, output, workspace, stream);
}

cudaError_t gradient_on_device(ProfileId id, DType t, std::int64_t axis, const Shape& shape, const void* gradients,
                               const void* input, const void* input_min, const void* input_max, void* input_backprop,
                               cudaStream_t stream) {
  const Geometry g = case_geometry(shape, axis);
  if (g.n == 0) return cudaSuccess;
  const Profile& p = profile(id);
  if (t == DType::Float64) return gradient<std::uint64_t, double>(p, t, g, gradients, input, input_min, input_max, input_backprop, stream);
  if (t == DType::Float32) return gradient<std::uint32_t, float>(p, t, g, gradients, input, input_min, input_max, input_backprop, stream);
  return gradient<std::uint16_t, float>(p, t, g, gradients, input, input_min, input_max, input_backprop, stream);
}

}  // namespace qdq::cuda
