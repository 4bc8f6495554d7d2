#!/usr/bin/env bash
# Executions per second of a command-line target three ways on the same workers
# (crates/probe/examples/spawn_rate.rs): a bare spawn loop of the program, one probe
# execution at a time (`CliTarget::run`), and a whole exploration; then, when
# scripts/probe-deps.sh installed it, the same for the semver CLI (Node.js) and a full
# `friction probe` of it with a 5,000-execution budget.
#
#   scripts/bench-probe.sh [FRICTION_BINARY] [PROGRAM] [EXECUTIONS]
#
# PROGRAM defaults to /bin/echo (GNU: has --help), EXECUTIONS to 3000; workers = cores.
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
friction_binary "${1:-}"
program=${2:-/bin/echo}
n=${3:-3000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release -q -p friction-probe --example spawn_rate --manifest-path "$root/Cargo.toml"
rate=$root/target/release/examples/spawn_rate
"$rate" "$program" "$n"

semver=$root/target/probe-deps/semver@7.6.3/node_modules/.bin/semver
if [ -x "$semver" ]; then
  "$rate" "$semver" 200
  t0=$(now)
  "$bin" probe --out "$work/semver" --budget 5000 -- "$semver" >/dev/null
  t1=$(now)
  printf 'friction probe -- semver, budget 5000: %.1f s (%s)\n' "$(echo "$t1 - $t0" | bc -l)" \
    "$(grep -o '"executions": [0-9]*\|"stopped": "[a-z]*"' "$work/semver/spec.json" | tr '\n' ' ')"
fi
