#!/usr/bin/env bash
# Installs a wheel made by tools/wheel.sh into a fresh venv in DIR and checks that it stands alone:
#   (a) `ldd` on every ELF file the wheel installed (RECORD): each library must resolve inside the
#       wheel's folders (qdq/, qdq.libs/) or be glibc, libstdc++ or libgcc_s; and the libraries the
#       `qdq` program and the tests really load (the dynamic loader's own trace, LD_DEBUG, which sees
#       dlopen too) must come from the same places when an object of the wheel asked for them;
#   (b) `qdq backends` (the console script) and `python -m qdq --help`;
#   (c) the package's tests (python/tests) against the installed copy.
# All with LD_LIBRARY_PATH, LD_PRELOAD and PYTHONPATH unset, run from DIR: neither the sources nor a
# build tree is on the path, and a library of the build machine cannot stand in for a missing one
# unnoticed (every resolved path is printed). Usage: tools/wheel_test.sh WHEEL DIR
# Environment: PYTHON, the interpreter whose venv installs the wheel (default python3).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
say() { echo "wheel_test.sh: $*" >&2; }
die() { say "FAILED: $*"; exit 1; }
[ $# -eq 2 ] || { echo "usage: tools/wheel_test.sh WHEEL DIR" >&2; exit 2; }
wheel=$(realpath "$1")
[ -f "$wheel" ] || die "no wheel at $1"
dir=$2
python=${PYTHON:-python3}

unset LD_LIBRARY_PATH LD_PRELOAD PYTHONPATH PYTHONHOME PYTHONSTARTUP
export PYTHONNOUSERSITE=1 PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1

rm -rf "$dir" && mkdir -p "$dir"
dir=$(realpath "$dir")
cd "$dir"   # away from the sources
"$python" -m venv "$dir/venv"
py=$dir/venv/bin/python

# The tests' own requirements first (python/requirements.txt: pytest==8.3.3, numpy, ml_dtypes, ...),
# so that the timed install below is the wheel's alone. numpy 1.26 has no wheels for Python 3.13 and
# later: there numpy and ml_dtypes come unpinned.
reqs=$dir/requirements.txt
if "$py" -c 'import sys; sys.exit(sys.version_info < (3, 13))'; then
  grep -v -E '^(numpy|ml_dtypes|ml-dtypes)==' "$root/python/requirements.txt" > "$reqs"
  printf 'numpy\nml_dtypes\n' >> "$reqs"
else
  cp "$root/python/requirements.txt" "$reqs"
fi
say "installing the tests' requirements ($(grep -v '^#' "$reqs" | tr '\n' ' '))"
"$dir/venv/bin/pip" install -q -r "$reqs" || die "could not install the tests' requirements"

start=$(date +%s.%N)
"$dir/venv/bin/pip" install -q --no-cache-dir "$wheel" || die "pip install $(basename "$wheel")"
end=$(date +%s.%N)
say "pip install $(basename "$wheel"): $(echo "$start $end" | awk '{printf "%.1f", $2 - $1}') s"

site=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
installed=$("$py" -c 'import qdq, os; print(os.path.dirname(os.path.realpath(qdq.__file__)))') ||
  die "import qdq failed in the fresh venv"
[ "$installed" = "$(realpath "$site")/qdq" ] || die "import qdq found $installed, not the installed copy in $site"
say "import qdq: $installed"

# (a) ldd on every ELF file of the wheel, and (a') the loader's trace of what is really loaded.
cat > "$dir/libcheck.py" <<'PY'
"""ldd and LD_DEBUG checks: every library an ELF file of the wheel needs resolves inside the wheel's
folders or is one the platform provides (glibc, libstdc++, libgcc_s)."""
import glob, os, re, subprocess, sys

# glibc's libraries (libresolv, libutil, libmvec... are glibc's too), the loader and the vDSO, and
# the C++ runtime: the libraries tools/wheel.sh lets auditwheel leave to the system.
SYSTEM = {"libc.so.6", "libm.so.6", "libmvec.so.1", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libresolv.so.2",
          "libutil.so.1", "libanl.so.1", "libnsl.so.1", "ld-linux-x86-64.so.2", "linux-vdso.so.1", "libstdc++.so.6",
          "libgcc_s.so.1"}


def wheel_files(site):
    record = glob.glob(os.path.join(site, "qdq-*.dist-info", "RECORD"))
    if len(record) != 1:
        sys.exit(f"expected one qdq-*.dist-info/RECORD in {site}, found {record}")
    # (RECORD's ../../../bin/qdq, the console script, lies outside site-packages: not a folder of the wheel's)
    files = [os.path.join(site, line.split(",")[0]) for line in open(record[0])
             if line.strip() and not line.startswith("..")]
    files = [os.path.realpath(f) for f in files if os.path.isfile(f)]
    tops = sorted({os.path.relpath(f, site).split(os.sep)[0] for f in files} - {os.path.basename(os.path.dirname(record[0]))})
    roots = [os.path.join(os.path.realpath(site), t) + os.sep for t in tops if os.path.isdir(os.path.join(site, t))]
    return files, roots


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def verdict(name, path, roots):
    if path and any(path.startswith(r) for r in roots):
        return None
    if os.path.basename(name) in SYSTEM or (path and os.path.basename(path) in SYSTEM):
        return None
    return f"{name} => {path or 'not found'}"


def ldd(site):
    files, roots = wheel_files(site)
    elves = [f for f in files if is_elf(f)]
    print(f"ldd: {len(elves)} ELF files of the wheel, in {', '.join(r[len(os.path.realpath(site)) + 1:] for r in roots)}")
    bad, seen = [], {}
    for f in elves:
        out = subprocess.run(["ldd", f], capture_output=True, text=True, env={"PATH": os.environ["PATH"]})
        if out.returncode != 0:
            bad.append(f"{f}: ldd failed: {out.stderr.strip() or out.stdout.strip()}")
            continue
        for line in out.stdout.splitlines():
            line = line.strip()
            m = re.match(r"(\S+) => (not found|\S+)", line) or re.match(r"(\S+) \(0x", line)
            if not m:
                continue
            name = m.group(1)
            path = m.group(2) if m.lastindex == 2 and m.group(2) != "not found" else (name if name.startswith("/") else None)
            path = os.path.realpath(path) if path else None
            seen[(os.path.basename(name), path)] = seen.get((os.path.basename(name), path), 0) + 1
            problem = verdict(name, path, roots)
            if problem:
                bad.append(f"{os.path.relpath(f, site)}: {problem}")
    print("resolved (library => path: how many of the wheel's ELF files need it):")
    for (name, path), n in sorted(seen.items(), key=lambda kv: (kv[0][1] or "", kv[0][0])):
        where = os.path.relpath(path, site) if path and any(path.startswith(r) for r in roots) else path
        print(f"  {name} => {where}: {n}")
    return bad


def trace(site, logs):
    """LD_DEBUG=libs,files logs: each library an object of the wheel needed or dlopened, and where
    it came from."""
    _, roots = wheel_files(site)
    bad, loaded = [], set()
    for log in logs:
        asker, name, path = {}, None, None
        for line in open(log, errors="replace"):
            line = line.split(":", 1)[1].strip() if ":" in line else line.strip()
            m = re.match(r"file=(\S+) \[\d+\];\s+(needed by|dynamically loaded by) (\S+)", line)
            if m:
                name, path = m.group(1), m.group(1) if m.group(1).startswith("/") else None
                asker[name] = os.path.realpath(m.group(3)) if m.group(3).startswith("/") else m.group(3)
                continue
            m = re.match(r"trying file=(\S+)", line)
            if m and name:
                path = m.group(1)
                continue
            m = re.match(r"file=(\S+) \[\d+\];\s+generating link map", line)
            if m and m.group(1) == name:
                by = asker.get(name, "")
                if any(by.startswith(r) for r in roots):
                    real = os.path.realpath(path) if path else None
                    loaded.add((os.path.basename(name), real, os.path.basename(by)))
                    problem = verdict(name, real, roots)
                    if problem:
                        bad.append(f"{problem} (asked for by {by})")
                name = path = None
    print(f"loader trace: {len(logs)} processes; libraries loaded for the wheel's objects: {len(loaded)}, "
          f"from {len({p for _, p, _ in loaded if p and any(p.startswith(r) for r in roots)})} files of the wheel and "
          f"{len({p for _, p, _ in loaded if not (p and any(p.startswith(r) for r in roots))})} of the system: "
          + ", ".join(sorted({p for _, p, _ in loaded if not (p and any(p.startswith(r) for r in roots))})))
    return sorted(set(bad))


if __name__ == "__main__":
    what, site = sys.argv[1], sys.argv[2]
    bad = ldd(site) if what == "ldd" else trace(site, sys.argv[3:])
    for b in bad:
        print(f"NOT IN THE WHEEL: {b}")
    sys.exit(1 if bad else 0)
PY
say "(a) ldd on every ELF file of the wheel (LD_LIBRARY_PATH unset)"
"$py" "$dir/libcheck.py" ldd "$site" || die "a library of the wheel's ELF files resolves outside the wheel (lines NOT IN THE WHEEL above)"

# (b) the command, through the console script and through python -m, with the loader's trace.
mkdir -p "$dir/ld"
say "(b) qdq backends (console script), python -m qdq --help"
LD_DEBUG=libs,files LD_DEBUG_OUTPUT=$dir/ld/cmd "$dir/venv/bin/qdq" backends || die "qdq backends"
LD_DEBUG=libs,files LD_DEBUG_OUTPUT=$dir/ld/cmd "$py" -m qdq --help > "$dir/qdq-help.txt" || die "python -m qdq --help"
head -3 "$dir/qdq-help.txt"

# (c) the package's tests, from DIR: pytest puts python/tests on sys.path, not python/, so `import
# qdq` finds the installed package (checked above and in the tests' own output).
say "(c) pytest $root/python/tests against the installed package"
tests=0
LD_DEBUG=libs,files LD_DEBUG_OUTPUT=$dir/ld/pytest "$py" -m pytest -q -p no:cacheprovider "$root/python/tests" || tests=$?

say "(a') the libraries the loader loaded for the wheel's objects in (b) and (c)"
"$py" "$dir/libcheck.py" trace "$site" "$dir"/ld/* || die "a library loaded for the wheel came from outside it (lines NOT IN THE WHEEL above)"
rm -rf "$dir/ld"
[ "$tests" -eq 0 ] || die "the package's tests failed against the installed wheel (pytest exit $tests)"
say "OK: $(basename "$wheel") installs and passes from $dir with every native library inside the wheel or glibc/libstdc++/libgcc_s"
