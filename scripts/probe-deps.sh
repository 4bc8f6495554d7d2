#!/usr/bin/env bash
# Installs the real programs the probe tests run (crates/cli/tests/probe.rs), from
# npm, into target/probe-deps/NAME@VERSION (project-local, never global):
#   semver@5.7.2 semver@7.6.3           drift between two published CLIs
#   json-server@0.17.4 json-server@1.0.0-beta.3   drift between two HTTP services
# Needs node and npm (scripts/test-deps.sh installs them from Debian when missing)
# and registry access. Safe to run repeatedly: installed packages are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
root="target/probe-deps"
mkdir -p "$root"
status=0
for pkg in semver@5.7.2 semver@7.6.3 json-server@0.17.4 json-server@1.0.0-beta.3; do
  dir="$root/$pkg"
  name="${pkg%@*}"
  if [ -x "$dir/node_modules/.bin/$name" ]; then
    continue
  fi
  mkdir -p "$dir"
  if ! npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "$pkg" >&2; then
    echo "probe-deps: could not install $pkg" >&2
    rm -rf "$dir"
    status=1
  fi
done
exit $status
