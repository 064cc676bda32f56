#!/usr/bin/env bash
# Only the live tests, which scripts/test.sh runs as part of `cargo test`:
# tests/watch.rs against the real leaking Go service of tests/fixtures/leaky,
# tests/bench_loop.rs (the benchmark loop through the language server) with
# real Go, and tests/goroutine_dumps.rs (with its other tests, which need
# nothing) against the goroutine-leaking service of tests/fixtures/goleak,
# and tests/revision_fixture.rs (the git repository of
# tests/fixtures/revision, built with real Go), all from scripts/live-env.sh. `CI` is set, so a test that finds a service
# or Go missing fails instead of skipping.
#
#   scripts/test-live.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=live-env.sh
source scripts/live-env.sh
CI="${CI:-1}" cargo test --release --locked --test watch --test bench_loop --test goroutine_dumps --test revision_fixture -- --nocapture
