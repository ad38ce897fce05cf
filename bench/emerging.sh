#!/usr/bin/env bash
# Benchmark of `tifa emerging` on the full shared corpus: wall time and peak
# memory of every single year 2013–2024 (one run each, the default list with
# its classes), then three runs of one span and of the English n-grams.
#
#   bench/emerging.sh [INDEX]   (default: builds one under $TMPDIR)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release --quiet --bin tifa
TIFA=target/release/tifa
IDX=${1:-${TMPDIR:-/tmp}/tifa-bench-emerging}
[ -f "$IDX/CURRENT" ] || "$TIFA" --index "$IDX" index ../shared/corpus >/dev/null 2>&1
echo "| year | wall | peak RSS | formulations / qualified |"
echo "|---|---|---|---|"
for year in $(seq 2013 2024); do
  /usr/bin/time -f '%e %M' -o /tmp/emerging.time "$TIFA" --index "$IDX" emerging --period "$year" --json >/tmp/emerging.json
  read -r secs kb < /tmp/emerging.time
  classes=$(python3 -c 'import json; d=json.load(open("/tmp/emerging.json")); print(d["classes"].get("formulation", 0), "/", d["qualified"])')
  echo "| $year | ${secs} s | $((kb / 1024)) MB | $classes |"
done
echo
echo "| command | run 1 | run 2 | run 3 | peak RSS |"
echo "|---|---|---|---|---|"
for args in "--period 2013..2015" "--period 2017 --lang en"; do
  row="| \`tifa emerging $args\` |"
  peak=0
  for run in 1 2 3; do
    # shellcheck disable=SC2086
    /usr/bin/time -f '%e %M' -o /tmp/emerging.time "$TIFA" --index "$IDX" emerging $args --json >/dev/null
    read -r secs kb < /tmp/emerging.time
    row="$row ${secs} s |"
    [ "$kb" -gt "$peak" ] && peak=$kb
  done
  echo "$row $((peak / 1024)) MB |"
done
echo
echo "($(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
