#!/usr/bin/env bash
# Benchmark of `friction ingest` on a synthetic export of GitHub Actions jobs.
#
# usage: scripts/bench-ingest.sh [JOBS] [FRICTION_BINARY]
#
# Generates JOBS jobs (default 1,000,000) shaped like the real sample
# (scripts/gen-ci-jobs.py: pages of 100 as `gh api --paginate` writes them, 10,000
# jobs per file), scans a one-commit repository (not timed), then times the first
# ingest with its peak memory (/usr/bin/time -v) and a re-ingest of the unchanged
# files. Targets for 1,000,000 jobs: under 20 s, under 500 MiB, re-ingest under 0.5 s.
set -euo pipefail

jobs=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/bench-lib.sh"
friction_binary "${2:-}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$root/scripts/gen-ci-jobs.py" \
  "$root/crates/ingest/tests/fixtures/ci/github-actions/workflow-job-cancelled-matrix.json" \
  "$work/export" "$jobs"
printf 'export: %d jobs in %d files, %s\n' "$jobs" "$(ls "$work/export" | wc -l)" \
  "$(du -sh "$work/export" | cut -f1)"
git init -q "$work/repo"
git -C "$work/repo" -c user.name=B -c user.email=b@example.com commit -q --allow-empty -m init
"$bin" scan "$work/repo" --quiet --no-report --no-code > /dev/null
cd "$work/repo"
/usr/bin/time -v "$bin" ingest "$work/export" --quiet > "$work/first.txt" 2> "$work/time.txt"
wall=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}')
peak=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
printf 'first ingest: %s (m:ss)  (target < 20 s)\n' "$wall"
printf 'peak memory:  %.0f MiB  (target < 500 MiB)\n' "$(echo "$peak / 1024" | bc -l)"
t0=$(now)
"$bin" ingest "$work/export" --quiet > "$work/again.txt"
t1=$(now)
printf 're-ingest:    %.2f s  (target < 0.5 s); %s of %s files unchanged\n' \
  "$(echo "$t1 - $t0" | bc -l)" "$(grep -c '^unchanged' "$work/again.txt")" "$(wc -l < "$work/again.txt")"
"$bin" inputs | tail -2
