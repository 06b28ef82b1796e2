#!/usr/bin/env bash
# Load benchmark of the cart and checkout on loopback (bounded: two wrk runs):
#   1. "Add to cart" latency (p50/p99) for new visitors, one connection at a time;
#   2. whole purchases (add to cart, then place order with the test card) with 4 connections:
#      checkouts per second the server sustains, every one a real transaction on SQLite.
# Stock of the bench database is raised first so every order can succeed.
# Needs `scripts/build.sh --test` first (release server, dist/, wrk) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
DURATION="${BENCH_SECONDS:-10}"
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

start_bench_server "$work" dist
python3 - "$work/bench.db" "$work/skus.lua" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
db.execute("UPDATE variants SET stock = 1000000")
db.commit()
skus = [r[0] for r in db.execute("SELECT sku FROM variants ORDER BY units_sold DESC LIMIT 200")]
open(sys.argv[2], "w").write("return {" + ",".join(f'"{s}"' for s in skus) + "}\n")
PY
export BENCH_SKUS="$work/skus.lua"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m); SQLite"
echo; echo "== add to cart (new visitor), 1 connection (latency) =="
wrk -t1 -c1 -d"${DURATION}s" --latency -s benches/add_to_cart.lua "$url" | grep -E "Latency|50%|99%|Requests/sec|Non-2xx"
echo; echo "== whole purchases (add to cart + place order), 4 connections =="
wrk -t4 -c4 -d"${DURATION}s" --latency -s benches/checkout.lua "$url" | grep -E "Latency|50%|99%|Requests/sec|orders placed"
