"""Benchmark of the Python package against the CLI (not a test).

    target/python-venv/bin/python bench/python.py [INDEX] [--runs N]

Measures, on the index INDEX (default index/, built from ../shared/corpus):
opening the index; the first search DataFrame after opening and the median
of later ones; a 100-term timeline (bench/terms100.txt) from Python against
`tifa report --terms bench/terms100.txt` (the release binary) on the same
index. Build the package with `pip install ./python` (release) first.
"""

import argparse
import pathlib
import statistics
import subprocess
import tempfile
import time

import warnings

import tifa

ROOT = pathlib.Path(__file__).resolve().parents[1]


def timed(f):
    start = time.perf_counter()
    value = f()
    return time.perf_counter() - start, value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("index", nargs="?", default=str(ROOT / "index"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cli", default=str(ROOT / "target" / "release" / "tifa"))
    args = parser.parse_args()
    # The benchmark's terms include some the corpus lacks; their Notes are not its output.
    warnings.simplefilter("ignore", tifa.Note)

    seconds, idx = timed(lambda: tifa.open(args.index))
    print(f"open: {seconds * 1000:.0f} ms ({idx.documents} documents)")
    for query in ("网络主权", "人类命运共同体", "community with a shared future"):
        first, frame = timed(lambda: idx.search(query, limit=10))
        later = [timed(lambda: idx.search(query, limit=10))[0] for _ in range(args.runs)]
        whole = statistics.median(timed(lambda: idx.search(query))[0] for _ in range(args.runs))
        print(f"search {query!r}: first DataFrame {first * 1000:.1f} ms, then median "
              f"{statistics.median(later) * 1000:.1f} ms (10 rows); all {frame.attrs['total']} "
              f"rows: median {whole * 1000:.1f} ms")

    terms_file = ROOT / "bench" / "terms100.txt"
    terms = [t.strip() for t in terms_file.read_text(encoding="utf-8").splitlines()
             if t.strip() and not t.startswith("#")]
    python_runs = [timed(lambda: idx.timeline(terms))[0] for _ in range(args.runs)]
    cli_runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as out:
            cli_runs.append(timed(lambda: subprocess.run(
                [args.cli, "--index", args.index, "report", "--terms", str(terms_file),
                 "--out", out], check=True, capture_output=True))[0])
    py, cli = statistics.median(python_runs), statistics.median(cli_runs)
    print(f"timeline of {len(terms)} terms: Python {py:.2f} s, `tifa report` {cli:.2f} s "
          f"(median of {args.runs}; ratio {py / cli:.2f})")


if __name__ == "__main__":
    main()
