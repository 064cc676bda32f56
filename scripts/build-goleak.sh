#!/usr/bin/env bash
# Builds the goroutine-leaking Go service of tests/fixtures/goleak for the
# live tests and prints the path of the binary (nothing else goes to
# stdout), built from a copy of its sources under tests/artifacts/goleak/
# and cached there (see scripts/build-fixture-service.sh). Its go.mod asks
# for Go 1.27, which serves /debug/pprof/goroutineleak with no GOEXPERIMENT
# or GODEBUG setting and prints pprof labels in goroutine dumps.
#
#   GOLEAK=$(scripts/build-goleak.sh)
exec "$(dirname "${BASH_SOURCE[0]}")/build-fixture-service.sh" goleak
