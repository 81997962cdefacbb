#!/usr/bin/env bash
# The Debian package (CTest): `cpack -G DEB` in BUILD, then the package's contents unpacked into a
# scratch root (as dpkg would lay them out under /, without touching this machine's /usr) and its
# qdq run from there, finding its data and its plug-in host beside it; every package it depends on
# must be one Debian's archive has. Usage: deb_test.sh BUILD SCRATCH
set -euo pipefail
build=$1
dir=$2
rm -rf "$dir" && mkdir -p "$dir"
(cd "$build" && cpack -G DEB -B "$dir/out" >/dev/null)
deb=$(ls "$dir"/out/qdq-conformance_*.deb)
echo "package: $deb ($(du -h "$deb" | cut -f1))"
dpkg-deb --info "$deb" | grep -E "Package|Version|Depends"
dpkg-deb -x "$deb" "$dir/root"
for f in usr/bin/qdq usr/bin/qdq-plugin-host usr/include/qdq/plugin.h usr/lib/cmake/qdq/qdqConfig.cmake \
         usr/share/qdq/conformance/known_answers/tf_kernel_tests.jsonl usr/share/qdq/golden/tf-2.21-cpu.h5; do
  [ -e "$dir/root/$f" ] || { echo "FAILED: the package lacks /$f"; exit 1; }
done
# Each dependency, without its version, is a package of the archive.
for p in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/(.*)//; s/|.*//' | tr -d ' '); do
  apt-cache show "$p" >/dev/null 2>&1 || { echo "FAILED: dependency $p is no Debian package"; exit 1; }
done
out=$(env -u QDQ_SOURCE_DIR "$dir/root/usr/bin/qdq" golden verify "$dir/root/usr/share/qdq/golden/tf-2.21-cpu.h5" --backend cpu --quiet)
grep -q "total: [0-9]* passed, 0 failed" <<< "$out" || { echo "FAILED: $out" | tail -5; exit 1; }
out=$(env -u QDQ_SOURCE_DIR "$dir/root/usr/bin/qdq" conformance --suite known --backend cpu --quiet 2>&1)
echo "$out" | tail -1 | grep -q "qdq conformance: [0-9]* passed, 0 failed" || { echo "FAILED: $out" | tail -5; exit 1; }
echo "ok: the package unpacks and its qdq runs with its own data"
