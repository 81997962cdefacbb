// What every libFuzzer target does with a case it could build: validation, then (when TF accepts
// it and it is small) every backend against the reference, bit for bit. A mismatch or an exception
// escaping a backend aborts, so that libFuzzer keeps the input.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "conformance/backends.h"
#include "conformance/compare.h"

namespace qdq::fuzz {

inline void check_case(const OpCase& c) {
  try {
    if (!validate_case(c).ok()) return;
    // The reference is exact and slow: it answers small cases only.
    if (c.input.size() > 256) {
      for (const std::string& name : conformance::backend_names()) {
        auto b = conformance::make_backend(name);
        if (name != "reference" && b->supports(c.profile, c.input.dtype)) b->run(c);
      }
      return;
    }
    const Outcome expected = conformance::make_backend("reference")->run(c);
    for (const std::string& name : conformance::backend_names()) {
      auto b = conformance::make_backend(name);
      if (name == "reference" || !b->supports(c.profile, c.input.dtype)) continue;
      const conformance::Comparison r = conformance::compare_outcomes("libfuzzer", c, expected, b->run(c));
      if (!r.ok()) {
        std::fprintf(stderr, "%s differs from the reference: %s\n", name.c_str(),
                     conformance::format_mismatch(r.mismatches.front()).c_str());
        std::abort();
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "exception out of a backend: %s\n", e.what());
    std::abort();
  }
}

}  // namespace qdq::fuzz
