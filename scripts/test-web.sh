#!/usr/bin/env bash
# The web view (`pprof-lsp web`) in a real headless Chromium, driven by
# playwright-core (tests/web/run.mjs): token and Host checks, frame widths
# against the recorded pprof values, the top table against `pprof-lsp top`,
# search, zoom kept in the URL, the source view, the filter parameters.
# Prints PASS or FAIL; exits non-zero on failure.
#
#   scripts/test-web.sh                         # the checks
#   scripts/test-web.sh --measure PROFILE       # time to first paint and payload for PROFILE
#   PPROF_SCREENSHOT_DIR=docs/images scripts/test-web.sh   # also refresh the README screenshot
#
# Chromium and playwright-core come from scripts/install-vscode-test-deps.sh
# (into .tools/, on first use).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

cargo build --release --quiet --bin pprof-lsp
scripts/install-vscode-test-deps.sh >/dev/null
timeout --kill-after=10 120 node tests/web/run.mjs "$@"
