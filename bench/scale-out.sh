#!/usr/bin/env bash
# The scale-out check (#13), from a clean machine: install Sphinx (Debian's
# sphinxsearch, the engine Manticore continues) and a MySQL client, build tifa,
# index the shared corpus, export it in two shards, index and start the two
# shard searchds and a front searchd holding the distributed index `dist`,
# send every dev term's phrase query to `dist`, reduce the candidates with
# `tifa verify`, compare with tifa's own documents, stop the searchds.
# Ends with the line `scale-out: N/N terms equal`.
#
#   bench/scale-out.sh [--index INDEX] [--tifa BIN] [--terms FILE] [--port PORT]
# (tests/real_corpus.rs runs it with its own index and binary.)
set -euo pipefail
cd "$(dirname "$0")/.."
INDEX="" TIFA="" TERMS=../shared/terms/dev-terms.txt PORT=19306
while [ $# -gt 0 ]; do
  case $1 in
    --index) INDEX=$2; shift 2 ;;
    --tifa) TIFA=$2; shift 2 ;;
    --terms) TERMS=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if ! command -v searchd >/dev/null || ! command -v indexer >/dev/null || ! command -v mysql >/dev/null; then
  echo "installing sphinxsearch and a MySQL client (apt-get)…" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sphinxsearch mariadb-client >/dev/null
fi
if [ -z "$TIFA" ]; then
  cargo build --release --quiet --bin tifa
  TIFA=$PWD/target/release/tifa
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tifa-scale-out.XXXXXX")
stop() {
  for pid in "$WORK"/export/manticore/log/*.pid; do
    [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
  done
  sleep 0.5
  rm -rf "$WORK"
}
trap stop EXIT
if [ -z "$INDEX" ]; then
  INDEX=$WORK/index
  "$TIFA" --index "$INDEX" index ../shared/corpus >/dev/null
fi
"$TIFA" --index "$INDEX" export --to manticore --out "$WORK/export" --shards 2 --port "$PORT" --terms "$TERMS" >&2
M=$WORK/export/manticore
for k in 0 1; do
  indexer --config "$M/shard-$k.conf" --all --quiet >&2
  searchd --config "$M/shard-$k.conf" >/dev/null
done
searchd --config "$M/front.conf" >/dev/null
ready=""
for _ in $(seq 50); do
  if mysql -h127.0.0.1 -P"$PORT" --skip-ssl -N -B -e "SHOW TABLES" 2>/dev/null | grep -q '^dist'; then ready=1; break; fi
  sleep 0.2
done
if [ -z "$ready" ]; then
  echo "the front searchd does not answer on 127.0.0.1:$PORT with the index dist (port taken? see $M/log/front.log):" >&2
  tail -5 "$M/log/front.log" >&2 || true
  exit 1
fi
# Each term's SphinxQL from the conformance file; the engine's tids as candidates.
python3 - "$WORK/export/conformance.jsonl" "$WORK/candidates.jsonl" "$PORT" <<'PY'
import json, subprocess, sys
conformance, out, port = sys.argv[1], sys.argv[2], sys.argv[3]
with open(conformance) as f, open(out, "w") as o:
    for line in f:
        c = json.loads(line)
        got = subprocess.run(
            ["mysql", "-h127.0.0.1", "-P" + port, "--skip-ssl", "-N", "-B", "-e", c["sphinxql"]],
            capture_output=True, text=True, check=True,
        ).stdout.split("\n")
        ids = [g for g in got if g]
        o.write(json.dumps({"query": c["query"], "ids": ids}, ensure_ascii=False) + "\n")
PY
# Per-year counts come from the engine as an aggregation, e.g.:
mysql -h127.0.0.1 -P"$PORT" --skip-ssl -t -e "SELECT year, COUNT(*) AS docs FROM dist WHERE MATCH('\"网络空间命运共同体\"') GROUP BY year ORDER BY year ASC LIMIT 100" >&2
set +e
"$TIFA" --index "$INDEX" verify --candidates "$WORK/candidates.jsonl" --expect "$WORK/export/conformance.jsonl" > "$WORK/verify.txt"
status=$?
set -e
cat "$WORK/verify.txt"
tail -1 "$WORK/verify.txt" | sed 's/^verify:/scale-out:/'
exit $status
