//! Unit tests: reading settings entries, label matchers, time windows and
//! labels. The protocol itself is tested against in-process servers in
//! `tests/fleet_clients.rs`.
