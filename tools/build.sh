#!/usr/bin/env bash
# Configures and builds the project in build/ (Release, Ninja). Used by test.sh and conformance.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
