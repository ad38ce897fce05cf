#!/usr/bin/env python3
"""Peers for the tifa benchmark, on the same corpus and terms.

  peers.py scan    CORPUS TERMS OUT.json          ground truth: documents per term by a plain scan
  peers.py dump    CORPUS DIR                     one text file per document (for ripgrep)
  peers.py rg      DIR TERMS OUT.json             ripgrep per term: time and documents
  peers.py whoosh  CORPUS TERMS WORKDIR OUT.json  jieba + Whoosh (ChineseAnalyzer): build, query
  peers.py fts5    CORPUS TERMS WORKDIR OUT.json  jieba pre-segmentation + SQLite FTS5: build, query
  peers.py table   RESULTS.json                   the markdown table

The scan applies tifa's matching rules (NFKC; Chinese terms as exact substrings;
other terms case-insensitive, whitespace runs as one space, word boundaries).
"""
import gzip
import json
import multiprocessing
import os
import re
import sqlite3
import subprocess
import sys
import time
import unicodedata

import logging
try:
    import jieba
    jieba.setLogLevel(logging.WARNING)
except ImportError:
    pass


def corpus_files(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for f in sorted(filenames):
            if f.endswith(".jsonl") or f.endswith(".jsonl.gz"):
                out.append(os.path.join(dirpath, f))
    return out


def documents(root):
    for path in corpus_files(root):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    d = json.loads(line)
                    yield d["id"], d.get("title") or "", d.get("text") or ""


def read_terms(path):
    with open(path, encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip() and not l.strip().startswith("#") and not l.strip().startswith("@")]


def is_cjk(c):
    o = ord(c)
    return (0x1100 <= o <= 0x11FF or 0x2E80 <= o <= 0x2FDF or 0x2FF0 <= o <= 0x31FF or 0x3200 <= o <= 0x4DBF
            or 0x4E00 <= o <= 0x9FFF or 0xA960 <= o <= 0xA97F or 0xAC00 <= o <= 0xD7FF or 0xF900 <= o <= 0xFAFF
            or 0xFE30 <= o <= 0xFE4F or 0xFF65 <= o <= 0xFFDC or 0x1B000 <= o <= 0x1B16F or 0x20000 <= o <= 0x3FFFF)


def is_word(c):
    return (c == "_" or c.isalnum()) and not is_cjk(c)


def matcher(term):
    term = unicodedata.normalize("NFKC", term.strip())
    if any(is_cjk(c) for c in term):
        return lambda text: term in text
    pieces = "".join(ch.lower() for ch in term).split()
    pattern = re.compile(r"\s+".join(re.escape(p) for p in pieces))
    first, last = is_word(pieces[0][0]), is_word(pieces[-1][-1])

    def match(text):
        low = "".join(ch.lower() for ch in text)
        pos = 0
        while True:
            m = pattern.search(low, pos)
            if not m:
                return False
            ok_start = not first or m.start() == 0 or not is_word(low[m.start() - 1])
            ok_end = not last or m.end() == len(low) or not is_word(low[m.end()])
            if ok_start and ok_end:
                return True
            pos = m.start() + 1
    return match


def cmd_scan(root, terms_path, out):
    terms = read_terms(terms_path)
    matchers = [matcher(t) for t in terms]
    found = {t: [] for t in terms}
    for doc_id, title, text in documents(root):
        title = unicodedata.normalize("NFKC", title)
        text = unicodedata.normalize("NFKC", text)
        for t, m in zip(terms, matchers):
            if m(title) or m(text):
                found[t].append(doc_id)
    json.dump(found, open(out, "w"), ensure_ascii=False)


def cmd_dump(root, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    n = 0
    for doc_id, title, text in documents(root):
        with open(os.path.join(out_dir, doc_id.replace("/", "_") + ".txt"), "w", encoding="utf-8") as f:
            f.write(title + "\n" + text + "\n")
        n += 1
    print(n)


def cmd_rg(dump_dir, terms_path, out):
    results = {}
    for t in read_terms(terms_path):
        cjk = any(is_cjk(c) for c in t)
        args = ["rg", "-F", "-l", t, dump_dir] if cjk else ["rg", "-F", "-i", "-w", "-l", t, dump_dir]
        start = time.perf_counter()
        p = subprocess.run(args, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        ids = [os.path.basename(l)[:-4] for l in p.stdout.splitlines() if l]
        results[t] = {"seconds": elapsed, "docs": ids}
    json.dump(results, open(out, "w"), ensure_ascii=False)


def cmd_whoosh(root, terms_path, work, out):
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index as windex
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import QueryParser

    schema = Schema(id=ID(stored=True, unique=False), content=TEXT(analyzer=ChineseAnalyzer()))
    os.makedirs(work, exist_ok=True)
    start = time.perf_counter()
    ix = windex.create_in(work, schema)
    writer = ix.writer(procs=2, limitmb=256, multisegment=True)
    for doc_id, title, text in documents(root):
        writer.add_document(id=doc_id, content=title + "\n" + text)
    writer.commit()
    build = time.perf_counter() - start
    results = {"build_seconds": build, "terms": {}}
    with ix.searcher() as s:
        parser = QueryParser("content", schema)
        for t in read_terms(terms_path):
            q = parser.parse('"%s"' % t.replace('"', ""))
            start = time.perf_counter()
            hits = s.search(q, limit=None)
            ids = [h["id"] for h in hits]
            results["terms"][t] = {"seconds": time.perf_counter() - start, "docs": ids}
    json.dump(results, open(out, "w"), ensure_ascii=False)


def _segment(args):
    import jieba
    doc_id, content = args
    return doc_id, " ".join(w for w in jieba.cut(content) if w.strip())


def cmd_fts5(root, terms_path, work, out):
    import jieba
    os.makedirs(work, exist_ok=True)
    db = os.path.join(work, "fts5.db")
    if os.path.exists(db):
        os.remove(db)
    start = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, content, tokenize='unicode61')")
    with multiprocessing.Pool(2) as pool:
        rows = pool.imap(_segment, ((d, ti + "\n" + te) for d, ti, te in documents(root)), chunksize=64)
        con.executemany("INSERT INTO docs(id, content) VALUES (?, ?)", rows)
    con.commit()
    build = time.perf_counter() - start
    results = {"build_seconds": build, "terms": {}}
    for t in read_terms(terms_path):
        words = [w for w in jieba.cut(t) if w.strip()]
        phrase = '"' + " ".join(w.replace('"', '""') for w in words) + '"'
        start = time.perf_counter()
        try:
            ids = [r[0] for r in con.execute("SELECT id FROM docs WHERE docs MATCH ?", (phrase,))]
        except sqlite3.OperationalError:
            ids = []
        results["terms"][t] = {"seconds": time.perf_counter() - start, "docs": ids}
    json.dump(results, open(out, "w"), ensure_ascii=False)


def recall(truth, peer_docs):
    want, got = set(truth), set(peer_docs)
    return len(want - got), len(got - want)


def cmd_table(results_path):
    r = json.load(open(results_path))
    truth = json.load(open(r["scan"]))
    print("| measure | tifa | ripgrep (dump) | jieba + Whoosh | jieba + SQLite FTS5 |")
    print("|---|---|---|---|---|")
    peers = {}
    for name in ["rg", "whoosh", "fts5"]:
        if r.get(name) and os.path.exists(r[name]):
            peers[name] = json.load(open(r[name]))
    def cell(name, f):
        return f(name) if name in peers else "–"
    print("| index build (s) | %.1f | %s (dump) | %s | %s |" % (
        r["tifa_build_s"], "%.1f" % r["dump_s"] if r.get("dump_s") else "–",
        cell("whoosh", lambda n: "%.1f" % peers[n]["build_seconds"]), cell("fts5", lambda n: "%.1f" % peers[n]["build_seconds"])))
    def terms_of(name):
        p = peers[name]
        return p["terms"] if "terms" in p else p
    def median(xs):
        xs = sorted(xs)
        return xs[len(xs) // 2] if xs else float("nan")
    def q(name):
        ts = terms_of(name)
        return "%.1f ms" % (1000 * median([v["seconds"] for v in ts.values()]))
    print("| query, median over terms (new process for tifa and rg) | %.1f ms | %s | %s | %s |" % (
        r["tifa_search_process_ms"], cell("rg", q), cell("whoosh", q), cell("fts5", q)))
    def miss(name):
        ts = terms_of(name)
        missing = sum(recall(truth[t], ts[t]["docs"])[0] for t in truth if t in ts)
        extra = sum(recall(truth[t], ts[t]["docs"])[1] for t in truth if t in ts)
        total = sum(len(truth[t]) for t in truth if t in ts)
        return "%d missed, %d extra of %d" % (missing, extra, total)
    print("| documents vs the substring scan (all terms) | %s | %s | %s | %s |" % (
        r["tifa_recall"], cell("rg", miss), cell("whoosh", miss), cell("fts5", miss)))
    print()
    print("Per-term documents missed (peers that segment words or ignore whitespace rules):")
    print()
    print("| term | scan | tifa | ripgrep | Whoosh | FTS5 |")
    print("|---|---:|---:|---:|---:|---:|")
    for t in truth:
        row = [t, str(len(truth[t])), str(r["tifa_docs"].get(t, "–"))]
        for name in ["rg", "whoosh", "fts5"]:
            if name in peers and t in terms_of(name):
                m, e = recall(truth[t], terms_of(name)[t]["docs"])
                row.append("%d (−%d +%d)" % (len(terms_of(name)[t]["docs"]), m, e))
            else:
                row.append("–")
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"scan": cmd_scan, "dump": cmd_dump, "rg": cmd_rg, "whoosh": cmd_whoosh, "fts5": cmd_fts5, "table": cmd_table}[cmd](*args)
