#!/usr/bin/env bash
# Prints the size of each Lambda's release binary and of its `zip -9` (what Lambda receives), built
# with the workspace's release profile (opt-level "s", fat LTO, one codegen unit, stripped,
# panic=abort). Without arguments: built for this machine's target. With `--arm64`: the deployable
# Graviton binaries that `make build-lambdas` left in target/lambda/<fn>/bootstrap (build them
# first). Figures, not a test; recorded runs are in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-target}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

row() { # name path
  local size zipped
  size=$(stat -c %s "$2")
  cp "$2" "$tmp/bootstrap"
  (cd "$tmp" && rm -f f.zip && zip -q -9 f.zip bootstrap)
  zipped=$(stat -c %s "$tmp/f.zip")
  printf '%-12s %12d %8.2f %12d %8.2f\n' "$1" "$size" "$(echo "$size / 1048576" | bc -l)" \
    "$zipped" "$(echo "$zipped / 1048576" | bc -l)"
}

printf '%-12s %12s %8s %12s %8s\n' binary bytes MB zip-bytes zip-MB
if [ "${1:-}" = "--arm64" ]; then
  for fn in api magic-link nudge report; do
    f="target/lambda/$fn/bootstrap"
    [ -f "$f" ] || { echo "missing $f: run make build-lambdas first" >&2; exit 1; }
    row "$fn" "$f"
  done
else
  echo "building release binaries (several minutes from clean)..." >&2
  cargo build --release --quiet --bin api --bin magic-link --bin nudge --bin report --bin local
  for bin in api magic-link nudge report local; do row "$bin" "$target_dir/release/$bin"; done
fi
