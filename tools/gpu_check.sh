#!/usr/bin/env bash
# The CUDA backend's checks on a GPU, in one step (docs/cuda.md).
#
#   tools/gpu_check.sh [--lean]     here: build in build-gpu/ (shared project libraries, Hopper code
#                                   only, so that the bundle is small), then pack gpu-bundle/qdq-gpu.tar.xz
#                                   (git-ignored): the GPU test binary and qdq, stripped, with every
#                                   shared library they load but the C and C++ runtimes (the CUDA
#                                   runtime is linked in statically). The bundle and the checkout
#                                   travel together, within the device tool's 64 MiB; where they would
#                                   not (or with --lean), libcurl's TLS stack, which HDF5 loads but qdq
#                                   never uses, is left to the GPU machine's own libraries.
#   tools/gpu_check.sh --on-device  on the GPU machine, from a checkout with gpu-bundle/ beside it: the
#                                   `gpu` tests, `qdq conformance --backend cuda`, `qdq bench --backend
#                                   cuda` and PyTorch's fake-quant on the same shapes, each with its own
#                                   time limit (under 7 minutes together); results under $OUT (or
#                                   gpu-results/): summary.txt, gpu_tests.txt, conformance.txt,
#                                   bench.txt, bench.json, torch.json, performance.md
set -uo pipefail
cd "$(dirname "$0")/.."
bundle=gpu-bundle/qdq-gpu.tar.xz

if [ "${1:-}" != "--on-device" ]; then
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
  if [ $mode = full ] && [ $((tree + size)) -gt $((64 * 1024 * 1024)) ] && [ -n "$curl" ]; then
    echo "gpu_check: the full bundle would not travel beside the checkout; leaving out libcurl's stack"
    mode=lean
    pack lean
  fi
  echo "gpu_check: $bundle ($mode), $((size / 1024)) KiB ($(ls "$stage/lib" | wc -l) libraries)"
  if [ "$size" -gt $((60 * 1024 * 1024)) ]; then echo "gpu_check: the bundle is over 60 MiB" >&2; exit 1; fi
  echo "gpu_check: checkout $((tree / 1024)) KiB + bundle = $(((tree + size) / 1024)) KiB of the device tool's 65536 KiB"
  if [ $((tree + size)) -gt $((64 * 1024 * 1024)) ]; then echo "gpu_check: too large to travel" >&2; exit 1; fi
  exit 0
fi

out=${OUT:-gpu-results}
mkdir -p "$out"
summary="$out/summary.txt"
: >"$summary"
note() { echo "$*" | tee -a "$summary"; }
run=/tmp/qdq-gpu
rm -rf "$run" && mkdir -p "$run" && tar -C "$run" -xJf "$bundle" || { note "gpu_check: cannot unpack $bundle"; exit 2; }
export LD_LIBRARY_PATH="$run/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" QDQ_SOURCE_DIR="$PWD"
note "gpu_check: $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
note "device: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)"
note "glibc: $(ldd --version 2>&1 | head -1)"
missing=$(ldd "$run/bin/qdq" "$run/bin/cuda_gpu_test" 2>&1 | grep 'not found' | awk '{print $1}' | sort -u | tr '\n' ' ')
if [ -n "$missing" ]; then
  note "gpu_check: this machine lacks libraries the bundle left out: ${missing}(pack the full bundle)"
  exit 2
fi
"$run/bin/qdq" backends 2>&1 | tee -a "$summary"

status=0
# step NAME SECONDS COMMAND...: runs with a time limit, output to $out/NAME.txt, one summary line.
step() {
  local name=$1 limit=$2
  shift 2
  local start=$SECONDS
  timeout "$limit" "$@" >"$out/$name.txt" 2>&1
  local rc=$?
  note "$name: exit $rc after $((SECONDS - start)) s (limit $limit s)"
  [ $rc -eq 0 ] || status=1
}
step gpu_tests 200 "$run/bin/cuda_gpu_test"
grep -E '^\[  (PASSED|FAILED|SKIPPED) |tests? (passed|failed)|16-bit sweeps:' "$out/gpu_tests.txt" >>"$summary"
if grep -q '^\[  SKIPPED \]' "$out/gpu_tests.txt"; then  # skipped is not passed
  note "gpu_tests: skipped, $(grep -m1 -o 'no CUDA device: .*' "$out/gpu_tests.txt")"
  status=1
fi
step conformance 90 "$run/bin/qdq" conformance --backend cuda
grep -E '^qdq conformance: [0-9]' "$out/conformance.txt" >>"$summary"
step bench 75 "$run/bin/qdq" bench --backend cuda --max-host-bytes 33554432 --benchmark_min_time=0.05 \
  --benchmark_out="$out/bench.json" --benchmark_out_format=json
step torch 35 python3 tools/bench_torch.py --json "$out/torch.json"
python3 tools/cuda_perf_report.py "$out/bench.json" "$out/torch.json" >"$out/performance.md" 2>>"$summary" ||
  note "cuda_perf_report: failed"
grep -E '^- (met|missed)' "$out/performance.md" >>"$summary"
note "gpu_check: $([ $status -eq 0 ] && echo passed || echo FAILED)"
exit $status
