#!/usr/bin/env bash
# Load benchmark of the release server on loopback (bounded: six 10-second wrk runs):
#   1. latency of the SSR product page for a visitor with a cart cookie (rendered for every
#      request; the cart id is not in the database, so the cart is looked up and found
#      empty), one connection at a time (server time p50/p99);
#   2. throughput of that page with 8 connections;
#   3. latency and 4. throughput of the same page for first visits and crawlers (no cookie:
#      served from the page cache, rendered at most once a second; a returning visitor
#      without a cart is served the same way);
#   5. throughput of that page for first visits that accept brotli, as browsers do;
#   6. throughput of the same bytes served as a static file, for the DESIGN.md budget
#      "SSR at least half the throughput of static".
# Needs `scripts/build.sh --test` first (release server, dist/, wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
DURATION="${BENCH_SECONDS:-10}"
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

cp -r dist "$work/site"
start_bench_server "$work" "$work/site"
slug=$(curl -s "$url/" | grep -o 'href="/p/[^"]*"' | head -1 | sed 's/href="\/p\///; s/"$//')
page="$url/p/$slug"
curl -s -o "$work/site/bench-static.html" "$page"
# Restart so the static copy is loaded (public files are read at start).
kill "$pid"; wait "$pid" 2>/dev/null || true
start_bench_server "$work" "$work/site"
page="$url/p/$slug"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m)"
echo "page: $page ($(wc -c <"$work/site/bench-static.html") bytes of HTML)"
with_cart="Cookie: vid=0123456789abcdef0123456789abcdef; cart=0123456789abcdef0123456789abcdef"
echo; echo "== SSR product page, a visitor with a cart cookie (rendered each time), 1 connection (latency) =="
wrk -t1 -c1 -d"${DURATION}s" --latency -H "$with_cart" "$page" | grep -E "Latency|50%|75%|90%|99%|Requests/sec"
echo; echo "== SSR product page, a visitor with a cart cookie, 8 connections (throughput) =="
wrk -t2 -c8 -d"${DURATION}s" --latency -H "$with_cart" "$page" | grep -E "Latency|50%|99%|Requests/sec"
echo; echo "== SSR product page, first visits (no cookie: page cache), 1 connection (latency) =="
wrk -t1 -c1 -d"${DURATION}s" --latency "$page" | grep -E "Latency|50%|75%|90%|99%|Requests/sec"
echo; echo "== SSR product page, first visits, 8 connections (throughput) =="
wrk -t2 -c8 -d"${DURATION}s" --latency "$page" | grep -E "Latency|50%|99%|Requests/sec"
echo; echo "== SSR product page, first visits asking for brotli as browsers do, 8 connections =="
wrk -t2 -c8 -d"${DURATION}s" --latency -H "Accept-Encoding: gzip, deflate, br" "$page" | grep -E "Latency|50%|99%|Requests/sec"
echo; echo "== the same bytes as a static file, 8 connections =="
wrk -t2 -c8 -d"${DURATION}s" --latency "$url/bench-static.html" | grep -E "Latency|50%|99%|Requests/sec"
