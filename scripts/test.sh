#!/usr/bin/env bash
# The full test suite, on a fresh machine:
#   1. Go (from PyPI) and the leaking Go service of tests/fixtures/leaky
#      (scripts/live-env.sh), for the live tests;
#   2. the Rust unit, golden, protocol and property tests, and the live
#      tests among them: `pprof-lsp watch` and the server against the real
#      service (tests/watch.rs), the benchmark loop with real `go test`
#      (tests/bench_loop.rs). `CI` is set for them, so a test that finds
#      the service or Go missing fails instead of skipping;
#   3. the Neovim plugin in a real headless Neovim 0.11 (installed from PyPI);
#   4. the web view (`pprof-lsp web`) in a real headless Chromium;
#   5. the VS Code extension in a real code-server driven by headless
#      Chromium (installed from npm and Debian);
#   6. `pprof-lsp mcp` driven by the official Python MCP SDK (from PyPI).
# Everything installed goes under .tools/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Go and the leaky service"
# shellcheck source=live-env.sh
source scripts/live-env.sh

echo "== Rust tests"
cargo build --release --locked
CI="${CI:-1}" cargo test --release --locked

echo "== Neovim"
scripts/test-nvim.sh

echo "== Web view"
scripts/test-web.sh

echo "== VS Code"
scripts/test-vscode.sh

echo "== MCP clients"
scripts/test-mcp.sh
