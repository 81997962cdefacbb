#!/usr/bin/env python3
"""Two builds of `qdq bench` against each other on a machine whose speed drifts: runs BEFORE and AFTER
in turn, REPS times each, on the same benchmark filter, and prints each case's median GB/s (or, with
--kernels, elements/s) for both and their ratio. Taking them in turn, minute by minute, is what makes
the ratio fair where a single run of each can land in different phases of the machine.

  tools/bench_ab.py BEFORE/bin/qdq AFTER/bin/qdq --filter 'per-channel' --max-bytes 2097152 --reps 5
  tools/bench_ab.py BEFORE/bin/qdq AFTER/bin/qdq --kernels --filter 'bfloat16|float16'

Standard library only, so it runs before any venv exists.
"""
import argparse
import re
import statistics
import subprocess
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*m")
SUMMARY = re.compile(r"^(qdq/\S+)\s+([0-9.]+) GB/s")  # the summary lines of `qdq bench`
KERNEL = re.compile(r"^(kernel/\S+)\s.*\s([0-9.]+)([kMG]?)/s$")  # Google Benchmark rows of --kernels
UNIT = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9}


def one_run(qdq, args):
    """{case: rate} from one run of `qdq bench`; exits naming the binary if it fails."""
    cmd = [qdq, "bench", "--benchmark_min_time=%s" % args.min_time, "--benchmark_filter=" + args.filter]
    cmd += ["--kernels"] if args.kernels else ["--max-bytes", str(args.max_bytes)] + (["--channel-last"] if args.channel_last else [])
    try:
        run = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        sys.exit("bench_ab: cannot run %s: %s" % (qdq, e.strerror))
    if run.returncode != 0:
        sys.exit("bench_ab: %s failed (exit %d):\n%s" % (" ".join(cmd), run.returncode, run.stderr[-2000:]))
    rates = {}
    for line in ANSI.sub("", run.stdout + run.stderr).splitlines():
        m = (KERNEL if args.kernels else SUMMARY).match(line.strip())
        if m:
            rates[m.group(1)] = float(m.group(2)) * (UNIT[m.group(3)] / 1e9 if args.kernels else 1.0)
    if not rates:
        sys.exit("bench_ab: no case of %s matched the filter %r" % (qdq, args.filter))
    return rates


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before", help="the qdq binary to compare against")
    ap.add_argument("after", help="the qdq binary under test")
    ap.add_argument("--filter", default=".", help="Google Benchmark filter (default: every case)")
    ap.add_argument("--max-bytes", type=int, default=16 << 20, help="largest tensor (default 16 MiB)")
    ap.add_argument("--kernels", action="store_true", help="time the SIMD kernels alone (qdq bench --kernels)")
    ap.add_argument("--channel-last", action="store_true", help="add the per-channel-last cases (qdq bench --channel-last)")
    ap.add_argument("--reps", type=int, default=5, help="runs of each binary, in turn (default 5)")
    ap.add_argument("--min-time", default="0.2", help="--benchmark_min_time of each run (default 0.2)")
    args = ap.parse_args()
    if args.reps < 1:
        ap.error("--reps must be at least 1")
    seen = {"before": {}, "after": {}}
    for _ in range(args.reps):
        for which in ("before", "after"):
            for case, rate in one_run(getattr(args, which), args).items():
                seen[which].setdefault(case, []).append(rate)
    unit = "G elements/s" if args.kernels else "GB/s"
    print("medians of %d runs each, taken in turn (%s)" % (args.reps, unit))
    for case in sorted(set(seen["before"]) | set(seen["after"])):
        b, a = seen["before"].get(case), seen["after"].get(case)
        if not b or not a:
            print("%-52s only in %s" % (case, "after" if a else "before"))
            continue
        mb, ma = statistics.median(b), statistics.median(a)
        print("%-52s before %8.2f  after %8.2f  x%.2f" % (case, mb, ma, ma / mb))


if __name__ == "__main__":
    main()
