#!/usr/bin/env bash
# Installs the official Python MCP SDK (the `mcp` package from PyPI) into
# a virtual environment at .tools/mcp-python (git-ignored), unless it is
# already there, and prints the environment's python.
#
#   PY=$(scripts/setup-mcp-client.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.tools/mcp-python"
if ! "$venv/bin/python" -c 'import mcp' 2>/dev/null; then
    echo "setup-mcp-client: installing the mcp package from PyPI into $venv" >&2
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q 'mcp>=1.20' >&2
fi
printf '%s\n' "$venv/bin/python"
