#!/usr/bin/env bash
# Cross-checks `friction advisories audit` on Cargo.lock files against
# `cargo audit` run offline on the same RustSec advisory database.
#
# usage: scripts/crosscheck-cargo-audit.sh ADVISORY_DB [CARGO_LOCK...] [-- FRICTION_BINARY]
#
# ADVISORY_DB is a RustSec advisory-db checkout (its `crates/` directory is what
# both tools read). Installs cargo-audit into a temporary root (not in CI: it
# needs crates.io), then for each Cargo.lock (default: the samples of
# crates/deps/tests/fixtures/lockfiles/cargo) compares the (crate, version,
# advisory) triples both tools report: vulnerabilities, and unmaintained
# warnings. Prints each lockfile's agreement and every difference.
# CARGO_AUDIT=PATH uses an installed cargo-audit instead of installing one.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/bench-lib.sh"
db=$(cd "$1" && pwd); shift
locks=()
binary=""
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then binary=${2:-}; break; fi
  locks+=("$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"); shift
done
[ ${#locks[@]} -gt 0 ] || locks=("$root"/crates/deps/tests/fixtures/lockfiles/cargo/*.lock)
friction_binary "$binary"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# CARGO_AUDIT: an installed cargo-audit binary to use instead (it compiles a few
# hundred crates; install it once with `cargo install --locked --root DIR cargo-audit`).
if [ -n "${CARGO_AUDIT:-}" ] && [ -x "$CARGO_AUDIT" ]; then
  audit=$CARGO_AUDIT
else
  cargo install --locked --quiet --root "$work/tools" cargo-audit
  audit=$work/tools/bin/cargo-audit
fi
# cargo audit opens the database as a git repository: give it one.
cp -r "$db" "$work/advisory-db"
if [ ! -d "$work/advisory-db/.git" ]; then
  git -C "$work/advisory-db" init -q
  git -C "$work/advisory-db" add -A
  git -C "$work/advisory-db" -c user.name=x -c user.email=x@example.com commit -q -m db
fi
for lock in "${locks[@]}"; do
  repo=$work/repo-$(basename "$lock")
  git init -q "$repo"
  cp "$lock" "$repo/Cargo.lock"
  git -C "$repo" add -A
  git -C "$repo" -c user.name=x -c user.email=x@example.com commit -q -m lock
  "$bin" scan "$repo" --quiet --no-report --no-code > /dev/null
  "$bin" advisories import "$work/advisory-db" --path "$repo" --quiet > /dev/null
  "$bin" advisories audit "$repo" --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
for f in s["findings"]:
    p = s["packages"][f["package"]]
    if f["kind"] in ("vulnerability", "unmaintained"):
        print(p["name"], p["version"], f["advisory"])' | sort -u > "$work/friction.txt"
  (cd "$repo" && "$audit" audit --db "$work/advisory-db" --no-fetch --stale --json 2>/dev/null || true) | python3 -c '
import json, sys
r = json.load(sys.stdin)
for v in r["vulnerabilities"]["list"]:
    print(v["package"]["name"], v["package"]["version"], v["advisory"]["id"])
for w in r.get("warnings", {}).get("unmaintained", []):
    print(w["package"]["name"], w["package"]["version"], w["advisory"]["id"])' | sort -u > "$work/audit.txt"
  both=$(comm -12 "$work/friction.txt" "$work/audit.txt" | wc -l)
  printf '%s: friction %d, cargo audit %d, both %d\n' "$(basename "$lock")" \
    "$(wc -l < "$work/friction.txt")" "$(wc -l < "$work/audit.txt")" "$both"
  comm -23 "$work/friction.txt" "$work/audit.txt" | sed 's/^/  only friction:    /'
  comm -13 "$work/friction.txt" "$work/audit.txt" | sed 's/^/  only cargo audit: /'
done
