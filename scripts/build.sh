#!/usr/bin/env bash
# Builds the release store: the hydrate bundle (Trunk -> dist/) and the server binary
# (target/release/vitrine). Installs missing tools first (scripts/bootstrap.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
scripts/bootstrap.sh "$@"
export TRUNK_TOOLS_WASM_BINDGEN="$(wasm_bindgen_version)"
# Trunk builds offline (Trunk.toml), so the crates of both targets are fetched first: a fresh
# machine has none of the wasm-only ones.
cargo fetch --locked
echo "build: hydrate bundle (trunk, wasm-bindgen $TRUNK_TOOLS_WASM_BINDGEN)" >&2
trunk build --release
echo "build: server" >&2
cargo build --release --locked -p vitrine-server
