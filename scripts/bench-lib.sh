# Shared by the benchmark scripts (source it; not a command).
#
#   friction_binary [PATH]   sets $bin: PATH, or the release binary (built when missing)
#   shared_clone REPO        sets $work (a temporary directory removed on exit) and
#                            $clone (a bare clone of REPO sharing its objects)
#   now                      wall-clock seconds with nanoseconds

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
  trap 'rm -rf "$work"' EXIT
  git clone -q --bare --shared "$1" "$work/repo.git"
  clone=$work/repo.git
}

now() { date +%s.%N; }
