#!/usr/bin/env bash
# Makes the Python package's virtual environment .venv-py/ (ignored by git) with python/requirements.txt
# and prints its python's path (the only thing written to stdout). Idempotent. The build configures
# the module for this interpreter (tools/build.sh), and the pytest tests run with it.
#   tools/python_env.sh [VENV REQUIREMENTS]   another venv from another pinned list (tools/bench_env.sh,
#                                             examples/converters/make_venv.sh), VENV relative to the root
# PYTHON: the interpreter that makes a new venv (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-.venv-py}
req=${2:-python/requirements.txt}
if [ ! -x "$venv/bin/python" ]; then
  echo "python_env.sh: making $venv" >&2
  "${PYTHON:-python3}" -m venv "$venv" >&2
fi
if ! "$venv/bin/python" - "$req" <<'PY' >/dev/null 2>&1
import importlib.metadata as m, sys
want = [l.split("==") for l in open(sys.argv[1]) if "==" in l and not l.startswith("#")]
sys.exit(any(m.version(n.strip()) != v.strip() for n, v in want))
PY
then
  echo "python_env.sh: installing $req into $venv" >&2
  "$venv/bin/pip" install -q --no-cache-dir -r "$req" >&2
fi
echo "$PWD/$venv/bin/python"
