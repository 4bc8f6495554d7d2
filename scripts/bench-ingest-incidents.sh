#!/usr/bin/env bash
# Benchmark of `friction ingest` on a synthetic PagerDuty export.
#
# usage: scripts/bench-ingest-incidents.sh [INCIDENTS] [FRICTION_BINARY]
#
# Generates INCIDENTS incidents (default 100,000) with ten log entries each,
# shaped like the real sample (scripts/gen-incidents.py: incident pages and
# log-entry pages of 100 as the REST API returns them, 1,000 incidents per
# pair of files), scans a one-commit repository (not timed), then times the
# first ingest with its peak memory (/usr/bin/time -v) and a re-ingest of the
# unchanged files. Targets for 100,000 incidents and 1,000,000 log entries:
# under 10 s, under 500 MiB.
set -euo pipefail

incidents=${1:-100000}
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/bench-lib.sh"
friction_binary "${2:-}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$root/scripts/gen-incidents.py" \
  "$root/crates/ingest/tests/fixtures/incidents/pagerduty/incident-resolved-with-log-entries.json" \
  "$work/export" "$incidents"
printf 'export: %d incidents, %d log entries in %d files, %s\n' "$incidents" \
  "$((incidents * 10))" "$(ls "$work/export" | wc -l)" "$(du -sh "$work/export" | cut -f1)"
time_ingest 10
