# Shared by the project's scripts. Source it; it defines functions only.

# The wasm-bindgen version Cargo.lock pins: the one place it is written.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

# Starts the release server in the background on a fresh SQLite database in folder $1, serving
# the site folder $2; sets $pid and $url. The caller kills "$pid" when done.
start_bench_server() {
  local work=$1 site=$2
  DATABASE_URL="sqlite://$work/bench.db?mode=rwc" RUST_LOG=warn target/release/vitrine serve \
    --addr 127.0.0.1:0 --site-dir "$site" --train-every-hours 0 >"$work/out" 2>"$work/err" &
  pid=$!
  for _ in $(seq 1 600); do
    url=$(grep -o 'http://[0-9.:]*' "$work/out" 2>/dev/null || true)
    [ -n "$url" ] && return 0
    sleep 0.2
  done
  echo "bench: the server did not start" >&2
  cat "$work/err" >&2
  exit 1
}
