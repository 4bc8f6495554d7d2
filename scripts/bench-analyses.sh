#!/usr/bin/env bash
# Times every behavioural analysis on a scanned repository, one after the other.
#
# usage: scripts/bench-analyses.sh REPO [DB] [FRICTION_BINARY]
#
# REPO must have been scanned (`friction scan REPO [--db DB]`). Prints the wall time
# of each command and the total (target on git/git: all analyses under 5 s).
set -euo pipefail

repo=${1:?usage: bench-analyses.sh REPO [DB] [FRICTION_BINARY]}
db=${2:-}
bin=${3:-$(dirname "$0")/../target/release/friction}
dbarg=()
[ -n "$db" ] && dbarg=(--db "$db")

now() { date +%s.%N; }
total=0
run() {
  local t0 t1 dt
  t0=$(now)
  "$bin" "$@" "$repo" "${dbarg[@]}" > /dev/null
  t1=$(now)
  dt=$(echo "$t1 - $t0" | bc -l)
  total=$(echo "$total + $dt" | bc -l)
  printf '%-46s %6.2f s\n' "friction $*" "$dt"
}
run hotspots
run coupling --months 0
run coupling --by author --months 0
run coupling --parity
run knowledge
run maat all --out "$(mktemp -d)"
run backtest -q
run assess --json
printf '%-46s %6.2f s   (target < 5 s on git/git)\n' "all analyses" "$total"
