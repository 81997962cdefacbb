#!/usr/bin/env bash
# The CUDA backend's checks on a GPU, in one step (docs/cuda.md).
#
#   tools/gpu_check.sh [--lean]     here: build in build-gpu/ (shared project libraries, Hopper code
#                                   only, so that the bundle is small), then pack gpu-bundle/qdq-gpu.tar.xz
#                                   (git-ignored): the GPU test binary and qdq, stripped, with every
#                                   shared library they load but the C and C++ runtimes (the CUDA
#                                   runtime is linked in statically). The bundle and the checkout
#                                   travel together within the device tool's 64 MiB, with at least
#                                   2 MiB to spare; where they would not (or with --lean), libcurl's TLS
#                                   stack, which HDF5 loads but qdq never uses, is left to the GPU
#                                   machine's own libraries.
#   tools/gpu_check.sh --time-here  here, without a GPU: each device test's host work timed with the
#                                   cuda-host backend standing in for the device (the limits below
#                                   come from such a run; docs/cuda.md)
#   tools/gpu_check.sh --on-device  on the GPU machine, from a checkout with gpu-bundle/ beside it: each
#                                   GPU test, `qdq conformance --backend cuda`, `qdq bench --backend
#                                   cuda` and PyTorch's fake-quant on the same shapes, each under its
#                                   own time limit. Two verdicts: correctness (the tests and the
#                                   conformance run; exit 1 when it fails) and speed (the benchmark;
#                                   exit 3 when only it fails); the PyTorch comparison is reported
#                                   and never changes either. Results under $OUT (or gpu-results/):
#                                   summary.txt, one log a step, bench.json (only from a bench that
#                                   finished), torch.json, performance.md
set -uo pipefail
cd "$(dirname "$0")/.."
bundle=gpu-bundle/qdq-gpu.tar.xz

if [ "${1:-}" != "--on-device" ] && [ "${1:-}" != "--time-here" ]; then
  set -e
  tools/deps.sh
  cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DQDQ_BUILD_TESTS=ON -DBUILD_SHARED_LIBS=ON \
    -DQDQ_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90-real >/dev/null
  cmake --build build-gpu --target qdq cuda_gpu_test
  stage=$(mktemp -d)
  trap 'rm -rf "$stage"' EXIT
  mkdir -p gpu-bundle
  # Every shared library they load but the C and C++ runtimes, which the GPU machine's newer
  # system provides (its CUDA driver library needs its own glibc).
  ldd build-gpu/bin/qdq build-gpu/bin/cuda_gpu_test | awk '$3 ~ /^\// {print $3}' | sort -u |
    grep -Ev '/(libc|libm|libpthread|libdl|librt|libresolv|libstdc\+\+|libgcc_s)\.so|/ld-linux' >"$stage/libs"
  # HDF5 loads libcurl (for S3, never used here) and with it a TLS and Kerberos stack, about half
  # the bundle. With --lean, or where the bundle would not fit beside the checkout, those are left
  # to the GPU machine's own libraries (CUDA images carry curl); the check there names any missing.
  curl=$(grep '/libcurl\.so' "$stage/libs" || true)
  lean_drop() { { echo "$curl"; ldd "$curl" | awk '$3 ~ /^\// {print $3}'; } | grep -Ev '/(libz|libgmp)\.so' | sort -u; }
  pack() {
    rm -rf "$stage/bin" "$stage/lib" && mkdir -p "$stage/bin" "$stage/lib"
    cp build-gpu/bin/qdq build-gpu/bin/cuda_gpu_test "$stage/bin/"
    if [ "$1" = lean ]; then grep -vxFf <(lean_drop) "$stage/libs"; else cat "$stage/libs"; fi |
      while read -r lib; do cp -L "$lib" "$stage/lib/"; done
    strip --strip-unneeded "$stage/bin/"* "$stage/lib/"libqdq_*
    tar -C "$stage" -cf - bin lib | xz -9e -T0 >"$bundle"
    size=$(stat -c %s "$bundle")
  }
  # What travels to the device: tracked and untracked files git does not ignore, and the bundle.
  tree=$(git ls-files -z --cached --others --exclude-standard | xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s}')
  mode=full
  [ "${1:-}" = --lean ] && mode=lean
  pack $mode
  limit=$(((64 - 2) * 1024 * 1024))  # the device tool's 64 MiB, less a 2 MiB margin
  if [ $mode = full ] && [ $((tree + size)) -gt $limit ] && [ -n "$curl" ]; then
    echo "gpu_check: the full bundle would not travel beside the checkout with 2 MiB to spare; leaving out libcurl's stack"
    mode=lean
    pack lean
  fi
  echo "gpu_check: $bundle ($mode), $((size / 1024)) KiB ($(ls "$stage/lib" | wc -l) libraries)"
  if [ "$size" -gt $((60 * 1024 * 1024)) ]; then echo "gpu_check: the bundle is over 60 MiB" >&2; exit 1; fi
  echo "gpu_check: checkout $((tree / 1024)) KiB + bundle = $(((tree + size) / 1024)) KiB of the device tool's 65536 KiB"
  if [ $((tree + size)) -gt $limit ]; then echo "gpu_check: too large to travel with a 2 MiB margin" >&2; exit 1; fi
  exit 0
fi

# Each GPU test under its own limit: twice the seconds its work took with --time-here (cuda-host
# standing in for the device, on 2 cores, 2026-12-03: 12, 3, 37, 71 and 0 s), at least 30 s; the
# GPU machine has 16 cores for the host's share. The tests through device pointers cannot be timed
# without a device; their host work is small (cuda-host on windows and 100,003-element cases), and
# the last copies 8 GiB each way: 60, 30 and 120 s.
gpu_tests=(
  "Gpu.EverySuiteEqualsTheReference 30"
  "Gpu.EveryGoldenFileEqualsTf 30"
  "Gpu.EverySixteenBitPattern 75"
  "Gpu.HundredMillionElementsEqualTheHost 145"
  "Gpu.EmptyAndRejectedCasesLeaveTheDeviceUsable 30"
  "GpuPointers.MisalignedDevicePointers 60"
  "GpuPointers.TheWorkspaceIsLeftZeroedForTheNextCall 30"
  "GpuPointers.BeyondTwoToThe31ElementsOnSampledWindows 120"
)

if [ "${1:-}" = "--time-here" ]; then
  test_bin=${GPU_TEST:-build/bin/cuda_gpu_test}
  for entry in "${gpu_tests[@]}"; do
    name=${entry% *}
    start=$SECONDS
    QDQ_GPU_TEST_BACKEND=cuda-host "$test_bin" --gtest_filter="$name" >/dev/null 2>&1
    rc=$?
    echo "$name: exit $rc after $((SECONDS - start)) s on cuda-host (limit on the device: ${entry#* } s)"
  done
  exit 0
fi

out=${OUT:-gpu-results}
mkdir -p "$out"
summary="$out/summary.txt"
: >"$summary"
note() { echo "$*" | tee -a "$summary"; }
run=/tmp/qdq-gpu
rm -rf "$run" && mkdir -p "$run" && tar -C "$run" -xJf "$bundle" || { note "gpu_check: cannot unpack $bundle"; exit 2; }
# The bundle's libraries for the bundle's programs only: python and PyTorch keep the machine's own.
bundled() { LD_LIBRARY_PATH="$run/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" QDQ_SOURCE_DIR="$PWD" "$@"; }
note "gpu_check: $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
note "device: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)"
note "glibc: $(ldd --version 2>&1 | head -1)"
missing=$(bundled ldd "$run/bin/qdq" "$run/bin/cuda_gpu_test" 2>&1 | grep 'not found' | awk '{print $1}' | sort -u | tr '\n' ' ')
if [ -n "$missing" ]; then
  note "gpu_check: this machine lacks libraries the bundle left out: ${missing}(pack the full bundle)"
  exit 2
fi
bundled "$run/bin/qdq" backends 2>&1 | tee -a "$summary"

correctness=0 speed=0
# step VERDICT NAME SECONDS COMMAND...: runs under a time limit, output to $out/NAME.txt, one
# summary line; a failure sets VERDICT (correctness, speed, or comparison: reported only).
step() {
  local verdict=$1 name=$2 limit=$3
  shift 3
  local start=$SECONDS
  timeout "$limit" "$@" >"$out/$name.txt" 2>&1
  local rc=$?
  note "$name: exit $rc after $((SECONDS - start)) s (limit $limit s)$([ $rc -eq 124 ] && echo ', killed at its limit')"
  if [ $rc -ne 0 ]; then
    case $verdict in
      correctness) correctness=1 ;;
      speed) speed=1 ;;
    esac
  fi
  return $rc
}
for entry in "${gpu_tests[@]}"; do
  name=${entry% *}
  step correctness "gpu_test.$name" "${entry#* }" bundled "$run/bin/cuda_gpu_test" --gtest_filter="$name"
  grep -E '^\[  (PASSED|FAILED|SKIPPED) |16-bit sweeps:' "$out/gpu_test.$name.txt" >>"$summary"
  if grep -q '^\[  SKIPPED \]' "$out/gpu_test.$name.txt"; then  # skipped is not passed
    note "gpu_test.$name: skipped, $(grep -m1 -o 'no CUDA device: .*' "$out/gpu_test.$name.txt")"
    correctness=1
  fi
done
step correctness conformance 40 bundled "$run/bin/qdq" conformance --backend cuda  # cuda-host here: 16 s
grep -E '^qdq conformance: [0-9]' "$out/conformance.txt" >>"$summary"
# The benchmark writes its JSON to a part file, kept only when it finished (a bench killed at its
# limit leaves an unterminated file).
rm -f "$out/bench.json" "$out/bench.part.json"
if step speed bench 75 bundled "$run/bin/qdq" bench --backend cuda --max-host-bytes 33554432 --benchmark_min_time=0.05 \
  --benchmark_out="$out/bench.part.json" --benchmark_out_format=json; then
  mv "$out/bench.part.json" "$out/bench.json"
else
  note "bench: no bench.json (the run did not finish); the partial output stays in bench.part.json"
fi
step comparison torch 60 python3 tools/bench_torch.py --json "$out/torch.json" ||
  note "torch: the PyTorch comparison failed or timed out; it changes no verdict"
if [ -f "$out/bench.json" ]; then
  torch_json=$([ -s "$out/torch.json" ] && echo "$out/torch.json" || echo "")
  python3 tools/cuda_perf_report.py "$out/bench.json" $torch_json >"$out/performance.md" 2>>"$summary" ||
    note "cuda_perf_report: failed"
  grep -E '^- (met|missed)' "$out/performance.md" >>"$summary"
fi
note "gpu_check: correctness $([ $correctness -eq 0 ] && echo passed || echo FAILED), speed $([ $speed -eq 0 ] && echo measured || echo 'not measured (the bench failed)')"
[ $correctness -ne 0 ] && exit 1
[ $speed -ne 0 ] && exit 3
exit 0
