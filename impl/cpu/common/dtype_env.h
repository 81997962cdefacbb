// Arithmetic on values of one dtype carried in C (float or double), as a profile's ArithEnv says:
// FlushArith's FTZ/DAZ in software, then rounding back to the dtype after every operation when it
// is narrower (bfloat16, float16). Shared by the CPU backends for host-side (scalar) arithmetic.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>

#include "impl/cpu/common/flush_arith.h"
#include "impl/cpu/common/narrow_float.h"
#include "reference/contract/profile.h"

namespace qdq::cpu {

// Values of the storage dtype carried in C, which holds every one exactly.
template <typename C>
class Env {
 public:
  Env(DType storage, const ArithEnv& e) : t_(storage), a_(e.ftz, e.daz) {}

  C load(std::uint64_t b) const {
    switch (t_) {
      case DType::BFloat16: return bfloat16_to_float(static_cast<std::uint16_t>(b));
      case DType::Float16: return float16_to_float(static_cast<std::uint16_t>(b));
      default: {
        C v;
        std::memcpy(&v, &b, sizeof v);
        return v;
      }
    }
  }
  std::uint64_t store(C v) const {
    switch (t_) {
      case DType::BFloat16: return float_to_bfloat16(static_cast<float>(v));
      case DType::Float16: return float_to_float16(static_cast<float>(v));
      default: {
        std::uint64_t b = 0;
        std::memcpy(&b, &v, sizeof v);
        return b;
      }
    }
  }
  C narrow(C v) const { return t_ == DType::BFloat16 || t_ == DType::Float16 ? load(store(v)) : v; }

  C add(C x, C y) const { return narrow(a_.add(x, y)); }
  C mul(C x, C y) const { return narrow(a_.mul(x, y)); }
  C div(C x, C y) const { return narrow(a_.div(x, y)); }
  C fma(C x, C y, C z) const { return narrow(a_.fma(x, y, z)); }
  // x * (1 / q), the reciprocal rounded to `reciprocal_type` (DTypeRules::hlo_type): C itself, or
  // the dtype when that is float16.
  C mul_reciprocal(C x, C q, DType reciprocal_type) const { return narrow(a_.mul(x, reciprocal(q, reciprocal_type))); }
  // The reciprocal mul_reciprocal multiplies by: 1 / q, rounded to the dtype where
  // `reciprocal_type` is the dtype.
  C reciprocal(C q, DType reciprocal_type) const {
    const C r = a_.div(C(1), q);
    return reciprocal_type == t_ ? narrow(r) : r;
  }
  C rint(C x) const { return narrow(a_.rint(x)); }
  C floor(C x) const { return narrow(a_.floor(x)); }
  C read(C x) const { return a_.read(x); }
  bool lt(C x, C y) const { return a_.lt(x, y); }
  bool le(C x, C y) const { return a_.le(x, y); }
  DType dtype() const { return t_; }
  C max_finite() const {
    switch (t_) {
      case DType::BFloat16: return bfloat16_to_float(0x7f7f);
      case DType::Float16: return float16_to_float(0x7bff);
      default: return std::numeric_limits<C>::max();
    }
  }

 private:
  DType t_;
  FlushArith<C> a_;
};

}  // namespace qdq::cpu
