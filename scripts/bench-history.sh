#!/usr/bin/env bash
# Benchmark of `friction scan` against `git log --numstat` on the same repository,
# in the same run.
#
# usage: scripts/bench-history.sh REPO [FRICTION_BINARY]
#
# Works on a shared-object clone of REPO in a temporary directory, so REPO itself is
# never modified. Prints:
#   - wall time of `git log --numstat --no-renames HEAD` (the input every peer tool parses),
#   - wall time and peak RSS of `friction scan --no-code` from an empty store (history
#     mining only, renames on, the default),
#   - their ratio,
#   - wall time of a second scan that measures the source code at HEAD from scratch,
#   - wall time of an incremental re-scan (history and code) after one new commit.
set -euo pipefail

repo=${1:?usage: bench-history.sh REPO [FRICTION_BINARY]}
source "$(dirname "$0")/bench-lib.sh"
friction_binary "${2:-}"
shared_clone "$repo"
elapsed() { echo "$2 - $1" | bc -l; }

commits=$(git -C "$clone" rev-list --count HEAD)
echo "repository: $repo ($commits commits reachable from HEAD)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(git --version); friction $("$bin" --version | awk '{print $2}')"

# Warm the page cache so neither side pays for the first read of the pack.
git -C "$clone" cat-file --batch-all-objects --batch-check > /dev/null

t0=$(now)
git -C "$clone" log --numstat --no-renames HEAD > /dev/null
t1=$(now)
git_wall=$(elapsed "$t0" "$t1")

/usr/bin/time -f '%e %M' -o "$work/time" "$bin" scan "$clone" --db "$work/f.db" --quiet --no-code > /dev/null
read -r friction_wall friction_rss_kb < "$work/time"

# The code measurement of HEAD, from scratch (history is already stored).
/usr/bin/time -f '%e %M' -o "$work/time1" "$bin" scan "$clone" --db "$work/f.db" --quiet > /dev/null
read -r code_wall code_rss_kb < "$work/time1"

# One new commit that changes one file, written without a work tree.
blob=$(echo "benchmark $(date +%s)" | git -C "$clone" hash-object -w --stdin)
export GIT_INDEX_FILE=$work/index
git -C "$clone" read-tree HEAD
git -C "$clone" update-index --add --cacheinfo "100644,$blob,friction-bench.txt"
tree=$(git -C "$clone" write-tree)
commit=$(git -C "$clone" -c user.name=bench -c user.email=bench@example.com commit-tree "$tree" -p HEAD -m "bench")
git -C "$clone" update-ref HEAD "$commit"
unset GIT_INDEX_FILE

/usr/bin/time -f '%e %M' -o "$work/time2" "$bin" scan "$clone" --db "$work/f.db" --quiet > /dev/null
read -r incr_wall incr_rss_kb < "$work/time2"

printf 'git log --numstat --no-renames   %8.2f s\n' "$git_wall"
printf 'friction scan --no-code (empty)  %8.2f s   peak RSS %d MiB\n' "$friction_wall" $((friction_rss_kb / 1024))
printf 'ratio friction / git             %8.2f x   (target <= 0.5)\n' "$(echo "$friction_wall / $git_wall" | bc -l)"
printf 'code health of HEAD, from scratch %7.2f s   peak RSS %d MiB\n' "$code_wall" $((code_rss_kb / 1024))
printf 'incremental re-scan, 1 commit    %8.2f s   peak RSS %d MiB (target < 1 s)\n' "$incr_wall" $((incr_rss_kb / 1024))
