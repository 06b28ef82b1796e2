#!/usr/bin/env bash
# The cost of experiments on the request path (issue 6): the home page for a new returning
# visitor per request, without any experiment and then with a running home-hero experiment
# (assignment, the variant's words, and a first exposure queued for every request).
# Needs `scripts/build.sh --test` first (release server, dist/, wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
DURATION="${BENCH_SECONDS:-10}"
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

start_bench_server "$work" dist
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m); SQLite"
run() {
  echo; echo "== home page, $1, 1 connection (latency) =="
  wrk -t1 -c1 -d"${DURATION}s" --latency -s benches/home_visitors.lua "$url" | grep -E "Latency|50%|99%|Requests/sec|Non-2xx"
  echo; echo "== home page, $1, 4 connections (throughput) =="
  wrk -t2 -c4 -d"${DURATION}s" --latency -s benches/home_visitors.lua "$url" | grep -E "Latency|50%|99%|Requests/sec|Non-2xx"
}
run "no experiment"
python3 - "$work/bench.db" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
db.execute("INSERT INTO experiments (id, slot, name, status, created_at, created_by, started_at) "
           "VALUES ('bench-hero', 'home_hero', 'Bench', 'running', 0, 'bench', 0)")
for n, words in enumerate(["Gifts worth giving", "Presents they will keep"]):
    content = json.dumps({"headline": words, "copy": "Copy", "cta_label": "Shop", "cta_href": "/search"})
    db.execute("INSERT INTO experiment_variants VALUES ('bench-hero', ?, ?, 1, ?)", (n, f"v{n}", content))
db.commit()
PY
sleep 3
run "a running hero experiment"
sleep 1
python3 - "$work/bench.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
n, = db.execute("SELECT COUNT(*) FROM exposures").fetchone()
print(f"\nexposures written: {n}")
PY
