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
time_ingest 20
