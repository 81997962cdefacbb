#!/usr/bin/env bash
# The main job: installs dependencies if missing, builds Release, runs `qdq conformance` with its
# default suites on every backend built, and prints the result matrix. Arguments go to
# `qdq conformance` (e.g. --profile tf-cpu --dtype float32 --backend cpu).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
exec build/bin/qdq conformance "$@"
