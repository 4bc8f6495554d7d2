#!/usr/bin/env bash
# Executions per second of `friction probe` against a bare spawn loop of the same
# program on the same cores, and (when installed by scripts/probe-deps.sh) a full probe
# of the semver CLI with a 5,000-execution budget.
#
#   scripts/bench-probe.sh [FRICTION_BINARY] [PROGRAM] [EXECUTIONS]
#
# PROGRAM defaults to /bin/echo (GNU: has --help), EXECUTIONS to 3000. The spawn loop
# runs PROGRAM EXECUTIONS times on as many parallel workers as there are cores
# (xargs -P), with nothing else: the bound any probe of that program has.
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
friction_binary "${1:-}"
program=${2:-/bin/echo}
n=${3:-3000}
cores=$(nproc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

t0=$(now)
seq "$n" | xargs -P "$cores" -n 1 "$program" >/dev/null 2>&1 || true
t1=$(now)
bare=$(echo "$n / ($t1 - $t0)" | bc -l)

# The probe prints "N executions in S s (R/s)" on stderr.
line=$("$bin" probe --out "$work/out" --budget "$n" --saturation "$n" -- "$program" 2>&1 >/dev/null | tail -1)
rate=$(echo "$line" | sed -E 's/.*\(([0-9]+)\/s\).*/\1/')
printf 'bare spawn loop: %.0f/s on %s cores\n' "$bare" "$cores"
printf 'friction probe:  %s\n' "$line"
printf 'ratio:           %.2f\n' "$(echo "$rate / $bare" | bc -l)"

semver=$root/target/probe-deps/semver@7.6.3/node_modules/.bin/semver
if [ -x "$semver" ]; then
  t0=$(now)
  "$bin" probe --out "$work/semver" --budget 5000 -q -- "$semver" >/dev/null
  t1=$(now)
  printf 'semver, budget 5000: %.1f s (%s)\n' "$(echo "$t1 - $t0" | bc -l)" \
    "$(grep -o '"executions": [0-9]*\|"stopped": "[a-z]*"' "$work/semver/spec.json" | tr '\n' ' ')"
fi
