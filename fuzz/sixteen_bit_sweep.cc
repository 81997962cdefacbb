#include "fuzz/sixteen_bit_sweep.h"

#include "conformance/case_io.h"

namespace qdq::fuzz {

std::vector<Attrs> sweep_configs() {
  std::vector<Attrs> configs;
  for (const char* mode : {"HALF_TO_EVEN", "HALF_UP"}) {
    for (bool is_signed : {true, false}) {
      for (bool narrow : {false, true}) {
        for (std::int64_t nb : {2, 4, 8, 16}) {
          for (bool given : {true, false}) configs.push_back({is_signed, nb, given, mode, narrow, -1});
        }
      }
    }
  }
  return configs;
}

OpCase sweep_case(ProfileId p, DType t, const Attrs& a, const SweepRange& r) {
  OpCase c;
  c.profile = p;
  c.attrs = a;
  const std::uint64_t lo = *conformance::parse_decimal_value(t, r.lo), hi = *conformance::parse_decimal_value(t, r.hi);
  if (a.range_given) {
    c.input = Tensor(t, {65536});
    for (std::size_t k = 0; k < 65536; ++k) c.input.set_bits(k, k);
    c.input_min = make_tensor(t, {}, {lo});
    c.input_max = make_tensor(t, {}, {hi});
  } else {
    c.attrs.axis = 0;
    c.input = Tensor(t, {65536, 3});
    for (std::size_t k = 0; k < 65536; ++k) {
      c.input.set_bits(3 * k, k);
      c.input.set_bits(3 * k + 1, lo);
      c.input.set_bits(3 * k + 2, hi);
    }
    c.input_min = Tensor(t, {65536});
    c.input_max = Tensor(t, {65536});
  }
  return c;
}

}  // namespace qdq::fuzz
