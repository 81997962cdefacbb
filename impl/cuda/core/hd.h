// The one file where the CUDA device and the host differ. Everything else in impl/cuda/core/ is
// written once against what is here and compiled twice: by nvcc for the device (the `cuda`
// backend) and by the host compiler (the `cuda-host` backend, which proves that code in CI on
// machines without a GPU).
//
// Every operation is IEEE binary32/binary64 arithmetic rounded to nearest-even with gradual
// underflow, never contracted: on the device the _rn intrinsics (and the device code is built
// with -fmad=false -ftz=false -prec-div=true besides); on the host SSE arithmetic built with
// -ffp-contract=off, where the cuda-host backend checks before each case that the thread rounds
// to nearest and has neither FTZ nor DAZ set. FTZ/DAZ, where a profile wants them, are done in
// software on top of these (soft_env.h).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define QDQ_HD __host__ __device__ __forceinline__
#else
#define QDQ_HD inline
#endif

// Unrolls the loop that follows on the device (the host compiler decides for itself).
#if defined(__CUDACC__)
#define QDQ_UNROLL _Pragma("unroll")
#else
#define QDQ_UNROLL
#endif

namespace qdq::cuda {

QDQ_HD float add_rn(float a, float b) {
#ifdef __CUDA_ARCH__
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}
QDQ_HD double add_rn(double a, double b) {
#ifdef __CUDA_ARCH__
  return __dadd_rn(a, b);
#else
  return a + b;
#endif
}
QDQ_HD float mul_rn(float a, float b) {
#ifdef __CUDA_ARCH__
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}
QDQ_HD double mul_rn(double a, double b) {
#ifdef __CUDA_ARCH__
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}
QDQ_HD float div_rn(float a, float b) {
#ifdef __CUDA_ARCH__
  return __fdiv_rn(a, b);
#else
  return a / b;
#endif
}
QDQ_HD double div_rn(double a, double b) {
#ifdef __CUDA_ARCH__
  return __ddiv_rn(a, b);
#else
  return a / b;
#endif
}
// a * b + c with one rounding.
QDQ_HD float fma_rn(float a, float b, float c) {
#ifdef __CUDA_ARCH__
  return __fmaf_rn(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}
QDQ_HD double fma_rn(double a, double b, double c) {
#ifdef __CUDA_ARCH__
  return __fma_rn(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}
// Nearest integer, ties to even (the device's rint has no rounding-mode state; the host's
// nearbyint follows the thread's mode, checked to be nearest).
QDQ_HD float rint_even(float a) {
#ifdef __CUDA_ARCH__
  return rintf(a);
#else
  return std::nearbyint(a);
#endif
}
QDQ_HD double rint_even(double a) {
#ifdef __CUDA_ARCH__
  return rint(a);
#else
  return std::nearbyint(a);
#endif
}
QDQ_HD float floor_of(float a) {
#ifdef __CUDA_ARCH__
  return floorf(a);
#else
  return std::floor(a);
#endif
}
QDQ_HD double floor_of(double a) {
#ifdef __CUDA_ARCH__
  return ::floor(a);
#else
  return std::floor(a);
#endif
}
QDQ_HD std::uint32_t bits_of(float x) {
#ifdef __CUDA_ARCH__
  return __float_as_uint(x);
#else
  std::uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
#endif
}
QDQ_HD std::uint64_t bits_of(double x) {
#ifdef __CUDA_ARCH__
  return static_cast<std::uint64_t>(__double_as_longlong(x));
#else
  std::uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
#endif
}
QDQ_HD float float_of(std::uint32_t u) {
#ifdef __CUDA_ARCH__
  return __uint_as_float(u);
#else
  float x;
  std::memcpy(&x, &u, sizeof x);
  return x;
#endif
}
QDQ_HD double double_of(std::uint64_t u) {
#ifdef __CUDA_ARCH__
  return __longlong_as_double(static_cast<long long>(u));
#else
  double x;
  std::memcpy(&x, &u, sizeof x);
  return x;
#endif
}

// The 32-bit word at `at` (precondition: 4-byte aligned), and its store: two 16-bit elements in
// one access, the lower address in the low half (both the host and the device are little-endian).
QDQ_HD std::uint32_t load_word(const std::uint16_t* at) {
#ifdef __CUDA_ARCH__
  return *reinterpret_cast<const std::uint32_t*>(at);
#else
  std::uint32_t w;
  std::memcpy(&w, at, sizeof w);
  return w;
#endif
}
QDQ_HD void store_word(std::uint16_t* at, std::uint32_t w) {
#ifdef __CUDA_ARCH__
  *reinterpret_cast<std::uint32_t*>(at) = w;
#else
  std::memcpy(at, &w, sizeof w);
#endif
}

}  // namespace qdq::cuda
