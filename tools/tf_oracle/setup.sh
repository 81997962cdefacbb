#!/usr/bin/env bash
# Creates the TF oracle's virtual environment in .venv-tf/ (ignored by git) with the pinned
# versions of requirements.txt. Idempotent: does nothing when they are already installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=.venv-tf
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" - <<'PY' 2>/dev/null
import importlib.metadata as m, sys
want = [l.split("==") for l in open("tools/tf_oracle/requirements.txt") if "==" in l and not l.startswith("#")]
sys.exit(any(m.version(n.strip()) != v.strip() for n, v in want))
PY
then
  "$venv/bin/pip" install -q -r tools/tf_oracle/requirements.txt
fi
echo "$venv/bin/python"
