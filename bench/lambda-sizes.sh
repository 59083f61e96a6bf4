#!/usr/bin/env bash
# Prints the size of each Lambda's release binary (opt-level "s", fat LTO, one codegen unit,
# stripped, panic=abort; see the workspace Cargo.toml). Built for this machine's target; for the
# deployable arm64 binaries, `make build-lambdas` and then `ls -l target/lambda/*/bootstrap`.
# A goal, not a test: a Lambda with one or two SDK clients should stay near 5 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-target}"
echo "building release binaries (several minutes from clean)..." >&2
cargo build --release --quiet --bin api --bin magic-link --bin nudge --bin report --bin local
printf '%-12s %12s %10s\n' binary bytes MB
for bin in api magic-link nudge report local; do
  size=$(stat -c %s "$target_dir/release/$bin")
  printf '%-12s %12d %10.2f\n' "$bin" "$size" "$(echo "$size / 1048576" | bc -l)"
done
