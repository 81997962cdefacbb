// RapidCheck generators for the op's inputs, drawn from bit patterns rather than from RapidCheck's
// own float generator (which never produces ±0, subnormals, infinities or NaN payloads).
//
// Values are weighted the way TestFloat weights its operands: a class (zero, subnormal, smallest
// or largest normal, infinity, NaN with a payload, a point of the quantization grid, a tie between
// two grid points or one ULP either side of it, an ordinary magnitude near the range, any bit
// pattern), a sign, then a significand. Cases combine such values with attributes over their
// whole valid range (and, when asked, invalid ones), shapes of rank 0 to 5 with zero-sized
// dimensions, every axis, and ranges of every kind (ordered, one-sided, zero-width, inverted,
// infinite, NaN, subnormal).
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <ostream>

#include "reference/contract/backend.h"

namespace qdq::fuzz {

// The grid a value generator aims at: points k * step for integers k in [-span, span].
struct GridHint {
  double step = 1.0 / 64;
  std::int64_t span = 128;
};

// One value of dtype t, as bits.
rc::Gen<std::uint64_t> gen_value(DType t, GridHint grid = {});

// What a generated case may be.
struct CaseSpec {
  ProfileId profile = ProfileId::TfCpu;
  DType dtype = DType::Float32;
  bool gradients = true;         // also QuantizeAndDequantizeV4Grad cases
  bool invalid = false;          // every case has at least one invalid attribute, shape or range shape
  bool per_channel_only = false; // a valid axis (rank >= 1)
  bool range_given_only = false;
  int max_elements = 96;
};

// A case as the spec says: valid when !spec.invalid (TF may still reject it, e.g. a given range
// with min > max, or a per-channel given range on TF's kernel), otherwise broken on purpose.
rc::Gen<OpCase> gen_case(const CaseSpec& spec);

// A case with the profile and dtype drawn too (over the pairs the profile defines, and sometimes
// one it does not, which TF answers with NotFound).
rc::Gen<OpCase> gen_any_case(bool invalid);

}  // namespace qdq::fuzz

namespace qdq {
// RapidCheck prints a counterexample with this: the case as one `qdq eval` JSON line, which
// `qdq eval` replays as it is.
void showValue(const OpCase& c, std::ostream& os);
}  // namespace qdq
