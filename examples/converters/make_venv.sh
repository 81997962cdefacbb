#!/usr/bin/env bash
# Makes the venv of one converter, examples/converters/.venv-CONVERTER/ (ignored by git), with the
# exact versions of examples/converters/requirements-CONVERTER.txt, and prints its python's path (the
# only thing written to stdout; progress goes to stderr). Idempotent: an existing venv is only
# brought back to the pins. CONVERTER: tf2onnx (tf2onnx, onnxruntime), tflite (TF's TFLite converter,
# ai-edge-litert), openvino (OpenVINO's TF and ONNX frontends, tf2onnx). Needs python3 3.11 (the
# version the harness's module is built for) and PyPI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
name="${1:-}"
case "$name" in
  tf2onnx|tflite|openvino) ;;
  *) echo "usage: $0 tf2onnx|tflite|openvino" >&2; exit 2 ;;
esac
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "make_venv.sh: $python is not Python 3.11 (set PYTHON=...)" >&2
  exit 1
fi
venv_python=$(PYTHON="$python" "$here/../../tools/python_env.sh" "examples/converters/.venv-$name" \
  "examples/converters/requirements-$name.txt")
venv="$here/.venv-$name"
if [ "$name" = openvino ] && [ -x "$venv/bin/opt_in_out" ]; then
  # OpenVINO's converter may send usage telemetry; decline it (a consent file under ~/intel).
  "$venv/bin/opt_in_out" --opt_out >/dev/null 2>&1 || true
fi
echo "$venv_python"
