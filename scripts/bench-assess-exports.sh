#!/usr/bin/env bash
# Benchmark: `friction assess` on a repository with and without a large CI export.
#
# usage: scripts/bench-assess-exports.sh REPO [JOBS] [FRICTION_BINARY]
#
# Scans a shared clone of REPO (not timed), times `friction assess --json` three
# times (git only), ingests JOBS synthetic GitHub Actions jobs (default 1,000,000;
# scripts/gen-ci-jobs.py) dated inside the assessment window, then times the
# assessment again, which now reads, de-duplicates and scores those facts.
# Target (issue 16): the assessment with these facts stays under 2 s on git/git.
set -euo pipefail

repo=${1:?usage: bench-assess-exports.sh REPO [JOBS] [BIN]}
jobs=${2:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/bench-lib.sh"
friction_binary "${3:-}"
shared_clone "$repo"
"$bin" scan "$clone" --quiet --no-report > /dev/null
best() { # best of three wall-clock runs of `friction assess --json`
  local b=999999 t0 t1 d
  for _ in 1 2 3; do
    t0=$(now); "$bin" assess "$clone" --json > "$work/assess.json"; t1=$(now)
    d=$(echo "$t1 - $t0" | bc -l)
    b=$(echo "if ($d < $b) $d else $b" | bc -l)
  done
  printf '%.3f' "$b"
}
before=$(best)
last=$(git -C "$clone" log -1 --format=%at)
python3 "$root/scripts/gen-ci-jobs.py" \
  "$root/crates/ingest/tests/fixtures/ci/github-actions/workflow-job-cancelled-matrix.json" \
  "$work/export" "$jobs" 10000 $((last - 330 * 86400))
"$bin" ingest --path "$clone" "$work/export" --quiet > /dev/null
after=$(best)
printf 'repository: %s\n' "$repo"
printf 'assess, git only:            %s s\n' "$before"
printf 'assess, with %d CI jobs:  %s s (target < 2 s)\n' "$jobs" "$after"
python3 - "$work/assess.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
e = a.get("exports") or {}
print("exports read:", json.dumps(e.get("counts")), "scope", e.get("scope"))
PY
