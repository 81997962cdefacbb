#include "impl/cuda/host/host_backend.h"

#include <array>
#include <cfenv>
#include <limits>
#include <vector>

#include "impl/cuda/core/rules.h"
#include "impl/cuda/core/thread_batch.h"

namespace qdq::cuda {
namespace {

// The emulated launch has few blocks, so that every block strides over several runs and chunks as
// large tensors make the device's blocks do.
constexpr std::int64_t kEmulatedBlocks = 3;


// Calls block(bx, by, launch) for every block of the emulated launch of g.
template <class F>
void for_each_block(const Geometry& g, F&& block) {
  const Launch l = launch_for(g, kEmulatedBlocks);
  for (std::int64_t by = 0; by < l.y; ++by) {
    for (std::int64_t bx = 0; bx < l.x; ++bx) block(bx, by, l);
  }
}

// The range pass: each thread's extremes, merged per table entry, then into the channel's keys.
template <typename U, typename C>
std::vector<RangeKeys> measure(const Geometry& g, const SoftEnv<C>& dev, const U* x) {
  std::vector<RangeKeys> keys(static_cast<std::size_t>(g.depth));
  for_each_block(g, [&](std::int64_t bx, std::int64_t by, const Launch& l) {
    for_each_segment(g, bx, by, l.x, l.y, [&](const Segment& s) {
      std::array<RangeKeys, kThreads> part{};
      for (int tx = 0; tx < kThreads; ++tx) {
        RangeKeys mine;
        int entry = -1;
        for_each_batch<batch_of(sizeof(U))>(g, s, bx, l.x, tx, [&](const Batch& b) {
          range_batch<batch_of(sizeof(U))>(dev, x, b, mine);
          entry = b.entry;
        });
        if (entry >= 0) merge(part[static_cast<std::size_t>(entry)], mine);
      }
      for (int t = 0; t < s.count; ++t) merge(keys[static_cast<std::size_t>((s.first + t) % g.depth)], part[static_cast<std::size_t>(t)]);
    });
  });
  return keys;
}

template <typename U, typename C>
Outcome forward(const Profile& p, const OpCase& c) {
  const DType t = c.input.dtype;
  Outcome out;
  out.outputs.emplace_back(t, c.input.shape);
  Geometry g = case_geometry(c.input.shape, c.attrs.axis);
  if (g.n == 0) return out;
  const Rules<C> r = make_rules<C>(p, t, c.attrs);
  const U* x = elements<U>(c.input);
  U* y = elements<U>(out.outputs[0]);
  g.pair_skew = pair_skew_of(sizeof(U), {x, y});
  std::vector<RangeKeys> keys;
  RangeSource<U> src;
  if (c.attrs.range_given) {
    src.given_lo = elements<U>(c.input_min);
    src.given_hi = elements<U>(c.input_max);
  } else {
    keys = measure<U, C>(g, r.dev, x);
    src.measured = keys.data();
  }
  for_each_block(g, [&](std::int64_t bx, std::int64_t by, const Launch& l) {
    for_each_segment(g, bx, by, l.x, l.y, [&](const Segment& s) {
      std::array<Scale<C>, kThreads> table;
      for (int e = 0; e < s.count; ++e) table[static_cast<std::size_t>(e)] = channel_scale(r, src, (s.first + e) % g.depth);
      for (int tx = 0; tx < kThreads; ++tx) {
        for_each_batch<batch_of(sizeof(U))>(g, s, bx, l.x, tx, [&](const Batch& b) {
          forward_batch<batch_of(sizeof(U))>(r, table[static_cast<std::size_t>(b.entry)], x, y, b);
        });
      }
    });
  });
  return out;
}

template <typename U, typename C>
Outcome gradient(const Profile& p, const OpCase& c) {
  Outcome out = gradient_outputs(c);
  Geometry g = case_geometry(c.input.shape, c.attrs.axis);
  if (g.n == 0) return out;
  const SoftEnv<C> dev = gradient_env<C>(p, c.input.dtype);
  const U *x = elements<U>(c.input), *dy = elements<U>(c.gradients);
  const U *lo = elements<U>(c.input_min), *hi = elements<U>(c.input_max);
  U* dx = elements<U>(out.outputs[0]);
  g.pair_skew = pair_skew_of(sizeof(U), {dy, x, dx});
  for_each_block(g, [&](std::int64_t bx, std::int64_t by, const Launch& l) {
    for_each_segment(g, bx, by, l.x, l.y, [&](const Segment& s) {
      for (int tx = 0; tx < kThreads; ++tx) {
        for_each_batch<batch_of(sizeof(U))>(g, s, bx, l.x, tx, [&](const Batch& b) {
          const std::int64_t ch = (s.first + b.entry) % g.depth;
          gradient_batch<batch_of(sizeof(U))>(dev, dy, x, lo[ch], hi[ch], dx, b);
        });
      }
    });
  });
  return out;
}

// Whether this thread computes IEEE arithmetic as hd.h needs: round to nearest, subnormal operands
// read as they are (no DAZ) and subnormal results kept (no FTZ).
bool thread_is_ieee() {
  if (std::fegetround() != FE_TONEAREST) return false;
  volatile float tf = std::numeric_limits<float>::denorm_min(), nf = std::numeric_limits<float>::min();
  volatile double td = std::numeric_limits<double>::denorm_min(), nd = std::numeric_limits<double>::min();
  return tf * 1.0f != 0.0f && nf * 0.5f != 0.0f && td * 1.0 != 0.0 && nd * 0.5 != 0.0;
}

}  // namespace

bool HostBackend::supports(ProfileId id, DType t) const { return implements(profile(id), t); }

Outcome HostBackend::run(const OpCase& c) {
  if (Status s = validate_case(c); !s.ok()) return Outcome::rejected(s);
  if (!supports(c.profile, c.input.dtype)) {
    return Outcome::rejected({Code::Unimplemented, "cuda-host does not implement this profile and dtype"});
  }
  if (!thread_is_ieee()) {
    return Outcome::rejected({Code::Unimplemented, "cuda-host needs IEEE arithmetic on this thread (round to nearest, no FTZ/DAZ)"});
  }
  const Profile& p = profile(c.profile);
  const bool fwd = c.op == Op::Forward;
  if (c.input.dtype == DType::Float64) return fwd ? forward<std::uint64_t, double>(p, c) : gradient<std::uint64_t, double>(p, c);
  if (c.input.dtype == DType::Float32) return fwd ? forward<std::uint32_t, float>(p, c) : gradient<std::uint32_t, float>(p, c);
  return fwd ? forward<std::uint16_t, float>(p, c) : gradient<std::uint16_t, float>(p, c);  // bfloat16, float16
}

}  // namespace qdq::cuda
