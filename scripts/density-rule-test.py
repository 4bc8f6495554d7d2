#!/usr/bin/env python3
"""The pre-registered test of ranking by density where a repository has its own fixes.

usage: scripts/density-rule-test.py FRICTION [--min-training-fixes N] [--cache DIR]
                                    [--json-out FILE] NAME=REPO:DB ...

BENCHMARKS.md "Pre-registered: density where a repository has its own fixes"
states the rule and the predictions this script checks. For each NAME=REPO:DB,
`friction backtest REPO --db DB --json --quiet` (defaults: four rolling origins,
the committed prior) is run, or read from DIR/NAME.json when --cache DIR holds it
(and written there when it does not). A cut **qualifies** when its model's
training fix commits (`origins[].model.training_fix_commits`, all before the
cut) are at least N (default 40); a cut is **scored** when it has a fix commit
in its horizon. A repository's value of a measure in a group (qualifying or
not) is the mean over its scored cuts in that group, leaving out cuts where the
measure is undefined.

Printed: one Markdown table per group (each ranking's AUC / strata AUC / Popt /
top-20 % share; size, friction's score, risk, density), the means over
repositories, the paired per-repository differences with their standard errors
(sd / √n), the bars of issue 20 and, for the qualifying group, the
pre-registered outcome (fewer than 5 qualifying repositories: underpowered;
else cleared iff density − friction's score is above 2 SE in both Popt and
top-20 % share). --json-out FILE writes the per-repository values.

Deterministic: same binary, stores and arguments, same output.
"""
import json
import math
import os
import subprocess
import sys

RANKINGS = [("size", "lines of code"), ("score", "friction hotspot"),
            ("risk", "risk model"), ("density", "density model")]
MEASURES = ["auc", "strata_auc", "popt", "top20_fix_share"]
MIN_QUALIFYING_REPOSITORIES = 5


def backtest(friction, name, repo, db, cache):
    path = os.path.join(cache, name.replace("/", "+") + ".json") if cache else None
    if path and os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    out = subprocess.run([friction, "backtest", repo, "--db", db, "--json", "--quiet"],
                         check=True, capture_output=True, text=True).stdout
    if path:
        with open(path, "w") as f:
            f.write(out)
    return json.loads(out)


def pick(rankings, prefix):
    return next(r for r in rankings if r["name"].startswith(prefix))


def values(cuts):
    """Each ranking's measures, the mean over the scored cuts given."""
    out = {}
    for key, prefix in RANKINGS:
        out[key] = {}
        for m in MEASURES:
            xs = [pick(o["rankings"], prefix)[m] for o in cuts]
            xs = [x for x in xs if x is not None]
            out[key][m] = sum(xs) / len(xs) if xs else None
    return out


def summarise(report, threshold):
    groups = {"qualifying": [], "other": []}
    cuts = []
    for o in report["origins"]:
        t = o["model"]["training_fix_commits"]
        q = t >= threshold
        cuts.append({"cut": o["cut"], "training_fix_commits": t, "fix_commits": o["fix_commits"],
                     "qualifies": q})
        if o["fix_commits"] > 0:
            groups["qualifying" if q else "other"].append(o)
    return {"cuts": cuts,
            "groups": {g: {"scored_cuts": len(cs), "fix_commits": sum(o["fix_commits"] for o in cs),
                           "values": values(cs) if cs else None}
                       for g, cs in groups.items()}}


def mean_se(xs):
    n = len(xs)
    if n == 0:
        return float("nan"), float("nan"), 0
    m = sum(xs) / n
    if n < 2:
        return m, float("nan"), n
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    return m, sd / math.sqrt(n), n


def cell(v):
    def f(x, fmt):
        return "–" if x is None else format(x, fmt)
    return (f"{f(v['auc'], '.3f')} / {f(v['strata_auc'], '.3f')} / {f(v['popt'], '.2f')}"
            f" / {f(v['top20_fix_share'], '.0f')} %")


def paired(members, a, b, m):
    d = [v[a][m] - v[b][m] for _, v in members if v[a][m] is not None and v[b][m] is not None]
    return mean_se(d)


def report_group(group, summaries):
    members = [(name, s["groups"][group]["values"]) for name, s in summaries
               if s["groups"][group]["values"] is not None]
    print(f"\n{group} cuts: {len(members)} repositor{'y' if len(members) == 1 else 'ies'}"
          " with a scored cut\n")
    print("| repository | training fix commits a cut (newest first) | scored cuts | fix commits | "
          + " | ".join(f"{k}: AUC / strata / Popt / top 20 %" for k, _ in RANKINGS) + " |")
    print("|---|---|---:|---:|" + "---|" * len(RANKINGS))
    for name, s in summaries:
        g = s["groups"][group]
        t = ", ".join(str(c["training_fix_commits"]) for c in s["cuts"])
        if g["values"] is None:
            print(f"| {name} | {t} | 0 | 0 | " + " | ".join("–" for _ in RANKINGS) + " |")
            continue
        print(f"| {name} | {t} | {g['scored_cuts']} | {g['fix_commits']} | "
              + " | ".join(cell(g["values"][k]) for k, _ in RANKINGS) + " |")
    if not members:
        return None
    means = {}
    for k, _ in RANKINGS:
        means[k] = {}
        for m in MEASURES:
            xs = [v[k][m] for _, v in members if v[k][m] is not None]
            means[k][m] = sum(xs) / len(xs) if xs else None
    print(f"| **mean** | | | | " + " | ".join(f"**{cell(means[k])}**" for k, _ in RANKINGS) + " |")
    res = {"n": len(members), "means": means, "differences": {}}
    print()
    for label, a, b, m, unit in [
            ("risk AUC − size AUC", "risk", "size", "auc", ""),
            ("risk strata AUC − size strata AUC", "risk", "size", "strata_auc", ""),
            ("risk AUC − friction's score AUC", "risk", "score", "auc", ""),
            ("density Popt − friction's score Popt", "density", "score", "popt", ""),
            ("density top-20 % − friction's score top-20 %", "density", "score",
             "top20_fix_share", " points")]:
        d, se, n = paired(members, a, b, m)
        clears = d > 2 * se if not math.isnan(se) else False
        res["differences"][f"{a}-{b}:{m}"] = {"mean": d, "se": se, "n": n}
        se_text = "–" if math.isnan(se) else f"{se:.3f}"
        print(f"- {label}: {d:+.3f}{unit} (SE {se_text}, {n} repositor{'y' if n == 1 else 'ies'}; "
              f"{'above' if clears else 'not above'} 2 SE)")
    strata = mean_se([v["risk"]["strata_auc"] for _, v in members
                      if v["risk"]["strata_auc"] is not None])
    share = mean_se([v["density"]["top20_fix_share"] for _, v in members
                     if v["density"]["top20_fix_share"] is not None])
    rs = res["differences"]["risk-size:auc"]["mean"]

    def se_of(x, digits):
        """A standard error, or a dash where one repository gives none."""
        return "–" if math.isnan(x) else f"{x:.{digits}f}"
    print(f"\nbars: risk AUC ≥ size + 0.015: {rs:+.3f} → {'met' if rs >= 0.015 else 'not met'};"
          f" risk strata AUC ≥ 0.64: {strata[0]:.3f} (SE {se_of(strata[1], 3)}) →"
          f" {'met' if strata[0] >= 0.64 else 'not met'};"
          f" density top 20 % ≥ 30 %: {share[0]:.1f} % (SE {se_of(share[1], 1)}) →"
          f" {'met' if share[0] >= 30 else 'not met'}")
    res["bars"] = {"risk_minus_size_auc": rs, "risk_strata_auc": strata[0],
                   "risk_strata_auc_se": strata[1], "density_top20": share[0],
                   "density_top20_se": share[1]}
    return res


def main(argv):
    friction, threshold, cache, json_out, repos = argv[0], 40, None, None, []
    i = 1
    while i < len(argv):
        a = argv[i]
        if a == "--min-training-fixes":
            threshold, i = int(argv[i + 1]), i + 2
        elif a == "--cache":
            cache, i = argv[i + 1], i + 2
        elif a == "--json-out":
            json_out, i = argv[i + 1], i + 2
        else:
            name, rest = a.split("=", 1)
            repo, db = rest.rsplit(":", 1)
            repos.append((name, repo, db))
            i += 1
    if cache:
        os.makedirs(cache, exist_ok=True)
    summaries = [(name, summarise(backtest(friction, name, repo, db, cache), threshold))
                 for name, repo, db in repos]
    qualifying = [name for name, s in summaries if any(c["qualifies"] for c in s["cuts"])]
    print(f"threshold: {threshold} training fix commits a cut; qualifying repositories"
          f" {len(qualifying)} of {len(repos)}: {', '.join(qualifying) or '–'}")
    out = {"threshold": threshold, "qualifying": qualifying,
           "repositories": dict(summaries), "groups": {}}
    for group in ["qualifying", "other"]:
        out["groups"][group] = report_group(group, summaries)
    q = out["groups"]["qualifying"]
    if q is None or q["n"] < MIN_QUALIFYING_REPOSITORIES:
        outcome = (f"underpowered: {0 if q is None else q['n']} qualifying repositories with a"
                   f" scored cut (fewer than {MIN_QUALIFYING_REPOSITORIES}); the map is unchanged")
    else:
        p, t = q["differences"]["density-score:popt"], q["differences"]["density-score:top20_fix_share"]
        cleared = p["mean"] > 2 * p["se"] and t["mean"] > 2 * t["se"]
        outcome = ("cleared: rank the map by density for qualifying repositories" if cleared
                   else "not cleared: the map is unchanged")
    out["outcome"] = outcome
    print(f"\npre-registered outcome: {outcome}")
    if json_out:
        with open(json_out, "w") as f:
            json.dump(out, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
