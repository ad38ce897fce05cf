#!/usr/bin/env bash
# Growth benchmark (#13 item 1): builds the index over 1×, 2× and 4× the shared
# corpus (copies with re-written ids — and `pair` links — under $TMPDIR) and
# reports for each: build wall time and MB/s, peak RSS, index size, warm
# phrase-query p50/p95 over the dev terms (in-process), a new-process
# `tifa search` (median of the dev terms), and the 100-term report.
#
#   bench/growth.sh [FACTORS]     (default "1 2 4"; needs ~2.5 GB under $TMPDIR)
#   KEEP=1 bench/growth.sh 4      keeps the copies and the indexes (for profiling)
set -euo pipefail
cd "$(dirname "$0")/.."
FACTORS=${1:-"1 2 4"}
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release --quiet --bin tifa --example query_latency
TIFA=$PWD/target/release/tifa
LAT=$PWD/target/release/examples/query_latency
TERMS=../shared/terms/dev-terms.txt
WORK=${TMPDIR:-/tmp}/tifa-growth
rm -rf "$WORK"; mkdir -p "$WORK"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
MAX=0; for f in $FACTORS; do [ "$f" -gt "$MAX" ] && MAX=$f; done
# Copy c of the corpus: every id (and pair link) prefixed with c<k>-; copy 0 is the corpus as is.
python3 - "$WORK" "$MAX" <<'PY'
import gzip, json, os, sys
work, copies = sys.argv[1], int(sys.argv[2])
root = "../shared/corpus"
files = [f for f in sorted(os.listdir(root)) if f.endswith(".jsonl")]
files += ["large/" + f for f in sorted(os.listdir(root + "/large")) if f.endswith(".jsonl.gz")]
for c in range(copies):
    out_dir = f"{work}/copy{c}"
    for name in files:
        src = f"{root}/{name}"
        dst = f"{out_dir}/{name}"
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if c == 0:
            os.symlink(os.path.abspath(src), dst)
            continue
        opener = gzip.open if name.endswith(".gz") else open
        with opener(src, "rt") as f, opener(dst, "wt") as o:
            for line in f:
                if not line.strip():
                    continue
                r = json.loads(line)
                r["id"] = f"c{c}-{r['id']}"
                if isinstance(r.get("pair"), str):
                    r["pair"] = f"c{c}-{r['pair']}"
                o.write(json.dumps(r, ensure_ascii=False) + "\n")
PY
echo "| corpus | documents | text | build wall | MB/s | peak RSS | index size | warm query p50 / p95 | new-process search (median) | 100-term report |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for f in $FACTORS; do
  paths=(); for ((c = 0; c < f; c++)); do paths+=("$WORK/copy$c"); done
  IDX=$WORK/index-$f
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$TIFA" --index "$IDX" index "${paths[@]}" > "$WORK/build.txt" 2>&1
  read -r secs kb < "$WORK/time"
  docs=$(grep -oE 'Indexed [0-9]+' "$WORK/build.txt" | grep -oE '[0-9]+')
  mb=$(grep -oE '\(([0-9.]+) MB of text' "$WORK/build.txt" | grep -oE '[0-9.]+')
  size=$(du -sm "$IDX" | cut -f1)
  lat=$("$LAT" "$IDX" "$TERMS" 20)
  p50=$(echo "$lat" | python3 -c 'import json,sys; print(json.load(sys.stdin)["p50_ms"])')
  p95=$(echo "$lat" | python3 -c 'import json,sys; print(json.load(sys.stdin)["p95_ms"])')
  # A new process per search, each dev term once; median.
  per=()
  while IFS= read -r term; do
    case "$term" in ''|'#'*) continue ;; esac
    s=$(date +%s.%N); "$TIFA" --index "$IDX" search "$term" --limit 10 > /dev/null; e=$(date +%s.%N)
    per+=("$(echo "($e - $s) * 1000" | bc -l)")
  done < "$TERMS"
  median=$(printf '%s\n' "${per[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]}')
  rs=$(date +%s.%N); "$TIFA" --index "$IDX" report --terms bench/terms100.txt --out "$WORK/report-$f" > /dev/null; re=$(date +%s.%N)
  report=$(echo "$re - $rs" | bc -l)
  printf '| %s× | %s | %s MB | %s s | %.1f | %s MB | %s MB | %s / %s ms | %s ms | %.2f s |\n' \
    "$f" "$docs" "$mb" "$secs" "$(echo "$mb / $secs" | bc -l)" "$((kb / 1024))" "$size" "$p50" "$p95" "$median" "$report"
  [ -n "${KEEP:-}" ] || rm -rf "$IDX" "$WORK/report-$f"
done
echo
echo "($(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
