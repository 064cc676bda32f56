#!/usr/bin/env bash
# The live tests: builds the leaking Go service in tests/fixtures/leaky with
# Go from PyPI (scripts/install-go.sh, offline, standard library only) and
# runs tests/watch.rs against it, and tests/bench_loop.rs (the benchmark
# loop through the language server) with that Go. Those tests skip themselves when
# PPROF_LEAKY_BIN is unset, so this script also checks that each of them
# really ran to the end: each leaves a marker file, and a missing one fails
# the run.
#
#   scripts/test-live.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# shellcheck source=install-go.sh
source scripts/install-go.sh

out="$root/tests/artifacts/live"
rm -rf "$out"
mkdir -p "$out/markers"

echo "building the leaky service" >&2
(cd tests/fixtures/leaky && go build -o "$out/leaky" .)

cargo test --release --locked --test watch --test bench_loop --no-run
started=$SECONDS
PPROF_LEAKY_BIN="$out/leaky" PPROF_GOROOT="$(go env GOROOT)" PPROF_LIVE_MARKERS="$out/markers" \
  cargo test --release --locked --test watch --test bench_loop -- --nocapture

# Every test that needs the service or Go names itself in `let test = "...";`.
expected=$(sed -n 's/^ *let test = "\([a-z_0-9]*\)";$/\1/p' tests/watch.rs tests/bench_loop.rs)
[ -n "$expected" ] || { echo "test-live: no live tests found in tests/watch.rs and tests/bench_loop.rs" >&2; exit 1; }
missing=0
for name in $expected; do
  if [ ! -f "$out/markers/$name" ]; then
    echo "test-live: $name did not run to the end" >&2
    missing=1
  fi
done
[ "$missing" = 0 ] || exit 1
echo "live tests: $(echo "$expected" | wc -l) ran against the service in $((SECONDS - started)) s"
