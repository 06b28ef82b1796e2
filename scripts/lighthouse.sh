#!/usr/bin/env bash
# Lighthouse (mobile) on the home, a category and a product page of the release build, for the
# DESIGN.md budget: 100 in SEO, accessibility and best practices, performance at least 95.
# Prints each page's four scores and the audits that fell short; exits non-zero when SEO,
# accessibility or best practices are under 100 (performance depends on the machine's load,
# so it is reported, never enforced). Runs Debian's Chromium (no downloaded browser) and the
# `lighthouse` npm package pinned in benches/lighthouse/package-lock.json.
# Needs `scripts/build.sh --test` first (release server, dist/, chromium, lighthouse).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
cp -r dist "$work/site"
start_bench_server "$work" "$work/site"
category=$(curl -s "$url/" | grep -o 'href="/c/[^"?]*"' | head -1 | sed 's/href="//; s/"$//')
product=$(curl -s "$url/" | grep -o 'href="/p/[^"]*"' | head -1 | sed 's/href="//; s/"$//')
echo "machine: $(nproc) cores, $(uname -m); lighthouse $(node -p "require('./benches/lighthouse/node_modules/lighthouse/package.json').version")"
status=0
for path in / "$category" "$product"; do
  CHROME_PATH=/usr/bin/chromium node benches/lighthouse/node_modules/lighthouse/cli/index.js \
    "$url$path" --quiet --form-factor=mobile --output=json --output-path="$work/report.json" \
    --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync"
  node benches/lighthouse/summary.mjs "$path" "$work/report.json" || status=1
done
exit "$status"
