#!/usr/bin/env bash
# Build time against jieba-rs segmentation alone (#13 item 2), in one run:
# `examples/segment_only` (read the corpus, then jieba-rs `cut` over every
# text with the same threads), then full builds of the shared corpus,
# alternating between this checkout's `tifa` and, when given, an older binary
# (before/after on the same machine minutes apart; this machine is shared and
# noisy, so each build runs ROUNDS times).
#
#   bench/build-ratio.sh [OLD_TIFA] [ROUNDS]     (default: no old binary, 2 rounds)
#
# Prints one line per build: wall, CPU (user + sys), peak RSS, segments, and
# wall ÷ (reading + jieba-rs segmentation).
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=${1:-}
ROUNDS=${2:-2}
THREADS=2
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release --quiet --bin tifa --example segment_only
NEW=$PWD/target/release/tifa
CORPUS=../shared/corpus
WORK=${TMPDIR:-/tmp}/tifa-build-ratio
rm -rf "$WORK"; mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT

seg=$(./target/release/examples/segment_only "$THREADS" "$CORPUS")
echo "segment_only: $seg"
base=$(echo "$seg" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["load_s"] + d["jieba_s"])')
printf 'jieba-rs alone (reading %s s + segmentation): %.2f s\n\n' \
  "$(echo "$seg" | python3 -c 'import json,sys; print(json.load(sys.stdin)["load_s"])')" "$base"

echo "| binary | round | build wall | CPU | peak RSS | segments | ÷ jieba-rs alone |"
echo "|---|---:|---:|---:|---:|---:|---:|"
bins=("new:$NEW"); [ -n "$OLD" ] && bins=("old:$OLD" "new:$NEW")
for ((r = 1; r <= ROUNDS; r++)); do
  for entry in "${bins[@]}"; do
    name=${entry%%:*}; bin=${entry#*:}
    rm -rf "$WORK/index"
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$bin" --index "$WORK/index" index --threads "$THREADS" "$CORPUS" > /dev/null 2>&1
    read -r wall user sys kb < "$WORK/time"
    segs=$(find "$WORK/index" -name '*.store' | wc -l)
    printf '| %s | %d | %.1f s | %.1f s | %d MB | %d | %.2f× |\n' \
      "$name" "$r" "$wall" "$(echo "$user + $sys" | bc -l)" "$((kb / 1024))" "$segs" "$(echo "$wall / $base" | bc -l)"
  done
done
