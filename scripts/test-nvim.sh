#!/usr/bin/env bash
# Runs the Neovim client's tests (tests/nvim/test_*.lua) in a real headless
# Neovim against the release server. Prints PASS/FAIL per test and exits
# non-zero if any failed.
#
#   scripts/test-nvim.sh                 # every test
#   scripts/test-nvim.sh top_quickfix    # tests whose name contains a word
#   PPROF_LSP=/path/to/pprof-lsp scripts/test-nvim.sh   # test that server
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

artifacts="$root/tests/artifacts/nvim"
rm -rf "$artifacts"
mkdir -p "$artifacts/bin"

# The server under test: $PPROF_LSP if set (e.g. an installed one), else a
# release build of this checkout. The plugin finds it on PATH either way.
if [ -n "${PPROF_LSP:-}" ]; then
  ln -s "$(realpath "$PPROF_LSP")" "$artifacts/bin/pprof-lsp"
else
  echo "building the server (release)" >&2
  cargo build --release --quiet || { echo "cargo build failed" >&2; exit 1; }
  ln -s "$root/target/release/pprof-lsp" "$artifacts/bin/pprof-lsp"
fi
# The stand-in Pyroscope server of the fleet test (examples/fleet_server.rs).
echo "building the stand-in Pyroscope server" >&2
cargo build --release --quiet --example fleet_server || { echo "cargo build --example fleet_server failed" >&2; exit 1; }
export PPROF_FLEET_SERVER="$root/target/release/examples/fleet_server"
nvim=$(scripts/install-nvim.sh) || { echo "could not install Neovim" >&2; exit 1; }
# The leaking Go services of the live tests (memory, goroutines), and the Go
# (from PyPI) that runs the benchmark loop test through the server's
# `goroot` setting: Go keeps its build cache where it was (the test's own
# cache folder below would start it cold) and stays off PATH, so the other
# tests see no Go.
# shellcheck source=live-env.sh
source scripts/live-env.sh || exit 1

# Processes working in directory $1 or below it, one "pid command" a line.
processes_in() {
  local p cwd
  for p in /proc/[0-9]*; do
    cwd=$(readlink "$p/cwd" 2>/dev/null) || continue
    if [[ $cwd == "$1" || $cwd == "$1"/* ]]; then
      echo "${p#/proc/} $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
    fi
  done
}

# Only the plugin and the server: no user config, no user plugins, state
# (the LSP log) kept under tests/artifacts.
export PPROF_REPO="$root"
export PATH="$artifacts/bin:$PATH"
# The server keeps the profiles of benchmark runs under XDG_CACHE_HOME.
export XDG_STATE_HOME="$artifacts/state" XDG_DATA_HOME="$artifacts/data" XDG_CONFIG_HOME="$artifacts/config"
export XDG_CACHE_HOME="$artifacts/cache"
workspace="$root/tests/fixtures/goprog"

pass=0
fail=0
failed=()
for test in "$root"/tests/nvim/test_*.lua; do
  name=$(basename "$test" .lua)
  if [ $# -gt 0 ] && [[ "$name" != *"$1"* ]]; then
    continue
  fi
  log="$artifacts/$name.log"
  # A test that starts services (leaky, goleak, the Pyroscope stand-in)
  # writes their PIDs here, one a line.
  pidfile="$artifacts/$name.service.pid"
  # A folder of the test's own, for files the server runs programs in.
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/pprof-nvim-XXXXXX")
  start=$EPOCHREALTIME
  (
    cd "$workspace" &&
      PPROF_SERVICE_PIDFILE="$pidfile" PPROF_SCRATCH="$scratch" timeout --kill-after=5 60 "$nvim" --headless --clean -u NONE \
        --cmd "set rtp+=$root/editors/nvim" \
        -c "luafile $test" </dev/null
  ) >"$log" 2>&1
  status=$?
  # The test stops the services it started, pass or fail; one still running
  # afterwards is a failure of the test (and is stopped here, by its PID).
  if [ -f "$pidfile" ]; then
    while read -r pid; do
      for _ in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      if kill -0 "$pid" 2>/dev/null; then
        echo "the service (pid $pid) was still running after the test; stopped it" >>"$log"
        kill "$pid" 2>/dev/null
        [ $status -eq 0 ] && status=1
      fi
    done <"$pidfile"
  fi
  # Nothing may keep working in the test's folder (go test, a test binary)
  # once Neovim and its server are gone; what does is stopped by its PID.
  left=$(processes_in "$scratch")
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    [ -z "$left" ] && break
    sleep 0.2
    left=$(processes_in "$scratch")
  done
  if [ -n "$left" ]; then
    echo "still running in $scratch after the test, stopped:" >>"$log"
    echo "$left" >>"$log"
    while read -r pid _; do kill -9 "$pid" 2>/dev/null; done <<<"$left"
    [ $status -eq 0 ] && status=1
  fi
  rm -rf "$scratch"
  seconds=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
  if [ $status -eq 0 ] && grep -qx 'ok' "$log"; then
    echo "PASS $name (${seconds}s)"
    pass=$((pass + 1))
  else
    [ $status -eq 124 ] && echo "(timed out after 60 s)" >>"$log"
    echo "FAIL $name (exit $status, ${seconds}s)"
    sed 's/^/    /' "$log"
    fail=$((fail + 1))
    failed+=("$name")
  fi
done

echo "$pass passed, $fail failed${failed:+: ${failed[*]}}"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
