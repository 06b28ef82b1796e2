#!/usr/bin/env bash
# Installs, idempotently, every tool the two README commands need on a fresh machine of this
# kind (Debian, rustup's stable 1.95, node + npm). Each step is skipped when already satisfied.
# Nothing here downloads from anywhere but the package registries (crates.io, Debian, npm).
#
#   scripts/bootstrap.sh          tools to build and run the store
#   scripts/bootstrap.sh --test   also Chromium and the npm packages the e2e tests and Lighthouse use
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf '\033[1mbootstrap:\033[0m %s\n' "$*" >&2; }

# The wasm target for the hydrate bundle.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# Trunk 0.22 needs rustc 1.96; 0.21.14 is the newest that builds on 1.95 (TOOLCHAIN.md).
TRUNK_VERSION=0.21.14
if ! trunk --version 2>/dev/null | grep -q "trunk $TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (slow once: ~25 min on 2 cores)"
  cargo install trunk --version "=$TRUNK_VERSION" --locked
fi

# wasm-bindgen-cli must be exactly the wasm-bindgen version Cargo.lock pins.
WB_VERSION=$(wasm_bindgen_version)
if [ -z "$WB_VERSION" ]; then
  echo "bootstrap: could not read the wasm-bindgen version from Cargo.lock" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WB_VERSION\$"; then
  say "installing wasm-bindgen-cli $WB_VERSION (the version Cargo.lock pins)"
  # The lock file published with wasm-bindgen-cli names a webpki-roots release the registry
  # no longer serves; when --locked cannot resolve, fall back to a fresh resolution.
  cargo install wasm-bindgen-cli --version "=$WB_VERSION" --locked \
    || cargo install wasm-bindgen-cli --version "=$WB_VERSION"
fi

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

if [ "$want_test" = 1 ]; then
  command -v chromium >/dev/null || { say "installing Debian's chromium"; apt_install chromium; }
  command -v wrk >/dev/null || { say "installing wrk (load benchmarks)"; apt_install wrk; }
  command -v brotli >/dev/null || { say "installing brotli (bundle size check)"; apt_install brotli; }
  if [ ! -d e2e/node_modules/playwright-core ]; then
    say "installing the e2e npm packages"
    (cd e2e && npm ci --no-audit --no-fund)
  fi
  if [ ! -d benches/lighthouse/node_modules/lighthouse ]; then
    say "installing lighthouse (npm; it uses Debian's chromium, never downloads a browser)"
    (cd benches/lighthouse && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
say "tools ready"
