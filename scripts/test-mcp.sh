#!/usr/bin/env bash
# The MCP client tests: the official Python MCP SDK (installed from PyPI by
# scripts/setup-mcp-client.sh) drives `pprof-lsp mcp` over stdio
# (tests/mcp/test_tools.py). Each test starts the server as a child of the
# SDK's stdio client, which stops it when the test ends, pass or fail. The
# tests that run real Go (growth of the leaking service, runBenchmark) take
# it from scripts/live-env.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
py=$(scripts/setup-mcp-client.sh)
# shellcheck source=live-env.sh
source scripts/live-env.sh
cargo build --release --locked --bin pprof-lsp
CI="${CI:-1}" PPROF_LSP="$root/target/release/pprof-lsp" "$py" -m unittest -v tests/mcp/test_tools.py
