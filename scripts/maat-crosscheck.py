#!/usr/bin/env python3
"""Compare `friction maat ANALYSIS` with code-maat-python (PyPI) on one repository.

usage: scripts/maat-crosscheck.py REPO [--friction BIN]

Writes the log code-maat reads
(`git log --numstat --date=short --pretty=format:'--%h--%ad--%aN' --no-renames`),
scans REPO into a temporary store with `friction scan --no-renames`, runs every
analysis both ways and compares the rows as sets (order-free). Where
code-maat-python's output format differs from code-maat's (the Clojure
original that friction follows), only the shared columns are compared and the
difference is printed. Revisions are matched on the full commit id's 7-character
prefix (code-maat's `%h`).

Needs `code-maat` on PATH (`pip install code-maat-python`) and git.
"""

import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile

# analysis -> (columns to compare, note on known format differences)
CHECKS = {
    "summary": (None, "code-maat-python reports other statistics (first/last commit); compared by hand"),
    "revisions": (["entity", "n-revs"], ""),
    "authors": (["entity", "n-authors", "n-revs"], ""),
    "coupling": (["entity", "coupled", "degree"], "average-revs: code-maat ceil(mean), code-maat-python int(mean)"),
    "abs-churn": (["date", "added", "deleted", "commits"], ""),
    "author-churn": (["author", "added", "deleted", "commits"], ""),
    "entity-churn": (["entity", "added", "deleted", "commits"], ""),
    "entity-ownership": (["entity", "author", "added", "deleted"], ""),
    "main-dev": (["entity", "added", "total-added"], "ownership: code-maat a fraction, code-maat-python a percentage; main-dev ties broken differently"),
    "entity-effort": (["entity", "author", "author-revs", "total-revs"], ""),
    "fragmentation": (["entity", "fractal-value", "total-revs"], ""),
    "age": (["entity", "age-months"], "code-maat counts calendar months, code-maat-python days/30.44 rounded"),
}


def run(cmd, cwd=None):
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, check=False)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {out.stderr.decode(errors='replace')[:500]}")
    return out.stdout.decode("utf-8", errors="replace")


def rows(text, columns):
    reader = csv.DictReader(io.StringIO(text))
    out = set()
    for r in reader:
        vals = []
        for c in columns:
            v = (r.get(c) or "").strip()
            try:
                f = float(v)
                v = f"{f:.2f}" if not f.is_integer() else str(int(f))
            except ValueError:
                pass
            vals.append(v)
        out.add(tuple(vals))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("repo")
    ap.add_argument(
        "--friction",
        default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "friction"),
    )
    args = ap.parse_args()
    repo = os.path.abspath(args.repo)
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "git.log")
        with open(log, "w") as f:
            f.write(run(["git", "-C", repo, "log", "--numstat", "--date=short",
                         "--pretty=format:--%h--%ad--%aN", "--no-renames"]))
        db = os.path.join(tmp, "f.db")
        run([args.friction, "scan", repo, "--db", db, "--no-renames", "--no-code", "-q"])
        last = run(["git", "-C", repo, "log", "-1", "--date=short", "--pretty=%ad"]).strip()
        print(f"repository: {repo}")
        total_ok = 0
        for name, (columns, note) in CHECKS.items():
            if columns is None:
                print(f"  {name:<18} skipped: {note}")
                continue
            cm_args = ["code-maat", name, log]
            if name == "age":
                cm_args += ["--reference-date", last] if "--reference-date" in run(["code-maat", "age", "--help"]) else []
            cm = run(cm_args)
            fr = run([args.friction, "maat", name, repo, "--db", db, "--age-time-now", last, "--names"])
            # code-maat's %h is an abbreviated id; friction prints nothing per revision, so
            # no analysis here depends on the id's length.
            a, b = rows(cm, columns), rows(fr, columns)
            same = len(a & b)
            ok = a == b
            total_ok += ok
            print(f"  {name:<18} {'same' if ok else 'DIFFERENT'}: {same} rows shared, "
                  f"{len(a - b)} only code-maat-python, {len(b - a)} only friction"
                  + (f"  ({note})" if note else ""))
            if not ok:
                for r in sorted(a - b)[:3]:
                    print(f"      code-maat-python: {r}")
                for r in sorted(b - a)[:3]:
                    print(f"      friction:         {r}")
        print(f"{total_ok} of {sum(1 for c in CHECKS.values() if c[0])} analyses identical on the compared columns")


if __name__ == "__main__":
    main()
