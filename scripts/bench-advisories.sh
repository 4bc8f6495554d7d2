#!/usr/bin/env bash
# Benchmark of `friction advisories import` and of matching a monorepo's
# dependencies against the imported database.
#
# usage: scripts/bench-advisories.sh [ADVISORIES] [PACKAGES] [FRICTION_BINARY]
#
# Generates ADVISORIES synthetic OSV records (default 200,000) in one all.zip
# shaped like osv.dev's (scripts/gen-osv.py) and a one-commit repository whose
# Cargo.lock, package-lock.json, poetry.lock and go.mod resolve PACKAGES packages
# (default 5,000) the records cover; scans it (not timed), then times the import
# with its peak memory and `friction advisories audit` (reading HEAD's lockfiles
# and matching every package). Targets: import under 30 s, audit under 1 s.
set -euo pipefail

advisories=${1:-200000}
packages=${2:-5000}
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/bench-lib.sh"
friction_binary "${3:-}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git init -q "$work/repo"
python3 "$root/scripts/gen-osv.py" "$work/all.zip" "$work/repo" "$advisories" "$packages"
git -C "$work/repo" add -A
git -C "$work/repo" -c user.name=B -c user.email=b@example.com commit -q -m init
printf 'database: %d records, %s zipped\n' "$advisories" "$(du -h "$work/all.zip" | cut -f1)"
"$bin" scan "$work/repo" --quiet --no-report --no-code > /dev/null
cd "$work/repo"
/usr/bin/time -v "$bin" advisories import "$work/all.zip" --quiet > "$work/import.txt" 2> "$work/time.txt"
wall=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}')
peak=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
head -2 "$work/import.txt"
printf 'import: %s (m:ss)  (target < 30 s), peak memory %.0f MiB\n' "$wall" "$(echo "$peak / 1024" | bc -l)"
t0=$(now)
"$bin" advisories audit > "$work/audit.txt"
t1=$(now)
tail -1 "$work/audit.txt"
printf 'audit (read %d packages, match): %.2f s  (target < 1 s)\n' "$packages" "$(echo "$t1 - $t0" | bc -l)"
