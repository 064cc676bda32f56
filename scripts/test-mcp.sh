#!/usr/bin/env bash
# The MCP client tests: the official Python MCP SDK (installed from PyPI by
# scripts/setup-mcp-client.sh) drives `pprof-lsp mcp` over stdio
# (tests/mcp/test_tools.py). Each test starts the server as a child of the
# SDK's stdio client, which stops it when the test ends, pass or fail.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
py=$(scripts/setup-mcp-client.sh)
cargo build --release --locked --bin pprof-lsp
PPROF_LSP="$root/target/release/pprof-lsp" "$py" -m unittest -v tests/mcp/test_tools.py
