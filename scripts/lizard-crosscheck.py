#!/usr/bin/env python3
"""Per-function cyclomatic-complexity agreement between `friction code` and lizard.

usage: scripts/lizard-crosscheck.py ROOT [--friction BIN] [--show N] [--threads N]

Runs `friction code ROOT --json --all` and `lizard --csv` on the files both tools
parse (lizard's languages that friction parses with tree-sitter), matches functions
by (file, start line), falling back to (file, name) within two lines, and prints:
files compared, functions matched / only in lizard / only in friction, the share of
matched functions with exactly equal cyclomatic complexity (overall and per
language), and the most frequent differences with examples (file:line) to inspect.

Standard library only; needs `lizard` on PATH (`pip install lizard`).
"""

import argparse
import collections
import csv
import io
import json
import os
import subprocess
import sys

# friction language -> extensions lizard reads for it (lizard 1.24).
LIZARD_EXT = {
    "c": {".c", ".h"},
    "cpp": {".cc", ".cpp", ".cxx", ".hpp", ".hh", ".hxx"},
    "java": {".java"},
    "csharp": {".cs"},
    "javascript": {".js", ".jsx", ".mjs", ".cjs"},
    "typescript": {".ts"},
    "tsx": {".tsx"},
    "python": {".py"},
    "ruby": {".rb"},
    "php": {".php"},
    "go": {".go"},
    "rust": {".rs"},
    "kotlin": {".kt", ".kts"},
    "scala": {".scala"},
    "swift": {".swift"},
}


def run_friction(binary, root, threads):
    out = subprocess.run(
        [binary, "code", root, "--json", "--all", "-q", "--threads", str(threads)],
        check=False,
        capture_output=True,
    )
    if out.returncode not in (0, 1):
        sys.exit(f"friction failed: {out.stderr.decode(errors='replace')}")
    return json.loads(out.stdout)


def run_lizard(root, files, threads):
    """lizard --csv on the given files (relative to root), in chunks."""
    rows = []
    for i in range(0, len(files), 400):
        chunk = files[i : i + 400]
        out = subprocess.run(
            ["lizard", "--csv", "-t", str(threads)] + chunk,
            cwd=root,
            check=False,
            capture_output=True,
        )
        text = out.stdout.decode("utf-8", errors="replace")
        for r in csv.reader(io.StringIO(text)):
            if len(r) < 11:
                continue
            try:
                rows.append(
                    {
                        "file": os.path.normpath(r[6]),
                        "name": r[7],
                        "ccn": int(r[1]),
                        "start": int(r[9]),
                        "end": int(r[10]),
                    }
                )
            except ValueError:
                continue
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root")
    ap.add_argument(
        "--friction",
        default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "friction"),
    )
    ap.add_argument("--show", type=int, default=3, help="examples per difference")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    root = os.path.abspath(args.root)

    report = run_friction(args.friction, root, args.threads)
    ours = {}  # file -> list of functions
    lang_of = {}
    for f in report["files"]:
        if f["method"] != "tree-sitter" or f.get("excluded"):
            continue
        ext = os.path.splitext(f["path"])[1].lower()
        if ext not in LIZARD_EXT.get(f["language"], set()):
            continue
        path = os.path.normpath(f["path"])
        ours[path] = f["functions"]
        lang_of[path] = f["language"]
    files = sorted(ours)
    theirs = collections.defaultdict(list)
    for r in run_lizard(root, files, args.threads):
        theirs[r["file"]].append(r)

    matched = 0
    equal = 0
    only_lizard = 0
    only_friction = 0
    per_lang = collections.defaultdict(lambda: [0, 0])
    diffs = collections.defaultdict(list)  # (language, lizard - friction) -> examples
    for path in files:
        mine = list(ours[path])
        by_line = collections.defaultdict(list)
        for fn in mine:
            by_line[fn["start_line"]].append(fn)
        used = set()
        for lz in theirs.get(path, []):
            cand = [fn for fn in by_line.get(lz["start"], []) if id(fn) not in used]
            if not cand:
                cand = [
                    fn
                    for fn in mine
                    if id(fn) not in used
                    and abs(fn["start_line"] - lz["start"]) <= 2
                    and (fn["name"] == lz["name"] or fn["name"].endswith(lz["name"].split("::")[-1]))
                ]
            if not cand:
                only_lizard += 1
                continue
            fn = cand[0]
            used.add(id(fn))
            matched += 1
            lang = lang_of[path]
            per_lang[lang][0] += 1
            if fn["cyclomatic"] == lz["ccn"]:
                equal += 1
                per_lang[lang][1] += 1
            else:
                diffs[(lang, lz["ccn"] - fn["cyclomatic"])].append(
                    f"{path}:{lz['start']} {lz['name']} lizard={lz['ccn']} friction={fn['cyclomatic']}"
                )
        only_friction += len(mine) - len(used)

    print(f"root: {root}")
    print(f"files compared: {len(files)}")
    print(f"functions matched: {matched}; only in lizard: {only_lizard}; only in friction: {only_friction}")
    if matched:
        print(f"cyclomatic complexity equal: {equal}/{matched} = {100.0 * equal / matched:.2f} %")
    for lang in sorted(per_lang):
        n, e = per_lang[lang]
        print(f"  {lang:<11} {e}/{n} = {100.0 * e / n:.2f} %")
    print("most frequent differences (language, lizard − friction): count, examples")
    for (lang, delta), ex in sorted(diffs.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:12]:
        print(f"  {lang:<11} {delta:+d}: {len(ex)}")
        for e in ex[: args.show]:
            print(f"      {e}")


if __name__ == "__main__":
    main()
