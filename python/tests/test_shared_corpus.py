"""On the shared corpus: for every dev term, the tables from Python equal the
CLI's --json (search ids and figures, timeline, trace); emerging, collocates,
renderings and kwic for a few terms."""

import pandas as pd

from conftest import unstamped


def test_search_equals_cli_for_every_dev_term(shared_index, shared_cli, dev_terms):
    for term in dev_terms:
        frame = shared_index.search(term, snippets=0)
        cli = shared_cli.json("search", term, "--all", "--snippets", "0")
        assert frame.attrs["total"] == cli["total"], term
        assert frame["id"].tolist() == [h["id"] for h in cli["hits"]], term
        assert frame["occurrences"].tolist() == [h["occurrences"] for h in cli["hits"]], term
        assert frame["date"].fillna("").tolist() == [h["date"] or "" for h in cli["hits"]], term


def test_timeline_equals_cli_for_every_dev_term(shared_index, shared_cli, dev_terms):
    frame = shared_index.timeline(dev_terms)
    cli = shared_cli.json_lines("timeline", *dev_terms)
    # A term no document has has no rows (and a Note says so).
    assert [t["term"] for t in cli if t["by_year"]] == list(dict.fromkeys(frame["term"]))
    for t in cli:
        rows = frame[frame["term"] == t["term"]]
        assert rows["period"].tolist() == list(t["by_year"]), t["term"]
        assert rows[["docs", "occurrences", "per_million", "share"]].to_dict("records") == list(
            t["by_year"].values()), t["term"]


def test_trace_equals_cli_for_every_dev_term(shared_index, shared_cli, dev_terms):
    cli = shared_cli.json_lines("trace", *dev_terms)
    table = shared_index.traces(dev_terms)
    for i, (term, expected) in enumerate(zip(dev_terms, cli)):
        assert unstamped(shared_index.trace(term)) == unstamped(expected), term
        row = table.iloc[i]
        assert row["term"] == term and row["docs"] == expected["docs"]
        first_id = (expected["first"] or {}).get("id")
        assert (pd.isna(row["first_id"]) and first_id is None) or row["first_id"] == first_id
        take_off = (expected.get("take_off") or {}).get("year")
        assert (pd.isna(row["take_off"]) and take_off is None) or row["take_off"] == take_off


def test_family_timeline(shared_index, shared_cli):
    frame = shared_index.timeline("@cyber-sovereignty")
    cli = shared_cli.json_lines("timeline", "@cyber-sovereignty")
    assert list(dict.fromkeys(frame["term"])) == [t["term"] for t in cli if t["by_year"]]
    variants = frame[frame["term"] != "@cyber-sovereignty"]
    assert len(variants) and (variants["family"] == "@cyber-sovereignty").all()
    assert (frame[frame["term"] == "@cyber-sovereignty"]["family"] == "").all()


def test_kwic_emerging_collocates_renderings_equal_cli(shared_index, shared_cli):
    frame = shared_index.kwic("网络空间命运共同体", sort="left")
    cli = shared_cli.json("kwic", "网络空间命运共同体", "--sort", "left")
    assert frame[["id", "left", "hit", "right"]].to_dict("records") == [
        {k: line[k] for k in ("id", "left", "hit", "right")} for line in cli["lines"]]

    frame = shared_index.emerging(2015, limit=30)
    cli = shared_cli.json("emerging", "--period", "2015", "--limit", "30")
    assert frame["term"].tolist() == [c["term"] for c in cli["candidates"]]
    assert frame["docs"].tolist() == [c["docs"] for c in cli["candidates"]]

    frame = shared_index.collocates("正能量", by="collection", side="left")
    cli = shared_cli.json("collocates", "正能量", "--by", "collection", "--side", "left")
    assert frame[["group", "word", "freq"]].to_dict("records") == [
        {"group": g["group"], "word": c["word"], "freq": c["freq"]}
        for g in cli["groups"] for c in g["collocates"]]

    frame = shared_index.renderings("人类命运共同体")
    cli = shared_cli.json("renderings", "人类命运共同体")
    assert frame["text"].tolist() == [r["text"] for r in cli["renderings"]]
    assert frame["pairs"].tolist() == [r["pairs"] for r in cli["renderings"]]


def test_filters_on_the_shared_corpus(shared_index, shared_cli):
    frame = shared_index.search("win-win cooperation", where={"country": ["CHN", "PAK"]},
                                date_to="2015")
    cli = shared_cli.json("search", "win-win cooperation", "--all", "--where", "country=CHN",
                          "--where", "country=PAK", "--to", "2015")
    assert frame["id"].tolist() == [h["id"] for h in cli["hits"]]
    assert len(frame) > 0


def test_the_example_runs(shared_index_path, tmp_path):
    """python/examples/three_slogans.py end to end (matplotlib is installed by
    python/test.sh); its first appearances are the trace's."""
    import pathlib
    import subprocess
    import sys

    example = pathlib.Path(__file__).resolve().parents[1] / "examples" / "three_slogans.py"
    chart = tmp_path / "chart.png"
    out = subprocess.run([sys.executable, str(example), str(shared_index_path), str(chart)],
                         capture_output=True, text=True, check=True).stdout
    assert chart.stat().st_size > 10_000
    assert "网络空间命运共同体" in out and "chart:" in out
