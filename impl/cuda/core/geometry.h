// How the kernels cover a tensor's [outer, depth, inner] view, for host and device: which
// elements each thread of each block visits and which channels a block needs the scales of. The
// cuda-host backend walks the very same blocks and threads one after another, so this indexing
// is tested in CI too.
//
// Two layouts, chosen from the run length `inner` (per tensor: one run of all n elements):
// - runs (inner >= kLongRun): a block works on one run (o, c) at a time, so on one channel, in
//   chunks of kChunk elements; consecutive threads read consecutive elements. 16-bit elements
//   go two at a time where every pointer allows it (pair_skew below): a thread reads and writes
//   one aligned 32-bit word per pair, and a run's odd element at either end goes alone.
// - columns (shorter runs, down to axis last with inner 1): the tensor is read as rows of
//   `period` elements, a multiple of depth*inner, so that every column j holds one channel
//   throughout; thread j of a block follows its column down kRowsPerBlock rows. A block's 256
//   consecutive columns span at most 256 channels, whose scales it computes once.
// Every channel of every layout is done in one launch, with no transpose.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "impl/cuda/core/hd.h"

namespace qdq::cuda {

constexpr int kThreads = 256;                        // threads per block
constexpr std::int64_t kChunk = 16 * kThreads;       // runs layout: elements per chunk
constexpr std::int64_t kLongRun = 1024;              // runs at least this long use the runs layout
constexpr std::int64_t kRowsPerBlock = 32;           // columns layout: rows per block

struct Geometry {
  std::int64_t n = 0, depth = 1, inner = 0;
  bool runs = true;
  std::int64_t rows = 0;    // runs: outer*depth runs of `inner`; columns: ceil(n / period) rows
  std::int64_t period = 0;  // columns: elements per row
  std::int64_t blocks_x = 0, blocks_y = 0;  // the whole grid; a launch may be smaller and stride
  // runs of 16-bit elements: -1 to go one element at a time; 0 or 1 to go in pairs of elements
  // k, k + 1 with k + pair_skew even, which start on a 4-byte boundary of every tensor.
  int pair_skew = -1;
};

// Precondition: n = outer * depth * inner > 0.
inline Geometry make_geometry(std::int64_t n, std::int64_t depth, std::int64_t inner) {
  Geometry g;
  g.n = n;
  g.depth = depth;
  g.inner = inner;
  g.runs = inner >= kLongRun;
  if (g.runs) {
    g.rows = n / inner;
    g.blocks_x = (inner + kChunk - 1) / kChunk;
    g.blocks_y = g.rows;
  } else {
    const std::int64_t cols = depth * inner;
    g.period = cols * ((kThreads + cols - 1) / cols);
    g.rows = (n + g.period - 1) / g.period;
    g.blocks_x = (g.period + kThreads - 1) / kThreads;
    g.blocks_y = (g.rows + kRowsPerBlock - 1) / kRowsPerBlock;
  }
  return g;
}

// The pair_skew for tensors at these addresses of `element_bytes` elements: 0 or 1 where the
// elements are 16-bit and every address is the same, even, distance past a 4-byte boundary;
// else -1 (one element at a time).
inline int pair_skew_of(int element_bytes, std::initializer_list<const void*> tensors) {
  int skew = -1;
  if (element_bytes != 2) return -1;
  for (const void* t : tensors) {
    const auto a = reinterpret_cast<std::uintptr_t>(t);
    const int s = static_cast<int>(a % 4 / 2);
    if (a % 2 != 0 || (skew >= 0 && s != skew)) return -1;
    skew = s;
  }
  return skew;
}

// A launch grid for g of about `target` blocks (never more than the whole grid, and at most
// `max_y` rows of blocks: CUDA's limit on gridDim.y, or less where a test makes the blocks stride
// over rows on the host); blocks stride over the rest.
constexpr std::int64_t kMaxGridY = 65535;
struct Launch {
  std::int64_t x = 1, y = 1;
};
inline Launch launch_for(const Geometry& g, std::int64_t target, std::int64_t max_y = kMaxGridY) {
  Launch l;
  l.y = g.blocks_y < max_y ? g.blocks_y : max_y;
  const std::int64_t per_row = target / l.y;
  l.x = per_row < 1 ? 1 : per_row < g.blocks_x ? per_row : g.blocks_x;
  return l;
}

// A block's unit of work with one table of channels: runs: a run (row); columns: a column block
// and a row block.
struct Segment {
  std::int64_t row = 0;            // runs
  std::int64_t xb = 0, yb = 0;     // columns
  std::int64_t first = 0;          // table entry t is channel (first + t) % depth
  int count = 1;                   // table entries (at most kThreads)
};

// Calls f(segment) for each segment of block (bx, by) of a grid of (gx, gy) blocks.
template <class F>
QDQ_HD void for_each_segment(const Geometry& g, std::int64_t bx, std::int64_t by, std::int64_t gx, std::int64_t gy, F&& f) {
  if (g.runs) {
    for (std::int64_t row = by; row < g.rows; row += gy) {
      Segment s;
      s.row = row;
      s.first = row % g.depth;
      f(s);
    }
    return;
  }
  for (std::int64_t yb = by; yb < g.blocks_y; yb += gy) {
    for (std::int64_t xb = bx; xb < g.blocks_x; xb += gx) {
      Segment s;
      s.xb = xb;
      s.yb = yb;
      const std::int64_t j0 = xb * kThreads, j1 = (j0 + kThreads < g.period ? j0 + kThreads : g.period) - 1;
      const std::int64_t r0 = j0 / g.inner, spanned = j1 / g.inner - r0 + 1;
      s.first = r0 % g.depth;
      s.count = static_cast<int>(spanned < g.depth ? spanned : g.depth);
      f(s);
    }
  }
}

// A thread's elements come in batches of at most B, evenly spaced: first + i * stride for
// i < count, all of table entry `entry`. The kernels load a whole batch before they compute and
// store any of it, so that each thread has several loads in flight: kBatchBytes / element size
// (at most 8) elements.
constexpr int kBatchBytes = 32;
QDQ_HD constexpr int batch_of(int element_bytes) { return kBatchBytes / element_bytes < 8 ? kBatchBytes / element_bytes : 8; }
struct Batch {
  std::int64_t first = 0, stride = 0;
  int count = 0, entry = 0;
  bool pairs = false;  // each of the count places is two elements, first + i * stride and the next
  QDQ_HD int elements() const { return pairs ? 2 * count : count; }
  // element j < elements(): place j (or j / 2, half j % 2, of pairs)
  QDQ_HD std::int64_t at(int j) const { return pairs ? first + j / 2 * stride + j % 2 : first + j * stride; }
};

// Calls f(batch) for the elements that thread tx of block column bx (of gx) visits in segment s,
// in batches of at most B.
template <int B, class F>
QDQ_HD void for_each_batch(const Geometry& g, const Segment& s, std::int64_t bx, std::int64_t gx, int tx, F&& f) {
  // `total` elements from `first`, `stride` apart, in batches
  auto split = [&](std::int64_t first, std::int64_t stride, std::int64_t total, int entry, bool pairs = false) {
    for (std::int64_t done = 0; done < total; done += B) {
      Batch b;
      b.first = first + done * stride;
      b.stride = stride;
      b.count = static_cast<int>(total - done < B ? total - done : B);
      b.entry = entry;
      b.pairs = pairs;
      f(b);
    }
  };
  if (g.runs && g.pair_skew >= 0) {
    // chunks of kChunk / 2 pairs from the run's first whole pair; its odd elements go alone to
    // threads 0 (first) and 1 (last) of chunk 0
    constexpr std::int64_t kChunkPairs = kChunk / 2;
    const std::int64_t base = s.row * g.inner, end = base + g.inner;
    const std::int64_t paired = base + ((base + g.pair_skew) & 1), pairs = (end - paired) / 2;
    for (std::int64_t chunk = bx; chunk < g.blocks_x; chunk += gx) {
      const std::int64_t start = chunk * kChunkPairs + tx, stop = chunk * kChunkPairs + kChunkPairs < pairs ? chunk * kChunkPairs + kChunkPairs : pairs;
      if (start < stop) split(paired + 2 * start, 2 * kThreads, (stop - start + kThreads - 1) / kThreads, 0, true);
      if (chunk == 0 && tx == 0 && paired > base) split(base, 1, 1, 0);
      if (chunk == 0 && tx == 1 && paired + 2 * pairs < end) split(end - 1, 1, 1, 0);
    }
    return;
  }
  if (g.runs) {
    const std::int64_t base = s.row * g.inner;
    for (std::int64_t chunk = bx; chunk < g.blocks_x; chunk += gx) {
      const std::int64_t start = chunk * kChunk + tx, end = chunk * kChunk + kChunk < g.inner ? chunk * kChunk + kChunk : g.inner;
      if (start < end) split(base + start, kThreads, (end - start + kThreads - 1) / kThreads, 0);
    }
    return;
  }
  const std::int64_t j = s.xb * kThreads + tx;
  if (j >= g.period) return;
  const int entry = static_cast<int>((j / g.inner - (s.xb * kThreads) / g.inner) % g.depth);
  const std::int64_t first_row = s.yb * kRowsPerBlock;
  std::int64_t last_row = first_row + kRowsPerBlock < g.rows ? first_row + kRowsPerBlock : g.rows;
  if ((last_row - 1) * g.period + j >= g.n) --last_row;  // only the tensor's last row can be short
  if (first_row < last_row) split(first_row * g.period + j, g.period, last_row - first_row, entry);
}

}  // namespace qdq::cuda
