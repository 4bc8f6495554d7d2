# Shared by the benchmark scripts (source it; not a command).
#
#   friction_binary [PATH]   sets $bin: PATH, or the release binary (built when missing)
#   shared_clone REPO        sets $work (a temporary directory removed on exit, kept and
#                            named on stderr with KEEP_WORK=1, for profiling the store
#                            afterwards) and $clone (a bare clone of REPO sharing its objects)
#   now                      wall-clock seconds with nanoseconds
#   time_ingest SECONDS      scans a one-commit repository in $work/repo (not timed), then
#                            times `friction ingest $work/export` with its peak memory
#                            (target: SECONDS, 500 MiB) and again on the unchanged files

friction_binary() {
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  bin=${1:-$root/target/release/friction}
  if [ ! -x "$bin" ]; then
    echo "building the release binary..." >&2
    cargo build --release -q -p friction-cli --manifest-path "$root/Cargo.toml"
    bin=$root/target/release/friction
  fi
}

shared_clone() {
  work=$(mktemp -d)
  if [ "${KEEP_WORK:-}" = 1 ]; then
    echo "work directory kept: $work" >&2
  else
    trap 'rm -rf "$work"' EXIT
  fi
  git clone -q --bare --shared "$1" "$work/repo.git"
  clone=$work/repo.git
}

now() { date +%s.%N; }

time_ingest() {
  git init -q "$work/repo"
  git -C "$work/repo" -c user.name=B -c user.email=b@example.com commit -q --allow-empty -m init
  "$bin" scan "$work/repo" --quiet --no-report --no-code > /dev/null
  cd "$work/repo"
  /usr/bin/time -v "$bin" ingest "$work/export" --quiet > "$work/first.txt" 2> "$work/time.txt"
  local wall peak t0 t1
  wall=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}')
  peak=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
  printf 'first ingest: %s (m:ss)  (target < %s s)\n' "$wall" "$1"
  printf 'peak memory:  %.0f MiB  (target < 500 MiB)\n' "$(echo "$peak / 1024" | bc -l)"
  t0=$(now)
  "$bin" ingest "$work/export" --quiet > "$work/again.txt"
  t1=$(now)
  printf 're-ingest:    %.2f s; %s of %s files unchanged\n' \
    "$(echo "$t1 - $t0" | bc -l)" "$(grep -c '^unchanged' "$work/again.txt")" "$(wc -l < "$work/again.txt")"
  "$bin" inputs | tail -2
}
