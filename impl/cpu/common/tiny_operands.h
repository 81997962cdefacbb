// Test operands for FTZ/DAZ done in software (flush_arith_test.cc, and the CUDA core's
// core_test.cc): values around the smallest normal, and operand pairs whose product or quotient
// lands within a few ulps of it, where flushing decides the result.
#pragma once

#include <cmath>
#include <limits>
#include <random>

namespace qdq::cpu::testing {

// Magnitudes from 2^(emin-30) to 2^(emin+30), and now and then an ordinary one; either sign.
template <typename C>
C random_near_tiny(std::mt19937_64& rng) {
  const int e = std::numeric_limits<C>::min_exponent - 1 + static_cast<int>(rng() % 61) - 30;
  C m = std::ldexp(C(1) + C(rng() % 1000000) / C(1000000), rng() % 8 == 0 ? static_cast<int>(rng() % 20) : e);
  return rng() & 1 ? -m : m;
}

// On every other draw (even i): b such that a*b (i % 4 == 0) or a/b lies within three ulps of the
// smallest normal; b stays as it is on odd i.
template <typename C>
void aim_at_smallest_normal(std::mt19937_64& rng, int i, C a, C& b) {
  if (i % 2 != 0) return;
  const long double target = std::numeric_limits<C>::min();
  b = static_cast<C>(i % 4 == 0 ? target / a : a / target);
  for (int k = static_cast<int>(rng() % 7) - 3; k != 0; k += k > 0 ? -1 : 1) b = std::nextafter(b, k > 0 ? INFINITY : 0);
  if (!std::isnormal(b)) b = random_near_tiny<C>(rng);
}

}  // namespace qdq::cpu::testing
