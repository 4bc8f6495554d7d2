#!/usr/bin/env bash
# Benchmark of `friction report` (every format) on a scanned repository.
#
# usage: scripts/bench-report.sh REPO [FRICTION_BINARY]
#
# Scans a shared-object bare clone of REPO into a temporary store (not timed), then
# times `friction report` three times — HTML, PDF, Markdown, SARIF and every CSV for
# the latest snapshot — and prints the size of each file (targets on git/git: under
# 3 s, HTML under 5 MB).
set -euo pipefail

repo=${1:?usage: bench-report.sh REPO [FRICTION_BINARY]}
source "$(dirname "$0")/bench-lib.sh"
friction_binary "${2:-}"
shared_clone "$repo"
"$bin" scan "$clone" --db "$work/f.db" --quiet --no-report > /dev/null
for run in 1 2 3; do
  t0=$(now)
  SOURCE_DATE_EPOCH=0 "$bin" report "$clone" --db "$work/f.db" --out "$work/out$run" --quiet
  t1=$(now)
  printf 'friction report, run %d: %6.2f s  (target < 3 s)\n' "$run" "$(echo "$t1 - $t0" | bc -l)"
done
if diff -rq "$work/out1" "$work/out2" > /dev/null; then same=yes; else same=NO; fi
echo "byte-identical across runs (same SOURCE_DATE_EPOCH): $same"
ls -l "$work/out1" | awk 'NR > 1 { printf "  %-22s %10d bytes\n", $9, $5 }'
html=$(stat -c %s "$work/out1/report.html")
printf 'report.html: %.2f MB (target < 5 MB)\n' "$(echo "$html / 1048576" | bc -l)"
