#!/usr/bin/env bash
# `pip install .` as a user does it: a fresh venv in DIR, the package built by scikit-build-core
# from a copy of the tracked sources, then the package's tests run against the installed copy (not
# the build tree). Usage: tools/python_install_test.sh DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$1
rm -rf "$dir" && mkdir -p "$dir"
python3 -m venv "$dir/venv"
mkdir -p "$dir/src"
(cd "$root" && git ls-files -z | tar --null -T - -cf -) | tar -C "$dir/src" -xf -
# The tests' own requirements (pytest, Hypothesis, ...) so that none of the tests is skipped for
# want of one; then the package, built from source.
"$dir/venv/bin/pip" install -q -r "$root/python/requirements.txt"
"$dir/venv/bin/pip" install -q --no-cache-dir "$dir/src"
rm -rf "$dir/src"  # the installed package must stand alone (its data included)
cd "$dir"          # away from the sources: `import qdq` must find the installed package
"$dir/venv/bin/python" -c 'import qdq, os; print("installed:", os.path.dirname(qdq.__file__))'
PYTHONDONTWRITEBYTECODE=1 "$dir/venv/bin/python" -m pytest -q -p no:cacheprovider "$root/python/tests"
