#!/usr/bin/env bash
# Load benchmark of `tifa serve` on the full shared corpus: the single-client
# latency of a search page, then 32 clients for 30 s over a mix of search
# pages, traces and timelines of the dev terms (examples/load.rs); peak RSS
# of the server.
#
#   bench/serve.sh [INDEX] [CLIENTS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin tifa --example load
TIFA=target/release/tifa
IDX=${1:-${TMPDIR:-/tmp}/tifa-bench-serve}
CLIENTS=${2:-32}
SECONDS_=${3:-30}
[ -f "$IDX/CURRENT" ] || "$TIFA" --index "$IDX" index ../shared/corpus >/dev/null 2>&1
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$TIFA" --index "$IDX" serve --port "$PORT" > /dev/null &
PID=$!
trap 'kill $PID 2>/dev/null' EXIT
sleep 1
target/release/examples/load "http://127.0.0.1:$PORT" ../shared/terms/dev-terms.txt "$CLIENTS" "$SECONDS_"
echo "server peak RSS: $(grep VmHWM /proc/$PID/status | awk '{print int($2/1024)}') MB ($(nproc) cores)"
