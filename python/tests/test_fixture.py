"""The package on a small corpus written by the tests: tables equal the CLI's
--json, dtypes are stable, mistakes raise the right exception."""

import json

import pandas as pd
import pytest

import tifa
from conftest import unstamped


def test_build_reports_the_broken_record_and_counts(fixture_build):
    _, answer = fixture_build
    assert answer["manifest"]["documents"] == 5
    assert len(answer["problems"]) == 1
    assert "fixture.jsonl:3" in answer["problems"][0]


def test_search_equals_cli(fixture_index, fixture_cli):
    frame = fixture_index.search("网络主权")
    cli = fixture_cli.json("search", "网络主权", "--all")
    assert frame["id"].tolist() == [h["id"] for h in cli["hits"]]
    assert frame["occurrences"].tolist() == [h["occurrences"] for h in cli["hits"]]
    assert frame["score"].tolist() == [h["score"] for h in cli["hits"]]
    assert frame.attrs["total"] == cli["total"] == 3


def test_search_dtypes_and_dates(fixture_index):
    frame = fixture_index.search("网络主权 OR 网络空间命运共同体", sort="date")
    assert {c: str(t) for c, t in frame.dtypes.items() if c in (
        "id", "date", "date_start", "title", "lang", "kind", "collection", "occurrences",
        "score", "snippet")} == {
        "id": "string", "date": "string", "date_start": "datetime64[ns]", "title": "string",
        "lang": "string", "kind": "string", "collection": "string", "occurrences": "int64",
        "score": "float64", "snippet": "string"}
    by_id = frame.set_index("id")
    assert by_id.loc["a3", "date"] == "2015"
    assert by_id.loc["a3", "date_start"] == pd.Timestamp("2015-01-01")
    assert pd.isna(by_id.loc["c1", "date"]) and pd.isna(by_id.loc["c1", "date_start"])
    # Metadata fields are columns.
    assert by_id.loc["a3", "country"] == "CHN"


def test_filters_as_the_cli(fixture_index, fixture_cli):
    frame = fixture_index.search("网络空间命运共同体", where={"country": "CHN"})
    cli = fixture_cli.json("search", "网络空间命运共同体", "--all", "--where", "country=CHN")
    assert frame["id"].tolist() == [h["id"] for h in cli["hits"]] == ["a3"]
    frame = fixture_index.search("网络主权", date_from="2015", lang="zh")
    cli = fixture_cli.json("search", "网络主权", "--all", "--from", "2015", "--lang", "zh")
    assert frame["id"].tolist() == [h["id"] for h in cli["hits"]]
    empty = fixture_index.search("网络主权", where={"country": ["USA"]})
    assert len(empty) == 0 and list(empty.columns)[:3] == ["id", "date", "date_start"]


def test_kwic_equals_cli(fixture_index, fixture_cli):
    frame = fixture_index.kwic("网络主权", width=5)
    cli = fixture_cli.json("kwic", "网络主权", "--width", "5")
    assert frame[["id", "left", "hit", "right", "start", "end"]].to_dict("records") == [
        {k: line[k] for k in ("id", "left", "hit", "right", "start", "end")}
        for line in cli["lines"]]
    assert str(frame["start"].dtype) == "int64"


def test_timeline_equals_cli_and_is_tidy(fixture_index, fixture_cli):
    frame = fixture_index.timeline(["网络主权", "cyber sovereignty"])
    cli = fixture_cli.json_lines("timeline", "网络主权", "cyber sovereignty")
    for t in cli:
        rows = frame[frame["term"] == t["term"]]
        assert rows["period"].tolist() == list(t["by_year"])
        assert rows[["docs", "occurrences", "per_million", "share"]].to_dict("records") == list(
            t["by_year"].values())
    dated = frame[(frame["period"] != "unknown") & (frame["occurrences"] > 0)]
    assert (dated["per_million"] == dated["occurrences"] * 1e6 / dated["denominator"]).all()
    assert (dated["share"] == dated["docs"] / dated["period_docs"]).all()
    assert str(frame["period_start"].dtype) == "datetime64[ns]"


def test_trace_equals_cli(fixture_index, fixture_cli):
    mine = fixture_index.trace("网络空间命运共同体")
    cli = fixture_cli.json_lines("trace", "网络空间命运共同体")[0]
    assert unstamped(mine) == unstamped(cli)
    # The stamp: the same index and corpus, the call that reproduces it.
    for key in ("tool", "generation", "corpus_hash", "built", "documents"):
        assert mine["stamp"][key] == cli["stamp"][key]
    assert cli["stamp"]["command"].endswith("trace 网络空间命运共同体 --json")
    assert mine["stamp"]["command"].endswith(".trace('网络空间命运共同体')")
    table = fixture_index.traces(["网络空间命运共同体", "网络主权", "不存在的提法"])
    assert table["first_id"].tolist()[:2] == ["a1", "a1"]
    assert pd.isna(table["first_id"].tolist()[2]) and table["docs"].tolist()[2] == 0
    assert str(table["take_off"].dtype) == "Int64"


def test_tables_carry_the_stamp(fixture_index):
    frame = fixture_index.search("网络主权", date_from="2015", limit=2)
    stamp = frame.attrs["stamp"]
    assert stamp["corpus_hash"] == fixture_index.info()["corpus_hash"]
    assert stamp["command"].endswith(".search('网络主权', limit=2, date_from='2015')")
    for table in (fixture_index.kwic("网络主权"), fixture_index.timeline("网络主权"),
                  fixture_index.traces(["网络主权"])):
        assert table.attrs["stamp"]["generation"] == stamp["generation"]


def test_document_and_fields(fixture_index):
    doc = fixture_index.document("a2")
    assert doc["title"] == "第二届世界互联网大会开幕式讲话" and doc["date"] == "2015-12-16"
    fields = fixture_index.fields()
    assert "country" in fields["field"].tolist()
    assert fixture_index.info()["documents"] == 5


@pytest.mark.parametrize("call, error", [
    (lambda i: i.search('"网络主权'), tifa.BadQuery),
    (lambda i: i.search("网络主权", sort="newest"), tifa.BadQuery),
    (lambda i: i.search("网络主权", date_from="20x5"), tifa.BadDate),
    (lambda i: i.search("网络主权", where={"nosuch": "x"}), tifa.UnknownField),
    (lambda i: i.timeline("@no-such-family"), tifa.UnknownFamily),
    (lambda i: i.document("no-such-id"), tifa.BadQuery),
    (lambda i: i.emerging("twenty"), tifa.BadDate),
    (lambda i: i.collocates("网络主权", window=0), tifa.BadQuery),
])
def test_mistakes_raise_their_exception(fixture_index, call, error):
    with pytest.raises(error) as raised:
        call(fixture_index)
    assert isinstance(raised.value, tifa.Error) and str(raised.value)


def test_unknown_option_is_an_error(fixture_index):
    with pytest.raises(TypeError):
        fixture_index.search("网络主权", limt=3)
    # The Rust side refuses a name it does not know too (a misspelt option
    # must not fall back to its default).
    with pytest.raises(tifa.BadQuery, match="limt"):
        fixture_index._call("search", {"query": "网络主权", "limt": 3})


def test_open_without_index(tmp_path):
    with pytest.raises(tifa.IndexUnavailable):
        tifa.open(tmp_path / "nothing-here")


def test_failed_build_keeps_the_index(fixture_build, tmp_path):
    index, _ = fixture_build
    with pytest.raises(tifa.Error, match="no-such-folder"):
        tifa.build([tmp_path / "no-such-folder"], index, progress=False)
    assert tifa.open(index).documents == 5


def test_notes_are_warnings(fixture_index):
    with pytest.warns(tifa.Note):
        fixture_index.search("网络 or 主权")


def test_progress_is_reported(fixture_corpus, tmp_path):
    seen = []
    import tifa._tifa as native
    answer = json.loads(native.build([str(fixture_corpus)], str(tmp_path / "i"), "{}",
                                     lambda done, total: seen.append((done, total))))
    assert answer["manifest"]["documents"] == 5
    assert seen and seen[-1][0] == seen[-1][1] > 0
