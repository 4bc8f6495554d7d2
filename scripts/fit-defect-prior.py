#!/usr/bin/env python3
"""Re-derives the defect model's pooled prior and its leave-one-repository-out back-test.

usage: scripts/fit-defect-prior.py FRICTION [--write PRIOR.csv] [--shrinkage W]
                                   [--held-out NAME ...] [--fresh NAME ...]
                                   [--json-out FILE] NAME=REPO:DB ...

Each NAME=REPO:DB is a repository and the store `friction scan REPO --db DB` wrote.
For each, `friction backtest REPO --db DB --json` (four rolling origins, product code)
reports, per cut, the model fitted on the repository alone (`local_density`,
`local_risk`: features one horizon before the cut, fixes up to the cut). A
repository's estimate is the mean over its cuts with training fixes; the pooled
prior is the weighted mean of the repositories' estimates (a two-stage hierarchical
estimate of the population mean), each weighted by its training fix events capped
at CAP: a repository of a few fixes counts little, none counts as the population.

--write PRIOR.csv   writes the prior from every repository given
                    (crates/analysis/src/defect_prior.csv is this file).
Without --write: for each repository, the prior of all *other* repositories
(leave one out) is written to a temporary file and the back-test re-run with
`--prior`, so no repository's own outcomes shape the prior it is ranked with;
a Markdown table of the rankings' means over the cuts is printed, the
repositories named by --held-out in a separate block (they were not used to
choose the features, the shrinkage weight or the minimum size). After each block:
the bars on its means, the paired per-repository differences (risk AUC − size
AUC; density − friction's score in Popt and in top-20 % share) with their
standard errors (sd / √n over the repositories where both are defined), and
the count of cuts without a fix commit in the horizon (a cut without outcomes
is left out of its repository's means; a repository with no cut left has no
row value and is counted, not averaged). --fresh NAME (repeatable) marks
held-out repositories to summarise once more on their own (a subset never seen
before); --json-out FILE writes every repository's summary and cuts.

Deterministic: same binary, stores and arguments, same output.
"""
import json
import os
import subprocess
import sys
import tempfile

FEATURES = ["ln_code_lines", "ln1p_revisions", "ln1p_churn", "ln1p_authors",
            "ln1p_prior_fixes", "ln1p_recent_changes", "ln1p_all_revisions",
            "ln1p_all_authors", "ln1p_all_fixes", "health_debt",
            "ln1p_coupling_degree", "ownership", "ln1p_age_months"]
# A repository's weight in the prior: its training fix events (file x fix commit,
# summed over the cuts), at most CAP, so that estimates from a handful of fixes
# count little and no single large history is the whole population.
CAP = 200
RANKINGS = [("size", "lines of code"), ("hotspot", "friction hotspot"),
            ("revs/line", "revisions per line"),
            ("risk", "risk model"), ("density", "density model")]


def backtest(friction, repo, db, extra):
    out = subprocess.run([friction, "backtest", repo, "--db", db, "--json", "--quiet"] + extra,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def estimate(report):
    """The repository's own coefficients (mean over cuts with training fixes)
    and its weight: its training fix events over the cuts, at most CAP."""
    cuts = [o["model"] for o in report["origins"] if o["model"]["training_fix_commits"] > 0]
    if not cuts:
        return None
    est = {"weight": min(CAP, sum(m["training_events"] for m in cuts))}
    for f in FEATURES:
        rows = [next(c for c in m["coefficients"] if c["feature"] == f) for m in cuts]
        est[f] = (sum(r["local_density"] for r in rows) / len(rows),
                  sum(r["local_risk"] for r in rows) / len(rows))
    return est


def pooled(estimates):
    est = [e for e in estimates if e is not None]
    w = sum(e["weight"] for e in est)
    return {f: (sum(e["weight"] * e[f][0] for e in est) / w,
                sum(e["weight"] * e[f][1] for e in est) / w)
            for f in FEATURES}, len(est)


def csv(prior, n, note, given=None):
    lines = [f"# Pooled prior of the defect model (methodology eci/7): the mean of {n}",
             f"# repositories' own estimates; {note}",
             "# Re-derive: scripts/fit-defect-prior.py FRICTION --shrinkage 256 --write THIS NAME=REPO:DB ...",
             f"# over the {given or n} repositories of BENCHMARKS.md \"Forty repositories\".",
             "feature,density,risk"]
    lines += [f"{f},{prior[f][0]:.4f},{prior[f][1]:.4f}" for f in FEATURES]
    return "\n".join(lines) + "\n"


def row(name, report):
    s = {r["name"]: r for r in report["summary"]}
    cells = []
    for _, prefix in RANKINGS:
        r = next((v for k, v in s.items() if k.startswith(prefix)), None)
        if r is None or r["auc"] is None:
            cells.append("–")
            continue
        st = r["strata_auc"]["mean"] if r["strata_auc"] else float("nan")
        po = r["popt"]["mean"] if r["popt"] else float("nan")
        cells.append(f'{r["auc"]["mean"]:.3f} / {st:.3f} / {po:.2f} / {r["top20_fix_share"]["mean"]:.0f} %')
    # Does any cut's interval of the risk model lie wholly below size's AUC?
    below = 0
    for o in report["origins"]:
        rk = {r["name"]: r for r in o["rankings"]}
        size = next(v for k, v in rk.items() if k.startswith("lines of code"))
        risk = next(v for k, v in rk.items() if k.startswith("risk model"))
        if risk["auc_interval"] and size["auc"] is not None and risk["auc_interval"][1] < size["auc"]:
            below += 1
    fixes = sum(o["fix_commits"] for o in report["origins"])
    return f"| {name} | {fixes} | " + " | ".join(cells) + f" | {below} |", s


def main(argv):
    friction, write, shrink, held, repos = argv[0], None, [], set(), []
    fresh, json_out = set(), None
    i = 1
    while i < len(argv):
        a = argv[i]
        if a == "--write":
            write, i = argv[i + 1], i + 2
        elif a == "--shrinkage":
            shrink, i = ["--shrinkage", argv[i + 1]], i + 2
        elif a == "--held-out":
            held.add(argv[i + 1])
            i += 2
        elif a == "--fresh":
            fresh.add(argv[i + 1])
            held.add(argv[i + 1])
            i += 2
        elif a == "--json-out":
            json_out, i = argv[i + 1], i + 2
        else:
            name, rest = a.split("=", 1)
            repo, db = rest.rsplit(":", 1)
            repos.append((name, repo, db))
            i += 1
    local = {name: estimate(backtest(friction, repo, db, shrink)) for name, repo, db in repos}
    if write:
        prior, n = pooled(local.values())
        with open(write, "w") as f:
            f.write(csv(prior, n, f"weighted by training fix events, at most {CAP}.", len(repos)))
        return
    head = "| repository | fix commits (4 cuts) | " + " | ".join(
        f"{k}: AUC / strata / Popt / top 20 %" for k, _ in RANKINGS) + " | cuts with risk interval below size |"
    sep = "|" + "---|" * (len(RANKINGS) + 3)
    blocks = {"tuning": [], "held-out": []}
    means = {"tuning": [], "held-out": []}
    dump = {}
    for name, repo, db in repos:
        prior, n = pooled(v for k, v in local.items() if k != name)
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
            f.write(csv(prior, n, f"leave-one-out for {name}."))
        try:
            report = backtest(friction, repo, db, ["--prior", f.name] + shrink)
        finally:
            os.unlink(f.name)
        line, s = row(name, report)
        group = "held-out" if name in held else "tuning"
        blocks[group].append(line)
        means[group].append((name, s, report))
        dump[name] = {"group": group, "fresh": name in fresh, "summary": report["summary"],
                      "cuts": [{"cut": o["cut"], "cut_commit": o["cut_commit"],
                                "fix_commits": o["fix_commits"],
                                "fix_touched_files": o["fix_touched_files"],
                                "rankings": o["rankings"]} for o in report["origins"]]}
    if json_out:
        with open(json_out, "w") as f:
            json.dump(dump, f, indent=1, sort_keys=True)
    for group in ["tuning", "held-out"]:
        if not blocks[group]:
            continue
        print(f"\n{group} repositories ({len(blocks[group])}):\n")
        print(head)
        print(sep)
        for line in blocks[group]:
            print(line)
        print(mean_line("**mean**", means[group]))
        sub = [m for m in means[group] if m[0] in fresh]
        if sub and len(sub) < len(means[group]):
            print(mean_line(f"**mean of the {len(sub)} fresh**", sub))
        print(bars(f"{group}, all {len(means[group])}", means[group]))
        if sub and len(sub) < len(means[group]):
            print(bars(f"{group}, the {len(sub)} fresh", sub))


def pick(s, prefix):
    return next((v for k, v in s.items() if k.startswith(prefix)), None)


def mean_line(label, members):
    cells = []
    for _, prefix in RANKINGS:
        vals = [pick(s, prefix) for _, s, _ in members]
        vals = [v for v in vals if v and v["auc"]]
        m = lambda key: sum(v[key]["mean"] for v in vals if v[key]) / max(1, sum(1 for v in vals if v[key]))
        cells.append(f"**{m('auc'):.3f} / {m('strata_auc'):.3f} / {m('popt'):.2f} / {m('top20_fix_share'):.1f} %**")
    return f"| {label} | | " + " | ".join(cells) + " | |"


def paired(members, a, b, key):
    """Mean, standard error and count of the per-repository difference a − b."""
    d = []
    for _, s, _ in members:
        va, vb = pick(s, a), pick(s, b)
        if va and vb and va[key] and vb[key]:
            d.append(va[key]["mean"] - vb[key]["mean"])
    n = len(d)
    if n < 2:
        return float("nan"), float("nan"), n
    m = sum(d) / n
    sd = (sum((x - m) ** 2 for x in d) / (n - 1)) ** 0.5
    return m, sd / n ** 0.5, n


def bars(label, members):
    out = [f"\nbars, {label}:"]
    scored = [name for name, s, _ in members if (pick(s, "risk model") or {}).get("auc")]
    empty_cuts = sum(1 for _, _, r in members for o in r["origins"] if o["fix_commits"] == 0)
    cuts = sum(len(r["origins"]) for _, _, r in members)
    out.append(f"  repositories with a scored cut: {len(scored)} of {len(members)}"
               f" (none: {', '.join(n for n, _, _ in members if n not in scored) or '–'});"
               f" cuts without a fix commit: {empty_cuts} of {cuts}")
    below = 0
    for _, _, r in members:
        for o in r["origins"]:
            rk = {x["name"]: x for x in o["rankings"]}
            size, risk = pick(rk, "lines of code"), pick(rk, "risk model")
            if risk["auc_interval"] and size["auc"] is not None and risk["auc_interval"][1] < size["auc"]:
                below += 1
    out.append(f"  cuts with the risk model's AUC interval wholly below size's AUC: {below}")
    for text, a, b, key, scale in [
            ("risk AUC − size AUC", "risk model", "lines of code", "auc", 1),
            ("risk strata AUC − size strata AUC", "risk model", "lines of code", "strata_auc", 1),
            ("density Popt − friction's score Popt", "density model", "friction hotspot", "popt", 1),
            ("density top-20 % − friction's score top-20 % (points)", "density model",
             "friction hotspot", "top20_fix_share", 1)]:
        m, se, n = paired(members, a, b, key)
        out.append(f"  {text}: {m:+.3f} (standard error {se:.3f}, {n} repositories;"
                   f" {'clears' if m > 2 * se else 'does not clear'} 2 SE)")
    return "\n".join(out)

if __name__ == "__main__":
    main(sys.argv[1:])
