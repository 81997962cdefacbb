// The "traps" suite: cases built so that an output's exact value lies a hair from a rounding
// boundary of T (the midpoint between two neighbouring values) without being on it. A backend or
// a reference that rounds twice (through float64, through an 80-bit or other wider format) or
// carries too few bits lands on the midpoint and breaks the tie, which picks the wrong neighbour
// for about half of these elements; random inputs almost never come this close (for float32 a
// uniform value lies within 2^-30 ULP of a midpoint about once in 2^29 draws).
//
// Per-tensor, given range; the scale binds on hi (lo = -hi, or 0 when unsigned) so that
// y = n·hi/Qmax. Inputs are solved for, not searched (Qmax = 2^c - 1 throughout):
//  - exact profile, y = n·hi/Qmax rounded once: hi = R·2^k and n = m·2^a with M = m·R odd of
//    q+1 bits, so that y = M·2^z·(1 + 2^-c + 2^-2c + ...) lies 2^(q-c) ULP above a midpoint
//    ("block"); or n·H·2^j ≡ ±1 (mod Qmax), so that y lies 1/(2·Qmax) ULP from one ("modular",
//    where H can be a p-bit significand); q = p for results in the normal range, q < p for
//    subnormal results. Then x is the value of T nearest y, kept only if round(x·s) = n.
//  - TF profiles, whose last rounding is y = r ⊗ inv: r ≡ (2^(k-1) ± 1)·I^-1 (mod 2^k) for the
//    odd significand I of inv, so that r·inv's bits below T's precision are 10...01 or 01...11;
//    x solved so that TF's own steps (the reference's trace) give that r.
// (tf-xla's bfloat16 rounds hi ⊗ (1/Qmax) twice, to float32 and then to bfloat16, but no trap
// exists there: for every bfloat16 hi and every Qmax that is not a power of two in bfloat16, once
// and twice agree; rounding_traps_test.cc checks all of them.)
// Plus the overflow edge of the exact op (n/s past the largest finite: ±infinity).
// Every kept element's distance is computed exactly (GMP) when the suite is made.
#pragma once

#include <vector>

#include "conformance/engine.h"
#include "reference/exact/exact_float.h"

namespace qdq::conformance {

// Where |v| lies between two neighbouring values of T (gradual underflow grid, the binade of |v|;
// above the largest finite, the grid continues with the largest binade's spacing): its fraction of
// an ULP past the lower neighbour, minus 1/2. In [-1/2, 1/2): 0 on a midpoint, -1/2 on a value.
exact::Rational midpoint_offset(const exact::Rational& v, DType t);

// The largest |midpoint_offset| of a trap element of dtype t under the profile (what the
// construction guarantees; the test checks every element against it).
exact::Rational trap_bound(ProfileId profile, DType t);

// The suite's cases for one profile and dtype (none for a dtype the profile has no kernel for).
// Ids: "traps/P/T/KIND/bN/signed|unsigned[-narrow]/MODE/I" with KIND block, modular, subnormal,
// last-multiply or overflow. Elements of overflow cases are edges, not traps.
std::vector<SuiteCase> rounding_traps(ProfileId profile, DType dtype);

}  // namespace qdq::conformance
