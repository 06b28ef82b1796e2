#!/usr/bin/env bash
# Builds and starts the store on SQLite (data/vitrine.db); the demo catalogue is imported on
# first start. Extra arguments go to `vitrine serve` (e.g. --addr 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
exec target/release/vitrine serve "$@"
