#!/usr/bin/env bash
# Memory on hostile input (issue 14, item 5): peak RSS of `tifa index` for one
# large document, a file without newlines, and a gzip bomb of zeros.
#
#   bench/hostile.sh          20 MB and 100 MB documents, a 2 GiB line, a 4 GiB gzip bomb
#
# Writes its inputs under $TMPDIR (never in the repo); prints a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${TMPDIR:-/tmp}/tifa-hostile
rm -rf "$WORK" && mkdir -p "$WORK"
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release --quiet --bin tifa
TIFA="$ROOT/target/release/tifa"

# One document of N MB of real Chinese text: the speeches file's texts,
# repeated until the size is reached.
make_doc() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
size = int(sys.argv[1]) * 1_000_000
texts = [json.loads(l)["text"] for l in open("../shared/corpus/speeches_xi.jsonl", encoding="utf-8")]
parts, n = [], 0
while n < size:
    for t in texts:
        parts.append(t); n += len(t.encode())
        if n >= size: break
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write(json.dumps({"id": "big", "lang": "zh", "date": "2015", "text": "\n".join(parts)}, ensure_ascii=False) + "\n")
EOF
}

measure() { # label, then the tifa arguments
  local label=$1; shift
  rm -rf "$WORK/idx"
  /usr/bin/time -f '%e %M' -o "$WORK/t" "$TIFA" --index "$WORK/idx" index "$@" > "$WORK/out" 2> "$WORK/err" || true
  read -r secs kb < "$WORK/t"
  local outcome
  outcome=$(grep -m1 -oE 'Indexed [0-9]+ documents|skipped: [^(]*' "$WORK/out" "$WORK/err" | head -1 | cut -d: -f2- || true)
  printf '| %s | %.1f s | %d MB | %s |\n' "$label" "$secs" $((kb / 1024)) "$outcome"
}

echo "| input | time | peak RSS | outcome |"
echo "|---|---:|---:|---|"
for mb in 20 100; do
  make_doc "$mb" "$WORK/doc$mb.jsonl"
  measure "one document, $mb MB of Chinese text" --max-doc-mb 200 "$WORK/doc$mb.jsonl"
done
# 2 GiB without a newline: skipped at the 1 GiB line limit, never held whole.
head -c $((2 << 30)) /dev/zero | tr '\0' 'x' > "$WORK/noline.jsonl"
measure "2 GiB line without a newline" "$WORK/noline.jsonl"
rm -f "$WORK/noline.jsonl"
# A gzip bomb: 4 GiB of zeros in a few MB, two members.
head -c $((2 << 30)) /dev/zero | gzip -1 > "$WORK/bomb.jsonl.gz"
cat "$WORK/bomb.jsonl.gz" "$WORK/bomb.jsonl.gz" > "$WORK/bomb2.jsonl.gz" && mv "$WORK/bomb2.jsonl.gz" "$WORK/bomb.jsonl.gz"
measure "gzip bomb, 4 GiB of zeros ($(du -m "$WORK/bomb.jsonl.gz" | cut -f1) MB packed)" "$WORK/bomb.jsonl.gz"
rm -rf "$WORK"
