#!/usr/bin/env bash
# Benchmark of `tifa index --update` (#12) on the full shared corpus: a full
# build, then "one day of news arrives" (the last day of the CCTV file, with
# new ids and the next day's date), an update with nothing changed, an update
# that changes one small file, and a full rebuild with the day, for scale.
#
#   bench/update.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release --quiet --bin tifa
TIFA=$PWD/target/release/tifa
WORK=${TMPDIR:-/tmp}/tifa-bench-update
rm -rf "$WORK"; mkdir -p "$WORK/day" "$WORK/own"
IDX=$WORK/idx
# One day of news: the file's last day, re-dated to the day after, new ids.
python3 - "$WORK/day/next-day.jsonl" <<'PY'
import gzip, json, sys
last, rows = None, []
with gzip.open("../shared/corpus/large/xwlb_cctv_news_2012_2026.jsonl.gz", "rt") as f:
    for line in f:
        r = json.loads(line)
        d = r.get("date") or ""
        if last is None or d > last:
            last, rows = d, [r]
        elif d == last:
            rows.append(r)
import datetime
nxt = (datetime.date.fromisoformat(last) + datetime.timedelta(days=1)).isoformat()
with open(sys.argv[1], "w") as out:
    for r in rows:
        r["id"] += "-next"
        r["date"] = nxt
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
print(f"day of news: {len(rows)} records of {last}, re-dated {nxt}", file=sys.stderr)
PY
printf -- '---\nid: own-note\ndate: 2026-06-12\n---\n网络空间命运共同体：一条笔记。\n' > "$WORK/own/note.md"
# A large own file (the press conferences under new ids, 13 MB): changing one
# of its records deletes a document inside a big segment, which is then merged.
python3 - "$WORK/own/press.jsonl" <<'PY'
import json, sys
with open("../shared/corpus/mfa_press_conferences.jsonl") as f, open(sys.argv[1], "w") as out:
    for line in f:
        r = json.loads(line)
        r["id"] = "own-" + r["id"]
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
PY
run() { # label, args...
  local label=$1; shift
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$TIFA" --index "$IDX" index "$@" > "$WORK/out" 2>&1
  read -r secs kb < "$WORK/time"
  local said; said=$(grep -m1 -E '^(Updated|Indexed)' "$WORK/out" | cut -c1-110)
  echo "| $label | $secs s | $((kb / 1024)) MB | $said |"
}
echo "| step | wall | peak RSS | tifa says |"
echo "|---|---|---|---|"
run "full build" ../shared/corpus "$WORK/own"
run "update, nothing changed" --update ../shared/corpus "$WORK/own"
run "update, one day of news added" --update ../shared/corpus "$WORK/own" "$WORK/day"
printf -- '---\nid: own-note\ndate: 2026-06-12\n---\n网络空间命运共同体：改过的笔记。\n' > "$WORK/own/note.md"
run "update, one small file changed" --update ../shared/corpus "$WORK/own" "$WORK/day"
python3 - "$WORK/own/press.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
rows[len(rows) // 2]["text"] += "（更正）"
with open(sys.argv[1], "w") as out:
    for r in rows:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
PY
run "update, one record of a 13 MB file changed" --update ../shared/corpus "$WORK/own" "$WORK/day"
run "full rebuild with the day" ../shared/corpus "$WORK/own" "$WORK/day"
echo
echo "($(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
rm -rf "$WORK"
