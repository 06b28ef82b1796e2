#!/usr/bin/env bash
# Needs `scripts/bootstrap.sh --test` (brotli). Prints the hydrate bundle's size (raw, gzip -9, brotli -q 11) after `scripts/build.sh`, and
# checks it against the DESIGN.md budget: wasm + js under 250 KB with brotli.
set -euo pipefail
cd "$(dirname "$0")/.."
total=0
printf '%-18s %10s %10s %10s\n' file raw gzip brotli
for f in dist/vitrine_bg.wasm dist/vitrine.js dist/main.css; do
  raw=$(wc -c <"$f"); gz=$(gzip -9 -c "$f" | wc -c); br=$(brotli -c -q 11 "$f" | wc -c)
  printf '%-18s %10d %10d %10d\n' "$(basename "$f")" "$raw" "$gz" "$br"
  case "$f" in *.wasm|*.js) total=$((total + br)) ;; esac
done
echo "wasm + js, brotli: $total bytes (budget 250000)"
[ "$total" -lt 250000 ]
