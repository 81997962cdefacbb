#!/usr/bin/env python3
"""Runs one case file through the oracle of several TensorFlow releases and groups the releases that answer alike.

  compare_releases.py --mode kernel|xla CASES.jsonl OUTDIR [--every K] [--releases 2.12,2.13,...]

Every K-th case of CASES.jsonl (default: all) goes to each release's oracle (tools/tf_oracle/setup.sh RELEASE makes
its venv); the answers are kept in OUTDIR/<release>-<mode>.jsonl and reused when the sample is the same. Two
releases answer alike when every case has the same error code and message, or the same output bits (NaNs of
either sign and any payload count as equal, as the harness compares them). Prints the groups of releases that
answer alike, each with the number of cases where it differs from the newest release, and writes the full
per-pair comparison (diff_answers.py) to OUTDIR/diff-<release>-vs-<newest>.txt. docs/tf-behaviour.md says
which profile stands for each group.
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diff_answers  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def releases_known():
    out = subprocess.run([os.path.join(ROOT, "tools/tf_oracle/setup.sh"), "--list"], check=True, capture_output=True,
                         text=True).stdout
    return out.split()


def run_release(release, mode, cases, outdir):
    answers = os.path.join(outdir, "%s-%s.jsonl" % (release, mode))
    stamp = answers + ".cases"
    if os.path.exists(answers) and os.path.exists(stamp) and open(stamp).read() == open(cases).read():
        return answers
    python = subprocess.run([os.path.join(ROOT, "tools/tf_oracle/setup.sh"), release], check=True,
                            capture_output=True, text=True, cwd=ROOT).stdout.strip()
    print("compare_releases: TF %s, %s mode" % (release, mode), file=sys.stderr, flush=True)
    subprocess.run([os.path.join(ROOT, python), os.path.join(ROOT, "tools/tf_oracle/oracle.py"), "--mode", mode,
                    "--chunk", "2000", cases, answers], check=True, cwd=ROOT)
    with open(stamp, "w") as f:
        f.write(open(cases).read())
    return answers


def differing(a, b):
    """Ids of the cases where two answer dicts differ (NaN payloads and signs apart)."""
    out = []
    for case_id, x in a.items():
        kind, _ = diff_answers.compare(x, b.get(case_id, {}), diff_answers.dtype_of(case_id))
        if kind and kind != "nan-payload":
            out.append(case_id)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=("kernel", "xla"), required=True)
    ap.add_argument("cases")
    ap.add_argument("outdir")
    ap.add_argument("--every", type=int, default=1)
    ap.add_argument("--releases", help="comma-separated (default: every release setup.sh knows)")
    args = ap.parse_args()
    releases = args.releases.split(",") if args.releases else releases_known()
    os.makedirs(args.outdir, exist_ok=True)
    sample = os.path.join(os.path.abspath(args.outdir), "cases-every-%d.jsonl" % args.every)
    with open(args.cases) as f, open(sample, "w") as out:
        lines = [line for line in f if line.strip()]
        out.writelines(lines[::args.every])
    answers = {r: diff_answers.load(run_release(r, args.mode, sample, os.path.abspath(args.outdir)))[1]
               for r in releases}
    newest = releases[-1]
    groups = []
    for r in releases:
        for g in groups:
            if not differing(answers[g[0]], answers[r]):
                g.append(r)
                break
        else:
            groups.append([r])
    print("%d cases (every %d of %s), %s mode" % (len(lines[::args.every]), args.every, args.cases, args.mode))
    for g in groups:
        n = len(differing(answers[newest], answers[g[0]]))
        print("  releases %-30s differ from %s in %d cases" % (" ".join(g), newest, n))
    for r in releases[:-1]:
        with open(os.path.join(args.outdir, "diff-%s-vs-%s.txt" % (r, newest)), "w") as f:
            subprocess.run([sys.executable, os.path.join(ROOT, "tools/tf_oracle/diff_answers.py"),
                            os.path.join(args.outdir, "%s-%s.jsonl" % (newest, args.mode)),
                            os.path.join(args.outdir, "%s-%s.jsonl" % (r, args.mode)), "--examples", "3"], stdout=f)


if __name__ == "__main__":
    main()
