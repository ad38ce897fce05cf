#!/usr/bin/env python3
"""Measures the ranking of `tifa emerging` against the development set.

    bench/emerging-eval.py [--tifa PATH] [--index DIR] [--baseline]

* recall@100: each formulation of bench/emerging-dev/known.txt whose take-off
  year (computed by `tifa trace --json`, 2013–2022) is Y must be a line of its
  own among the first 100 of `tifa emerging --period Y`;
* precision@30 of the labelled periods: share of the first 30 lines labelled
  `formulation` in bench/emerging-dev/labels.tsv (rule: bench/emerging-dev/README.md).
  Unlabelled lines are listed so that they can be labelled before a figure is
  reported.
"""
import argparse, collections, json, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEV = os.path.join(HERE, "emerging-dev")

def run(tifa, index, args):
    cmd = [tifa] + (["--index", index] if index else []) + args
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {out.stderr}")
    return json.loads(out.stdout)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tifa", default=os.path.join(HERE, "..", "target", "release", "tifa"))
    ap.add_argument("--index", default=None)
    ap.add_argument("--extra", default="", help="extra arguments for emerging, e.g. '--rank g2'")
    ap.add_argument("--show", type=int, default=0, help="print the first N lines of each labelled period")
    a = ap.parse_args()
    known = [l.strip() for l in open(os.path.join(DEV, "known.txt"), encoding="utf-8")
             if l.strip() and not l.startswith("#")]
    labels = collections.defaultdict(dict)
    for line in open(os.path.join(DEV, "labels.tsv"), encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        period, term, label = line.rstrip("\n").split("\t")[:3]
        labels[period][term] = label
    take_off = {}
    for t in known:
        tr = run(a.tifa, a.index, ["trace", t, "--json"])
        y = (tr.get("take_off") or {}).get("year")
        if y and 2013 <= y <= 2022:
            take_off[t] = y
    years = sorted(set(take_off.values()) | {int(p) for p in labels})
    lists, carriers = {}, {}
    for y in years:
        e = run(a.tifa, a.index, ["emerging", "--period", str(y), "--json", "--limit", "100"] + a.extra.split())
        lists[y] = [c["term"] for c in e["candidates"]]
        # A fragment's whole formulation (高质量 → 高质量发展), where tifa says which.
        if "classes" in e:
            f = run(a.tifa, a.index, ["emerging", "--period", str(y), "--json", "--limit", "100000",
                                      "--show", "fragments"] + a.extra.split())
            carriers[y] = {c["term"]: c["signals"]["carried_by"] for c in f["candidates"]}
    hits = [t for t, y in take_off.items() if t in lists[y][:100]]
    # Or a longer line that contains it (两学一做学习教育 for 两学一做: the
    # closed-string rule lists the whole when it holds ≥ 90 % of the uses).
    whole = [t for t, y in take_off.items()
             if t not in hits and (carriers.get(y, {}).get(t) in lists[y][:100]
                                   or any(t in line for line in lists[y][:100]))]
    print(f"recall@100: {len(hits)}/{len(take_off)} = {len(hits) / len(take_off):.0%} as listed; "
          f"{len(hits) + len(whole)}/{len(take_off)} = {(len(hits) + len(whole)) / len(take_off):.0%} "
          f"counting a whole formulation listed in its place ({', '.join(whole) or 'none'})")
    missed = sorted((y, t, (lists[y].index(t) + 1) if t in lists[y] else None)
                    for t, y in take_off.items() if t not in hits and t not in whole)
    print("  missed:", ", ".join(f"{t} ({y}, {'rank ' + str(r) if r else 'not listed'})" for y, t, r in missed))
    for period in sorted(labels):
        top = lists[int(period)][:30]
        lab = [labels[period].get(t) for t in top]
        todo = [t for t, l in zip(top, lab) if l is None]
        good = sum(1 for l in lab if l == "formulation")
        print(f"precision@30 {period}: {good}/30 = {good / 30:.0%}"
              + (f" ({len(todo)} unlabelled: {' '.join(todo)})" if todo else ""))
        counts = collections.Counter(l or "unlabelled" for l in lab)
        print("  ", dict(counts))
        if a.show:
            for i, t in enumerate(lists[int(period)][:a.show]):
                print(f"   {i+1:3} {t}\t{labels[period].get(t, '?')}")

main()
