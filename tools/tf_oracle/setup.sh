#!/usr/bin/env bash
# Makes the TF oracle's virtual environment for one TensorFlow release and prints its python's path
# (the only thing written to stdout; pip and progress go to stderr). Idempotent.
#   tools/tf_oracle/setup.sh [RELEASE]   RELEASE like 2.15, default 2.21
#   tools/tf_oracle/setup.sh --list      the supported releases, one a line
# Release 2.21 lives in .venv-tf/, any other in .venv-tf-RELEASE/ (all ignored by git). Each is pinned by
# tools/tf_oracle/requirements/RELEASE.txt, whose "# python: 3.X" line names the interpreter it needs.
set -euo pipefail
cd "$(dirname "$0")/../.."
reqdir=tools/tf_oracle/requirements
default=2.21

releases() {
  local f
  for f in "$reqdir"/*.txt; do f=${f##*/}; echo "${f%.txt}"; done | grep -x '2\.[0-9][0-9]*' | sort -t. -k2,2n
}

if [ "${1:-}" = --list ]; then
  releases
  exit 0
fi
if [ $# -gt 1 ] || [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
  echo "usage: $0 [RELEASE | --list]   (RELEASE like 2.15; default $default)" >&2
  exit 2
fi
release=${1:-$default}
req=$reqdir/$release.txt
if ! grep -qxF -- "$release" <<< "$(releases)"; then
  echo "setup.sh: unknown TensorFlow release '$release'; supported: $(releases | paste -sd ' ')" >&2
  exit 2
fi
if [ "$release" = "$default" ]; then venv=.venv-tf; else venv=.venv-tf-$release; fi

# The interpreter: python3.X on PATH if it runs (a pyenv shim may not), else a pyenv install of 3.X.
want=$(sed -n 's/^# *python: *\([0-9][0-9.]*\) *$/\1/p' "$req" | head -1)
want=${want:-3.11}
is_python() { "$1" -c "import sys, venv; sys.exit(sys.version_info[:2] != tuple(map(int, '$want'.split('.'))))" \
  >/dev/null 2>&1; }
python=
for candidate in "python$want" python3 "${PYENV_ROOT:-$HOME/.pyenv}/versions/$want".*/bin/"python$want"; do
  if is_python "$candidate"; then python=$candidate; break; fi
done
if [ -z "$python" ]; then
  echo "setup.sh: TensorFlow $release needs Python $want, and none was found (python$want, pyenv)" >&2
  exit 1
fi

if [ -x "$venv/bin/python" ] && ! is_python "$venv/bin/python"; then
  echo "setup.sh: $venv has another Python than $want; making it anew" >&2
  rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
  echo "setup.sh: making $venv with $python" >&2
  "$python" -m venv "$venv"
fi
if ! "$venv/bin/python" - "$req" <<'PY' >/dev/null 2>&1
import importlib.metadata as m, sys
want = [l.split("==") for l in open(sys.argv[1]) if "==" in l and not l.startswith("#")]
sys.exit(any(m.version(n.strip()) != v.split("#")[0].strip() for n, v in want))
PY
then
  echo "setup.sh: installing $req into $venv" >&2
  "$venv/bin/pip" install -q --no-cache-dir -r "$req" >&2
fi
echo "$venv/bin/python"
