#!/usr/bin/env bash
# Builds the leaking Go service of tests/fixtures/leaky for the editor tests
# and prints the path of the binary (nothing else goes to stdout), built
# from a copy of its sources under tests/artifacts/leaky/ and cached there
# (see scripts/build-fixture-service.sh).
#
#   LEAKY=$(scripts/build-leaky.sh)
exec "$(dirname "${BASH_SOURCE[0]}")/build-fixture-service.sh" leaky
