#!/usr/bin/env bash
# Benchmark of `friction code` against lizard on the same files, in the same run.
#
# usage: scripts/bench-code.sh DIR [FRICTION_BINARY]
#
# DIR is any directory (e.g. a `git archive HEAD` tree). Prints:
#   - wall time of lizard on all cores (`-t N`) over exactly the files friction parses
#     with tree-sitter that lizard also reads (listed with `lizard -f`; friction is run
#     once, untimed, to get that list),
#   - wall time of lizard as it runs by default (one process) on the whole of DIR,
#     for reference,
#   - wall time and peak RSS of `friction code DIR --json --all` measuring from scratch
#     (no store: the run fails if DIR has a `.friction/friction.db` that friction would
#     reuse) on all cores,
#   - the speed-up lizard / friction (target: friction at least 10x faster than
#     `lizard -t N` on the same files).
# friction measures every source file it finds (the shared set plus the files it
# measures with its fallback: shell, Perl, ...), so the ratio is conservative.
# Peak RSS comes from GNU time (/usr/bin/time), installed with apt-get if missing.
set -euo pipefail

dir=${1:?usage: bench-code.sh DIR [FRICTION_BINARY]}
dir=$(cd "$dir" && pwd)
bin=${2:-$(dirname "$0")/../target/release/friction}
if [ ! -x "$bin" ]; then
  echo "building the release binary..." >&2
  cargo build --release -q -p friction-cli --manifest-path "$(dirname "$0")/../Cargo.toml"
  bin=$(dirname "$0")/../target/release/friction
fi
command -v lizard > /dev/null || { echo "lizard not found: pip install lizard" >&2; exit 2; }
if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time for peak RSS..." >&2
  apt-get install -y -qq time > /dev/null || { apt-get update -qq && apt-get install -y -qq time > /dev/null; }
fi
if [ -e "$dir/.friction/friction.db" ]; then
  echo "$dir/.friction/friction.db exists: friction would reuse it; bench a copy without it" >&2
  exit 2
fi
cores=$(nproc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "directory: $dir"
echo "machine: $cores cores, $(free -g | awk '/Mem:/ {print $2}') GiB; lizard $(lizard --version 2>&1 | head -1); friction $("$bin" --version | awk '{print $2}')"

# Warm the page cache for both.
find "$dir" -type f -not -path '*/.git/*' -exec cat {} + > /dev/null

# Untimed: the files friction parses with tree-sitter that lizard reads.
"$bin" code "$dir" --json --all -q > "$work/list.json"
python3 - "$work/list.json" "$dir" > "$work/files.txt" <<'EOF'
import json, os, sys
try:
    from lizard_languages import get_reader_for
except ImportError:
    get_reader_for = None
report, root = json.load(open(sys.argv[1])), sys.argv[2]
for f in report["files"]:
    if f.get("method") != "tree-sitter":
        continue
    if get_reader_for is not None and get_reader_for(f["path"]) is None:
        continue
    print(os.path.join(root, f["path"]))
EOF
shared=$(wc -l < "$work/files.txt")
all_files=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["files"], s["tree_sitter"], s["fallback"])' "$work/list.json")
read -r friction_files friction_parsed friction_fallback <<< "$all_files"

now() { date +%s.%N; }

# lizard on all cores, same files.
/usr/bin/time -f '%e %M' -o "$work/time_lz" lizard -t "$cores" -f "$work/files.txt" > "$work/lizard.txt" 2> /dev/null || true
# GNU time writes "Command exited with non-zero status N" first when lizard warns.
read -r lizard_wall lizard_rss_kb <<< "$(tail -n 1 "$work/time_lz")"
lizard_funcs=$(grep -cE '^ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ ' "$work/lizard.txt" || true)

# lizard as it runs by default: one process, the whole directory.
t0=$(now)
lizard "$dir" > /dev/null 2>&1 || true
t1=$(now)
lizard1_wall=$(echo "$t1 - $t0" | bc -l)

# friction from scratch, all cores (--threads 0).
/usr/bin/time -f '%e %M' -o "$work/time_fr" "$bin" code "$dir" --json --all -q --threads 0 > "$work/friction.json"
read -r friction_wall friction_rss_kb <<< "$(tail -n 1 "$work/time_fr")"
read -r friction_funcs store reused <<< "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["summary"]["functions"], d.get("store"), d["summary"].get("reused", 0))' "$work/friction.json")"
if [ "$store" != "None" ] || [ "$reused" != "0" ]; then
  echo "warning: friction used a store ($store) and reused $reused files: not from scratch" >&2
fi

printf 'files: %d shared (tree-sitter in friction, read by lizard); friction measures %d (%d parsed, %d fallback)\n' \
  "$shared" "$friction_files" "$friction_parsed" "$friction_fallback"
printf 'lizard -t %d, shared files             %8.2f s   peak RSS %d MiB  (%s functions)\n' "$cores" "$lizard_wall" $((lizard_rss_kb / 1024)) "$lizard_funcs"
printf 'lizard (default: one process, all DIR) %8.2f s\n' "$lizard1_wall"
printf 'friction code --json --all, no store   %8.2f s   peak RSS %d MiB  (%s functions)\n' "$friction_wall" $((friction_rss_kb / 1024)) "$friction_funcs"
printf 'speed-up vs lizard -t %d                %8.1f x   (target >= 10)\n' "$cores" "$(echo "$lizard_wall / $friction_wall" | bc -l)"
printf 'speed-up vs lizard default             %8.1f x\n' "$(echo "$lizard1_wall / $friction_wall" | bc -l)"
