#!/usr/bin/env python3
"""Measures the reference population the score curves are calibrated on.

usage: scripts/calibrate.py FRICTION WORKDIR NAME=REPO ... > crates/signals/calibration/population.csv

For every NAME=REPO (a public repository's clone, bare or not), runs
`FRICTION scan REPO --db WORKDIR/NAME.db --no-report` and `FRICTION assess REPO
--db WORKDIR/NAME.db --json` (git history and the tree at the newest commit
only: no CI, work-item or incident exports), and writes one CSV row per
signal the assessment measured: the repository, its assessed commit, its
main language (the language of most source bytes at that commit, by
file extension), its history (commits, first and last commit
dates), its code lines, the signal, its value and its evidence (the
sample units the value rests on; empty when the evidence is complete).

A scan that reports unreadable objects (a snapshot whose largest blobs are
absent) still stores everything else; its row says so in `scan_errors` and
the repository is measured from what was read.

The rows are sorted by repository and signal, numbers written with Rust's
shortest round-trip form as the JSON carries them: same binary, clones and
arguments, byte-identical output. Which measurements enter a curve (enough
evidence, enough repositories) is decided by friction itself
(`crates/signals/src/calibration.rs`), not here, so the rule lives in one
place and `friction explain` states it.
"""
import collections
import json
import os
import subprocess
import sys

HEADER = ("repository,commit,language,commits,first_commit,last_commit,code_lines,"
          "scan_errors,signal,value,evidence")


def run(cmd, check=True):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if check and p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    return p


def git(repo, *args):
    return run(["git", "-C", repo, *args]).stdout.strip()


EXTENSIONS = {
    "rs": "Rust", "py": "Python", "js": "JavaScript", "mjs": "JavaScript", "cjs": "JavaScript",
    "ts": "TypeScript", "tsx": "TypeScript", "java": "Java", "go": "Go", "c": "C", "h": "header",
    "cc": "C++", "cpp": "C++", "cxx": "C++", "hpp": "C++", "hh": "C++", "cs": "C#", "rb": "Ruby",
    "php": "PHP", "kt": "Kotlin", "kts": "Kotlin", "scala": "Scala", "swift": "Swift",
}


def main_language(repo, commit):
    """The language of most source bytes at the commit, by file extension."""
    size = collections.Counter()
    for line in git(repo, "ls-tree", "-r", "-l", commit).splitlines():
        meta, _, path = line.partition("\t")
        parts = meta.split()
        ext = path.rsplit(".", 1)[-1].lower() if "." in path else ""
        if len(parts) == 4 and parts[3].isdigit() and ext in EXTENSIONS:
            size[EXTENSIONS[ext]] += int(parts[3])
    # A `.h` file is C's or C++'s: its bytes go to whichever has more sources.
    headers = size.pop("header", 0)
    size["C++" if size["C++"] > size["C"] else "C"] += headers
    size = +size
    return max(sorted(size), key=lambda k: size[k]) if size else ""


def measure(friction, workdir, name, repo):
    db = os.path.join(workdir, name + ".db")
    scan = run([friction, "scan", repo, "--db", db, "--no-report"], check=False)
    errors = 0
    if scan.returncode != 0:
        errors = sum(1 for line in scan.stderr.splitlines() if "could not be read" in line)
        if not os.path.exists(db) or errors == 0:
            sys.exit(f"scan of {name} failed:\n{scan.stderr[-2000:]}")
    report = json.loads(run([friction, "assess", repo, "--db", db, "--json"]).stdout)
    commit = report["commit"]
    meta = [name, commit, main_language(repo, commit),
            git(repo, "rev-list", "--count", commit),
            git(repo, "log", "--max-parents=0", "--format=%cs", commit).splitlines()[-1],
            git(repo, "log", "-1", "--format=%cs", commit),
            str(report["code_lines"]), str(errors)]
    rows = []
    for driver in report["index"]["drivers"]:
        for s in driver["signals"]:
            if s.get("not_measured") is not None or s.get("value") is None:
                continue
            ev = s.get("evidence_count")
            rows.append(meta + [s["id"], repr(float(s["value"])),
                                "" if ev is None else str(int(ev))])
    return rows


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    friction, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    rows = []
    for arg in sys.argv[3:]:
        name, _, repo = arg.partition("=")
        print(f"measuring {name}", file=sys.stderr)
        rows += measure(friction, workdir, name, repo)
    rows.sort(key=lambda r: (r[0], r[8]))
    print(HEADER)
    for r in rows:
        print(",".join(r))


if __name__ == "__main__":
    main()
