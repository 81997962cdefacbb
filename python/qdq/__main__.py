"""The `qdq` command: `python -m qdq ARGS`, or `qdq ARGS` once the package is installed.

It is the C++ build's program itself: the package carries it (bin/qdq, with TF's test vectors in
share/qdq/ where the program looks for them), and a build tree's package runs the tree's
build/bin/qdq.
"""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def executable():
    """The path of the `qdq` program this package runs; FileNotFoundError names where it looked."""
    places = [os.path.join(_HERE, "bin", "qdq"),  # an installed package
              os.path.normpath(os.path.join(_HERE, "..", "..", "bin", "qdq"))]  # build/python/qdq -> build/bin/qdq
    for p in places:
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    raise FileNotFoundError("the qdq program is in none of " + ", ".join(places) +
                            " (build it with tools/build.sh, or reinstall the package)")


def main(argv=None):
    """Replaces this process with `qdq ARGS` (default: sys.argv[1:]); returns only on failure (2)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        exe = executable()
    except FileNotFoundError as e:
        print(f"qdq: {e}", file=sys.stderr)
        return 2
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(exe, [exe] + args)


if __name__ == "__main__":
    sys.exit(main())
