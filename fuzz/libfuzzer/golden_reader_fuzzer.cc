// libFuzzer target: the golden-file reader on arbitrary bytes. A file it cannot trust must give a
// GoldenError, never a crash; a file it accepts has its cases run (check_case.h).
//
// The reader checks the seal (length and crc32 in the HDF5 user block) before HDF5 parses
// anything, so mutated files stop there: HDF5 1.10 itself crashes on some damaged files (found in
// the golden-file work, golden/README.md), which is why the seal exists. The seed corpus holds a
// small valid file, so the fuzzer also reaches the HDF5 path with it.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "conformance/golden_io.h"
#include "fuzz/libfuzzer/check_case.h"
#include "golden/golden_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/qdq-golden-fuzz-" + std::to_string(getpid()) + ".h5";
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
  } else {
    return 0;
  }
  try {
    const qdq::golden::GoldenFile file = qdq::golden::read_golden(path);
    for (const auto& c : file.cases) qdq::fuzz::check_case(c.op_case);
  } catch (const qdq::golden::GoldenError&) {
  }
  return 0;
}
