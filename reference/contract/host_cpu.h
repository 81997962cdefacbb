// Whether this x86-64 CPU has F16C, for the tests that compare conversions with its instructions.
// Asked with cpuid: clang 14 (the sanitizer build) does not know "f16c" in __builtin_cpu_supports.
#pragma once

#include <cpuid.h>

namespace qdq {

inline bool host_has_f16c() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  return __get_cpuid(1, &a, &b, &c, &d) != 0 && (c & bit_F16C) != 0;
}

}  // namespace qdq
