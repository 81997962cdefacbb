#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build of the libFuzzer targets: the engine's compiler, sanitizer and
# link flags ($CC, $CXX, $CFLAGS, $CXXFLAGS, $LIB_FUZZING_ENGINE), no tests, no CUDA, no Python.
# Each target goes to $OUT with its seed corpus (fuzz/corpus/<target>/ as <target>_seed_corpus.zip)
# and the shared libraries it needs from the image in $OUT/lib (the runner image lacks them).
cmake -S . -B "$WORK/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DQDQ_BUILD_TESTS=OFF -DQDQ_CUDA=OFF -DQDQ_PYTHON=OFF -DQDQ_LIB_FUZZING_ENGINE="$LIB_FUZZING_ENGINE"
cmake --build "$WORK/build" --target fuzz_targets
mkdir -p "$OUT/lib"
for source in fuzz/libfuzzer/*_fuzzer.cc; do  # one target per source, as fuzz/CMakeLists.txt makes them
  target=$(basename "$source" _fuzzer.cc)
  cp "$WORK/build/bin/fuzz_$target" "$OUT/"
  (cd fuzz/corpus/$target && zip -q -r "$OUT/fuzz_${target}_seed_corpus.zip" .)
  # The image's shared libraries beside the target (libc and the loader stay the runner's).
  ldd "$OUT/fuzz_$target" | awk '/=> \// {print $3}' | grep -vE '/(libc|libm|libdl|libpthread|librt|ld-linux[^/]*)\.so' |
    xargs -r -I{} cp -n {} "$OUT/lib/"
  patchelf --set-rpath '$ORIGIN/lib' "$OUT/fuzz_$target"
done
