#!/usr/bin/env bash
# The installed tree as another project meets it (CTest): `cmake --install` of BUILD into a fresh
# prefix, packaging/consumer built against it with find_package(qdq), its program run (the installed
# reference answering TF's test vector), its plug-in loaded by the installed qdq, and the installed
# qdq run with its data found beside it. Usage: consumer_test.sh BUILD SCRATCH
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$1
dir=$2
rm -rf "$dir" && mkdir -p "$dir"
cmake --install "$build" --prefix "$dir/prefix" >/dev/null
cmake -S "$root/packaging/consumer" -B "$dir/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$dir/prefix" >/dev/null
cmake --build "$dir/consumer" >/dev/null
"$dir/consumer/consumer"
# The installed qdq, its build tree out of sight: data from ../share/qdq, the plug-in host beside it.

out=$(cd "$dir" && env -u QDQ_SOURCE_DIR "$dir/prefix/bin/qdq" conformance --suite known --backend cpu --profile tf-cpu --dtype float32 --quiet)
echo "$out" | tail -1
grep -q "qdq conformance: 31 passed, 0 failed" <<< "$out"
out=$(env -u QDQ_SOURCE_DIR "$dir/prefix/bin/qdq" eval --backend "plugin:$dir/consumer/libconsumer_plugin.so" "$root/tools/qdq/testdata/explain_cases.jsonl" 2>&1)
grep -q '"code":"Unsupported"' <<< "$out"
echo "ok: the installed tree builds a consumer and runs"
