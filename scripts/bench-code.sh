#!/usr/bin/env bash
# Benchmark of `friction code` against lizard on the same files, in the same run.
#
# usage: scripts/bench-code.sh DIR [FRICTION_BINARY]
#
# Times lizard on the files of DIR that lizard reads, as it runs by default (one
# process) and with `-t N` (all cores), then
# `friction code DIR --json --all` measuring from scratch (no store) on all cores,
# prints both wall times, their ratio and friction's peak RSS. friction measures every
# source file it finds (the lizard set plus fallback languages), so the ratio is
# conservative.
set -euo pipefail

dir=${1:?usage: bench-code.sh DIR [FRICTION_BINARY]}
bin=${2:-$(dirname "$0")/../target/release/friction}
if [ ! -x "$bin" ]; then
  echo "building the release binary..." >&2
  cargo build --release -q -p friction-cli --manifest-path "$(dirname "$0")/../Cargo.toml"
  bin=$(dirname "$0")/../target/release/friction
fi
command -v lizard > /dev/null || { echo "lizard not found: pip install lizard" >&2; exit 2; }
cores=$(nproc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "directory: $dir"
echo "machine: $cores cores; $(lizard --version 2>&1 | head -1 | sed 's/^/lizard /'); friction $("$bin" --version | awk '{print $2}')"

# Warm the page cache for both.
find "$dir" -type f -not -path '*/.git/*' -exec cat {} + > /dev/null

now() { date +%s.%N; }
t0=$(now)
lizard "$dir" > /dev/null 2>&1 || true
t1=$(now)
lizard1_wall=$(echo "$t1 - $t0" | bc -l)

t0=$(now)
lizard -t "$cores" "$dir" > "$work/lizard.txt" 2>&1 || true
t1=$(now)
lizard_wall=$(echo "$t1 - $t0" | bc -l)
lizard_funcs=$(grep -cE '^ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ ' "$work/lizard.txt" || true)

/usr/bin/time -f '%e %M' -o "$work/time" "$bin" code "$dir" --json --all -q > "$work/friction.json"
read -r friction_wall friction_rss_kb < "$work/time"
friction_files=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["files"])' "$work/friction.json")
friction_funcs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["functions"])' "$work/friction.json")

printf 'lizard (default, one process)     %8.2f s\n' "$lizard1_wall"
printf 'lizard -t %d                       %8.2f s   (%s functions)\n' "$cores" "$lizard_wall" "$lizard_funcs"
printf 'friction code (no store)          %8.2f s   (%s files, %s functions) peak RSS %d MiB\n' "$friction_wall" "$friction_files" "$friction_funcs" $((friction_rss_kb / 1024))
printf 'speed-up vs lizard default        %8.1f x\n' "$(echo "$lizard1_wall / $friction_wall" | bc -l)"
printf 'speed-up vs lizard -t %d           %8.1f x   (target >= 10)\n' "$cores" "$(echo "$lizard_wall / $friction_wall" | bc -l)"
