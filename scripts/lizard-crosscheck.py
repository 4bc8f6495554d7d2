#!/usr/bin/env python3
"""Per-function cyclomatic-complexity agreement between `friction code` and lizard.

usage: scripts/lizard-crosscheck.py ROOT [ROOT...] [--friction BIN] [--lang LANG...]
                                    [--show N] [--top N] [--threads N]
(`--lang` takes several names: give it after the ROOTs.)

For each ROOT (any directory, e.g. a `git archive HEAD` tree):

1. runs `friction code ROOT --json --all` and keeps the files friction parsed with
   tree-sitter (not the fallback, not skipped) that lizard also reads (lizard's own
   `get_reader_for`), optionally only the languages given with `--lang` (friction's
   names: c, cpp, csharp, go, java, javascript, kotlin, php, python, ruby, rust,
   scala, swift, typescript, tsx);
2. runs lizard on exactly those files through its Python API, with the default
   token processors (the same numbers as `lizard --csv`), in `--threads` worker
   processes, and records for every function which tokens lizard counted as
   decisions (and which it saw but did not count);
3. matches functions by (file, start line), falling back to (file, name) within
   two lines, and prints: files compared; functions matched, only in lizard, only
   in friction; the share of matched functions whose cyclomatic complexity is
   exactly equal, overall and per language; and the most frequent systematic
   differences, grouped by (language, lizard − friction, likely construct), each
   with examples as file:line to inspect by hand
   (`cargo run -p friction-code --example metrics -- FILE` and `lizard FILE`).

The "likely construct" is a heuristic. When the two tools end the function more
than two lines apart, the group is "function span differs" (one of them lost track
of the syntax or merged a nested function). Otherwise, for lizard-higher differences, a token
lizard counted in that function exactly (lizard − friction) times; for
friction-higher ones, a token lizard saw there but did not count (or an `&&` its
rvalue-reference heuristic took back) exactly (friction − lizard) times. When none
fits, the group says "unexplained" (and "file has syntax errors" when friction
flagged the file). Always confirm on the examples.

With several ROOTs, a per-root table closes the output. Exit status 0 unless a
tool could not be run.

Python 3.11 standard library plus lizard itself (`pip install lizard`); if the
lizard module cannot be imported, falls back to `lizard --csv` on PATH without the
construct attribution.
"""

import argparse
import collections
import csv
import io
import json
import os
import subprocess
import sys

# Tokens that are decisions for at least one of the two tools. Used to report which
# of them lizard saw in a function without counting it.
DECISION_TOKENS = {
    "if", "elif", "elsif", "unless", "for", "foreach", "while", "do", "until",
    "loop", "repeat", "guard", "catch", "except", "rescue", "case", "when", "match",
    "where", "finally", "ensure", "else", "default", "?", "??", "?:", "?.", "&&",
    "||", "and", "or", "not", "||=", "&&=", "??=", "let", "#if", "#ifdef",
    "#ifndef", "#elif", "#else", "goto", "select", "with", "try",
}

# Labels for the constructs behind differences that are known and documented.
KNOWN = {
    "+?": "'?' counted by lizard as a ternary (nullable/optional type or other non-ternary '?')",
    "+where": "Rust 'where' clause counted by lizard",
    "+finally": "'finally' counted by lizard",
    "+ensure": "Ruby 'ensure' counted by lizard",
    "-foreach": "'foreach' not counted by lizard",
    "-unless": "Ruby 'unless' not counted by lizard",
    "-&&(undone)": "'&&' taken back by lizard's C++ rvalue-reference heuristic",
    "-#ifndef": "'#ifndef' in a function: lizard counts only #if, #ifdef and #elif",
    "-#if-bool": "'&&'/'||' in an #if/#elif condition: lizard counts the directive once",
    # Language-specific (looked up first as language + sign + token).
    "swift+for": "Swift argument label 'for' (func f(for x: T)) counted by lizard as a loop",
    "rust+||": "Rust closure without parameters '|| ...' counted by lizard as a logical or",
    "csharp+#if": "C# '#if' in a method: lizard counts it, friction does not",
    "csharp+#elif": "C# '#elif' in a method: lizard counts it, friction does not",
    "java+?": "Java wildcard '?' in a generic type counted by lizard as a ternary",
    "rust+?": "Rust '?' counted by lizard, not friction (e.g. a '?Sized' bound; both count the ? operator)",
}

# Preference when several tokens could explain the same delta.
PREFERENCE = [
    "&&(undone)", "where", "?", "finally", "ensure", "foreach", "unless", "??", "?:",
    "||=", "&&=", "??=", "case", "when", "match", "catch", "except", "rescue",
    "#ifndef", "#if-bool", "#if", "#ifdef", "#elif", "&&", "||", "and", "or", "if", "elif",
    "elsif", "for", "while", "do", "until", "loop", "guard", "let", "else",
    "default",
]


def _normalise(token):
    """Shortens preprocessor lines to their directive (`#if X` -> `#if`)."""
    if token.startswith("#"):
        word = token[1:].lstrip().split(None, 1)
        return "#" + word[0] if word else "#"
    return token


def _lizard_worker(path):
    """Analyzes one file with lizard, recording counted and seen decision tokens."""
    import collections as c
    from lizard_core.extensions import get_extensions
    from lizard_core.file_analyzer import FileAnalyzer
    from lizard_core.file_info_builder import FileInfoBuilder

    if not getattr(FileInfoBuilder, "_xc_patched", False):
        original = FileInfoBuilder.add_condition

        def add_condition(self, inc=1):
            fn = self.current_function
            counted = fn.__dict__.setdefault("_xc_counted", c.Counter())
            token = getattr(self, "_xc_token", "")
            if inc == 0:
                pass
            elif inc < 0:
                # Readers that take a condition back (lizard's clike reader for
                # `&&` it believes is an rvalue reference, and a few others).
                caller = sys._getframe(1).f_code.co_filename
                if "clike" in caller:
                    token = "&&"
                counted[token + "(undone)"] -= inc
            else:
                counted[token] += inc
            original(self, inc)

        FileInfoBuilder.add_condition = add_condition
        FileInfoBuilder._xc_patched = True

    def tracker(tokens, reader):
        context = reader.context
        for token in tokens:
            norm = _normalise(token)
            context._xc_token = norm
            if norm in DECISION_TOKENS:
                fn = context.current_function
                fn.__dict__.setdefault("_xc_seen", c.Counter())[norm] += 1
            yield token

    def directive_tracker(tokens, reader):
        # The C/C++ reader consumes preprocessor lines in `preprocess` (counting #if,
        # #ifdef and #elif there), so they are seen only before it.
        clike = hasattr(reader, "macro_pattern")
        context = reader.context
        for token in tokens:
            if clike and token.startswith("#"):
                norm = _normalise(token)
                context._xc_token = norm
                if norm in DECISION_TOKENS:
                    seen = context.current_function.__dict__.setdefault("_xc_seen", c.Counter())
                    seen[norm] += 1
                    if norm in ("#if", "#elif"):
                        ops = token.count("&&") + token.count("||")
                        if ops:
                            seen["#if-bool"] += ops
            yield token

    processors = get_extensions([])
    # After preprocessing, comment_counter and line_counter; before condition_counter.
    processors.insert(3, tracker)
    processors.insert(0, directive_tracker)
    info = FileAnalyzer(processors)(path)
    out = []
    for fn in info.function_list:
        out.append(
            {
                "name": fn.name,
                "ccn": fn.cyclomatic_complexity,
                "start": fn.start_line,
                "end": fn.end_line,
                "counted": dict(fn.__dict__.get("_xc_counted", {})),
                "seen": dict(fn.__dict__.get("_xc_seen", {})),
            }
        )
    return path, out


def run_lizard_api(root, files, threads):
    import multiprocessing

    cwd = os.getcwd()
    os.chdir(root)
    try:
        if threads > 1:
            with multiprocessing.Pool(threads) as pool:
                results = pool.map(_lizard_worker, files, chunksize=8)
        else:
            results = [_lizard_worker(f) for f in files]
    finally:
        os.chdir(cwd)
    return {path: fns for path, fns in results}


def run_lizard_cli(root, files, threads):
    """`lizard --csv` on the given files (relative to root), in chunks."""
    out = collections.defaultdict(list)
    for i in range(0, len(files), 400):
        chunk = files[i : i + 400]
        res = subprocess.run(
            ["lizard", "--csv", "-t", str(threads)] + chunk,
            cwd=root, check=False, capture_output=True,
        )
        for r in csv.reader(io.StringIO(res.stdout.decode("utf-8", errors="replace"))):
            if len(r) < 11:
                continue
            try:
                out[os.path.normpath(r[6])].append(
                    {"name": r[7], "ccn": int(r[1]), "start": int(r[9]),
                     "end": int(r[10]), "counted": {}, "seen": {}}
                )
            except ValueError:
                continue
    return out


def lizard_reads(path):
    try:
        from lizard_languages import get_reader_for
    except ImportError:
        return os.path.splitext(path)[1].lower() in {
            ".c", ".h", ".cc", ".cpp", ".cxx", ".hh", ".hpp", ".java", ".cs", ".js",
            ".cjs", ".mjs", ".jsx", ".ts", ".tsx", ".py", ".rb", ".php", ".go", ".rs",
            ".kt", ".kts", ".scala", ".swift",
        }
    return get_reader_for(path) is not None


def run_friction(binary, root, threads):
    res = subprocess.run(
        [binary, "code", root, "--json", "--all", "-q", "--threads", str(threads)],
        check=False, capture_output=True,
    )
    if res.returncode not in (0, 1) or not res.stdout:
        sys.exit(f"friction failed ({res.returncode}): {res.stderr.decode(errors='replace')}")
    return json.loads(res.stdout)


def short_name(name):
    for sep in ("::", ".", "#"):
        name = name.split(sep)[-1]
    return name


def explain(delta, lz, fn, lang, syntax_errors):
    """A short signature for one mismatch: the token that likely explains it."""
    if abs(lz["end"] - fn["end_line"]) > 2:
        # The two tools disagree on where the function ends (a reader that lost
        # track of the syntax, or a nested function one of them merges).
        side = "shorter" if lz["end"] < fn["end_line"] else "longer"
        return f"function span differs (lizard's is {side})"

    def label(key):
        if lang + key in KNOWN:
            return KNOWN[lang + key]  # may be None: not a known difference there
        return KNOWN.get(key)
    counted = collections.Counter(lz["counted"])
    undone = {k: v for k, v in counted.items() if k.endswith("(undone)")}
    plus = {k: v for k, v in counted.items() if not k.endswith("(undone)") and v > 0}
    seen = collections.Counter(lz["seen"])
    rank = {t: i for i, t in enumerate(PREFERENCE)}

    def choose(options, n, sign):
        """Order: one known construct exactly; two known constructs; syntax errors;
        a known construct that occurs more often (some of it); any token exactly."""
        known = sorted(t for t in options if label(sign + t))
        order = lambda t: (rank.get(t, len(rank)), t)
        exact = [t for t in known if options[t] == n]
        if exact:
            return min(exact, key=order)
        for i, a in enumerate(known):
            for b in known[i + 1 :]:
                if options[a] + options[b] == n:
                    return (a, b)
        if syntax_errors:
            return "syntax"
        more = [t for t in known if options[t] > n]
        if more:
            return ("partial", min(more, key=order))
        exact = [t for t, v in options.items() if v == n]
        if exact:
            return min(exact, key=order)
        return None

    if delta > 0:
        # Something lizard counted that friction did not.
        sign = "+"
        tok = choose(plus, delta, sign)
    else:
        # Something friction counted that lizard saw and left out.
        sign = "-"
        uncounted = {t: seen[t] - plus.get(t, 0) for t in seen}
        uncounted = {t: v for t, v in uncounted.items() if v > 0}
        for t, v in undone.items():
            uncounted[t] = uncounted.get(t, 0) + v
        tok = choose(uncounted, -delta, sign)
    if tok is None:
        return "unexplained"
    if tok == "syntax":
        return "file has syntax errors (friction)"
    if isinstance(tok, tuple) and tok[0] == "partial":
        return label(sign + tok[1]) + " (some of them)"
    if isinstance(tok, tuple):
        return " + ".join(label(sign + t) for t in tok)
    if label(sign + tok):
        return label(sign + tok)
    if sign == "+":
        return f"'{tok}' counted by lizard {delta}x, friction lower"
    return f"'{tok}' seen {-delta}x and not counted by lizard, friction higher"


def compare(root, args, use_api):
    report = run_friction(args.friction, root, args.threads)
    ours, lang_of, syntax = {}, {}, {}
    for f in report["files"]:
        if f.get("method") != "tree-sitter":
            continue
        if args.lang and f["language"] not in args.lang:
            continue
        if not lizard_reads(f["path"]):
            continue
        path = os.path.normpath(f["path"])
        ours[path] = f.get("functions") or []
        lang_of[path] = f["language"]
        syntax[path] = any(fl.get("flag") == "syntax-errors" for fl in f.get("flags") or [])
    files = sorted(ours)
    theirs = (run_lizard_api if use_api else run_lizard_cli)(root, files, args.threads)

    stats = collections.Counter()
    per_lang = collections.defaultdict(collections.Counter)
    groups = collections.defaultdict(list)
    only_l = collections.defaultdict(list)
    only_f = collections.defaultdict(list)
    for path in files:
        lang = lang_of[path]
        mine = list(ours[path])
        by_line = collections.defaultdict(list)
        for fn in mine:
            by_line[fn["start_line"]].append(fn)
        used = set()
        for lz in theirs.get(path, []):
            cand = [fn for fn in by_line.get(lz["start"], []) if id(fn) not in used]
            if not cand:
                want = short_name(lz["name"])
                cand = [
                    fn for fn in mine
                    if id(fn) not in used
                    and abs(fn["start_line"] - lz["start"]) <= 2
                    and short_name(fn["name"]) == want
                ]
            if not cand:
                only_l[lang].append(f"{path}:{lz['start']} {lz['name']}")
                continue
            fn = cand[0]
            used.add(id(fn))
            per_lang[lang]["matched"] += 1
            if fn["cyclomatic"] == lz["ccn"]:
                per_lang[lang]["equal"] += 1
                continue
            delta = lz["ccn"] - fn["cyclomatic"]
            sig = explain(delta, lz, fn, lang, syntax[path]) if use_api else ""
            groups[(lang, delta, sig)].append(
                f"{path}:{lz['start']} {lz['name']} lizard={lz['ccn']} friction={fn['cyclomatic']}"
            )
        for fn in mine:
            if id(fn) not in used:
                only_f[lang].append(f"{path}:{fn['start_line']} {fn['qualified_name']}")
    for lang, c in per_lang.items():
        stats.update(c)
    stats["only_lizard"] = sum(len(v) for v in only_l.values())
    stats["only_friction"] = sum(len(v) for v in only_f.values())

    pct = lambda e, n: f"{100.0 * e / n:.2f} %" if n else "n/a"
    print(f"== {root}")
    print(f"files compared: {len(files)} ({sum(syntax.values())} with syntax errors in friction)")
    print(
        f"functions matched: {stats['matched']}; only in lizard: {stats['only_lizard']}; "
        f"only in friction: {stats['only_friction']}"
    )
    print(f"cyclomatic complexity equal: {stats['equal']}/{stats['matched']} = {pct(stats['equal'], stats['matched'])}")
    langs = sorted(set(lang_of.values()))
    for lang in langs:
        c = per_lang[lang]
        print(
            f"  {lang:<11} {c['equal']:>6}/{c['matched']:<6} = {pct(c['equal'], c['matched']):>9}"
            f"   only lizard {len(only_l[lang])}, only friction {len(only_f[lang])}"
        )
    if groups:
        print("most frequent differences (language, lizard − friction, likely construct): functions")
        ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0][0], kv[0][1], kv[0][2]))
        for (lang, delta, sig), ex in ranked[: args.top]:
            files_hit = len({e.split(":", 1)[0] for e in ex})
            print(f"  {lang:<11} {delta:+d}  {sig or '-'}: {len(ex)} in {files_hit} files")
            for e in ex[: args.show]:
                print(f"      {e}")
        rest = ranked[args.top :]
        if rest:
            print(f"  ... {len(rest)} more groups, {sum(len(v) for _, v in rest)} functions")
    if args.show:
        for title, d in (("only in lizard", only_l), ("only in friction", only_f)):
            for lang in langs:
                if d[lang]:
                    print(f"{title} ({lang}), e.g.: " + "; ".join(d[lang][: args.show]))
    print()
    return stats, per_lang


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[4:]),
    )
    ap.add_argument("roots", nargs="+", metavar="ROOT")
    ap.add_argument(
        "--friction",
        default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "release", "friction"),
        help="friction binary (default: target/release/friction)",
    )
    ap.add_argument(
        "--lang", nargs="+", action="extend", default=None,
        help="only these friction languages (after the ROOTs, or end the list with --)",
    )
    ap.add_argument("--show", type=int, default=3, help="examples per difference (default 3)")
    ap.add_argument("--top", type=int, default=12, help="difference groups to print (default 12)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()

    try:
        import lizard_core.file_analyzer  # noqa: F401
        use_api = True
    except ImportError:
        print("lizard module not importable; using `lizard --csv` without attribution", file=sys.stderr)
        use_api = False

    rows = []
    total = collections.Counter()
    total_lang = collections.defaultdict(collections.Counter)
    for root in args.roots:
        root = os.path.abspath(root)
        stats, per_lang = compare(root, args, use_api)
        rows.append((root, stats))
        total.update(stats)
        for lang, c in per_lang.items():
            total_lang[lang].update(c)
    if len(rows) > 1:
        print("== summary")
        print(f"{'root':<40} {'matched':>8} {'equal':>8} {'agreement':>10} {'only lz':>8} {'only fr':>8}")
        for root, s in rows + [("all", total)]:
            n, e = s["matched"], s["equal"]
            print(
                f"{os.path.basename(root):<40} {n:>8} {e:>8} "
                f"{(100.0 * e / n if n else 0):>9.2f}% {s['only_lizard']:>8} {s['only_friction']:>8}"
            )
        for lang in sorted(total_lang):
            c = total_lang[lang]
            print(f"  {lang:<11} {c['equal']:>6}/{c['matched']:<6} = {100.0 * c['equal'] / c['matched']:.2f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
