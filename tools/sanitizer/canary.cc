// Wrong on purpose, built only in the sanitizer tree (QDQ_LIBFUZZER): the CTests sanitizer.* run it
// and expect ASan's or UBSan's report, so a sanitizer run whose instrumentation was lost (a flag
// dropped from the build) fails instead of passing on code nothing watches.
//   sanitizer_canary heap-overflow | signed-overflow
#include <climits>
#include <cstdio>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: sanitizer_canary heap-overflow | signed-overflow\n");
    return 2;
  }
  // argc and the heap keep the compiler from seeing the fault at compile time.
  if (std::strcmp(argv[1], "heap-overflow") == 0) {
    std::vector<int> v(static_cast<std::size_t>(argc));
    std::printf("%d\n", v.data()[argc + 2]);  // past the end: ASan's heap-buffer-overflow
    return 0;
  }
  if (std::strcmp(argv[1], "signed-overflow") == 0) {
    int x = INT_MAX - 1;
    x += argc;  // INT_MAX + 1: UBSan's signed-integer-overflow
    std::printf("%d\n", x);
    return 0;
  }
  std::fprintf(stderr, "sanitizer_canary: unknown fault '%s'\n", argv[1]);
  return 2;
}
