// The exact profile against TF's arithmetic where TF's arithmetic is itself exact: with a range of
// [qmin·2^k, qmax·2^k] the scale and its inverse are powers of two, so every operation TF performs
// in T is exact and the tf-cpu reference must give the ideal op's bits. Both sides come from the
// reference, computed by two separate code paths (tf_op.cc and exact_op.cc).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "conformance/compare.h"
#include "reference/exact/reference_backend.h"

namespace qdq {
namespace {

std::uint64_t bits_of(DType t, double v) {
  if (t == DType::Float64) {
    std::uint64_t b;
    std::memcpy(&b, &v, 8);
    return b;
  }
  const float f = static_cast<float>(v);  // the values used here are floats exactly
  std::uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

TEST(ExactProfile, AgreesWithTfWhereTfIsExact) {
  ReferenceBackend reference;
  std::mt19937_64 rng(3);
  for (DType t : {DType::Float32, DType::Float64}) {
    for (int nb : {4, 8, 16}) {
      for (int k : {-3, 0, 5}) {
        for (bool half_up : {false, true}) {
          const double step = std::ldexp(1.0, k), qmax = std::ldexp(1.0, nb - 1) - 1, qmin = -qmax - 1;
          std::vector<std::uint64_t> x;
          for (int i = 0; i < 400; ++i) {
            // ties, grid points, random points, and values beyond the range (clamped by both)
            const double n = std::floor(std::uniform_real_distribution<double>(qmin - 3, qmax + 3)(rng));
            double v = i % 4 == 0 ? (n + 0.5) * step : i % 4 == 1 ? n * step
                                                     : std::ldexp(std::round(std::ldexp(n + (rng() % 1024) / 1024.0, 10)), k - 10);
            // HALF_UP: floor(s + 0.5) gives +0 where the ideal op keeps the sign of x: stay off [-0.5 step, 0].
            if (half_up && v <= 0 && v >= -0.5 * step) v = 0.0;
            x.push_back(bits_of(t, v));
          }
          OpCase c;
          c.attrs.num_bits = nb;
          c.attrs.range_given = true;
          c.attrs.round_mode = half_up ? "HALF_UP" : "HALF_TO_EVEN";
          c.input = make_tensor(t, {static_cast<std::int64_t>(x.size())}, x);
          c.input_min = make_tensor(t, {}, {bits_of(t, qmin * step)});
          c.input_max = make_tensor(t, {}, {bits_of(t, qmax * step)});
          c.profile = ProfileId::TfCpu;
          const Outcome tf = reference.run(c);
          c.profile = ProfileId::Exact;
          const Outcome ideal = reference.run(c);
          const auto r = conformance::compare_outcomes("exact-vs-tf", c, ideal, tf);
          for (const auto& m : r.mismatches) ADD_FAILURE() << dtype_name(t) << " b" << nb << " k" << k << ": " << conformance::format_mismatch(m);
          EXPECT_EQ(r.elements, static_cast<std::int64_t>(x.size()));
        }
      }
    }
  }
}

}  // namespace
}  // namespace qdq
