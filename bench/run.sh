#!/usr/bin/env bash
# The tifa benchmark: tifa and its peers, in one run, on the same machine, corpus and terms.
#
#   bench/run.sh            full shared corpus (about 15 minutes on 2 cores; Whoosh dominates)
#   bench/run.sh --quick    a small slice of the corpus (a smoke test of the whole pipeline)
#
# Installs its peers (ripgrep and hyperfine from Debian, jieba and whoosh from PyPI), writes dumps
# and peer indexes under $TMPDIR (never in the repo) and prints a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
WORK=${TMPDIR:-/tmp}/tifa-bench
rm -rf "$WORK" && mkdir -p "$WORK"
TERMS=../shared/terms/dev-terms.txt
THREADS=$(nproc)

if [ "$QUICK" = 1 ]; then
  CORPUS="$WORK/corpus"
  mkdir -p "$CORPUS"
  ln -s "$ROOT/../shared/corpus/gov_work_reports.jsonl" "$ROOT/../shared/corpus/speeches_xi.jsonl" \
        "$ROOT/../shared/corpus/speeches_xi_en.jsonl" "$ROOT/../shared/corpus/un_general_debate_china.jsonl" "$CORPUS/"
else
  CORPUS="$ROOT/../shared/corpus"
fi

echo "== installing peers" >&2
command -v rg >/dev/null && command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq ripgrep hyperfine >/dev/null; }
python3 -c "import jieba, whoosh" 2>/dev/null || pip install -q jieba whoosh >/dev/null
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null

echo "== building tifa (release)" >&2
cargo build --release --quiet --bin tifa --example segment_only --example query_latency
TIFA="$ROOT/target/release/tifa"
IDX="$WORK/index"

echo "== tifa index" >&2
/usr/bin/time -f '%e %M' -o "$WORK/index.time" "$TIFA" --index "$IDX" index "$CORPUS" > "$WORK/index.out"
read -r BUILD_S BUILD_KB < "$WORK/index.time"
"$TIFA" --index "$IDX" info > "$WORK/manifest.json"

echo "== jieba-rs segmentation alone ($THREADS threads)" >&2
"$ROOT/target/release/examples/segment_only" "$THREADS" "$CORPUS" > "$WORK/segment.json"

echo "== warm in-process queries" >&2
"$ROOT/target/release/examples/query_latency" "$IDX" "$TERMS" 20 > "$WORK/latency.json"

echo "== tifa search as a new process" >&2
python3 - "$TIFA" "$IDX" "$TERMS" "$WORK" <<'EOF'
import json, subprocess, sys
tifa, idx, terms_path, work = sys.argv[1:5]
terms = [l.strip() for l in open(terms_path, encoding="utf-8") if l.strip() and not l.startswith("#")]
times, rss, docs = [], [], {}
for t in terms:
    q = '"%s"' % t
    subprocess.run([tifa, "--index", idx, "search", q], capture_output=True)  # warm the page cache
    out = work + "/hf.json"
    subprocess.run(["hyperfine", "-N", "--warmup", "2", "--runs", "10", "--export-json", out, "--",
                    f"{tifa} --index {idx} search '{q}'"], capture_output=True, check=True)
    times.append(json.load(open(out))["results"][0]["median"])
    p = subprocess.run(["/usr/bin/time", "-f", "%M", tifa, "--index", idx, "search", q], capture_output=True, text=True)
    rss.append(int(p.stderr.strip().splitlines()[-1]))
    r = json.loads(subprocess.run([tifa, "--index", idx, "search", q, "--all", "--snippets", "0", "--json"],
                                  capture_output=True, text=True, check=True).stdout)
    docs[t] = [h["id"] for h in r["hits"]]
times.sort(); rss.sort()
json.dump({"median_s": times[len(times) // 2], "max_s": times[-1], "median_rss_kb": rss[len(rss) // 2],
           "max_rss_kb": rss[-1], "docs": docs}, open(work + "/process.json", "w"), ensure_ascii=False)
EOF

echo "== tifa report over bench/terms100.txt" >&2
hyperfine -N --warmup 1 --runs 5 --export-json "$WORK/report.json" -- \
  "$TIFA --index $IDX report --terms $ROOT/bench/terms100.txt --out $WORK/report" > /dev/null

echo "== substring scan (ground truth)" >&2
python3 bench/peers.py scan "$CORPUS" "$TERMS" "$WORK/scan.json"

echo "== ripgrep over a one-file-per-document dump" >&2
DUMP_START=$(date +%s.%N)
python3 bench/peers.py dump "$CORPUS" "$WORK/dump" > /dev/null
DUMP_S=$(echo "$(date +%s.%N) - $DUMP_START" | bc)
rg -F -l 网络主权 "$WORK/dump" > /dev/null || true   # warm the page cache
python3 bench/peers.py rg "$WORK/dump" "$TERMS" "$WORK/rg.json"

echo "== jieba + SQLite FTS5" >&2
python3 bench/peers.py fts5 "$CORPUS" "$TERMS" "$WORK/fts5" "$WORK/fts5.json"

echo "== jieba + Whoosh" >&2
python3 bench/peers.py whoosh "$CORPUS" "$TERMS" "$WORK/whoosh" "$WORK/whoosh.json"

python3 - "$WORK" "$BUILD_S" "$BUILD_KB" "$DUMP_S" "$THREADS" <<'EOF' > "$WORK/results.json"
import json, sys
work, build_s, build_kb, dump_s, threads = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
m = json.load(open(work + "/manifest.json"))
seg = json.load(open(work + "/segment.json"))
lat = json.load(open(work + "/latency.json"))
proc = json.load(open(work + "/process.json"))
rep = json.load(open(work + "/report.json"))["results"][0]
scan = json.load(open(work + "/scan.json"))
missing = sum(len(set(v) - set(proc["docs"][t])) for t, v in scan.items())
extra = sum(len(set(proc["docs"][t]) - set(v)) for t, v in scan.items())
total = sum(len(v) for v in scan.values())
json.dump({
    "threads": threads,
    "tifa_build_s": build_s, "tifa_build_rss_mb": build_kb / 1024, "text_mb": m["text_bytes"] / 1e6,
    "tifa_mb_per_s": m["text_bytes"] / 1e6 / build_s, "index_mb": m["index_bytes"] / 1e6, "documents": m["documents"],
    "segment_only_s": seg["segment_s"], "segment_total_s": seg["total_s"],
    "query_p50_ms": lat["p50_ms"], "query_p95_ms": lat["p95_ms"],
    "tifa_search_process_ms": proc["median_s"] * 1000, "tifa_search_process_max_ms": proc["max_s"] * 1000,
    "tifa_search_rss_mb": proc["median_rss_kb"] / 1024, "tifa_search_max_rss_mb": proc["max_rss_kb"] / 1024,
    "report_s": rep["median"], "dump_s": dump_s,
    "tifa_recall": "%d missed, %d extra of %d" % (missing, extra, total),
    "tifa_docs": {t: len(d) for t, d in proc["docs"].items()},
    "scan": work + "/scan.json", "rg": work + "/rg.json", "whoosh": work + "/whoosh.json", "fts5": work + "/fts5.json",
}, sys.stdout, ensure_ascii=False)
EOF

python3 - "$WORK/results.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
fts5 = json.load(open(r["fts5"]))["build_seconds"]
whoosh = json.load(open(r["whoosh"]))["build_seconds"]
print("## tifa on %d documents (%.1f MB of text), %s threads\n" % (r["documents"], r["text_mb"], r["threads"]))
print("| measure | value | target |")
print("|---|---|---|")
print("| index build, wall | %.1f s (%.1f MB/s) | |" % (r["tifa_build_s"], r["tifa_mb_per_s"]))
print("| index build vs jieba + Whoosh | %.1f× faster | ≥ 20× |" % (whoosh / r["tifa_build_s"]))
print("| index build vs jieba + SQLite FTS5 | %.1f× faster | ≥ 3× |" % (fts5 / r["tifa_build_s"]))
print("| jieba-rs segmentation alone, same threads | %.1f s (+ %.1f s loading) → build is %.2f× that | ≤ 2× |" % (
    r["segment_only_s"], r["segment_total_s"] - r["segment_only_s"], r["tifa_build_s"] / r["segment_total_s"]))
print("| peak RSS while indexing | %.0f MB | < 1024 MB |" % r["tifa_build_rss_mb"])
print("| index size on disk | %.0f MB | |" % r["index_mb"])
print("| warm phrase query in-process, top 10 + exact total + KWIC (p50 / p95) | %.2f / %.2f ms | p50 < 1 ms |" % (r["query_p50_ms"], r["query_p95_ms"]))
print("| `tifa search TERM` new process, median over dev terms (max) | %.1f ms (%.1f ms); RSS %.0f MB (max %.0f) | faster than ripgrep |" % (
    r["tifa_search_process_ms"], r["tifa_search_process_max_ms"], r["tifa_search_rss_mb"], r["tifa_search_max_rss_mb"]))
print("| `tifa report` over bench/terms100.txt | %.2f s | < 1 s |" % r["report_s"])
print()
EOF
python3 bench/peers.py table "$WORK/results.json"
