// The op's attributes with TensorFlow's defaults (array_ops.cc, REGISTER_OP("QuantizeAndDequantizeV4")).
#pragma once

#include <cstdint>
#include <string>

namespace qdq {

enum class Op { Forward, Gradient };

// HALF_TO_EVEN: round to nearest, ties to even. HALF_UP: ties toward +inf. How each profile
// computes them (in T, exactly, with which intermediate rounding) is in profile.h.
enum class RoundMode { HalfToEven, HalfUp };

// Attributes of QuantizeAndDequantizeV4. `round_mode` stays a string so that an invalid value
// reaches validation and gets TF's message. QuantizeAndDequantizeV4Grad uses only `axis`.
struct Attrs {
  bool signed_input = true;
  std::int64_t num_bits = 8;
  bool range_given = false;
  std::string round_mode = "HALF_TO_EVEN";
  bool narrow_range = false;
  std::int64_t axis = -1;  // -1: per-tensor; a >= 0: one range per index of dimension a

  bool operator==(const Attrs&) const = default;
};

// The integer range of validated attributes, exact (TF's kernel computes it in int64): signed
// [-2^(b-1), 2^(b-1) - 1] with the lower end raised by one under narrow_range, unsigned [0, 2^b - 1].
struct IntBounds {
  std::int64_t lo, hi;
};
inline IntBounds integer_bounds(const Attrs& a) {
  const int b = static_cast<int>(a.num_bits);
  if (!a.signed_input) return {0, (std::int64_t{1} << b) - 1};
  return {-(std::int64_t{1} << (b - 1)) + (a.narrow_range ? 1 : 0), (std::int64_t{1} << (b - 1)) - 1};
}

// The round mode of a validated Attrs (HALF_UP, else HALF_TO_EVEN).
inline RoundMode round_mode_of(const Attrs& a) {
  return a.round_mode == "HALF_UP" ? RoundMode::HalfUp : RoundMode::HalfToEven;
}

}  // namespace qdq
