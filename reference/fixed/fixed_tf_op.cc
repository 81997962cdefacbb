#include "reference/fixed/fixed_tf_op.h"

#include "reference/algorithm/tf_algorithm.h"
#include "reference/fixed/fixed_arith.h"

namespace qdq::fixed {
namespace {

// Whether 64-bit words hold every format the profile's algorithm touches for dtype t: T, the host
// and device compute formats, and the type XLA takes a reciprocal in (fixed_arith.h).
bool fits_64_bit_words(const Profile& p, DType t) {
  const DTypeRules& r = p.rules(t);
  for (DType f : {t, r.host.compute, r.device.compute, r.hlo_type}) {
    if (!FixedArith64::holds(f)) return false;
  }
  return true;
}

}  // namespace

Outcome tf_forward(const Profile& p, const OpCase& c) {
  if (fits_64_bit_words(p, c.input.dtype)) return tf_algorithm::tf_forward<FixedArith64>(p, c);
  return tf_algorithm::tf_forward<FixedArith>(p, c);
}

Outcome tf_gradient(const Profile& p, const OpCase& c) {
  if (fits_64_bit_words(p, c.input.dtype)) return tf_algorithm::tf_gradient<FixedArith64>(p, c);
  return tf_algorithm::tf_gradient<FixedArith>(p, c);
}

}  // namespace qdq::fixed
