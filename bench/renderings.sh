#!/usr/bin/env bash
# Renderings and pair timings on the built index (issue #22): `tifa renderings
# TERM --json` for every term of the development list (a new process each,
# as a user runs it), `tifa pair ID --json` for 20 paired documents drawn at
# random (seed 22), and the alignment cost of the last build (manifest).
# usage: bench/renderings.sh [TIFA] [TERMS]
set -euo pipefail
tifa=${1:-target/release/tifa}
terms=${2:-bench/renderings-dev/terms.txt}
python3 - "$tifa" "$terms" <<'PY'
import json, random, statistics, subprocess, sys, time
tifa, terms_file = sys.argv[1], sys.argv[2]
terms = [l.split("\t")[0].strip() for l in open(terms_file, encoding="utf-8")
         if l.strip() and not l.startswith("#")]

def timed(args):
    t = time.perf_counter()
    out = subprocess.run([tifa] + args, check=True, capture_output=True).stdout
    return time.perf_counter() - t, out

def summary(name, seconds, unit=1.0, label="s"):
    s = sorted(seconds)
    print(f"{name}: n={len(s)} median {statistics.median(s)*unit:.3f} {label}, "
          f"p90 {s[int(0.9*(len(s)-1))]*unit:.3f} {label}, max {s[-1]*unit:.3f} {label}")

timed(["renderings", terms[0], "--json"])  # warm the page cache
summary("renderings TERM --json", [timed(["renderings", t, "--json"])[0] for t in terms])
summary("renderings TERM --json --by year",
        [timed(["renderings", t, "--json", "--by", "year"])[0] for t in terms[:10]])
_, out = timed(["search", "记者会", "--collection", "mfa_press_conferences.jsonl",
                "--where", "lang=zh", "--json", "--limit", "1000"])
ids = []
for line in out.decode().splitlines():
    for h in json.loads(line).get("hits", []):
        if h["id"].startswith("mfa-zh-") and "pair" in h.get("meta", {}):
            ids.append(h["id"])
random.seed(22)
sample = random.sample(sorted(set(ids)), min(20, len(set(ids))))
timed(["pair", sample[0], "--json"])
summary("pair ID --json", [timed(["pair", i, "--json"])[0] for i in sample], 1000, "ms")
_, info = timed(["info"])
a = json.loads(info).get("alignments", {})
print(f"alignments at build: {a.get('pairs')} pairs, {a.get('segments')} segments, "
      f"{a.get('seconds', 0):.2f} s (aligned {a.get('aligned')}, reused {a.get('reused')})")
PY
