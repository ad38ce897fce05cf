#!/usr/bin/env bash
# The top-3 renderings of every term of a list (one per line; '#' comments,
# a tab and anything after it ignored), with the tifa binary given, as TSV:
# term, segments with the term, top-1, top-2, top-3 (text and pairs).
# usage: bench/renderings-eval.sh [TIFA] [TERMS] > out.tsv
set -euo pipefail
tifa=${1:-target/release/tifa}
terms=${2:-bench/renderings-dev/terms.txt}
grep -v '^#' "$terms" | cut -f1 | while read -r t; do
  [ -z "$t" ] && continue
  "$tifa" renderings "$t" --json --limit 3 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = ["%s (%d)" % (x["text"], x["pairs"]) for x in d["renderings"]] + ["", "", ""]
print("\t".join([d["term"], str(d["segments_with_term"])] + r[:3]))
' || printf '%s\t-\terror\t\t\n' "$t"
done
