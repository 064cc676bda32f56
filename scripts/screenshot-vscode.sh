#!/usr/bin/env bash
# Refreshes docs/images/vscode.png: the VS Code end-to-end test, keeping its
# screenshot of catalog.go with the hint, the lens and the heat shading.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
PPROF_SCREENSHOT_DIR="$root/docs/images" exec "$root/scripts/test-vscode.sh"
