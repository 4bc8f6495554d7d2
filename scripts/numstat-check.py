#!/usr/bin/env python3
"""Compare friction's stored per-file line counts with `git log --numstat`.

usage: numstat-check.py REPO DB [--renames]

Scans must have been made with the matching mode (`friction scan --no-renames` for the
default comparison). Prints the number of commits and file rows compared and every
difference; exits 1 when any differs.
"""
import sqlite3
import subprocess
import sys


def git_numstat(repo, renames):
    args = ["git", "-C", repo, "log", "--numstat", "-z", "--format=%x01%H", "HEAD"]
    args.append("-M" if renames else "--no-renames")
    out = subprocess.run(args, check=True, capture_output=True).stdout
    commits = {}
    for block in out.split(b"\x01")[1:]:
        cid = block[:40].decode()
        rest = block[40:]
        rows = {}
        fields = rest.split(b"\0")
        i = 0
        while i < len(fields):
            f = fields[i].strip(b"\n")
            if not f:
                i += 1
                continue
            added, deleted, path = f.split(b"\t", 2)
            if path == b"":  # rename: old and new follow
                old, new = fields[i + 1], fields[i + 2]
                path = new
                i += 3
            else:
                i += 1
            key = path.decode("utf-8", "replace")
            a = None if added == b"-" else int(added)
            d = None if deleted == b"-" else int(deleted)
            prev = rows.get(key)
            if prev is not None:  # type changes are printed as delete + add of one path
                a = (prev[0] or 0) + (a or 0)
                d = (prev[1] or 0) + (d or 0)
            rows[key] = (a, d)
        commits[cid] = rows
    return commits


def friction_numstat(db):
    con = sqlite3.connect(db)
    commits = {}
    for cid, in con.execute("SELECT id FROM commits WHERE parent_count < 2"):
        commits[cid] = {}
    for cid, path, a, d, binary in con.execute(
        "SELECT commit_id, path, lines_added, lines_deleted, is_binary FROM file_changes WHERE via_merge = 0"
    ):
        rows = commits.setdefault(cid, {})
        val = (None, None) if binary else (a, d)
        prev = rows.get(path)
        if prev is not None:
            val = ((prev[0] or 0) + (val[0] or 0), (prev[1] or 0) + (val[1] or 0))
        rows[path] = val
    return commits


def main():
    repo, db = sys.argv[1], sys.argv[2]
    renames = "--renames" in sys.argv[3:]
    git = git_numstat(repo, renames)
    ours = friction_numstat(db)
    diffs = 0
    rows = 0
    for cid, grows in git.items():
        frows = ours.get(cid)
        if frows is None:
            if grows:
                print(f"missing commit {cid}")
                diffs += 1
            continue
        for path in sorted(set(grows) | set(frows)):
            rows += 1
            if grows.get(path) != frows.get(path):
                diffs += 1
                print(f"{cid} {path}: git {grows.get(path)} friction {frows.get(path)}")
    print(f"compared {len(git)} commits, {rows} file rows: {diffs} differences")
    sys.exit(1 if diffs else 0)


main()
