#!/usr/bin/env bash
# Builds and starts the store on SQLite (data/vitrine.db); the demo catalogue is imported on
# first start. Extra arguments go to `vitrine serve` (e.g. --addr 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
# The demo's emails (order confirmations, status changes) are written to data/mail/ as .eml
# files, unless a mail transport is given (README, "Emails").
if [[ -z "${VITRINE_MAIL_SENDMAIL:-}${VITRINE_MAIL_DIR:-}" && "$*" != *--mail-* ]]; then
  set -- --mail-dir data/mail "$@"
fi
exec target/release/vitrine serve "$@"
