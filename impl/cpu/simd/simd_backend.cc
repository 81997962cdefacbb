#include "impl/cpu/simd/simd_backend.h"

#include <boost/align/aligned_allocator.hpp>
#include <tbb/blocked_range.h>
#include <tbb/blocked_range2d.h>
#include <tbb/combinable.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "impl/cpu/common/host_params.h"
#include "impl/cpu/common/narrow_float.h"
#include "impl/cpu/simd/kernels.h"
#include "impl/cpu/simd/scales.h"
#include "reference/contract/view.h"

namespace qdq::cpu {
namespace {

// Bytes of a tensor per task: 128 KiB, as the bandwidth loop of `qdq bench` chunks its floats, so
// that the op and its bound run on as many threads at every size (32K float32, 16K float64 or
// 64K 16-bit elements).
constexpr std::size_t kGrainBytes = std::size_t{128} << 10;
template <typename T>
constexpr std::size_t kGrain = kGrainBytes / sizeof(T);  // elements per task
constexpr std::int64_t kLongRun = 16;                 // inner runs at least this long are processed run by run
// Tensors of at least this many bytes count as far larger than the last-level cache: their outputs
// are written with non-temporal stores (the written lines would be evicted unread anyway) and their
// passes prefetch ahead (kernels.h, as from kPrefetchBytes). 16 MiB was tried (2026-12-04): the non-temporal bandwidth loop
// beats the cached one there when other passes evict the data between calls, but a 16 MiB float16
// op called again and again on the same tensors, whose 32 MiB then stay in a large cache, ran 1.4x
// slower streamed (docs/performance.md).
constexpr std::size_t kStreamBytes = std::size_t{32} << 20;
bool from_memory(std::size_t bytes) { return bytes >= kStreamBytes; }
// From this many bytes the passes prefetch ahead but store as usual (Params::prefetch): at 16 MiB,
// 1.1-1.25x for most bfloat16/float16 layouts and neutral for float32/float64 (bench_ab against the
// build without it, docs/performance.md); a prefetch of a line already cached costs little.
constexpr std::size_t kPrefetchBytes = std::size_t{16} << 20;
bool prefetch_ahead(std::size_t bytes) { return bytes >= kPrefetchBytes; }

// The arrays the kernels read and write a vector at a time beside the tensor (row parameters,
// per-position and per-lane accumulators) start on a cache line, as the tensors do (TensorBytes):
// from std::vector's 16 bytes, every 64-byte vector at a multiple of its length straddled two
// lines, and float32 rows of 256 channels with given ranges ran at two thirds of their speed with
// aligned arrays at 16 MiB (docs/performance.md).
template <typename T>
using LineVector = std::vector<T, boost::alignment::aligned_allocator<T, 64>>;

// tbb::parallel_for(r, body), or body(r) on this thread where r is one task's worth (at most its
// grain: a tensor of at most kGrainBytes, or one task of runs): TBB's hand-off to a worker costs
// more than such a pass.
template <typename Range, class Body>
void for_tasks(const Range& r, const Body& body) {
  if (r.is_divisible()) tbb::parallel_for(r, body);
  else if (!r.empty()) body(r);
}

// The runs (o, c) of a per-channel view, in memory order, about kGrain<T> elements a task.
template <typename T>
tbb::blocked_range<std::int64_t> runs(const ChannelView& v) {
  return {0, v.outer * v.depth, static_cast<std::size_t>(std::max<std::int64_t>(1, static_cast<std::int64_t>(kGrain<T>) / std::max<std::int64_t>(1, v.inner)))};
}

// Calls f(first element, count, channel) over the tensor in parallel: per tensor (axis -1),
// chunks of kGrain<T> elements, all of channel 0; per channel, the runs (o, c) of the view. Each task
// ends with end_streams(), so that the non-temporal stores f made are done before the task is.
template <typename T, class F>
void for_spans(const ChannelView& v, std::int64_t axis, std::size_t n, F&& f) {
  if (axis == -1) {
    for_tasks(tbb::blocked_range<std::size_t>(0, n, kGrain<T>), [&](auto r) {
      f(r.begin(), r.size(), std::size_t{0});
      simd::end_streams();
    });
    return;
  }
  for_tasks(runs<T>(v), [&](auto r) {
    for (std::int64_t run = r.begin(); run < r.end(); ++run) {
      f(static_cast<std::size_t>(run * v.inner), static_cast<std::size_t>(v.inner), static_cast<std::size_t>(run % v.depth));
    }
    simd::end_streams();
  });
}

simd::Clamp clamp_of(const Profile& p, bool range_given) {
  if (!range_given) return simd::Clamp::None;
  switch (p.clamp) {
    case ClampRule::KeepInput: return simd::Clamp::KeepInput;
    case ClampRule::NonNaNWins: return simd::Clamp::NonNaNWins;
    case ClampRule::MaxThenMin: return simd::Clamp::MaxThenMin;
    case ClampRule::MaxThenMinPreferHi: return simd::Clamp::MaxThenMinPreferHi;
    case ClampRule::Saturate: break;  // exact profile: not supported by this backend
  }
  return simd::Clamp::None;
}

// Whether, with these parameters, a subnormal input of the float lanes (float32 or float64; a
// bfloat16 subnormal is a float32 one, and no float16 value is one) can give a result other than
// its signed zero's, so that the kernel must flush it (DAZ). It cannot where (a) the clamp leaves
// both where they are (no clamp, or lo <= -m and hi >= m, m the smallest normal), and (b)
// |scale| * m <= 1/4: then |x * scale| rounds to at most 1/4, and the integer step gives the same q
// as for the zero (rint: the zero of the product's sign, which is the zero's; floor(s + 1/2) or
// floor(fma(x, scale, 1/2)) with the sum within [1/4, 3/4]: +0), so the output q * inv is the same.
// NaN parameters fail the comparisons and keep the flush.
template <typename T>
bool subnormals_matter(const simd::Params<T>& q, simd::Clamp clamp) {
  constexpr T m = std::numeric_limits<T>::min();
  const bool clamp_keeps = clamp == simd::Clamp::None || (q.lo <= -m && q.hi >= m);
  return !(clamp_keeps && std::fabs(q.scale) <= T(0.25) / m);  // 0.25 / m: 2^124 or 2^1020, exact
}

// Each channel's kernel parameters from its range [lo, hi] (select_scale in the host's arithmetic,
// the clamp bounds as the device reads them), streamed when the output is `out_bytes` long enough,
// flushing only where subnormal inputs can matter; and whether any channel flushes. Many channels
// are selected in SIMD lanes (scales.h), and those it leaves (hard) one by one.
template <typename C>
struct ChannelParams {
  std::vector<simd::Params<C>> params;
  bool any_flush;
};
template <typename C>
ChannelParams<C> channel_params(const Profile& p, const Env<C>& host, const Env<C>& dev, C qmin, C qmax,
                                const std::vector<C>& lo, const std::vector<C>& hi, std::size_t out_bytes,
                                simd::Clamp clamp) {
  const std::vector<Scale<C>> scales = simd::select_channel_scales(p, host, qmin, qmax, lo, hi);
  std::vector<simd::Params<C>> params(lo.size());
  for (std::size_t ch = 0; ch < params.size(); ++ch) {
    const Scale<C>& s = scales[ch];
    params[ch] = {s.scale, s.inv, dev.read(s.lo), dev.read(s.hi), from_memory(out_bytes), prefetch_ahead(out_bytes)};
    params[ch].flush = subnormals_matter(params[ch], clamp);
  }
  const bool any_flush = std::any_of(params.begin(), params.end(), [](const auto& q) { return q.flush; });
  return {std::move(params), any_flush};
}

// Merges n partial minima and maxima (each ±inf where its part saw only NaN) into lo and hi: the
// minima into lo only and the maxima into hi only, so that an identity never becomes an extreme.
template <typename T>
void merge_extremes(const T* part_lo, const T* part_hi, std::size_t n, T& lo, T& hi) {
  T unused_hi = -std::numeric_limits<T>::infinity(), unused_lo = std::numeric_limits<T>::infinity();
  simd::min_max(part_lo, n, &lo, &unused_hi, false);
  simd::min_max(part_hi, n, &unused_lo, &hi, false);
}

// Channels up to which measure_runs keeps kAccumulatorLanes accumulators a channel and thread (at
// most 2 x 4096 x 16 bytes = 128 KiB a thread); past it one (each run then reduced across lanes,
// which costs little where a task meets each channel about once).
constexpr std::int64_t kLaneChannels = 4096;

// The tiles of a per-channel view with outer > 1 that measure_runs hands out, about kGrain<T>
// elements each, as a range of blocks of simd::kRowsABlock rows (the last block may be short) by a
// range of channels: whole rows where a block takes at most kGrain<T>, else one block of as many
// channels as make it up. A tile thus holds whole blocks, which the kernels take at a time.
template <typename T>
tbb::blocked_range2d<std::size_t> run_tiles(const ChannelView& v) {
  const auto outer = static_cast<std::size_t>(v.outer), depth = static_cast<std::size_t>(v.depth);
  const auto inner = static_cast<std::size_t>(v.inner), block = depth * inner * simd::kRowsABlock;
  const std::size_t blocks = (outer + simd::kRowsABlock - 1) / simd::kRowsABlock;
  if (block <= kGrain<T>) return {0, blocks, kGrain<T> / block, 0, depth, depth};
  return {0, blocks, 1, 0, depth, std::max<std::size_t>(1, kGrain<T> / (simd::kRowsABlock * inner))};
}
// The runs of a tile of run_tiles.
inline simd::RunTile run_tile(const tbb::blocked_range2d<std::size_t>& r, std::size_t outer) {
  const std::size_t row = r.rows().begin() * simd::kRowsABlock;
  return {row, std::min(outer, r.rows().end() * simd::kRowsABlock) - row, r.cols().begin(), r.cols().size()};
}

// Per-channel extremes of a view's runs, merged into lo[c] and hi[c] (which hold ±inf): each task's
// tile of runs in one call of kernel(tile, lanes, lo, hi) (min_max_runs or min_max_narrow_runs).
// Where each channel is one run (outer = 1), a task's tile is some channels of the one row, whose
// lo and hi it owns and the kernel writes. Otherwise a tile of run_tiles into its thread's
// accumulators, kAccumulatorLanes a channel (one past kLaneChannels channels), and at the end each
// channel's accumulators of every thread into lo and hi. T is the element type (for the task
// size), A the accumulator's.
template <typename T, typename A, class Kernel>
void measure_runs(const ChannelView& v, std::vector<A>& lo, std::vector<A>& hi, Kernel&& kernel) {
  if (v.outer == 1) {
    for_tasks(runs<T>(v), [&](auto r) {
      kernel(simd::RunTile{0, 1, static_cast<std::size_t>(r.begin()), static_cast<std::size_t>(r.size())}, 1, lo.data(),
             hi.data());
    });
    return;
  }
  constexpr A inf = std::numeric_limits<A>::infinity();
  const std::size_t lanes = v.depth <= kLaneChannels ? simd::kAccumulatorLanes<A> : 1;
  const std::size_t slots = static_cast<std::size_t>(v.depth) * lanes;
  tbb::combinable<std::pair<LineVector<A>, LineVector<A>>> acc([&] {
    return std::make_pair(LineVector<A>(slots, inf), LineVector<A>(slots, -inf));
  });
  for_tasks(run_tiles<T>(v), [&](const auto& r) {
    auto& [l, h] = acc.local();
    kernel(run_tile(r, static_cast<std::size_t>(v.outer)), lanes, l.data(), h.data());
  });
  acc.combine_each([&](const auto& part) {
    simd::reduce_lanes(part.first.data(), part.second.data(), lo.size(), lanes, lo.data(), hi.data());
  });
}

// Rows of a view with short runs are measured this many at a time as one wide row, whose
// position p belongs to position p mod L of a row: k = 64 / gcd(L, 64) rows make a multiple of 64
// elements, whole vectors on every target, where a row of L alone would end in a lane-by-lane tail
// (all of it, for rows shorter than a vector: few channels, axis last). 1 where such a wide row
// would pass kWideRowLimit elements (per-position accumulators past what the L1 cache holds); a
// row that long has a tail small next to its vectors.
constexpr std::size_t kWideRowLimit = 4096;
inline std::size_t rows_per_wide_row(std::size_t L) {
  const std::size_t k = 64 / std::gcd(L, std::size_t{64});
  return k * L <= kWideRowLimit ? k : 1;
}

// Per-channel extremes of a view with short runs (inner < kLongRun, outer > 1), merged into lo[c]
// and hi[c] (which hold ±inf): each task's rows (wide rows of rows_per_wide_row(L) rows of L
// elements) into its thread's per-position accumulators, kernel(first element, rows, row length,
// lo[length], hi[length]) (min_max_rows or min_max_narrow_rows); the rows that do not fill a wide
// row into the first L positions of this thread's; then each thread's positions folded mod L and
// each channel's positions into lo and hi. T is the element type (for the task size), A the
// accumulator's.
template <typename T, typename A, class Kernel>
void measure_rows(const ChannelView& v, std::vector<A>& lo, std::vector<A>& hi, Kernel&& kernel) {
  constexpr A inf = std::numeric_limits<A>::infinity();
  const std::size_t L = static_cast<std::size_t>(v.depth * v.inner), k = rows_per_wide_row(L), wide = k * L;
  const std::size_t outer = static_cast<std::size_t>(v.outer), wide_rows = outer / k;
  tbb::combinable<std::pair<LineVector<A>, LineVector<A>>> acc([&] {
    return std::make_pair(LineVector<A>(wide, inf), LineVector<A>(wide, -inf));
  });
  for_tasks(tbb::blocked_range<std::size_t>(0, wide_rows, std::max<std::size_t>(1, kGrain<T> / wide)), [&](auto r) {
    auto& [l, h] = acc.local();
    kernel(r.begin() * wide, r.size(), wide, l.data(), h.data());
  });
  if (outer % k != 0) {
    auto& [l, h] = acc.local();
    kernel(wide_rows * wide, outer % k, L, l.data(), h.data());
  }
  const std::size_t folded = k > 1 ? L : 0;  // (one row a wide row: nothing to fold, nothing to copy)
  LineVector<A> min_of(folded), max_of(folded), unused(folded);
  acc.combine_each([&](const auto& part) {
    const A *mins = part.first.data(), *maxs = part.second.data();
    if (k > 1) {  // the minima of the k rows of lo into min_of only, the maxima of those of hi into max_of only
      std::copy_n(part.first.begin(), L, min_of.begin());
      std::fill(unused.begin(), unused.end(), -inf);
      simd::min_max_rows(part.first.data() + L, k - 1, L, min_of.data(), unused.data(), false);
      std::copy_n(part.second.begin(), L, max_of.begin());
      std::fill(unused.begin(), unused.end(), inf);
      simd::min_max_rows(part.second.data() + L, k - 1, L, unused.data(), max_of.data(), false);
      mins = min_of.data(), maxs = max_of.data();
    }
    for (std::int64_t c = 0; c < v.depth; ++c) {
      const std::size_t at = static_cast<std::size_t>(c * v.inner);
      merge_extremes(mins + at, maxs + at, static_cast<std::size_t>(v.inner), lo[c], hi[c]);
    }
  });
}

// Per-channel measured ranges [lo, hi] of a view (lo and hi sized and filled with ±inf here), NaN
// skipped; subnormals compared as they are (the host reads the extremes with DAZ). runs_kernel and
// rows_kernel are those of measure_runs and measure_rows.
template <typename T, typename A, class RunsKernel, class RowsKernel>
void measure(const ChannelView& v, std::vector<A>& lo, std::vector<A>& hi, RunsKernel&& runs_kernel,
             RowsKernel&& rows_kernel) {
  constexpr A inf = std::numeric_limits<A>::infinity();
  lo.assign(static_cast<std::size_t>(v.depth), inf);
  hi.assign(static_cast<std::size_t>(v.depth), -inf);
  if (v.outer * v.depth * v.inner == 0) return;
  if (v.outer == 1 || v.inner >= kLongRun) return measure_runs<T, A>(v, lo, hi, runs_kernel);  // one run a channel, or long runs
  measure_rows<T, A>(v, lo, hi, rows_kernel);
}

// The quantize pass of a view with short runs (inner < kLongRun): every position of a row of
// depth*inner elements gets its channel's parameters, and kernel(first row, rows, row parameters)
// (quantize_rows or quantize_narrow_rows) runs on blocks of rows. T is the element type (for the
// task size), C the parameters'. float16: the row parameters also as float16 bits (RowParams::f16).
template <typename T, typename C, class Kernel>
void quantize_rows_of(const ChannelView& v, const std::vector<simd::Params<C>>& params, bool any_flush, bool float16,
                      Kernel&& kernel) {
  const std::size_t L = static_cast<std::size_t>(v.depth * v.inner), padded = L + simd::kRowPad;
  LineVector<C> scale(padded), inv(padded), plo(padded), phi(padded);
  for (std::size_t i = 0, ch = 0, in_run = 0; i < padded; ++i) {  // position i % L of channel ch
    const simd::Params<C>& pq = params[ch];
    scale[i] = pq.scale, inv[i] = pq.inv, plo[i] = pq.lo, phi[i] = pq.hi;
    if (++in_run == static_cast<std::size_t>(v.inner)) in_run = 0, ch = ch + 1 == params.size() ? 0 : ch + 1;
  }
  simd::RowParams<C> rows{scale.data(), inv.data(), plo.data(), phi.data(), L, any_flush, params[0].stream, params[0].prefetch};
  LineVector<std::uint16_t> bits(float16 ? 4 * padded : 0);  // scale, inv, lo, hi as float16 (exact: values of it)
  if (float16) {
    const LineVector<C>* arrays[] = {&scale, &inv, &plo, &phi};
    for (std::size_t k = 0; k < 4; ++k) {
      std::transform(arrays[k]->begin(), arrays[k]->end(), bits.begin() + k * padded,
                     [](C value) { return float_to_float16(static_cast<float>(value)); });
    }
    rows.f16 = {bits.data(), bits.data() + padded, bits.data() + 2 * padded, bits.data() + 3 * padded};
  }
  for_tasks(tbb::blocked_range<std::int64_t>(0, v.outer, std::max<std::size_t>(1, kGrain<T> / L)), [&](auto r) {
    kernel(static_cast<std::size_t>(r.begin()), static_cast<std::size_t>(r.size()), rows);
    simd::end_streams();
  });
}

template <typename T>
void forward(const Profile& p, const OpCase& c, Tensor& output) {
  const Attrs& a = c.attrs;
  const DType t = c.input.dtype;
  const Env<T> host(t, p.rules(t).host);
  const ChannelView v = channel_view(c.input.shape, a.axis);
  const std::int64_t channels = a.axis == -1 ? 1 : v.depth;
  const T* x = elements<T>(c.input);
  T* y = elements<T>(output);
  const std::size_t n = output.size();
  if (n == 0) return;

  std::vector<T> lo, hi;
  const bool prefetch = prefetch_ahead(n * sizeof(T));
  if (a.range_given) {  // values of T as they are (Env::load of T's own bits)
    lo.assign(elements<T>(c.input_min), elements<T>(c.input_min) + channels);
    hi.assign(elements<T>(c.input_max), elements<T>(c.input_max) + channels);
  } else if (a.axis == -1) {
    // One fused min/max pass over the whole tensor, in parallel chunks.
    constexpr T inf = std::numeric_limits<T>::infinity();
    tbb::combinable<std::pair<T, T>> part([=] { return std::make_pair(inf, -inf); });
    for_tasks(tbb::blocked_range<std::size_t>(0, n, kGrain<T>), [&](auto r) {
      auto& [l, h] = part.local();
      simd::min_max(x + r.begin(), r.size(), &l, &h, prefetch);
    });
    lo = {inf};
    hi = {-inf};
    part.combine_each([&](const auto& lh) {
      merge_extremes(&lh.first, &lh.second, 1, lo[0], hi[0]);
    });
  } else {
    const auto inner = static_cast<std::size_t>(v.inner), depth = static_cast<std::size_t>(v.depth);
    measure<T, T>(
        v, lo, hi,
        [&](const simd::RunTile& tile, std::size_t lanes, T* l, T* h) {
          simd::min_max_runs(x, tile, inner, depth, lanes, l, h, prefetch);
        },
        [&](std::size_t at, std::size_t rows, std::size_t length, T* l, T* h) { simd::min_max_rows(x + at, rows, length, l, h, prefetch); });
  }

  const std::pair<T, T> q = integer_range(p, host, a);
  const T qmin = q.first, qmax = q.second;  // (clang 14 lambdas cannot capture structured bindings)
  // The kernels read their inputs with DAZ but take the parameters as they are: a clamp bound that
  // is subnormal (a given one) is flushed here, as the device reads it.
  const Env<T> dev(t, p.rules(t).device);
  const bool half_up = round_mode_of(a) == RoundMode::HalfUp;
  const simd::Rounding rounding = !half_up ? simd::Rounding::HalfToEven
                                  : p.half_up_fused(t) ? simd::Rounding::HalfUpFused
                                                       : simd::Rounding::HalfUp;
  const simd::Clamp clamp = clamp_of(p, a.range_given);
  const ChannelParams<T> cp = channel_params(p, host, dev, qmin, qmax, lo, hi, n * sizeof(T), clamp);
  const std::vector<simd::Params<T>>& params = cp.params;
  const bool any_flush = cp.any_flush;

  if (a.axis == -1) {
    for_spans<T>(v, a.axis, n, [&](std::size_t at, std::size_t count, std::size_t) {
      simd::quantize(x + at, y + at, count, params[0], rounding, clamp);
    });
  } else if (v.inner >= kLongRun) {
    const simd::RunParams<T> rp{params.data(), static_cast<std::size_t>(v.inner), static_cast<std::size_t>(v.depth), any_flush};
    for_tasks(runs<T>(v), [&](auto r) {
      simd::quantize_runs(x, y, static_cast<std::size_t>(r.begin()), static_cast<std::size_t>(r.size()), rp, rounding, clamp);
      simd::end_streams();
    });
  } else {
    const std::size_t L = static_cast<std::size_t>(v.depth * v.inner);
    quantize_rows_of<T, T>(v, params, any_flush, false, [&](std::size_t row, std::size_t rows, const simd::RowParams<T>& rp) {
      simd::quantize_rows(x + row * L, y + row * L, rows, rp, rounding, clamp);
    });
  }
}

template <typename T>
Outcome gradient(const Profile& p, const OpCase& c) {
  const DType t = c.input.dtype;
  const Env<T> dev(t, p.rules(t).device);
  const ChannelView v = channel_view(c.input.shape, c.attrs.axis);
  Outcome out = gradient_outputs(c);
  const T* g = elements<T>(c.gradients);
  const T* x = elements<T>(c.input);
  T* dx = elements<T>(out.outputs[0]);
  auto bound = [&](const Tensor& b, std::int64_t ch) { return dev.read(dev.load(b.bits(static_cast<std::size_t>(ch)))); };
  for_spans<T>(v, c.attrs.axis, out.outputs[0].size(), [&](std::size_t at, std::size_t count, std::size_t ch) {
    simd::gradient(g + at, x + at, dx + at, count, bound(c.input_min, ch), bound(c.input_max, ch));
  });
  return out;
}

// bfloat16/float16 forward, per tensor or per channel: the ranges and the scale
// selection as for float32 (values of the dtype held in float), the element pass in float32 lanes
// rounded back to the dtype after each operation.
void forward_narrow(const Profile& p, const OpCase& c, Tensor& output) {
  const Attrs& a = c.attrs;
  const DType t = c.input.dtype;
  const simd::Narrow kind = t == DType::BFloat16 ? simd::Narrow::BFloat16 : simd::Narrow::Float16;
  const Env<float> host(t, p.rules(t).host), dev(t, p.rules(t).device);
  const ChannelView v = channel_view(c.input.shape, a.axis);
  const std::int64_t channels = a.axis == -1 ? 1 : v.depth;
  const auto* x = elements<std::uint16_t>(c.input);
  auto* y = elements<std::uint16_t>(output);
  const std::size_t n = output.size();
  if (n == 0) return;
  constexpr float inf = std::numeric_limits<float>::infinity();
  std::vector<float> lo(static_cast<std::size_t>(channels), inf), hi(static_cast<std::size_t>(channels), -inf);
  const bool prefetch = prefetch_ahead(n * sizeof(std::uint16_t));
  if (a.range_given) {
    const auto *given_lo = elements<std::uint16_t>(c.input_min), *given_hi = elements<std::uint16_t>(c.input_max);
    for (std::size_t ch = 0; ch < lo.size(); ++ch) lo[ch] = host.load(given_lo[ch]), hi[ch] = host.load(given_hi[ch]);
  } else if (a.axis == -1) {
    tbb::combinable<std::pair<float, float>> part([=] { return std::make_pair(inf, -inf); });
    for_spans<std::uint16_t>(v, a.axis, n, [&](std::size_t at, std::size_t count, std::size_t) {
      auto& [l, h] = part.local();
      simd::min_max_narrow(kind, x + at, count, &l, &h, prefetch);
    });
    part.combine_each([&](const auto& lh) { merge_extremes(&lh.first, &lh.second, 1, lo[0], hi[0]); });
  } else {
    const auto inner = static_cast<std::size_t>(v.inner), depth = static_cast<std::size_t>(v.depth);
    measure<std::uint16_t, float>(
        v, lo, hi,
        [&](const simd::RunTile& tile, std::size_t lanes, float* l, float* h) {
          simd::min_max_narrow_runs(kind, x, tile, inner, depth, lanes, l, h, prefetch);
        },
        [&](std::size_t at, std::size_t rows, std::size_t length, float* l, float* h) {
          simd::min_max_narrow_rows(kind, x + at, rows, length, l, h, prefetch);
        });
  }
  const auto [qmin, qmax] = integer_range(p, host, a);  // (passed, never captured: clang 14 lambdas cannot)
  const simd::Rounding rounding = round_mode_of(a) == RoundMode::HalfUp ? simd::Rounding::HalfUp : simd::Rounding::HalfToEven;
  const simd::Clamp clamp = clamp_of(p, a.range_given);
  const ChannelParams<float> cp = channel_params(p, host, dev, qmin, qmax, lo, hi, n * sizeof(std::uint16_t), clamp);
  const std::vector<simd::Params<float>>& params = cp.params;
  if (a.axis == -1) {
    for_spans<std::uint16_t>(v, a.axis, n, [&](std::size_t at, std::size_t count, std::size_t) {
      simd::quantize_narrow(kind, x + at, y + at, count, params[0], rounding, clamp);
    });
    return;
  }
  if (v.inner < kLongRun) {
    const std::size_t L = static_cast<std::size_t>(v.depth * v.inner);
    quantize_rows_of<std::uint16_t, float>(v, params, cp.any_flush, t == DType::Float16, [&](std::size_t row, std::size_t rows, const simd::RowParams<float>& rp) {
      simd::quantize_narrow_rows(kind, x + row * L, y + row * L, rows, rp, rounding, clamp);
    });
    return;
  }
  const simd::RunParams<float> rp{params.data(), static_cast<std::size_t>(v.inner), static_cast<std::size_t>(v.depth),
                                  cp.any_flush};
  for_tasks(runs<std::uint16_t>(v), [&](auto r) {
    simd::quantize_narrow_runs(kind, x, y, static_cast<std::size_t>(r.begin()), static_cast<std::size_t>(r.size()), rp,
                               rounding, clamp);
    simd::end_streams();
  });
}

// Whether a bfloat16/float16 forward case takes the SIMD path (else the scalar code).
bool narrow_simd(const Profile& p, const OpCase& c) {
  return c.op == Op::Forward && p.rules(c.input.dtype).device.compute == DType::Float32 &&
         p.rules(c.input.dtype).narrows_each_op;
}

}  // namespace

Outcome SimdBackend::run(const OpCase& c) {
  const DType t = c.input.dtype;
  const Profile& p = profile(c.profile);
  if (p.range_nan == RangeNaNRule::Propagated) return scalar_.run(c);  // no TF profile: the scalar code's
  if (Status s = validate_case(c); !s.ok()) return Outcome::rejected(s);
  if (!supports(c.profile, t)) return Outcome::rejected({Code::Unimplemented, "cpu does not implement this profile and dtype"});
  if (t == DType::BFloat16 || t == DType::Float16) {
    // bfloat16/float16 computed in float32 (tf-xla): SIMD for the forward op; the gradient and a
    // dtype narrowed only at the output through the scalar code.
    if (!narrow_simd(p, c)) return scalar_.run(c);
    Outcome out;
    out.outputs.emplace_back(t, c.input.shape);
    forward_narrow(p, c, out.outputs[0]);
    return out;
  }
  if (c.op == Op::Forward) {
    Outcome out;
    out.outputs.emplace_back(t, c.input.shape);
    t == DType::Float64 ? forward<double>(p, c, out.outputs[0]) : forward<float>(p, c, out.outputs[0]);
    return out;
  }
  return t == DType::Float64 ? gradient<double>(p, c) : gradient<float>(p, c);
}

Status SimdBackend::forward_into(const OpCase& c, Tensor& output) {
  const DType t = c.input.dtype;
  if (c.op != Op::Forward || output.dtype != t || output.shape != c.input.shape || !supports(c.profile, t)) {
    return {Code::Unimplemented, "forward_into: a forward case and an output of the input's dtype and shape"};
  }
  if (Status s = validate_case(c); !s.ok()) return s;
  const Profile& p = profile(c.profile);
  if (t == DType::Float64) forward<double>(p, c, output);
  else if (t == DType::Float32) forward<float>(p, c, output);
  else if (narrow_simd(p, c)) forward_narrow(p, c, output);
  else output = scalar_.run(c).outputs.at(0);
  return Status::Ok();
}

}  // namespace qdq::cpu
