#!/usr/bin/env bash
# Benchmark of `friction backfill` against one full `friction scan` of the same
# repository, in the same run.
#
# usage: scripts/bench-backfill.sh REPO [SINCE] [FRICTION_BINARY]
#
# Works on a shared-object bare clone of REPO in a temporary directory. Prints:
#   - wall time and peak RSS of a full `friction scan` from an empty store
#     (history, code at HEAD, assessment and its snapshot),
#   - wall time and peak RSS of `friction backfill --every month --since SINCE`
#     (default 24m) on that store: one tree measured per month (metrics
#     reused by blob id) and one assessment per month,
#   - their ratio (target on git/git: at most 3×),
#   - whether two `friction trend --json` runs are byte-identical.
set -euo pipefail

repo=${1:?usage: bench-backfill.sh REPO [SINCE] [FRICTION_BINARY]}
since=${2:-24m}
source "$(dirname "$0")/bench-lib.sh"
friction_binary "${3:-}"
shared_clone "$repo"
git -C "$clone" cat-file --batch-all-objects --batch-check > /dev/null

echo "repository: $repo ($(git -C "$clone" rev-list --count HEAD) commits reachable from HEAD)"
echo "machine: $(nproc) cores; friction $("$bin" --version | awk '{print $2}')"

/usr/bin/time -f '%e %M' -o "$work/scan" "$bin" scan "$clone" --db "$work/f.db" --quiet > /dev/null
read -r scan_wall scan_rss < "$work/scan"
/usr/bin/time -f '%e %M' -o "$work/backfill" "$bin" backfill "$clone" --db "$work/f.db" \
  --every month --since "$since" --quiet --json > "$work/backfill.json"
read -r fill_wall fill_rss < "$work/backfill"
points=$(grep -c '"date"' "$work/backfill.json")
made=$(grep -c '"new": true' "$work/backfill.json" || true)

"$bin" trend "$clone" --db "$work/f.db" --json > "$work/t1.json"
"$bin" trend "$clone" --db "$work/f.db" --json > "$work/t2.json"
if cmp -s "$work/t1.json" "$work/t2.json"; then same=yes; else same=NO; fi

printf 'full scan (empty store)          %8.2f s  %6d MB\n' "$scan_wall" $((scan_rss / 1024))
printf 'backfill %-3s monthly (%2d dates, %2d new) %6.2f s  %6d MB\n' "$since" "$points" "$made" "$fill_wall" $((fill_rss / 1024))
printf 'ratio backfill / full scan       %8.2f×  (target ≤ 3×)\n' "$(echo "$fill_wall / $scan_wall" | bc -l)"
echo "trend JSON byte-identical across runs: $same"
