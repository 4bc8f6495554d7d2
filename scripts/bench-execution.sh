#!/usr/bin/env bash
# Benchmark (issue 19): execution verification end to end — 200,000 Jira issues
# with changelogs ingested, then linked against a repository's whole history by
# `friction assess`.
#
# usage: scripts/bench-execution.sh REPO [ITEMS] [FRICTION_BINARY]
#
# Makes a shared bare clone of REPO and commits one `friction.toml` on top of its
# HEAD (`[execution] key_patterns` finds the topic branch a merge commit names,
# `Merge branch 'ab/topic'`: git/git's way of naming its work). Scans it (not
# timed), times `friction assess --json` git only (best of three; with the default
# 12-month window and with `--months 300`, the whole history), writes ITEMS
# synthetic Jira issues (default 200,000; scripts/gen-work-items.py from the real
# sample in crates/ingest/tests/fixtures) whose first keys are the merged topics,
# times their ingest with its peak memory, then times both assessments again (best
# of three; peak memory from /usr/bin/time -v), which now read the stored items,
# link and verify them. Prints the execution section's counts. The assessment reads
# the commits from a year before its window: the whole-history one links the items
# against every commit. Targets (issue 19): under 5 s and 1 GiB.
#
# BASELINE=OTHER_BINARY also times the two assessments with the items with
# that binary (same store, runs of the two binaries interleaved, best of three
# each, wall clock and CPU time) and prints the ratios: a before/after
# comparison on one machine under the same load (CPU time is the steadier
# figure on a busy machine). The baseline must read the same store schema.
set -euo pipefail

repo=${1:?usage: bench-execution.sh REPO [ITEMS] [BIN]}
items=${2:-200000}
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/bench-lib.sh"
friction_binary "${3:-}"
shared_clone "$repo"

# friction.toml is read from HEAD: commit it on top of the clone's HEAD.
cat > "$work/friction.toml" <<'TOML'
[execution]
key_patterns = ["Merge branch '([^']+)'"]
TOML
blob=$(git --git-dir="$clone" hash-object -w "$work/friction.toml")
export GIT_INDEX_FILE=$work/index
git --git-dir="$clone" read-tree HEAD
git --git-dir="$clone" update-index --add --cacheinfo 100644,"$blob",friction.toml
tree=$(git --git-dir="$clone" write-tree)
unset GIT_INDEX_FILE
last=$(git --git-dir="$clone" log -1 --format=%ct HEAD)
commit=$(GIT_AUTHOR_DATE="@$((last + 60)) +0000" GIT_COMMITTER_DATE="@$((last + 60)) +0000" \
  git --git-dir="$clone" -c user.name=Bench -c user.email=bench@example.com \
  commit-tree "$tree" -p HEAD -m "Benchmark: friction.toml with key_patterns")
git --git-dir="$clone" update-ref HEAD "$commit"

"$bin" scan "$clone" --quiet --no-report > /dev/null

best() { # best of three wall-clock runs of `friction assess --json --months $1`; peak RSS of the last
  local b=999999 t0 t1 d
  for _ in 1 2 3; do
    t0=$(now)
    /usr/bin/time -v "$bin" assess "$clone" --json --months "$1" > "$work/assess-$1.json" 2> "$work/time.txt"
    t1=$(now)
    d=$(echo "$t1 - $t0" | bc -l)
    b=$(echo "if ($d < $b) $d else $b" | bc -l)
  done
  printf '%.3f s, peak %.0f MiB' "$b" \
    "$(echo "$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}') / 1024" | bc -l)"
}
before=$(best 12)
before_all=$(best 300)

# The merged topics, newest first, each with its first merge's commit time.
git --git-dir="$clone" log --merges --format='%ct %s' HEAD \
  | sed -n "s/^\([0-9]*\) Merge branch '\([^']*\)'.*/\2 \1/p" | awk '!seen[$1]++' > "$work/topics.txt"
python3 "$root/scripts/gen-work-items.py" \
  "$root/crates/ingest/tests/fixtures/workitems/jira/issue-K5-2-todo-unresolved.json" \
  "$work/items" "$items" "$work/topics.txt" "$last"
/usr/bin/time -v "$bin" ingest --path "$clone" "$work/items" --quiet > /dev/null 2> "$work/time.txt"
ingest_wall=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}')
ingest_peak=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
rm -rf "$work/items"
after=$(best 12)
after_all=$(best 300)
if [ -n "${BASELINE:-}" ]; then
  # Interleaved best of three of both binaries: `friction assess --json --months $1`.
  ab() {
    local b_new=999999 b_old=999999 c_new=999999 c_old=999999 t0 t1 d c
    for _ in 1 2 3; do
      for which in new old; do
        local exe=$bin
        [ "$which" = old ] && exe=$BASELINE
        t0=$(now)
        /usr/bin/time -f '%U %S' -o "$work/cpu.txt" \
          "$exe" assess "$clone" --json --months "$1" > "$work/ab-$which.json"
        t1=$(now)
        d=$(echo "$t1 - $t0" | bc -l)
        c=$(awk '{print $1 + $2}' "$work/cpu.txt")
        if [ "$which" = new ]; then
          b_new=$(echo "if ($d < $b_new) $d else $b_new" | bc -l)
          c_new=$(echo "if ($c < $c_new) $c else $c_new" | bc -l)
        else
          b_old=$(echo "if ($d < $b_old) $d else $b_old" | bc -l)
          c_old=$(echo "if ($c < $c_old) $c else $c_old" | bc -l)
        fi
      done
    done
    cmp -s "$work/ab-new.json" "$work/ab-old.json" && same=identical || same=DIFFERENT
    printf 'wall %.3f s against %.3f s (%.2f×), CPU %.2f s against %.2f s (%.2f×), JSON %s' \
      "$b_new" "$b_old" "$(echo "$b_old / $b_new" | bc -l)" \
      "$c_new" "$c_old" "$(echo "$c_old / $c_new" | bc -l)" "$same"
  }
  ab_12=$(ab 12)
  ab_300=$(ab 300)
fi

printf 'repository: %s (%s commits)\n' "$repo" "$(git --git-dir="$clone" rev-list --count HEAD)"
printf 'ingest %d Jira issues:      %s (m:ss), peak %.0f MiB\n' "$items" "$ingest_wall" \
  "$(echo "$ingest_peak / 1024" | bc -l)"
printf 'assess, git only, 12-month window:       %s\n' "$before"
printf 'assess, git only, whole history:         %s\n' "$before_all"
printf 'assess with the items, 12-month window:  %s\n' "$after"
printf 'assess with the items, whole history:    %s (target < 5 s, < 1024 MiB)\n' "$after_all"
if [ -n "${BASELINE:-}" ]; then
  printf 'with the items, 12-month window, against %s: %s\n' "$BASELINE" "$ab_12"
  printf 'with the items, whole history, against %s:   %s\n' "$BASELINE" "$ab_300"
fi
for m in 12 300; do
python3 - "$work/assess-$m.json" "$m" <<'PY'
import json, sys
e = json.load(open(sys.argv[1])).get("execution") or {}
o = e.get("organisation") or {}
print(f"--months {sys.argv[2]}: {e.get('items')} items in the window, {e.get('linked_commits')} of "
      f"{e.get('commits')} commits read linked, {len(e.get('teams') or [])} teams shown; "
      f"{o.get('reported_done')} reported done, {o.get('verified')} verified, {o.get('ghosts')} ghosts, "
      f"{o.get('in_progress')} in progress ({o.get('stale')} stale), {o.get('reopened')} reopened")
PY
done
