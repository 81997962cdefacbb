// Per-target code of kernels.h: compiled once for every Highway target (foreach_target.h), chosen
// at run time by HWY_DYNAMIC_DISPATCH. The shape follows hwy/examples/skeleton.cc.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "impl/cpu/simd/kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/cache_control.h"
#include "hwy/highway.h"

#include <atomic>
#include <cmath>
#include <limits>
#include <type_traits>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "impl/cpu/simd/kernels.h"
#include "impl/cpu/simd/narrow_lanes-inl.h"

HWY_BEFORE_NAMESPACE();
namespace qdq::cpu::simd {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// A subnormal reads as a zero of its sign (DAZ).
template <class D, class V>
HWY_INLINE V Flush(D d, V v) {
  using T = hn::TFromD<D>;
  return hn::IfThenElse(hn::Lt(hn::Abs(v), hn::Set(d, std::numeric_limits<T>::min())), hn::CopySign(hn::Zero(d), v), v);
}

// a * b + c with one rounding. Highway's MulAdd is a multiply then an add on targets without an
// FMA instruction (SSE4 and below, the emulated ones); there each lane goes through std::fma,
// which is correctly rounded everywhere. The one platform difference of these kernels.
#if HWY_TARGET == HWY_SSE4 || HWY_TARGET == HWY_SSSE3 || HWY_TARGET == HWY_EMU128 || HWY_TARGET == HWY_SCALAR
template <class D, class V>
HWY_INLINE V FusedMulAdd(D d, V a, V b, V c) {
  using T = hn::TFromD<D>;
  HWY_ALIGN T x[hn::MaxLanes(d)], y[hn::MaxLanes(d)], z[hn::MaxLanes(d)];
  hn::Store(a, d, x);
  hn::Store(b, d, y);
  hn::Store(c, d, z);
  for (size_t i = 0; i < hn::Lanes(d); ++i) x[i] = std::fma(x[i], y[i], z[i]);
  return hn::Load(d, x);
}
#else
template <class D, class V>
HWY_INLINE V FusedMulAdd(D, V a, V b, V c) {
  return hn::MulAdd(a, b, c);
}
#endif

// PickGreater(a, b) = a > b ? a : b and PickLess(a, b) = a < b ? a : b, b where they are unordered
// or equal: on x86 these are exactly maxps/minps (one instruction instead of a compare and a
// blend); elsewhere the compare and the blend.
#if HWY_ARCH_X86 && HWY_TARGET != HWY_EMU128 && HWY_TARGET != HWY_SCALAR
template <class V>
HWY_INLINE V PickGreater(V a, V b) {
  return hn::Max(a, b);
}
template <class V>
HWY_INLINE V PickLess(V a, V b) {
  return hn::Min(a, b);
}
#else
template <class V>
HWY_INLINE V PickGreater(V a, V b) {
  return hn::IfThenElse(hn::Gt(a, b), a, b);
}
template <class V>
HWY_INLINE V PickLess(V a, V b) {
  return hn::IfThenElse(hn::Lt(a, b), a, b);
}
#endif

template <Clamp c, class D, class V>
HWY_INLINE V ClampTo(D d, V v, V lo, V hi) {
  switch (c) {
    case Clamp::None: return v;
    case Clamp::KeepInput:  // std::max(std::min(v, hi), lo): an unordered compare keeps v
      return PickGreater(lo, PickLess(hi, v));
    case Clamp::MaxThenMin:  // std::min(std::max(lo, v), hi)
      return PickLess(hi, PickGreater(v, lo));
    case Clamp::MaxThenMinPreferHi:  // std::min(hi, std::max(lo, v))
      return PickLess(PickGreater(v, lo), hi);
    case Clamp::NonNaNWins: {  // fmax(fmin(v, hi), lo), where a NaN operand loses to the other
      // m = fmin(v, hi): hi where v is NaN, else hi < v ? hi : v, which PickLess(hi, v) gives with v
      // where hi is NaN; then fmax(m, lo): lo where m is NaN (v and hi both), else m < lo ? lo : m,
      // which PickGreater(lo, m) gives with m where lo is NaN. A compare and a masked min or max
      // each on x86, where spelling out the NaN cases took twelve operations.
      const V m = hn::IfThenElse(hn::IsNaN(v), hi, PickLess(hi, v));
      return hn::IfThenElse(hn::IsNaN(m), lo, PickGreater(lo, m));
    }
  }
  (void)d;
  return v;
}

// rint and floor keep the sign of their argument (rint(-0.3) = -0); Highway's emulation of them on
// targets without roundps (SSSE3 and below) loses it for a zero result, so there it is restored.
#if HWY_TARGET == HWY_SSSE3 || HWY_TARGET == HWY_EMU128 || HWY_TARGET == HWY_SCALAR
template <class V>
HWY_INLINE V KeepSign(V q, V s) {
  return hn::CopySign(q, s);
}
#else
template <class V>
HWY_INLINE V KeepSign(V q, V) {
  return q;
}
#endif

// One vector: clamp, scale, round to an integer, scale back. With kFlush false, a subnormal input is
// taken as it is, for parameters where it gives the same result as its signed zero (Params::flush).
template <Rounding r, Clamp c, bool kFlush, class D, class V>
HWY_INLINE V Quantize1(D d, V x, V scale, V inv, V lo, V hi) {
  const V v = ClampTo<c>(d, kFlush ? Flush(d, x) : x, lo, hi);
  V s, q;
  switch (r) {
    case Rounding::HalfToEven:
      s = hn::Mul(v, scale);
      q = hn::Round(s);
      break;
    case Rounding::HalfUp:
      s = hn::Add(hn::Mul(v, scale), hn::Set(d, 0.5));
      q = hn::Floor(s);
      break;
    case Rounding::HalfUpFused:
      s = FusedMulAdd(d, v, scale, hn::Set(d, 0.5));
      q = hn::Floor(s);
      break;
  }
  return hn::Mul(KeepSign(q, s), inv);
}

// Passes over tensors larger than the caches keep (Params::prefetch, Params::stream; min/max passes
// where the caller says so) prefetch the input this many bytes past the element at hand, once a vector. On
// the 2-core AVX-512 machine of docs/performance.md the hardware prefetchers alone left the core
// waiting on memory and computing in turn (a 128 MiB bfloat16 pass at about 1/(1/compute +
// 1/memory)); with these distances the memory streams while the core computes. A prefetch never
// faults, so the line may lie past the array's end.
constexpr size_t kQuantizePrefetchBytes = 2048;
constexpr size_t kMinMaxPrefetchBytes = 4096;  // a read-only pass runs ahead faster
template <size_t kBytes, typename T>
HWY_INLINE void PrefetchAhead(const T* p) {
  hwy::Prefetch(reinterpret_cast<const T*>(reinterpret_cast<uintptr_t>(p) + kBytes));
}
// f(std::true_type{}) where `on`, else f(std::false_type{}): a loop compiled with and without its
// prefetch, the choice made once outside it; the loop calls PrefetchAheadIf with what it was given.
template <class F>
HWY_INLINE void WithPrefetch(bool on, F&& f) {
  on ? f(std::true_type{}) : f(std::false_type{});
}
template <size_t kBytes, class On, typename T>
HWY_INLINE void PrefetchAheadIf(On, const T* p) {
  if constexpr (On::value) PrefetchAhead<kBytes>(p);
}

// y[i] = quantize-dequantize(x[i]) for i < n with one channel's parameters. With `stream`, the
// first `peel` elements one by one (up to a vector boundary of y), then whole vectors with
// non-temporal stores and a prefetch ahead; otherwise whole vectors with ordinary stores (and the
// prefetch where p.prefetch); the rest one by one.
template <Rounding r, Clamp c, bool kFlush, typename T>
HWY_INLINE void QuantizeSpan(const T* x, T* y, size_t n, const Params<T>& p, bool stream, size_t peel) {
  const hn::ScalableTag<T> d;
  const hn::CappedTag<T, 1> d1;
  const size_t N = hn::Lanes(d);
  const auto one = [&](size_t i) {
    hn::StoreU(Quantize1<r, c, kFlush>(d1, hn::LoadU(d1, x + i), hn::Set(d1, p.scale), hn::Set(d1, p.inv), hn::Set(d1, p.lo),
                               hn::Set(d1, p.hi)),
               d1, y + i);
  };
  const auto scale = hn::Set(d, p.scale), inv = hn::Set(d, p.inv), lo = hn::Set(d, p.lo), hi = hn::Set(d, p.hi);
  size_t i = 0;
  if (stream) {
    for (; i < peel && i < n; ++i) one(i);
    for (; i + N <= n; i += N) {
      PrefetchAhead<kQuantizePrefetchBytes>(x + i);
      hn::Stream(Quantize1<r, c, kFlush>(d, hn::LoadU(d, x + i), scale, inv, lo, hi), d, y + i);
    }
  } else {
    WithPrefetch(p.prefetch, [&](auto prefetch) {
      for (; i + N <= n; i += N) {
        PrefetchAheadIf<kQuantizePrefetchBytes>(prefetch, x + i);
        hn::StoreU(Quantize1<r, c, kFlush>(d, hn::LoadU(d, x + i), scale, inv, lo, hi), d, y + i);
      }
    });
  }
  for (; i < n; ++i) one(i);
}

// Elements of y before its first vector boundary (all of them when y is not aligned to T).
template <typename T>
size_t PeelToVector(const T* y, size_t vector_bytes, size_t n) {
  const uintptr_t offset = reinterpret_cast<uintptr_t>(y) % vector_bytes;
  return offset % sizeof(T) != 0 ? n : ((vector_bytes - offset) % vector_bytes) / sizeof(T);
}

// Whether per-channel runs of `inner` elements from y_first all start on a vector boundary, so that
// each streams whole vectors from its first element. Runs are streamed only then: a run that must
// first store a few elements one by one to reach a boundary costs more in that scalar peel, and
// in the cached and non-temporal stores it mixes in the same lines, than streaming saves (float32
// and bfloat16 runs of 64 in 128 MiB on storage aligned to 16 bytes: 18-19 and 5-6 GB/s with the
// peel, docs/performance.md).
template <typename T>
bool RunsStartOnVectors(const T* y_first, size_t inner, size_t vector_bytes) {
  return reinterpret_cast<uintptr_t>(y_first) % vector_bytes == 0 && (inner * sizeof(T)) % vector_bytes == 0;
}

// f(run, channel) for the per-channel runs first .. first+count-1, run k of channel k mod depth
// (one division, not one a run).
template <class F>
HWY_INLINE void ForEachRun(size_t first, size_t count, size_t depth, F&& f) {
  size_t ch = first % depth;
  for (size_t run = first; run < first + count; ++run) {
    f(run, ch);
    if (++ch == depth) ch = 0;
  }
}

// f(run, channel, m) for the runs of a tile in blocks of m runs of one channel, run, run + depth,
// ..., run + (m - 1)·depth: kRowsABlock rows at a time (fewer in the last block), channel by
// channel.
template <class F>
HWY_INLINE void ForEachRunBlock(const RunTile& tile, size_t depth, F&& f) {
  const size_t end = tile.row + tile.rows;
  for (size_t o = tile.row; o < end; o += kRowsABlock) {
    const size_t m = std::min(kRowsABlock, end - o);
    for (size_t ch = tile.channel; ch < tile.channel + tile.channels; ++ch) f(o * depth + ch, ch, m);
  }
}

// The runs first .. first+count-1 of rp, each `inner` elements of whole vectors of `step`: for each
// run, make_step(its channel's Params) once, then the step it returns on each vector,
// step(x, y, stream), with the prefetch chosen once (always where streaming). The runs kernels'
// loop for runs whose span set-up would cost as much as the run (QuantizeRunsT, QuantizeNarrowRunsT).
template <typename E, typename A, class MakeStep>
HWY_INLINE void ForEachWholeVectorRun(const E* x, E* y, size_t first, size_t count, const RunParams<A>& rp, size_t step,
                                      bool stream, MakeStep&& make_step) {
  const size_t inner = rp.inner;
  WithPrefetch(stream || rp.params[0].prefetch, [&](auto prefetch) {
    ForEachRun(first, count, rp.depth, [&](size_t run, size_t ch) {
      const auto step_of = make_step(rp.params[ch]);
      const E* xr = x + run * inner;
      E* yr = y + run * inner;
      for (size_t i = 0; i < inner; i += step) {
        PrefetchAheadIf<kQuantizePrefetchBytes>(prefetch, xr + i);
        step_of(xr + i, yr + i, stream);
      }
    });
  });
}

// The walk of the rows kernels over `rows` rows of `length` elements as one span of n elements:
// `pos`, the position in its row of the element at hand, kept up to date as the walk goes, which
// is where that element's parameters lie (RowParams: a vector from there reads on into the pad).
static_assert(2 * hn::MaxLanes(hn::ScalableTag<float>()) <= kRowPad && hn::MaxLanes(hn::ScalableTag<double>()) <= kRowPad,
              "RowParams' pad holds what a vector reads past a row's last position");
struct RowWalk {
  size_t length, n, pos = 0, step, wrap;
  RowWalk(size_t length_, size_t rows, size_t vector) : length(length_), n(rows * length_), step(vector), wrap(vector % length_) {}
  // one(i) for the first `peel` elements, then vector(i) for each whole vector of `step`
  // elements, then one(i) for the rest; pos is i's position at each call.
  template <class One, class Vector>
  HWY_INLINE void run(size_t peel, One&& one, Vector&& vector) {
    size_t i = 0;
    for (; i < peel && i < n; ++i) {
      one(i);
      if (++pos == length) pos = 0;
    }
    for (; i + step <= n; i += step) {
      vector(i);
      pos += wrap;  // (pos + step) mod length: pos < length and wrap < length
      if (pos >= length) pos -= length;
    }
    for (; i < n; ++i) {
      one(i);
      if (++pos == length) pos = 0;
    }
  }
};

template <Rounding r, Clamp c, bool kFlush, typename T>
void QuantizeT(const T* x, T* y, size_t n, const Params<T>& p) {
  const size_t vector_bytes = hn::Lanes(hn::ScalableTag<T>()) * sizeof(T);
  QuantizeSpan<r, c, kFlush>(x, y, n, p, p.stream, p.stream ? PeelToVector(y, vector_bytes, n) : 0);
}

// quantize_runs: runs of whole vectors (the only ones streamed: RunsStartOnVectors) as one vector
// loop each, the prefetch and the stores chosen once a call; other runs through QuantizeSpan (its
// peel and tail). As QuantizeNarrowRunsT: the span's set-up costs as much as a short run.
template <Rounding r, Clamp c, bool kFlush, typename T>
void QuantizeRunsT(const T* x, T* y, size_t first, size_t count, const RunParams<T>& rp) {
  const hn::ScalableTag<T> d;
  const size_t inner = rp.inner, N = hn::Lanes(d);
  const bool stream = rp.params[0].stream && RunsStartOnVectors(y + first * inner, inner, N * sizeof(T));
  if (inner % N == 0) {
    return ForEachWholeVectorRun(x, y, first, count, rp, N, stream, [&](const Params<T>& p) {
      const auto scale = hn::Set(d, p.scale), inv = hn::Set(d, p.inv), lo = hn::Set(d, p.lo), hi = hn::Set(d, p.hi);
      return [=](const T* a, T* b, bool streamed) {
        const auto v = Quantize1<r, c, kFlush>(d, hn::LoadU(d, a), scale, inv, lo, hi);
        streamed ? hn::Stream(v, d, b) : hn::StoreU(v, d, b);
      };
    });
  }
  ForEachRun(first, count, rp.depth, [&](size_t run, size_t ch) {
    QuantizeSpan<r, c, kFlush>(x + run * inner, y + run * inner, inner, rp.params[ch], false, 0);
  });
}

template <Rounding r, Clamp c, bool kFlush, typename T>
void QuantizeRowsT(const T* x, T* y, size_t rows, const RowParams<T>& params) {
  const RowParams<T> p = params;  // kept in registers: y's stores may alias anything (QuantizeNarrowSpan)
  const hn::ScalableTag<T> d;
  const hn::CappedTag<T, 1> d1;
  const size_t N = hn::Lanes(d);
  RowWalk walk(p.length, rows, N);
  const auto at = [&](auto dv, size_t i) {
    const size_t k = walk.pos;
    return Quantize1<r, c, kFlush>(dv, hn::LoadU(dv, x + i), hn::LoadU(dv, p.scale + k), hn::LoadU(dv, p.inv + k),
                                   hn::LoadU(dv, p.lo + k), hn::LoadU(dv, p.hi + k));
  };
  const auto one = [&](size_t i) { hn::StoreU(at(d1, i), d1, y + i); };
  if (p.stream) {
    walk.run(PeelToVector(y, N * sizeof(T), walk.n), one, [&](size_t i) {
      PrefetchAhead<kQuantizePrefetchBytes>(x + i);
      hn::Stream(at(d, i), d, y + i);
    });
  } else {
    WithPrefetch(p.prefetch, [&](auto prefetch) {
      walk.run(0, one, [&](size_t i) {
        PrefetchAheadIf<kQuantizePrefetchBytes>(prefetch, x + i);
        hn::StoreU(at(d, i), d, y + i);
      });
    });
  }
}

// lo = min(lo, v), hi = max(hi, v) lane by lane, a NaN lane of v skipped: PickLess(v, lo) gives
// its second operand where they are unordered, and the accumulators are never NaN (they start at
// ±inf or at an extreme), so a NaN leaves them as they are; on x86 one minps and one maxps. Where
// v equals lo, lo stays: for a zero against a zero of the other sign, which zero is the extreme is
// the order the lanes met them in, as it already is across lanes (the sign of a zero extreme is
// implementation-defined). Subnormals are not flushed here: an extreme that is a subnormal is read
// as ±0 by the host arithmetic that uses it (DAZ), which is one of the results a flushing reduction
// may give.
template <class D, class V>
HWY_INLINE void MinMax1(D, V v, V& lo, V& hi) {
  lo = PickLess(v, lo);
  hi = PickGreater(v, hi);
}

// The load of a min/max pass: load(d, i) = load_at(d, x + i), the vector of x's elements from i,
// preceded where `on` (std::true_type) by a prefetch kMinMaxPrefetchBytes ahead.
template <typename E, class LoadAt, class On>
HWY_INLINE auto MinMaxLoad(const E* x, LoadAt load_at, On on) {
  return [x, load_at, on](auto d, size_t i) {
    PrefetchAheadIf<kMinMaxPrefetchBytes>(on, x + i);
    return load_at(d, x + i);
  };
}
// Calls f(MinMaxLoad(x, load_at, on)), with `on` where `prefetch`: each min/max pass is compiled
// with and without the prefetch.
template <typename E, class LoadAt, class F>
HWY_INLINE void WithMinMaxLoad(const E* x, bool prefetch, LoadAt load_at, F&& f) {
  WithPrefetch(prefetch, [&](auto on) { f(MinMaxLoad(x, load_at, on)); });
}
// The load of float32/float64 elements.
struct LoadLanes {
  template <class D, typename T>
  HWY_INLINE hn::VFromD<D> operator()(D d, const T* p) const { return hn::LoadU(d, p); }
};

// The min/max pass over n elements in lanes of T; load(d, i) gives the vector of elements from i.
template <typename T, class Load>
void MinMaxLanes(size_t n, T* lo_out, T* hi_out, Load&& load) {
  const hn::ScalableTag<T> d;
  const hn::CappedTag<T, 1> d1;
  const size_t N = hn::Lanes(d);
  auto lo = hn::Set(d, *lo_out), hi = hn::Set(d, *hi_out);
  size_t i = 0;
  if (n >= 4 * N) {
    // Four pairs of accumulators, four independent chains: with one, each vector waits for the
    // last min/max's result (4 cycles on current x86 cores), which bound the pass at about a
    // vector every 4 cycles, below what the memory delivers (10 G float32 elements/s a core).
    auto lo1 = lo, hi1 = hi, lo2 = lo, hi2 = hi, lo3 = lo, hi3 = hi;
    for (; i + 4 * N <= n; i += 4 * N) {
      MinMax1(d, load(d, i), lo, hi);
      MinMax1(d, load(d, i + N), lo1, hi1);
      MinMax1(d, load(d, i + 2 * N), lo2, hi2);
      MinMax1(d, load(d, i + 3 * N), lo3, hi3);
    }
    lo = hn::Min(hn::Min(lo, lo1), hn::Min(lo2, lo3));
    hi = hn::Max(hn::Max(hi, hi1), hn::Max(hi2, hi3));
  }
  for (; i + N <= n; i += N) MinMax1(d, load(d, i), lo, hi);
  auto lo1 = hn::Set(d1, hn::GetLane(hn::MinOfLanes(d, lo))), hi1 = hn::Set(d1, hn::GetLane(hn::MaxOfLanes(d, hi)));
  for (; i < n; ++i) MinMax1(d1, load(d1, i), lo1, hi1);
  *lo_out = hn::GetLane(lo1);
  *hi_out = hn::GetLane(hi1);
}

// v's lanes combined (by max where kMax, else min) down to the kAccumulatorLanes<T> lanes of an
// accumulator vector, halves against halves (as many as the target has, at most that).
template <bool kMax, class D>
HWY_INLINE auto FoldToAccumulator(D d, hn::VFromD<D> v) {
  if constexpr (hn::MaxLanes(d) > kAccumulatorLanes<hn::TFromD<D>>) {
    const hn::Half<D> dh;  // (unqualified calls, found at instantiation: HWY_SCALAR has no UpperHalf)
    const auto a = LowerHalf(dh, v), b = UpperHalf(dh, v);
    return FoldToAccumulator<kMax>(dh, kMax ? hn::Max(a, b) : hn::Min(a, b));
  } else {
    return v;
  }
}
// l[kAccumulatorLanes<T>] and h[...] (as many as the target has) merged with a vector's minima vl
// and maxima vh, neither NaN.
template <class D, typename T>
HWY_INLINE void MergeLanes(D d, hn::VFromD<D> vl, hn::VFromD<D> vh, T* l, T* h) {
  const hn::CappedTag<T, kAccumulatorLanes<T>> dc;
  hn::StoreU(hn::Min(hn::LoadU(dc, l), FoldToAccumulator<false>(d, vl)), dc, l);
  hn::StoreU(hn::Max(hn::LoadU(dc, h), FoldToAccumulator<true>(d, vh)), dc, h);
}

// f(chain, k, i) for runs k < m of a block and offsets i = from, from + step, ... < whole: two
// runs at a time in turn, k even on chain 0 and odd on chain 1 (std::integral_constant, so that
// each chain's registers are chosen at compile time: chosen at run time, bfloat16's accumulators
// went to memory), the last run of an odd m on chain 0. One chain of m runs would wait on the
// min/max's latency (MinMaxLanes).
template <class F>
HWY_INLINE void InTwoChains(size_t m, size_t from, size_t whole, size_t step, F&& f) {
  size_t k = 0;
  for (; k + 2 <= m; k += 2) {
    for (size_t i = from; i < whole; i += step) {
      f(std::integral_constant<int, 0>{}, k, i);
      f(std::integral_constant<int, 1>{}, k + 1, i);
    }
  }
  if (k < m)
    for (size_t i = from; i < whole; i += step) f(std::integral_constant<int, 0>{}, k, i);
}

// Elements [from, n) of m runs of one channel (the n elements from at, at + stride, ..., at +
// (m - 1)·stride) into its `lanes` accumulators l and h: with kAccumulatorLanes<T> lanes, whole
// vectors into registers from ±inf, folded into the lanes at the end (MergeLanes), and the
// remaining elements one by one into lane 0; with one, through MinMaxLanes. load(d, i) gives the
// vector of elements from i.
template <typename T, class Load>
HWY_INLINE void MinMaxRuns(size_t at, size_t stride, size_t m, size_t from, size_t n, size_t lanes, T* l, T* h,
                           Load& load) {
  const hn::ScalableTag<T> d;
  const hn::CappedTag<T, 1> d1;
  const size_t N = hn::Lanes(d);
  if (lanes == 1) {
    for (size_t k = 0; k < m; ++k)
      MinMaxLanes(n - from, l, h, [&](auto dv, size_t i) { return load(dv, at + k * stride + from + i); });
    return;
  }
  const size_t whole = from + (n - from) / N * N;
  if (whole > from) {
    auto vl = hn::Set(d, std::numeric_limits<T>::infinity()), vh = hn::Neg(vl), vl1 = vl, vh1 = vh;
    InTwoChains(m, from, whole, N, [&](auto chain, size_t k, size_t i) HWY_ATTR __attribute__((always_inline)) {
      if constexpr (decltype(chain)::value == 0) MinMax1(d, load(d, at + k * stride + i), vl, vh);
      else MinMax1(d, load(d, at + k * stride + i), vl1, vh1);
    });
    MergeLanes(d, hn::Min(vl, vl1), hn::Max(vh, vh1), l, h);
  }
  if (whole < n) {
    auto l1 = hn::LoadU(d1, l), h1 = hn::LoadU(d1, h);
    for (size_t k = 0; k < m; ++k)
      for (size_t i = whole; i < n; ++i) MinMax1(d1, load(d1, at + k * stride + i), l1, h1);
    hn::StoreU(l1, d1, l);
    hn::StoreU(h1, d1, h);
  }
}

// min_max_runs (kernels.h) over a tile's runs into `lanes` accumulators a channel, a block of runs
// of one channel at a time through MinMaxRuns; load(d, i) gives the vector of elements from i.
template <typename T, class Load>
HWY_INLINE void MinMaxRunsLanes(const RunTile& tile, size_t inner, size_t depth, size_t lanes, T* lo, T* hi,
                                Load&& load) {
  ForEachRunBlock(tile, depth, [&](size_t run, size_t ch, size_t m) {
    MinMaxRuns(run * inner, depth * inner, m, 0, inner, lanes, lo + ch * lanes, hi + ch * lanes, load);
  });
}

template <typename T>
void MinMaxRunsT(const T* x, const RunTile& tile, size_t inner, size_t depth, size_t lanes, T* lo, T* hi,
                 bool prefetch) {
  WithMinMaxLoad(x, prefetch, LoadLanes{}, [&](auto load) { MinMaxRunsLanes(tile, inner, depth, lanes, lo, hi, load); });
}

template <typename T>
void ReduceLanesT(const T* lo_lanes, const T* hi_lanes, size_t channels, size_t lanes, T* lo, T* hi) {
  const hn::CappedTag<T, kAccumulatorLanes<T>> d;
  const hn::CappedTag<T, 1> d1;
  const size_t N = lanes == 1 ? 1 : hn::Lanes(d);
  for (size_t c = 0; c < channels; ++c) {
    auto l = hn::Set(d1, lo[c]), h = hn::Set(d1, hi[c]);
    for (size_t j = c * lanes; j < (c + 1) * lanes; j += N) {
      l = hn::Min(l, N == 1 ? hn::LoadU(d1, lo_lanes + j) : hn::Set(d1, hn::GetLane(hn::MinOfLanes(d, hn::LoadU(d, lo_lanes + j)))));
      h = hn::Max(h, N == 1 ? hn::LoadU(d1, hi_lanes + j) : hn::Set(d1, hn::GetLane(hn::MaxOfLanes(d, hn::LoadU(d, hi_lanes + j)))));
    }
    lo[c] = hn::GetLane(l);
    hi[c] = hn::GetLane(h);
  }
}

template <typename T>
void MinMaxT(const T* x, size_t n, T* lo, T* hi, bool prefetch) {
  WithMinMaxLoad(x, prefetch, LoadLanes{}, [&](auto load) { MinMaxLanes(n, lo, hi, load); });
}

// kRowBlock rows of L elements from `row` into lo[L], hi[L]: each vector of accumulators loaded
// and stored once for the block, so their traffic is a fraction of the rows' own.
constexpr size_t kRowBlock = 4;
template <size_t kRows, typename T, class Load>
HWY_INLINE void MinMaxRowBlock(size_t row, size_t L, T* lo, T* hi, Load& load) {
  const hn::ScalableTag<T> d;
  const hn::CappedTag<T, 1> d1;
  const size_t N = hn::Lanes(d);
  size_t i = 0;
  for (; i + N <= L; i += N) {
    auto l = hn::LoadU(d, lo + i), h = hn::LoadU(d, hi + i);
    for (size_t r = 0; r < kRows; ++r) MinMax1(d, load(d, (row + r) * L + i), l, h);
    hn::StoreU(l, d, lo + i);
    hn::StoreU(h, d, hi + i);
  }
  for (; i < L; ++i) {
    auto l = hn::LoadU(d1, lo + i), h = hn::LoadU(d1, hi + i);
    for (size_t r = 0; r < kRows; ++r) MinMax1(d1, load(d1, (row + r) * L + i), l, h);
    hn::StoreU(l, d1, lo + i);
    hn::StoreU(h, d1, hi + i);
  }
}

// The per-position min/max pass over `rows` rows of L elements into lo[L], hi[L]; load(d, i) gives
// the vector of elements from i (counted from the first row's start).
template <typename T, class Load>
void MinMaxRowsLanes(size_t rows, size_t L, T* lo, T* hi, Load&& load) {
  size_t row = 0;
  for (; row + kRowBlock <= rows; row += kRowBlock) MinMaxRowBlock<kRowBlock>(row, L, lo, hi, load);
  for (; row < rows; ++row) MinMaxRowBlock<1>(row, L, lo, hi, load);
}

template <typename T>
void MinMaxRowsT(const T* x, size_t rows, size_t L, T* lo, T* hi, bool prefetch) {
  WithMinMaxLoad(x, prefetch, LoadLanes{}, [&](auto load) { MinMaxRowsLanes(rows, L, lo, hi, load); });
}

template <class D, class V>
HWY_INLINE V Gradient1(D d, V g, V x, V lo, V hi) {
  const V v = Flush(d, x);
  const auto inside = hn::And(hn::Le(lo, v), hn::Le(v, hi));  // false for NaN
  return hn::Mul(Flush(d, g), hn::IfThenElseZero(inside, hn::Set(d, 1)));
}

template <typename T>
void GradientT(const T* g, const T* x, T* dx, size_t n, T lo, T hi) {
  const hn::ScalableTag<T> d;
  const hn::CappedTag<T, 1> d1;
  const size_t N = hn::Lanes(d);
  size_t i = 0;
  for (; i + N <= n; i += N) {
    hn::StoreU(Gradient1(d, hn::LoadU(d, g + i), hn::LoadU(d, x + i), hn::Set(d, lo), hn::Set(d, hi)), d, dx + i);
  }
  for (; i < n; ++i) {
    hn::StoreU(Gradient1(d1, hn::LoadU(d1, g + i), hn::LoadU(d1, x + i), hn::Set(d1, lo), hn::Set(d1, hi)), d1, dx + i);
  }
}

// Calls f.template operator()<r, c, flush>() for the runtime rounding, clamp and flush: the loops
// are compiled once per combination, with no branch inside them.
template <class F>
HWY_INLINE void WithModes(Rounding r, Clamp c, bool flush, F&& f) {
  auto with_flush = [&]<Rounding R, Clamp C>() {
    if (flush) return f.template operator()<R, C, true>();
    return f.template operator()<R, C, false>();
  };
  auto with_clamp = [&]<Rounding R>() {
    switch (c) {
      case Clamp::None: return with_flush.template operator()<R, Clamp::None>();
      case Clamp::KeepInput: return with_flush.template operator()<R, Clamp::KeepInput>();
      case Clamp::NonNaNWins: return with_flush.template operator()<R, Clamp::NonNaNWins>();
      case Clamp::MaxThenMin: return with_flush.template operator()<R, Clamp::MaxThenMin>();
      case Clamp::MaxThenMinPreferHi: return with_flush.template operator()<R, Clamp::MaxThenMinPreferHi>();
    }
  };
  switch (r) {
    case Rounding::HalfToEven: return with_clamp.template operator()<Rounding::HalfToEven>();
    case Rounding::HalfUp: return with_clamp.template operator()<Rounding::HalfUp>();
    case Rounding::HalfUpFused: return with_clamp.template operator()<Rounding::HalfUpFused>();
  }
}

// ---- bfloat16 and float16 in float32 lanes (narrow_lanes-inl.h) ----

// AVX512-BF16's conversions, vcvtneps2bf16 (one vector) and vcvtne2ps2bf16 (two into one), for the
// bfloat16 kernels of the AVX-512 target where the CPU has them (bf16_instructions_in_use): one
// instruction each where the integer rounding above takes four or five. Written as inline
// assembly, which needs no compiler target beyond AVX-512F (Highway 1.0.3 has no operation for
// them). Both round to nearest, ties to even, as RoundBF16Bits does, and differ from it in two ways
// that never reach an output of these kernels:
// - a float32 subnormal converts to a zero of its sign. The kernels round three values this way:
//   v·scale, whose rounding is followed by rint, or by + 1/2 and floor, which give the same result
//   from a subnormal and from its signed zero (rint keeps the sign; 1/2 plus a subnormal is 1/2 in
//   float32); s + 1/2 for a bfloat16 s, which is 0 or at least 2^-9 in magnitude; and q·inv for an
//   integer q, which is 0 or at least |inv|, never subnormal (Params' precondition);
// - a NaN's low 16 bits are dropped where RoundBF16Bits adds up to 0x8000 to them: the same bits
//   where they are zero, as they are for every NaN here (a bfloat16 input, quieted by x86
//   arithmetic with its payload kept, or the default NaN 0xFFC00000).
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
constexpr bool kBF16Instructions = true;
template <class V>
constexpr bool kBF16InstructionVector = std::is_same_v<V, hn::Vec512<float>>;
// v rounded to bfloat16, back in float32 lanes.
HWY_INLINE hn::Vec512<float> RoundBF16Instruction(hn::Vec512<float> v) {
  __m256i h;
  asm("vcvtneps2bf16 %1, %0" : "=v"(h) : "v"(v.raw));
  const hn::Full512<uint32_t> du;
  return hn::BitCast(hn::Full512<float>(), hn::ShiftLeft<16>(hn::PromoteTo(du, hn::Vec256<uint16_t>{h})));
}
// a's lanes rounded to bfloat16 in the low half, b's in the high half.
HWY_INLINE hn::Vec512<uint16_t> Pack2BF16Instruction(hn::Vec512<float> a, hn::Vec512<float> b) {
  __m512i r;
  asm("vcvtne2ps2bf16 %2, %1, %0" : "=v"(r) : "v"(b.raw), "v"(a.raw));
  return hn::Vec512<uint16_t>{r};
}

// 32 bfloat16 lanes as two float32 vectors, without widening each half: the even-numbered lanes
// (shifted into the high halves) and the odd-numbered ones (low halves cleared). The kernels apply
// the same operation to every lane, so only the set of values matters until the result is stored;
// PackedOrder undoes the order once at the end.
HWY_INLINE void SplitBF16(hn::Vec512<uint16_t> w, hn::Vec512<float>& even, hn::Vec512<float>& odd) {
  const hn::Full512<uint32_t> du;
  const hn::Full512<float> df;
  const auto u = hn::BitCast(du, w);
  even = hn::BitCast(df, hn::ShiftLeft<16>(u));
  odd = hn::BitCast(df, hn::And(u, hn::Set(du, 0xFFFF0000u)));
}
// Both vectors rounded to bfloat16 (one vcvtne2ps2bf16) and split again.
HWY_INLINE void RoundBF16Split(hn::Vec512<float>& even, hn::Vec512<float>& odd) {
  SplitBF16(Pack2BF16Instruction(even, odd), even, odd);
}
// After k rounds of split and pack (Pack2BF16Instruction(even, odd)), lane w of the packed vector
// holds the value of input lane s^k(w), s(w) = 2w below 16 and 2(w - 16) + 1 from 16 on (the even
// lanes first, then the odd). idx[w] = the lane holding input lane w, for vpermw.
template <int k>
struct PackedOrder {
  alignas(64) uint16_t idx[32] = {};
  constexpr PackedOrder() {
    for (int v = 0; v < 32; ++v) {
      int w = v;
      for (int round = 0; round < k; ++round) w = w < 16 ? 2 * w : 2 * (w - 16) + 1;
      idx[w] = static_cast<uint16_t>(v);
    }
  }
};
// 32 bfloat16 at x quantized as QuantizeNarrow1 does lane by lane, with the same operations on the
// same values (AVX512-BF16's rounding, see above), in split vectors: a load, two operations to
// split, one vcvtne2ps2bf16 per rounding for both halves, one vpermw at the end, where widening
// each half of each rounding took a vpmovzxwd and a shift per 16 lanes.
template <Rounding r, Clamp c, bool kFlush>
HWY_INLINE hn::Vec512<uint16_t> QuantizeBF16x32(const uint16_t* x, const Params<float>& p) {
  const hn::Full512<float> d;
  const hn::Full512<uint16_t> dw;
  const auto scale = hn::Set(d, p.scale), lo = hn::Set(d, p.lo), hi = hn::Set(d, p.hi);
  hn::Vec512<float> e, o;
  SplitBF16(hn::LoadU(dw, x), e, o);
  const auto scaled = [&](hn::Vec512<float> v) {
    if constexpr (kFlush) v = Flush(d, v);
    return hn::Mul(ClampTo<c>(d, v, lo, hi), scale);
  };
  e = scaled(e);
  o = scaled(o);
  RoundBF16Split(e, o);
  if constexpr (r == Rounding::HalfToEven) {
    e = hn::Round(e);
    o = hn::Round(o);
  } else {
    e = hn::Add(e, hn::Set(d, 0.5f));
    o = hn::Add(o, hn::Set(d, 0.5f));
    RoundBF16Split(e, o);
    e = hn::Floor(e);
    o = hn::Floor(o);
  }
  const auto inv = hn::Set(d, p.inv);
  static constexpr PackedOrder<r == Rounding::HalfToEven ? 2 : 3> kOrder;
  const auto idx = hn::Load(dw, kOrder.idx);
  return hn::Vec512<uint16_t>{_mm512_permutexvar_epi16(idx.raw, Pack2BF16Instruction(hn::Mul(e, inv), hn::Mul(o, inv)).raw)};
}

// AVX512-FP16's arithmetic on 32 float16 lanes, for the float16 kernels of the AVX-512 target where
// the CPU has it (fp16_instructions_in_use): no conversion at all, where the float32 lanes take a
// vcvtph2ps and a vcvtps2ph around every rounding. Inline assembly, as above (GCC's intrinsics
// would need the whole function compiled for AVX512-FP16). The same bits as QuantizeNarrow1's:
// - a product or sum of two float16 values rounded once to float16 is what the float32 lanes give
//   when they round the float32 result to float16: a product of two 11-bit significands is exact
//   in float32, and for a sum float32's 24 bits are at least 2·11 + 2, so rounding to float32
//   first never changes the float16 result;
// - vmaxph/vminph choose between their operands by the same rule as maxps/minps (the second one
//   where they are unordered or equal), and vrndscaleph rounds as roundps, keeping the sign;
// - these instructions ignore MXCSR's FTZ and DAZ, as vcvtps2ph does, and no float16 value is a
//   float32 subnormal, so the float32 lanes' DAZ (Flush) never changes one: kFlush does nothing here;
// - a NaN keeps its float16 payload, made quiet, as through float32 and back.
constexpr bool kFP16Instructions = true;
HWY_INLINE __m512i MulF16(__m512i a, __m512i b) {
  __m512i r;
  asm("vmulph %2, %1, %0" : "=v"(r) : "v"(a), "v"(b));
  return r;
}
HWY_INLINE __m512i AddF16(__m512i a, __m512i b) {
  __m512i r;
  asm("vaddph %2, %1, %0" : "=v"(r) : "v"(a), "v"(b));
  return r;
}
// PickGreater(a, b) and PickLess(a, b) of float16 lanes (b where unordered or equal).
HWY_INLINE __m512i MaxF16(__m512i a, __m512i b) {
  __m512i r;
  asm("vmaxph %2, %1, %0" : "=v"(r) : "v"(a), "v"(b));
  return r;
}
HWY_INLINE __m512i MinF16(__m512i a, __m512i b) {
  __m512i r;
  asm("vminph %2, %1, %0" : "=v"(r) : "v"(a), "v"(b));
  return r;
}
// rint (kMode 8: to nearest, ties to even) or floor (kMode 9), exceptions suppressed.
template <int kMode>
HWY_INLINE __m512i RoundScaleF16(__m512i a) {
  __m512i r;
  asm("vrndscaleph %2, %1, %0" : "=v"(r) : "v"(a), "i"(kMode));
  return r;
}
// One channel's parameters as float16 bits in every lane (they are float16 values: Params, so the
// conversion is exact), converted by F16C's vcvtps2ph: made once a run of a channel.
struct F16Lanes {
  __m512i scale, inv, lo, hi;
  static __m512i Broadcast(float v) { return _mm512_broadcastw_epi16(_mm_cvtps_ph(_mm_set_ss(v), _MM_FROUND_TO_NEAREST_INT)); }
  explicit F16Lanes(const Params<float>& p) : scale(Broadcast(p.scale)), inv(Broadcast(p.inv)), lo(Broadcast(p.lo)), hi(Broadcast(p.hi)) {}
  // Positions k .. k+31 of a row's parameters (RowParams::f16, whose pad holds what passes the row).
  F16Lanes(const Float16RowParams& q, size_t k)
      : scale(_mm512_loadu_si512(q.scale + k)), inv(_mm512_loadu_si512(q.inv + k)), lo(_mm512_loadu_si512(q.lo + k)),
        hi(_mm512_loadu_si512(q.hi + k)) {}
};
// Whether clamp c has a float16 form here (NonNaNWins's NaN tests have not: the float32 lanes).
template <Clamp c>
constexpr bool kFP16Clamp = c != Clamp::NonNaNWins;
// 32 float16 at x quantized as QuantizeNarrow1 does lane by lane (see above).
template <Rounding r, Clamp c>
HWY_INLINE hn::Vec512<uint16_t> QuantizeF16x32(const uint16_t* x, const F16Lanes& p) {
  __m512i v = _mm512_loadu_si512(x);
  if constexpr (c == Clamp::KeepInput) v = MaxF16(p.lo, MinF16(p.hi, v));
  else if constexpr (c == Clamp::MaxThenMin) v = MinF16(p.hi, MaxF16(v, p.lo));
  else if constexpr (c == Clamp::MaxThenMinPreferHi) v = MinF16(MaxF16(v, p.lo), p.hi);
  const __m512i s = MulF16(v, p.scale);
  __m512i q;
  if constexpr (r == Rounding::HalfToEven) q = RoundScaleF16<8>(s);
  else q = RoundScaleF16<9>(AddF16(s, _mm512_set1_epi16(0x3800)));  // floor(s + 1/2)
  return hn::Vec512<uint16_t>{MulF16(q, p.inv)};
}

// The min/max passes of bfloat16/float16 per tensor and in per-channel runs on AVX-512, 32 elements
// a step (MinMaxNarrow32, MinMaxNarrowRuns32): an accumulator's lo and hi hold the extremes so far,
// NaN skipped as MinMax1 skips it, which Floats gives as 16 float32 lanes each. Which lane holds
// which element does not matter to an extreme. The float32 lanes took a conversion of each
// 16 elements and three instructions on them.
// float16 in float16 lanes with AVX512-FP16 (where fp16_instructions_in_use): a compare and two
// masked instructions for 32 elements. vminph/vmaxph choose as minps/maxps (see above).
struct F16MinMax {
  __m512i lo, hi;
  HWY_INLINE F16MinMax() : lo(_mm512_set1_epi16(0x7C00)), hi(_mm512_set1_epi16(static_cast<short>(0xFC00))) {}  // +inf, -inf
  HWY_INLINE void Add(const uint16_t* p) {
    const __m512i v = _mm512_loadu_si512(p);
    __mmask32 ordered;
    asm("vcmpph $7, %1, %1, %0" : "=k"(ordered) : "v"(v));  // predicate 7: ordered (not NaN)
    asm("vminph %2, %0, %0%{%1%}" : "+v"(lo) : "Yk"(ordered), "v"(v));  // lo = min(lo, v) where ordered
    asm("vmaxph %2, %0, %0%{%1%}" : "+v"(hi) : "Yk"(ordered), "v"(v));
  }
  HWY_INLINE void Merge(const F16MinMax& o) {
    lo = MinF16(lo, o.lo);
    hi = MaxF16(hi, o.hi);
  }
  static HWY_INLINE hn::Vec512<float> Widen(__m256i h) { return hn::Vec512<float>{_mm512_cvtph_ps(h)}; }
  HWY_INLINE void Floats(hn::Vec512<float>& l, hn::Vec512<float>& h) const {
    l = hn::Min(Widen(_mm512_castsi512_si256(lo)), Widen(_mm512_extracti64x4_epi64(lo, 1)));
    h = hn::Max(Widen(_mm512_castsi512_si256(hi)), Widen(_mm512_extracti64x4_epi64(hi, 1)));
  }
};
// bfloat16 split into two float32 vectors (SplitBF16: two instructions, no conversion).
struct BF16MinMax {
  hn::Vec512<float> lo, hi;
  HWY_INLINE BF16MinMax() : lo(hn::Set(hn::Full512<float>(), std::numeric_limits<float>::infinity())), hi(hn::Neg(lo)) {}
  HWY_INLINE void Add(const uint16_t* p) {
    const hn::Full512<float> d;
    hn::Vec512<float> e, o;
    SplitBF16(hn::LoadU(hn::Full512<uint16_t>(), p), e, o);
    MinMax1(d, e, lo, hi);
    MinMax1(d, o, lo, hi);
  }
  HWY_INLINE void Merge(const BF16MinMax& o) {
    lo = hn::Min(lo, o.lo);
    hi = hn::Max(hi, o.hi);
  }
  HWY_INLINE void Floats(hn::Vec512<float>& l, hn::Vec512<float>& h) const { l = lo, h = hi; }
};
template <Narrow t>
using MinMax32 = std::conditional_t<t == Narrow::Float16, F16MinMax, BF16MinMax>;
#else
constexpr bool kBF16Instructions = false;
template <class V>
constexpr bool kBF16InstructionVector = false;
constexpr bool kFP16Instructions = false;
template <Clamp c>
constexpr bool kFP16Clamp = false;
struct F16Lanes {  // (never made here: kFP16Instructions)
  explicit F16Lanes(const Params<float>&) {}
  F16Lanes(const Float16RowParams&, size_t) {}
};
template <Narrow t>  // void (the min/max passes take float32 lanes), as a type that depends on t
using MinMax32 = std::conditional_t<t == Narrow::Float16, void, void>;
#endif

// kInstructions: bfloat16 rounded by AVX512-BF16's conversions on whole AVX-512 vectors (see above).
template <Narrow t, bool kInstructions = false>
struct NarrowOps {
  // The float32 lanes of the dtype's values at p.
  template <class D>
  static HWY_INLINE hn::VFromD<D> Load(D d, const uint16_t* p) {
    if constexpr (t == Narrow::BFloat16) return LoadBF16(d, p);
    else return LoadF16(d, p);
  }
  // v rounded to the dtype (to nearest, ties to even), held in float32 lanes.
  template <class D, class V>
  static HWY_INLINE V Round(D d, V v) {
    if constexpr (t == Narrow::BFloat16 && kInstructions && kBF16InstructionVector<V>)
      return RoundBF16Instruction(v);
    else if constexpr (t == Narrow::BFloat16) return RoundBF16(d, v);
    else return RoundF16(d, v);
  }
  // The dtype's bits of v rounded to it (to nearest, ties to even): Round and the narrowing in one.
  template <class D, class V>
  static HWY_INLINE hn::VFromD<hn::Rebind<uint16_t, D>> Pack(D d, V v) {
    if constexpr (t == Narrow::BFloat16) return PackBF16(d, v);
    else return PackF16(d, v);
  }
  // Pack of a then b in one vector of 16-bit lanes (twice a's lanes). bfloat16: the high halves of
  // both rounded vectors in one shuffle (ConcatOdd), instead of a shift and a narrowing each. Not
  // on Highway's one-lane target, which has neither shuffle (kPairs).
#if HWY_TARGET == HWY_SCALAR
  static constexpr bool kPairs = false;
#else
  static constexpr bool kPairs = true;
  template <class D, class V>
  static HWY_INLINE hn::VFromD<hn::Repartition<uint16_t, D>> Pack2(D d, V a, V b) {
    const hn::Repartition<uint16_t, D> du16;
    if constexpr (t == Narrow::BFloat16 && kInstructions && kBF16InstructionVector<V>) {
      return Pack2BF16Instruction(a, b);
    } else if constexpr (t == Narrow::BFloat16) {
      return hn::ConcatOdd(du16, hn::BitCast(du16, RoundBF16Bits(d, b)), hn::BitCast(du16, RoundBF16Bits(d, a)));
    } else {
      return hn::Combine(du16, PackF16(d, b), PackF16(d, a));
    }
  }
#endif
};

// As Quantize1, every operation rounded to the dtype (no fused form: XLA rounds between them) but
// the last, q * inv, which the caller rounds as it packs (NarrowOps::Pack, Pack2). With kFlush
// false, a subnormal input is taken as it is, for parameters where it gives the same result as its
// signed zero (Params::flush).
template <Narrow t, Rounding r, Clamp c, bool kFlush, bool kInstructions, class D, class V = hn::VFromD<D>>
HWY_INLINE V QuantizeNarrow1(D d, const uint16_t* x, V scale, V inv, V lo, V hi) {
  using Ops = NarrowOps<t, kInstructions>;
  auto v = Ops::Load(d, x);
  if constexpr (kFlush) v = Flush(d, v);
  v = ClampTo<c>(d, v, lo, hi);
  const auto s = Ops::Round(d, hn::Mul(v, scale));
  V q;
  if constexpr (r == Rounding::HalfToEven) {
    q = KeepSign(hn::Round(s), s);
  } else {
    const auto h = Ops::Round(d, hn::Add(s, hn::Set(d, 0.5f)));
    q = KeepSign(hn::Floor(h), h);
  }
  return hn::Mul(q, inv);
}
// The same with one channel's parameters in every lane.
template <Narrow t, Rounding r, Clamp c, bool kFlush, bool kInstructions, class D>
HWY_INLINE hn::VFromD<D> QuantizeNarrow1(D d, const uint16_t* x, const Params<float>& p) {
  return QuantizeNarrow1<t, r, c, kFlush, kInstructions>(d, x, hn::Set(d, p.scale), hn::Set(d, p.inv), hn::Set(d, p.lo),
                                                         hn::Set(d, p.hi));
}

// Elements a vector loop of QuantizeNarrowSpan handles: two vectors of float32 lanes, packed into
// one vector of 16-bit lanes (NarrowOps::kPairs), else one.
inline size_t NarrowLanes() { return (NarrowOps<Narrow::BFloat16>::kPairs ? 2 : 1) * hn::Lanes(hn::ScalableTag<float>()); }

// One vector step of the narrow loops with one channel's parameters: NarrowLanes() elements from x
// quantized into y, with a non-temporal store where `streamed` (pairs of vectors only). Made once a
// span or a run.
template <Narrow t, Rounding r, Clamp c, bool kFlush, bool kInstructions>
struct NarrowStep {
  using Ops = NarrowOps<t, kInstructions>;
  static constexpr bool kF16Lanes = t == Narrow::Float16 && kInstructions;
  // A copy the compiler can keep in registers: y's stores (through Highway's vector types, which
  // may alias anything) would otherwise make it reload the parameters for every vector.
  const Params<float> p;
  // float16 parameters for AVX512-FP16 (kInstructions)
  const std::conditional_t<kF16Lanes, F16Lanes, int> f16;
  explicit NarrowStep(const Params<float>& params) : p(params), f16(F16Of(params)) {}
  static auto F16Of(const Params<float>& params) {
    if constexpr (kF16Lanes) return F16Lanes(params);
    else return 0;
  }
  // Element i alone.
  HWY_INLINE void One(const uint16_t* x, uint16_t* y) const {
    const hn::CappedTag<float, 1> d1;
    const hn::Rebind<uint16_t, decltype(d1)> du16_1;
    hn::StoreU(Ops::Pack(d1, QuantizeNarrow1<t, r, c, kFlush, kInstructions>(d1, x, p)), du16_1, y);
  }
  HWY_INLINE void operator()(const uint16_t* x, uint16_t* y, bool streamed) const {
    const hn::ScalableTag<float> d;
    if constexpr (kF16Lanes && kFP16Clamp<c>) {
      const hn::Repartition<uint16_t, decltype(d)> du16;
      const auto v = QuantizeF16x32<r, c>(x, f16);
      streamed ? hn::Stream(v, du16, y) : hn::StoreU(v, du16, y);
    } else if constexpr (t == Narrow::BFloat16 && kInstructions && kBF16InstructionVector<hn::VFromD<decltype(d)>>) {
      const hn::Repartition<uint16_t, decltype(d)> du16;
      const auto v = QuantizeBF16x32<r, c, kFlush>(x, p);
      streamed ? hn::Stream(v, du16, y) : hn::StoreU(v, du16, y);
    } else if constexpr (Ops::kPairs) {
      const hn::Repartition<uint16_t, decltype(d)> du16;
      const size_t N = hn::Lanes(d);
      const auto v = Ops::Pack2(d, QuantizeNarrow1<t, r, c, kFlush, kInstructions>(d, x, p), QuantizeNarrow1<t, r, c, kFlush, kInstructions>(d, x + N, p));
      streamed ? hn::Stream(v, du16, y) : hn::StoreU(v, du16, y);
    } else {
      const hn::Rebind<uint16_t, decltype(d)> du16;
      hn::StoreU(Ops::Pack(d, QuantizeNarrow1<t, r, c, kFlush, kInstructions>(d, x, p)), du16, y);
      (void)streamed;
    }
  }
};

// y[i] = quantize-dequantize(x[i]) for i < n with one channel's parameters, NarrowLanes() at a
// time; with `stream`, the first `peel` elements one by one (up to a vector boundary of y), then
// whole vectors with non-temporal stores and a prefetch ahead, otherwise ordinary stores (and the
// prefetch where p.prefetch); the rest one by one.
template <Narrow t, Rounding r, Clamp c, bool kFlush, bool kInstructions>
HWY_INLINE void QuantizeNarrowSpan(const uint16_t* x, uint16_t* y, size_t n, const Params<float>& params, bool stream,
                                   size_t peel) {
  const NarrowStep<t, r, c, kFlush, kInstructions> step_of(params);
  const size_t step = NarrowLanes();
  size_t i = 0;
  if (stream) {
    for (; i < peel && i < n; ++i) step_of.One(x + i, y + i);
    for (; i + step <= n; i += step) {
      PrefetchAhead<kQuantizePrefetchBytes>(x + i);
      step_of(x + i, y + i, true);
    }
  } else {
    WithPrefetch(params.prefetch, [&](auto prefetch) {
      for (; i + step <= n; i += step) {
        PrefetchAheadIf<kQuantizePrefetchBytes>(prefetch, x + i);
        step_of(x + i, y + i, false);
      }
    });
  }
  for (; i < n; ++i) step_of.One(x + i, y + i);
}

template <Narrow t, Rounding r, Clamp c, bool kFlush, bool kInstructions>
void QuantizeNarrowT(const uint16_t* x, uint16_t* y, size_t n, const Params<float>& p) {
  QuantizeNarrowSpan<t, r, c, kFlush, kInstructions>(x, y, n, p, p.stream, p.stream ? PeelToVector(y, NarrowLanes() * sizeof(uint16_t), n) : 0);
}

// quantize_narrow_runs: runs of whole vectors (the only ones streamed: RunsStartOnVectors) as one
// loop of NarrowStep each, the prefetch and the stores chosen once a call; other runs through
// QuantizeNarrowSpan (its peel and tail). One loop a run costs less than the span's set-up where a
// run is two steps (docs/performance.md).
template <Narrow t, Rounding r, Clamp c, bool kFlush, bool kInstructions>
void QuantizeNarrowRunsT(const uint16_t* x, uint16_t* y, size_t first, size_t count, const RunParams<float>& rp) {
  const size_t inner = rp.inner, vector_bytes = NarrowLanes() * sizeof(uint16_t);
  const bool stream = rp.params[0].stream && RunsStartOnVectors(y + first * inner, inner, vector_bytes);
  if (inner % NarrowLanes() == 0) {
    return ForEachWholeVectorRun(x, y, first, count, rp, NarrowLanes(), stream,
                                 [](const Params<float>& p) { return NarrowStep<t, r, c, kFlush, kInstructions>(p); });
  }
  ForEachRun(first, count, rp.depth, [&](size_t run, size_t ch) {
    QuantizeNarrowSpan<t, r, c, kFlush, kInstructions>(x + run * inner, y + run * inner, inner, rp.params[ch], false, 0);
  });
}

// QuantizeRowsT of bfloat16/float16: position i of every row with p's i-th parameters (values of
// the dtype, in float), NarrowLanes() elements at a time as QuantizeNarrowSpan packs them; float16
// in float16 lanes (QuantizeF16x32) with kInstructions and p.f16, the elements one by one in
// float32 lanes.
template <Narrow t, Rounding r, Clamp c, bool kFlush, bool kInstructions>
void QuantizeNarrowRowsT(const uint16_t* x, uint16_t* y, size_t rows, const RowParams<float>& params) {
  if constexpr (t == Narrow::Float16 && kInstructions) {  // float16 lanes need the float16 parameters
    if (params.f16.scale == nullptr) return QuantizeNarrowRowsT<t, r, c, kFlush, false>(x, y, rows, params);
  }
  using Ops = NarrowOps<t, kInstructions>;
  const RowParams<float> p = params;  // kept in registers (QuantizeRowsT)
  const hn::ScalableTag<float> d;
  const hn::CappedTag<float, 1> d1;
  const hn::Rebind<uint16_t, decltype(d1)> du16_1;
  const size_t N = hn::Lanes(d);
  RowWalk walk(p.length, rows, NarrowLanes());
  // the float32 lanes of the elements from i, whose first is at position k
  const auto at = [&](auto dv, size_t i, size_t k) {
    return QuantizeNarrow1<t, r, c, kFlush, kInstructions>(dv, x + i, hn::LoadU(dv, p.scale + k), hn::LoadU(dv, p.inv + k),
                                                           hn::LoadU(dv, p.lo + k), hn::LoadU(dv, p.hi + k));
  };
  const auto vector = [&](size_t i, auto streamed) {
    if constexpr (t == Narrow::Float16 && kInstructions && kFP16Clamp<c>) {  // AVX512-FP16: 32 lanes, NarrowLanes()
      const hn::Repartition<uint16_t, decltype(d)> du16;
      const auto v = QuantizeF16x32<r, c>(x + i, F16Lanes(p.f16, walk.pos));
      if constexpr (decltype(streamed)::value) hn::Stream(v, du16, y + i);
      else hn::StoreU(v, du16, y + i);
    } else if constexpr (Ops::kPairs) {
      const hn::Repartition<uint16_t, decltype(d)> du16;
      const auto v = Ops::Pack2(d, at(d, i, walk.pos), at(d, i + N, walk.pos + N));
      if constexpr (decltype(streamed)::value) hn::Stream(v, du16, y + i);
      else hn::StoreU(v, du16, y + i);
    } else {
      const hn::Rebind<uint16_t, decltype(d)> du16;
      hn::StoreU(Ops::Pack(d, at(d, i, walk.pos)), du16, y + i);
    }
  };
  const auto one = [&](size_t i) { hn::StoreU(Ops::Pack(d1, at(d1, i, walk.pos)), du16_1, y + i); };
  if (p.stream && Ops::kPairs) {
    walk.run(PeelToVector(y, NarrowLanes() * sizeof(uint16_t), walk.n), one, [&](size_t i) {
      PrefetchAhead<kQuantizePrefetchBytes>(x + i);
      vector(i, std::true_type{});
    });
  } else {
    WithPrefetch(p.prefetch, [&](auto prefetch) {
      walk.run(0, one, [&](size_t i) {
        PrefetchAheadIf<kQuantizePrefetchBytes>(prefetch, x + i);
        vector(i, std::false_type{});
      });
    });
  }
}

// The load of bfloat16/float16 elements into float32 lanes (WithMinMaxLoad).
template <Narrow t>
struct LoadNarrow {
  template <class D>
  HWY_INLINE hn::VFromD<D> operator()(D d, const uint16_t* p) const { return NarrowOps<t>::Load(d, p); }
};

// Whether the min/max passes of dtype t take MinMax32<t> (32 elements a step), where this target
// has it (AVX-512: the callers test that at compile time): bfloat16 always, float16 where AVX512-FP16
// is in use.
template <Narrow t>
bool MinMax32InUse() {
  return t == Narrow::BFloat16 || fp16_instructions_in_use();
}

// An accumulator's extremes merged into the float32 accumulators l[kAccumulatorLanes<float>] and
// h[...] (MergeLanes), or into l[0] and h[0] (lanes = 1).
template <class Acc>
HWY_INLINE void MergeInto(const Acc& a, size_t lanes, float* l, float* h) {
  const hn::ScalableTag<float> d;
  auto vl = hn::Zero(d), vh = vl;
  a.Floats(vl, vh);
  if (lanes == 1) {
    *l = hn::GetLane(hn::MinOfLanes(d, hn::Min(hn::Set(d, *l), vl)));
    *h = hn::GetLane(hn::MaxOfLanes(d, hn::Max(hn::Set(d, *h), vh)));
  } else {
    MergeLanes(d, vl, vh, l, h);
  }
}

// min_max_narrow with MinMax32<t>: four accumulators in flight (MinMaxLanes says why), the last
// elements short of 32 in float32 lanes.
template <Narrow t>
void MinMaxNarrow32(const uint16_t* x, size_t n, float* lo, float* hi, bool prefetch) {
  using Acc = MinMax32<t>;
  WithPrefetch(prefetch, [&](auto on) {
    Acc a0;
    size_t i = 0;
    if (n >= 128) {
      Acc a1, a2, a3;
      for (; i + 128 <= n; i += 128) {
        for (size_t k = 0; k < 128; k += 32) PrefetchAheadIf<kMinMaxPrefetchBytes>(on, x + i + k);
        a0.Add(x + i), a1.Add(x + i + 32), a2.Add(x + i + 64), a3.Add(x + i + 96);
      }
      a0.Merge(a1), a2.Merge(a3), a0.Merge(a2);
    }
    for (; i + 32 <= n; i += 32) a0.Add(x + i);
    MergeInto(a0, 1, lo, hi);
    MinMaxLanes(n - i, lo, hi, MinMaxLoad(x + i, LoadNarrow<t>{}, on));
  });
}

// min_max_narrow_runs with MinMax32<t>: the whole steps of 32 of a block of runs of one channel
// (ForEachRunBlock) through two accumulators merged into its channel's (MergeInto), the rest
// through MinMaxRuns.
template <Narrow t>
void MinMaxNarrowRuns32(const uint16_t* x, const RunTile& tile, size_t inner, size_t depth, size_t lanes,
                        float* lo, float* hi, bool prefetch) {
  const size_t whole = inner / 32 * 32;
  WithPrefetch(prefetch, [&](auto on) {
    auto load = MinMaxLoad(x, LoadNarrow<t>{}, on);
    const size_t stride = depth * inner;
    // (inlined by force: as a call a channel, its set-up took a quarter of the pass over runs of 64)
    ForEachRunBlock(tile, depth, [&](size_t run, size_t ch, size_t m) HWY_ATTR __attribute__((always_inline)) {
      const size_t at = run * inner;
      float* const l = lo + ch * lanes;
      float* const h = hi + ch * lanes;
      if (whole > 0) {
        MinMax32<t> a, a1;
        InTwoChains(m, 0, whole, 32, [&](auto chain, size_t k, size_t i) HWY_ATTR __attribute__((always_inline)) {
          const uint16_t* p = x + at + k * stride + i;
          PrefetchAheadIf<kMinMaxPrefetchBytes>(on, p);
          if constexpr (decltype(chain)::value == 0) a.Add(p);
          else a1.Add(p);
        });
        if (m > 1) a.Merge(a1);
        MergeInto(a, lanes, l, h);
      }
      MinMaxRuns(at, stride, m, whole, inner, lanes, l, h, load);
    });
  });
}

template <Narrow t>
void MinMaxNarrowT(const uint16_t* x, size_t n, float* lo, float* hi, bool prefetch) {
  if constexpr (!std::is_void_v<MinMax32<t>>) {
    if (MinMax32InUse<t>()) return MinMaxNarrow32<t>(x, n, lo, hi, prefetch);
  }
  WithMinMaxLoad(x, prefetch, LoadNarrow<t>{}, [&](auto load) { MinMaxLanes(n, lo, hi, load); });
}

// Calls f.template operator()<t, R, C, kFlush, kInstructions>() for the runtime dtype, rounding,
// clamp and flush (HalfUpFused is HalfUp here: no fused form in 16-bit types), kInstructions where
// bfloat16 is rounded by AVX512-BF16's conversions, or float16 computed by AVX512-FP16's
// arithmetic (this target has them, and bf16_/fp16_instructions_in_use says the CPU does and they
// are not switched off).
template <class F>
HWY_INLINE void WithNarrowModes(Narrow t, Rounding r, Clamp c, bool flush, F&& f) {
  WithModes(r == Rounding::HalfUpFused ? Rounding::HalfUp : r, c, flush, [&]<Rounding R, Clamp C, bool kF>() {
    if constexpr (R != Rounding::HalfUpFused) {
      if (t == Narrow::Float16 && kFP16Instructions && fp16_instructions_in_use())
        f.template operator()<Narrow::Float16, R, C, kF, kFP16Instructions>();
      else if (t == Narrow::Float16) f.template operator()<Narrow::Float16, R, C, kF, false>();
      else if (kBF16Instructions && bf16_instructions_in_use())
        f.template operator()<Narrow::BFloat16, R, C, kF, kBF16Instructions>();
      else f.template operator()<Narrow::BFloat16, R, C, kF, false>();
    }
  });
}

void QuantizeNarrowAll(Narrow t, const uint16_t* x, uint16_t* y, size_t n, const Params<float>& p, Rounding r, Clamp c) {
  WithNarrowModes(t, r, c, p.flush, [&]<Narrow T, Rounding R, Clamp C, bool F, bool I>() {
    QuantizeNarrowT<T, R, C, F, I>(x, y, n, p);
  });
}
void QuantizeNarrowRunsAll(Narrow t, const uint16_t* x, uint16_t* y, size_t first, size_t count, const RunParams<float>& p,
                           Rounding r, Clamp c) {
  WithNarrowModes(t, r, c, p.flush, [&]<Narrow T, Rounding R, Clamp C, bool F, bool I>() {
    QuantizeNarrowRunsT<T, R, C, F, I>(x, y, first, count, p);
  });
}
void QuantizeNarrowRowsAll(Narrow t, const uint16_t* x, uint16_t* y, size_t rows, const RowParams<float>& p, Rounding r,
                           Clamp c) {
  WithNarrowModes(t, r, c, p.flush, [&]<Narrow T, Rounding R, Clamp C, bool F, bool I>() {
    QuantizeNarrowRowsT<T, R, C, F, I>(x, y, rows, p);
  });
}
template <Narrow t>
void MinMaxNarrowRowsT(const uint16_t* x, size_t rows, size_t length, float* lo, float* hi, bool prefetch) {
  WithMinMaxLoad(x, prefetch, LoadNarrow<t>{}, [&](auto load) { MinMaxRowsLanes(rows, length, lo, hi, load); });
}
void MinMaxNarrowRowsAll(Narrow t, const uint16_t* x, size_t rows, size_t length, float* lo, float* hi, bool prefetch) {
  if (t == Narrow::BFloat16) MinMaxNarrowRowsT<Narrow::BFloat16>(x, rows, length, lo, hi, prefetch);
  else MinMaxNarrowRowsT<Narrow::Float16>(x, rows, length, lo, hi, prefetch);
}
void MinMaxNarrowAll(Narrow t, const uint16_t* x, size_t n, float* lo, float* hi, bool prefetch) {
  if (t == Narrow::BFloat16) MinMaxNarrowT<Narrow::BFloat16>(x, n, lo, hi, prefetch);
  else MinMaxNarrowT<Narrow::Float16>(x, n, lo, hi, prefetch);
}
template <Narrow t>
void MinMaxNarrowRunsT(const uint16_t* x, const RunTile& tile, size_t inner, size_t depth, size_t lanes,
                       float* lo, float* hi, bool prefetch) {
  if constexpr (!std::is_void_v<MinMax32<t>>) {
    if (MinMax32InUse<t>()) return MinMaxNarrowRuns32<t>(x, tile, inner, depth, lanes, lo, hi, prefetch);
  }
  WithMinMaxLoad(x, prefetch, LoadNarrow<t>{}, [&](auto load) { MinMaxRunsLanes(tile, inner, depth, lanes, lo, hi, load); });
}
void MinMaxNarrowRunsAll(Narrow t, const uint16_t* x, const RunTile& tile, size_t inner, size_t depth,
                         size_t lanes, float* lo, float* hi, bool prefetch) {
  if (t == Narrow::BFloat16) MinMaxNarrowRunsT<Narrow::BFloat16>(x, tile, inner, depth, lanes, lo, hi, prefetch);
  else MinMaxNarrowRunsT<Narrow::Float16>(x, tile, inner, depth, lanes, lo, hi, prefetch);
}

void QuantizeF32(const float* x, float* y, size_t n, const Params<float>& p, Rounding r, Clamp c) {
  WithModes(r, c, p.flush, [&]<Rounding R, Clamp C, bool F>() { QuantizeT<R, C, F>(x, y, n, p); });
}
void QuantizeF64(const double* x, double* y, size_t n, const Params<double>& p, Rounding r, Clamp c) {
  WithModes(r, c, p.flush, [&]<Rounding R, Clamp C, bool F>() { QuantizeT<R, C, F>(x, y, n, p); });
}
void QuantizeRowsF32(const float* x, float* y, size_t rows, const RowParams<float>& p, Rounding r, Clamp c) {
  WithModes(r, c, p.flush, [&]<Rounding R, Clamp C, bool F>() { QuantizeRowsT<R, C, F>(x, y, rows, p); });
}
void QuantizeRowsF64(const double* x, double* y, size_t rows, const RowParams<double>& p, Rounding r, Clamp c) {
  WithModes(r, c, p.flush, [&]<Rounding R, Clamp C, bool F>() { QuantizeRowsT<R, C, F>(x, y, rows, p); });
}
void QuantizeRunsF32(const float* x, float* y, size_t first, size_t count, const RunParams<float>& p, Rounding r, Clamp c) {
  WithModes(r, c, p.flush, [&]<Rounding R, Clamp C, bool F>() { QuantizeRunsT<R, C, F>(x, y, first, count, p); });
}
void QuantizeRunsF64(const double* x, double* y, size_t first, size_t count, const RunParams<double>& p, Rounding r,
                     Clamp c) {
  WithModes(r, c, p.flush, [&]<Rounding R, Clamp C, bool F>() { QuantizeRunsT<R, C, F>(x, y, first, count, p); });
}
void MinMaxF32(const float* x, size_t n, float* lo, float* hi, bool prefetch) { MinMaxT(x, n, lo, hi, prefetch); }
void MinMaxF64(const double* x, size_t n, double* lo, double* hi, bool prefetch) { MinMaxT(x, n, lo, hi, prefetch); }
void MinMaxRunsF32(const float* x, const RunTile& tile, size_t inner, size_t depth, size_t lanes, float* lo,
                   float* hi, bool prefetch) {
  MinMaxRunsT(x, tile, inner, depth, lanes, lo, hi, prefetch);
}
void MinMaxRunsF64(const double* x, const RunTile& tile, size_t inner, size_t depth, size_t lanes, double* lo,
                   double* hi, bool prefetch) {
  MinMaxRunsT(x, tile, inner, depth, lanes, lo, hi, prefetch);
}
void ReduceLanesF32(const float* lo_lanes, const float* hi_lanes, size_t channels, size_t lanes, float* lo, float* hi) {
  ReduceLanesT(lo_lanes, hi_lanes, channels, lanes, lo, hi);
}
void ReduceLanesF64(const double* lo_lanes, const double* hi_lanes, size_t channels, size_t lanes, double* lo,
                    double* hi) {
  ReduceLanesT(lo_lanes, hi_lanes, channels, lanes, lo, hi);
}
void MinMaxRowsF32(const float* x, size_t rows, size_t L, float* lo, float* hi, bool prefetch) {
  MinMaxRowsT(x, rows, L, lo, hi, prefetch);
}
void MinMaxRowsF64(const double* x, size_t rows, size_t L, double* lo, double* hi, bool prefetch) {
  MinMaxRowsT(x, rows, L, lo, hi, prefetch);
}
void GradientF32(const float* g, const float* x, float* dx, size_t n, float lo, float hi) { GradientT(g, x, dx, n, lo, hi); }
void GradientF64(const double* g, const double* x, double* dx, size_t n, double lo, double hi) { GradientT(g, x, dx, n, lo, hi); }
const char* TargetName() { return hwy::TargetName(HWY_TARGET); }
bool TargetUsesBF16Instructions() { return kBF16Instructions && bf16_instructions_in_use(); }
bool TargetUsesFP16Instructions() { return kFP16Instructions && fp16_instructions_in_use(); }

}  // namespace HWY_NAMESPACE
}  // namespace qdq::cpu::simd
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace qdq::cpu::simd {

void end_streams() { hwy::FlushStream(); }

namespace {
// Whether the CPU has AVX512-BF16 (CPUID leaf 7, subleaf 1: EAX bit 5). The AVX-512 target that
// uses it is chosen only where the OS keeps AVX-512 state, so that needs no test of its own here.
bool cpu_has_bf16_instructions() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) != 0 && ((eax >> 5) & 1) != 0;
#else
  return false;
#endif
}
std::atomic<bool> bf16_instructions_on{cpu_has_bf16_instructions()};
// Whether the CPU has AVX512-FP16 (CPUID leaf 7, subleaf 0: EDX bit 23); as above for the OS.
bool cpu_has_fp16_instructions() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) != 0 && ((edx >> 23) & 1) != 0;
#else
  return false;
#endif
}
std::atomic<bool> fp16_instructions_on{cpu_has_fp16_instructions()};
}  // namespace

bool bf16_instructions_available() { return cpu_has_bf16_instructions(); }
void use_bf16_instructions(bool on) { bf16_instructions_on = on && cpu_has_bf16_instructions(); }
bool bf16_instructions_in_use() { return bf16_instructions_on.load(std::memory_order_relaxed); }
bool fp16_instructions_available() { return cpu_has_fp16_instructions(); }
void use_fp16_instructions(bool on) { fp16_instructions_on = on && cpu_has_fp16_instructions(); }
bool fp16_instructions_in_use() { return fp16_instructions_on.load(std::memory_order_relaxed); }

HWY_EXPORT(QuantizeF32);
HWY_EXPORT(QuantizeF64);
HWY_EXPORT(QuantizeRunsF32);
HWY_EXPORT(QuantizeRunsF64);
HWY_EXPORT(QuantizeRowsF32);
HWY_EXPORT(QuantizeRowsF64);
HWY_EXPORT(MinMaxF32);
HWY_EXPORT(MinMaxF64);
HWY_EXPORT(MinMaxRunsF32);
HWY_EXPORT(MinMaxRunsF64);
HWY_EXPORT(ReduceLanesF32);
HWY_EXPORT(ReduceLanesF64);
HWY_EXPORT(MinMaxRowsF32);
HWY_EXPORT(MinMaxRowsF64);
HWY_EXPORT(GradientF32);
HWY_EXPORT(GradientF64);
HWY_EXPORT(TargetName);
HWY_EXPORT(TargetUsesBF16Instructions);
HWY_EXPORT(TargetUsesFP16Instructions);
HWY_EXPORT(QuantizeNarrowAll);
HWY_EXPORT(QuantizeNarrowRunsAll);
HWY_EXPORT(MinMaxNarrowAll);
HWY_EXPORT(QuantizeNarrowRowsAll);
HWY_EXPORT(MinMaxNarrowRowsAll);
HWY_EXPORT(MinMaxNarrowRunsAll);

void quantize_narrow(Narrow t, const std::uint16_t* x, std::uint16_t* y, std::size_t n, const Params<float>& p,
                     Rounding r, Clamp c) {
  HWY_DYNAMIC_DISPATCH(QuantizeNarrowAll)(t, x, y, n, p, r, c);
}
void quantize_narrow_runs(Narrow t, const std::uint16_t* x, std::uint16_t* y, std::size_t first, std::size_t count,
                          const RunParams<float>& p, Rounding r, Clamp c) {
  HWY_DYNAMIC_DISPATCH(QuantizeNarrowRunsAll)(t, x, y, first, count, p, r, c);
}
void quantize_narrow_rows(Narrow t, const std::uint16_t* x, std::uint16_t* y, std::size_t rows, const RowParams<float>& p,
                          Rounding r, Clamp c) {
  HWY_DYNAMIC_DISPATCH(QuantizeNarrowRowsAll)(t, x, y, rows, p, r, c);
}
void min_max_narrow_rows(Narrow t, const std::uint16_t* x, std::size_t rows, std::size_t length, float* lo, float* hi,
                         bool prefetch) {
  HWY_DYNAMIC_DISPATCH(MinMaxNarrowRowsAll)(t, x, rows, length, lo, hi, prefetch);
}
void min_max_narrow(Narrow t, const std::uint16_t* x, std::size_t n, float* lo, float* hi, bool prefetch) {
  HWY_DYNAMIC_DISPATCH(MinMaxNarrowAll)(t, x, n, lo, hi, prefetch);
}
void min_max_narrow_runs(Narrow t, const std::uint16_t* x, const RunTile& tile, std::size_t inner,
                         std::size_t depth, std::size_t lanes, float* lo, float* hi, bool prefetch) {
  HWY_DYNAMIC_DISPATCH(MinMaxNarrowRunsAll)(t, x, tile, inner, depth, lanes, lo, hi, prefetch);
}

void quantize(const float* x, float* y, std::size_t n, const Params<float>& p, Rounding r, Clamp c) {
  HWY_DYNAMIC_DISPATCH(QuantizeF32)(x, y, n, p, r, c);
}
void quantize(const double* x, double* y, std::size_t n, const Params<double>& p, Rounding r, Clamp c) {
  HWY_DYNAMIC_DISPATCH(QuantizeF64)(x, y, n, p, r, c);
}
void quantize_runs(const float* x, float* y, std::size_t first, std::size_t count, const RunParams<float>& p, Rounding r,
                   Clamp c) {
  HWY_DYNAMIC_DISPATCH(QuantizeRunsF32)(x, y, first, count, p, r, c);
}
void quantize_runs(const double* x, double* y, std::size_t first, std::size_t count, const RunParams<double>& p,
                   Rounding r, Clamp c) {
  HWY_DYNAMIC_DISPATCH(QuantizeRunsF64)(x, y, first, count, p, r, c);
}
void quantize_rows(const float* x, float* y, std::size_t rows, const RowParams<float>& p, Rounding r, Clamp c) {
  HWY_DYNAMIC_DISPATCH(QuantizeRowsF32)(x, y, rows, p, r, c);
}
void quantize_rows(const double* x, double* y, std::size_t rows, const RowParams<double>& p, Rounding r, Clamp c) {
  HWY_DYNAMIC_DISPATCH(QuantizeRowsF64)(x, y, rows, p, r, c);
}
void min_max(const float* x, std::size_t n, float* lo, float* hi, bool prefetch) {
  HWY_DYNAMIC_DISPATCH(MinMaxF32)(x, n, lo, hi, prefetch);
}
void min_max(const double* x, std::size_t n, double* lo, double* hi, bool prefetch) {
  HWY_DYNAMIC_DISPATCH(MinMaxF64)(x, n, lo, hi, prefetch);
}
void min_max_runs(const float* x, const RunTile& tile, std::size_t inner, std::size_t depth,
                  std::size_t lanes, float* lo, float* hi, bool prefetch) {
  HWY_DYNAMIC_DISPATCH(MinMaxRunsF32)(x, tile, inner, depth, lanes, lo, hi, prefetch);
}
void min_max_runs(const double* x, const RunTile& tile, std::size_t inner, std::size_t depth,
                  std::size_t lanes, double* lo, double* hi, bool prefetch) {
  HWY_DYNAMIC_DISPATCH(MinMaxRunsF64)(x, tile, inner, depth, lanes, lo, hi, prefetch);
}
void reduce_lanes(const float* lo_lanes, const float* hi_lanes, std::size_t channels, std::size_t lanes, float* lo,
                  float* hi) {
  HWY_DYNAMIC_DISPATCH(ReduceLanesF32)(lo_lanes, hi_lanes, channels, lanes, lo, hi);
}
void reduce_lanes(const double* lo_lanes, const double* hi_lanes, std::size_t channels, std::size_t lanes, double* lo,
                  double* hi) {
  HWY_DYNAMIC_DISPATCH(ReduceLanesF64)(lo_lanes, hi_lanes, channels, lanes, lo, hi);
}
void min_max_rows(const float* x, std::size_t rows, std::size_t length, float* lo, float* hi, bool prefetch) {
  HWY_DYNAMIC_DISPATCH(MinMaxRowsF32)(x, rows, length, lo, hi, prefetch);
}
void min_max_rows(const double* x, std::size_t rows, std::size_t length, double* lo, double* hi, bool prefetch) {
  HWY_DYNAMIC_DISPATCH(MinMaxRowsF64)(x, rows, length, lo, hi, prefetch);
}
void gradient(const float* g, const float* x, float* dx, std::size_t n, float lo, float hi) {
  HWY_DYNAMIC_DISPATCH(GradientF32)(g, x, dx, n, lo, hi);
}
void gradient(const double* g, const double* x, double* dx, std::size_t n, double lo, double hi) {
  HWY_DYNAMIC_DISPATCH(GradientF64)(g, x, dx, n, lo, hi);
}
const char* current_target() { return HWY_DYNAMIC_DISPATCH(TargetName)(); }
bool current_target_uses_bf16_instructions() { return HWY_DYNAMIC_DISPATCH(TargetUsesBF16Instructions)(); }
bool current_target_uses_fp16_instructions() { return HWY_DYNAMIC_DISPATCH(TargetUsesFP16Instructions)(); }

}  // namespace qdq::cpu::simd
#endif  // HWY_ONCE
