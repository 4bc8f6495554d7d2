#!/usr/bin/env bash
# Stability of the index over monthly back-fills (issue 20 item 4).
#
# usage: scripts/bench-stability.sh REPO [SINCE] [FRICTION_BINARY]
#
# Works on a shared-object bare clone of REPO in a temporary directory: a full
# `friction scan`, then `friction backfill --every month --since SINCE` (default
# 24m), then `friction trend --json`. Over the back-filled months (oldest
# first) it prints:
#   - months: the number of back-filled dates with an index,
#   - mean |Δ index|: the mean absolute change of the index between adjacent
#     months (target on small repositories: at most 2 points),
#   - the Reliability driver's spread: its lowest and highest score over the
#     months and their difference,
#   - how many adjacent months differ by more than the wider of their two
#     90 % intervals' half-widths.
set -euo pipefail

repo=${1:?usage: bench-stability.sh REPO [SINCE] [FRICTION_BINARY]}
since=${2:-24m}
source "$(dirname "$0")/bench-lib.sh"
friction_binary "${3:-}"
shared_clone "$repo"

"$bin" scan "$clone" --db "$work/f.db" --quiet > /dev/null
"$bin" backfill "$clone" --db "$work/f.db" --every month --since "$since" --quiet > /dev/null
"$bin" trend "$clone" --db "$work/f.db" --json > "$work/trend.json"

python3 - "$work/trend.json" "$repo" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
pts = [p for p in t["points"] if p["kind"] == "backfill" and p["index"] is not None]
pts.sort(key=lambda p: p["as_of"])
idx = [p["index"] for p in pts]
d = [abs(b - a) for a, b in zip(idx, idx[1:])]
rel = [p["drivers"].get("reliability") for p in pts]
rel = [r for r in rel if r is not None]
wide = 0
for a, b in zip(pts, pts[1:]):
    half = max((a["ci"][1] - a["ci"][0]) / 2 if a["ci"] else 0, (b["ci"][1] - b["ci"][0]) / 2 if b["ci"] else 0)
    if abs(b["index"] - a["index"]) > half:
        wide += 1
mean = sum(d) / len(d) if d else float("nan")
spread = f"{min(rel):.1f}–{max(rel):.1f} ({max(rel) - min(rel):.1f})" if rel else "not measured"
print(f"repository: {sys.argv[2]}")
print(f"methodology: {sorted(t['methodologies'])}")
print(f"months: {len(pts)}")
print(f"index: {' '.join(f'{x:.1f}' for x in idx)}")
print(f"mean |Δ index|: {mean:.2f}")
print(f"reliability spread: {spread}")
print(f"adjacent months differing by more than a half-interval: {wide} of {len(d)}")
PY
