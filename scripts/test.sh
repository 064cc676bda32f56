#!/usr/bin/env bash
# The full test suite: Rust unit, integration and golden tests. Needs only
# cargo; Go is not required (fixtures and goldens are committed).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked
cargo test --release --locked
