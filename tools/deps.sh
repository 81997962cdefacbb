#!/usr/bin/env bash
# Installs the project's dependencies from Debian's packages. Idempotent: does nothing when every
# package is already installed; otherwise runs `apt-get update` once, then `apt-get install`.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config python3        # toolchain
  libboost-dev libgmp-dev                         # Boost.Multiprecision over GMP rationals
  libgtest-dev libgmock-dev librapidcheck-dev     # GoogleTest, RapidCheck
  libhdf5-dev hdf5-tools zlib1g-dev               # golden files (h5dump reads them)
  libcli11-dev nlohmann-json3-dev libfmt-dev libbenchmark-dev
  libhwy-dev libtbb-dev                           # the optimized CPU backend: SIMD, threads
  clang libclang-rt-dev                           # libFuzzer, ASan, UBSan (tools/fuzz.sh)
  pybind11-dev python3-dev python3-venv           # the Python package (python/), its venv
  libdlpack-dev                                   # its arrays from any framework (DLPack)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "deps.sh: installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
