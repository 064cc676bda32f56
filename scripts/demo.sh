#!/usr/bin/env bash
# Shows pprof-lsp on the bundled demo: a heap profile recorded on a Windows
# build machine (paths like D:/work/projects/pprofdemo/...) mapped onto the
# checkout in tests/fixtures/goprog.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet
bin=target/release/pprof-lsp
profile=tests/fixtures/profiles/windows.heap.pb.gz

echo "== The ten hottest lines (inuse_space), as go tool pprof -top -lines would print them"
"$bin" top --lines --nodecount 10 "$profile"
echo
echo "== Costs next to the source of the init function that allocates the most"
"$bin" list 'catalog\.init' "$profile" --source-path tests/fixtures/goprog
