#!/usr/bin/env bash
# Configures and builds the project in build/ (Release, Ninja), the Python module for the
# interpreter of .venv-py/ (tools/python_env.sh, which this makes). Used by test.sh and conformance.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
python=$(tools/python_env.sh)
cmake --preset release -DPython3_EXECUTABLE="$python" >/dev/null
cmake --build --preset release
