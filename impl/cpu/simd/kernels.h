// The SIMD kernels of the optimized CPU backend (Google Highway, dispatched at run time to the best
// target the CPU has: AVX-512, AVX2, SSE4, or scalar). float32 and float64, and bfloat16/float16
// in float32 lanes.
//
// Every kernel models DAZ in software (a subnormal input reads as a zero of its sign, unless the
// parameters make that moot: Params::flush) and never reads or writes the MXCSR: it is meant for profiles whose arithmetic flushes (tf-cpu, tf-xla,
// tf-gpu float32). Precondition: the parameters (scale, inv, clamp bounds, gradient bounds) are
// never subnormal (the caller flushes them, as the host's FTZ/DAZ does). FTZ then needs no
// modelling: no product or sum below can be tiny except where the result is rounded to an integer
// next (rint or floor), which gives the same zero either way.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qdq::cpu::simd {

// How s = v * scale becomes an integer: rint (ties to even); floor(s + 0.5) with two roundings;
// floor(fma(v, scale, 0.5)) with one (XLA on float32/float64).
enum class Rounding : std::uint8_t { HalfToEven, HalfUp, HalfUpFused };

// The clamp to [lo', hi'] (only when the range is given), as the profile's ClampRule says.
enum class Clamp : std::uint8_t { None, KeepInput, NonNaNWins, MaxThenMin, MaxThenMinPreferHi };

template <typename T>
struct Params {
  T scale, inv, lo, hi;  // lo/hi: the clamp bounds lo', hi'
  // Write y with non-temporal stores (past the caches), for outputs far larger than the last-level
  // cache: the store then costs one write to memory instead of a read-for-ownership and a write.
  // The streamed loops also prefetch x ahead of their loads.
  // The thread must call end_streams() before its results are handed to another thread.
  bool stream = false;
  // Prefetch x ahead of the loads while storing y as usual: for tensors that the last-level cache
  // keeps only in part between calls (simd_backend.cc). Streamed loops prefetch regardless.
  bool prefetch = false;
  // Read a subnormal input as a zero of its sign (DAZ). false only where the caller has shown that
  // with these parameters every subnormal input gives the result its signed zero gives
  // (simd_backend.cc, subnormals_matter), which spares the kernel the test.
  bool flush = true;
};

// Per-channel parameters for runs of `inner` elements: run k (elements [k·inner, (k+1)·inner))
// belongs to channel k mod depth.
template <typename T>
struct RunParams {
  const Params<T>* params;  // one per channel
  std::size_t inner, depth;
  bool flush = true;  // whether any channel's Params::flush is set
};

// Parameters per position of a row of `length` elements (per-channel with short inner runs):
// position i's are scale[i], inv[i], lo[i], hi[i]. Each array holds length + kRowPad entries,
// entry j equal to entry j mod length, so that a vector starting at any position of a row (and
// running into the next) loads its lanes' parameters in one go.
constexpr std::size_t kRowPad = 64;  // at least two vectors' lanes of any type on any target
// The same parameters as float16 bits (scale[i] the bits of RowParams::scale[i], and so on; exact,
// since they are float16 values), for quantize_narrow_rows of float16 in float16 lanes.
struct Float16RowParams {
  const std::uint16_t *scale = nullptr, *inv = nullptr, *lo = nullptr, *hi = nullptr;
};
template <typename T>
struct RowParams {
  const T *scale, *inv, *lo, *hi;
  std::size_t length;
  bool flush = true;    // whether any position's channel needs Params::flush
  bool stream = false;    // as Params::stream
  bool prefetch = false;  // as Params::prefetch
  // float16 rows: float16 copies of the arrays, same length and pad, for the AVX512-FP16 kernel
  // (fp16_instructions_in_use); where absent (null) that kernel takes the float32 lanes.
  Float16RowParams f16 = {};
};

// Orders this thread's non-temporal stores before whatever it does next (a store fence).
void end_streams();

// y[i] = quantize-dequantize(x[i]) for i < n. x and y may be the same array.
void quantize(const float* x, float* y, std::size_t n, const Params<float>& p, Rounding r, Clamp c);
void quantize(const double* x, double* y, std::size_t n, const Params<double>& p, Rounding r, Clamp c);
// The same for the runs first .. first+count-1 of p (the offsets are from x and y's start).
void quantize_runs(const float* x, float* y, std::size_t first, std::size_t count, const RunParams<float>& p, Rounding r,
                   Clamp c);
void quantize_runs(const double* x, double* y, std::size_t first, std::size_t count, const RunParams<double>& p,
                   Rounding r, Clamp c);
// The same for `rows` consecutive rows of p.length elements, position i of every row with p's i-th
// parameters; the rows are taken as one span, whole vectors across row ends.
void quantize_rows(const float* x, float* y, std::size_t rows, const RowParams<float>& p, Rounding r, Clamp c);
void quantize_rows(const double* x, double* y, std::size_t rows, const RowParams<double>& p, Rounding r, Clamp c);

// *lo = min(*lo, min x[i]), *hi = max(*hi, max x[i]) over i < n, NaN skipped. Subnormals are
// compared as they are: the caller reads the extremes with DAZ. `prefetch`: x is part of a tensor
// larger than the last-level cache keeps (as for Params::prefetch), so the pass prefetches ahead of its
// loads; the results are the same either way. Every min/max pass below takes it too.
void min_max(const float* x, std::size_t n, float* lo, float* hi, bool prefetch);
void min_max(const double* x, std::size_t n, double* lo, double* hi, bool prefetch);
// The same per position over `rows` rows of `length` elements into lo[length], hi[length].
void min_max_rows(const float* x, std::size_t rows, std::size_t length, float* lo, float* hi, bool prefetch);
void min_max_rows(const double* x, std::size_t rows, std::size_t length, double* lo, double* hi, bool prefetch);

// A tile of per-channel runs: run (o, c), the `inner` elements from x + (o·depth + c)·inner, for
// row <= o < row + rows and channel <= c < channel + channels.
struct RunTile {
  std::size_t row, rows, channel, channels;
};
// Rows of a tile that the min/max passes over runs take at a time, channel by channel: a channel's
// runs in those rows go through one set of registers and fold into its accumulators once, not once
// a run (the fold, and the accumulators' load and store, cost about what a run of 64 float32
// elements does). The rows are read as that many ascending streams, which hardware prefetchers
// follow. The backend's tiles hold whole blocks of this many rows (the last may be short).
constexpr std::size_t kRowsABlock = 4;

// Per-channel extremes of a tile's runs, NaN skipped, merged into `lanes` accumulators a channel:
// lo[c·lanes + j] = min(itself, the elements of channel c that lane j saw), hi likewise, j < lanes.
// lanes = kAccumulatorLanes<T>: a run's vectors are folded only down to those lanes, and the caller
// reduces each channel's lanes once, when every run is in (min_max over them); which lane sees
// which element is the kernel's business, only the extremes of all a channel's lanes mean
// anything. lanes = 1: each run reduced into its channel's one value (for many channels, where
// lanes would cost more memory than their reductions save).
// kAccumulatorLanes: a 16-byte vector (a run's vectors fold into it in two steps on AVX-512). 256
// channels' accumulators take 8 KiB, a quarter of AVX-512-wide ones (32 KiB), which the streaming
// input evicted from the L1 cache between a channel's runs: reading and writing them back doubled
// the L2 traffic of runs of 64 float32 elements (docs/performance.md).
template <typename T>
constexpr std::size_t kAccumulatorLanes = 16 / sizeof(T);
void min_max_runs(const float* x, const RunTile& tile, std::size_t inner, std::size_t depth,
                  std::size_t lanes, float* lo, float* hi, bool prefetch);
void min_max_runs(const double* x, const RunTile& tile, std::size_t inner, std::size_t depth,
                  std::size_t lanes, double* lo, double* hi, bool prefetch);
// lo[c] = min(lo[c], lo_lanes[c·lanes + j] for every j < lanes), hi[c] likewise with max, for
// c < channels: min_max_runs' accumulators reduced (lanes: as they were made). They hold no NaN
// (±inf where they saw only NaN); the minima go into lo only and the maxima into hi only, so an
// identity never becomes an extreme.
void reduce_lanes(const float* lo_lanes, const float* hi_lanes, std::size_t channels, std::size_t lanes, float* lo,
                  float* hi);
void reduce_lanes(const double* lo_lanes, const double* hi_lanes, std::size_t channels, std::size_t lanes, double* lo,
                  double* hi);

// bfloat16 and float16 held as raw bits, computed in float32 lanes and rounded back to the dtype
// after every operation (to nearest, ties to even), as XLA on CPU does (DTypeRules of tf-xla).
// Params hold values of the dtype. float16 uses F16C where the target has it (AVX2, AVX-512);
// elsewhere each lane goes through the portable conversions of impl/cpu/common/narrow_float.h.
enum class Narrow : std::uint8_t { BFloat16, Float16 };
void quantize_narrow(Narrow t, const std::uint16_t* x, std::uint16_t* y, std::size_t n, const Params<float>& p,
                     Rounding r, Clamp c);
// The same for the runs first .. first+count-1 of p (quantize_runs), with the kernel of p.flush.
void quantize_narrow_runs(Narrow t, const std::uint16_t* x, std::uint16_t* y, std::size_t first, std::size_t count,
                          const RunParams<float>& p, Rounding r, Clamp c);
// The same for `rows` consecutive rows of p.length elements (quantize_rows).
void quantize_narrow_rows(Narrow t, const std::uint16_t* x, std::uint16_t* y, std::size_t rows, const RowParams<float>& p,
                          Rounding r, Clamp c);
void min_max_narrow(Narrow t, const std::uint16_t* x, std::size_t n, float* lo, float* hi, bool prefetch);
// min_max_rows of bfloat16/float16 rows, into float accumulators.
void min_max_narrow_rows(Narrow t, const std::uint16_t* x, std::size_t rows, std::size_t length, float* lo, float* hi,
                         bool prefetch);
// min_max_runs of bfloat16/float16 runs, into float32 accumulators (lanes: kAccumulatorLanes<float>
// or 1).
void min_max_narrow_runs(Narrow t, const std::uint16_t* x, const RunTile& tile, std::size_t inner,
                         std::size_t depth, std::size_t lanes, float* lo, float* hi, bool prefetch);

// dx[i] = g[i] * (lo <= x[i] <= hi ? 1 : 0) (docs/op-spec.md §5.1), subnormals read as ±0.
void gradient(const float* g, const float* x, float* dx, std::size_t n, float lo, float hi);
void gradient(const double* g, const double* x, double* dx, std::size_t n, double lo, double hi);

// The name of the Highway target the kernels dispatch to now (e.g. "AVX3", "AVX2", "SSE4").
const char* current_target();

// Whether the bfloat16 kernels of the AVX-512 target round with AVX512-BF16's conversions
// (vcvtneps2bf16, vcvtne2ps2bf16) instead of integer arithmetic: by default where the CPU has
// them. The results are the same bits either way (kernels.cc says why); the tests run both.
bool bf16_instructions_available();   // the CPU has AVX512-BF16
void use_bf16_instructions(bool on);  // on: where available (the default); off: integer rounding
bool bf16_instructions_in_use();
// Whether the target the kernels dispatch to now is one that uses them, and they are in use.
bool current_target_uses_bf16_instructions();

// Whether the float16 kernels of the AVX-512 target compute in float16 lanes with AVX512-FP16's
// arithmetic (vmulph, vaddph, vminph, vmaxph, vrndscaleph) instead of float32 lanes converted at
// every rounding: by default where the CPU has it; per tensor, per channel in runs, and in rows
// given RowParams::f16, with every clamp but NonNaNWins; the min/max passes per tensor and in runs
// too. The same bits either way (kernels.cc says why); the tests run both.
bool fp16_instructions_available();   // the CPU has AVX512-FP16
void use_fp16_instructions(bool on);  // on: where available (the default); off: float32 lanes
bool fp16_instructions_in_use();
bool current_target_uses_fp16_instructions();

}  // namespace qdq::cpu::simd
