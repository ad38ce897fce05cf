"""tifa from Python: the index opened once, answers as pandas tables.

    >>> import tifa
    >>> idx = tifa.open("index")                    # built by `tifa index` or tifa.build
    >>> idx.search("网络主权", date_from="2014")      # one row per document
    >>> idx.timeline(["网络主权", "网络强国"])          # tidy: term, period, docs, …
    >>> idx.trace("网络空间命运共同体")["first"]        # the --json object of `tifa trace`

Every call is the CLI command of the same name, answered by the same library
code (``tifa::api`` in Rust): options are keyword arguments with the CLI's
names (``--min-docs`` is ``min_docs``) and defaults, except that tables are
whole (``search`` lists every document unless ``limit`` is given, ``kwic``
every line). Filters are the CLI's: ``lang``, ``kind``, ``collection`` (a
string or a list), ``date_from``/``date_to`` (``--from``/``--to``: YYYY,
YYYY-MM or YYYY-MM-DD), ``where``/``where_not`` (``{"country": "CHN"}``, a
value or a list of values per field).

Dates: the corpus dates some documents only to a year or a month. The
``date`` column keeps the date as the corpus gives it (pandas ``string``:
"2015", "2015-12" or "2015-12-16"; <NA> when undated), so that a year-only
date is never read as 1 January; ``date_start`` is the first day of that
period as ``datetime64[ns]`` (NaT when undated), for sorting and plotting.

Mistakes raise a subclass of :class:`tifa.Error` (``BadQuery``, ``BadDate``,
``BadFilter``, ``UnknownField``, ``UnknownFamily``, ``BadTermFile``,
``IndexUnavailable``) with the CLI's message; notes the CLI prints on stderr
(a query read in an unexpected way, a near miss when nothing matched) are
Python warnings of the class :class:`tifa.Note`.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import sys
import warnings
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import pandas as pd

from ._tifa import (  # noqa: F401  (re-exported)
    BadDate,
    BadFilter,
    BadQuery,
    BadTermFile,
    Error,
    IndexUnavailable,
    UnknownFamily,
    UnknownField,
    __version__,
)
from . import _tifa

__all__ = [
    "open",
    "build",
    "Index",
    "Note",
    "Error",
    "BadQuery",
    "BadDate",
    "BadFilter",
    "UnknownField",
    "UnknownFamily",
    "BadTermFile",
    "IndexUnavailable",
]

Strings = Union[str, Sequence[str], None]
Where = Union[Mapping[str, Union[str, Sequence[str]]], Sequence[str], None]


class Note(UserWarning):
    """What the CLI says on stderr about an answer: read it before citing."""


def _strings(value: Strings, name: str) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        out = list(value)
    except TypeError:
        raise BadQuery(f"{name}={value!r}: give a string or a list of strings") from None
    for v in out:
        if not isinstance(v, str):
            raise BadQuery(f"{name}={value!r}: give a string or a list of strings")
    return out


def _wheres(value: Where, name: str) -> list:
    """``{"country": "CHN"}`` or ``{"country": ["CHN", "USA"]}`` → ["country=CHN", …]."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        out = []
        for field, values in value.items():
            for v in _strings(values, f"{name}[{field!r}]"):
                out.append(f"{field}={v}")
        return out
    return _strings(value, name)


def _filter(lang, kind, collection, date_from, date_to, where, where_not) -> dict:
    return {
        "lang": _strings(lang, "lang"),
        "kind": _strings(kind, "kind"),
        "collection": _strings(collection, "collection"),
        "date_from": None if date_from is None else str(date_from),
        "date_to": None if date_to is None else str(date_to),
        "where": _wheres(where, "where"),
        "where_not": _wheres(where_not, "where_not"),
    }


def _dates(frame: pd.DataFrame, column: str = "date", start: str = "date_start") -> None:
    """``column`` as nullable strings, and ``start``: the first day of its period."""
    if column not in frame.columns:
        frame[column] = pd.Series([None] * len(frame), dtype="string")
    frame[column] = frame[column].astype("string")
    filled = frame[column].fillna("").astype(str)
    padded = filled.where(filled.str.len() != 4, filled + "-01-01")
    padded = padded.where(padded.str.len() != 7, padded + "-01")
    frame[start] = pd.to_datetime(
        padded.where(padded != "", None), format="%Y-%m-%d", errors="coerce"
    ).astype("datetime64[ns]")


def _typed(frame: pd.DataFrame, ints=(), floats=(), strings=()) -> pd.DataFrame:
    for c in ints:
        if c in frame.columns:
            frame[c] = frame[c].astype("int64")
    for c in floats:
        if c in frame.columns:
            frame[c] = frame[c].astype("float64")
    for c in strings:
        if c in frame.columns:
            frame[c] = frame[c].astype("string")
    return frame


def _notes(answer: Mapping[str, Any]) -> None:
    for w in answer.get("warnings") or []:
        warnings.warn(str(w), Note, stacklevel=4)
    hint = answer.get("hint")
    if hint:
        warnings.warn(str(hint), Note, stacklevel=4)


def _stamped(method):
    """Puts the reproducibility stamp on what ``method`` returns (a table's
    ``attrs["stamp"]``, a dict's ``"stamp"``): tifa version, index generation,
    corpus hash, and the call that gives it again."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        result = method(self, *args, **kwargs)
        given = list(signature.bind(self, *args, **kwargs).arguments.items())[1:]
        shown = [repr(v) if signature.parameters[k].kind == inspect.Parameter.POSITIONAL_OR_KEYWORD
                 and i < len(args) else f"{k}={v!r}" for i, (k, v) in enumerate(given)]
        command = f"tifa.open({os.fspath(self.path)!r}).{method.__name__}({', '.join(shown)})"
        stamp = self._call("stamp", {"command": command})
        if isinstance(result, pd.DataFrame):
            result.attrs["stamp"] = stamp
        elif isinstance(result, dict):
            result["stamp"] = stamp
        return result

    return wrapper


class Index:
    """An index opened once; every call reuses it (no reload of the dictionary)."""

    def __init__(self, path: Union[str, os.PathLike] = "index"):
        self._inner = _tifa.Index(os.fspath(path))

    def __repr__(self) -> str:
        return f"tifa.Index({os.fspath(self.path)!r}, documents={self.documents})"

    @property
    def path(self):
        return self._inner.path

    @property
    def documents(self) -> int:
        return self._inner.documents

    def _call(self, name: str, request: Mapping[str, Any]) -> Any:
        return json.loads(self._inner.call(name, json.dumps(request, ensure_ascii=False)))

    # ---- documents ------------------------------------------------------

    def search_json(self, query: str, *, limit: Optional[int] = None, sort: str = "relevance",
                    snippets: int = 3, pair: bool = False, gap: Optional[int] = None,
                    loose_punct: bool = False, variants: bool = False, scan: bool = False,
                    lang: Strings = None, kind: Strings = None, collection: Strings = None,
                    date_from=None, date_to=None, where: Where = None,
                    where_not: Where = None) -> dict:
        """`tifa search --json` (with --all unless ``limit``): the object itself."""
        patterns = {"loose_punct": loose_punct, "variants": variants, "scan": scan}
        if gap is not None:
            patterns["gap"] = gap
        return self._call("search", {
            "query": query, "limit": limit, "sort": sort, "snippets": snippets, "pair": pair,
            "patterns": patterns,
            "filter": _filter(lang, kind, collection, date_from, date_to, where, where_not),
        })

    @_stamped
    def search(self, query: str, *, limit: Optional[int] = None, sort: str = "relevance",
               snippets: int = 1, pair: bool = False, gap: Optional[int] = None,
               loose_punct: bool = False, variants: bool = False, scan: bool = False,
               lang: Strings = None, kind: Strings = None, collection: Strings = None,
               date_from=None, date_to=None, where: Where = None,
               where_not: Where = None) -> pd.DataFrame:
        """Documents containing ``query`` (the CLI's query syntax), best first.

        One row per document: id, date, date_start, title, lang, kind,
        collection, occurrences, score, snippet (the first passage), then one
        column per metadata field (url, source, country, speaker, …).
        ``sort``: relevance, date or -date. ``df.attrs`` holds query, total,
        warnings and hint.
        """
        answer = self.search_json(
            query, limit=limit, sort=sort, snippets=snippets, pair=pair, gap=gap,
            loose_punct=loose_punct, variants=variants, scan=scan, lang=lang, kind=kind,
            collection=collection, date_from=date_from, date_to=date_to, where=where,
            where_not=where_not)
        _notes(answer)
        rows = []
        for h in answer["hits"]:
            row = {
                "id": h["id"], "date": h["date"], "title": h["title"], "lang": h["lang"],
                "kind": h["kind"], "collection": h["meta"].get("collection"),
                "occurrences": h["occurrences"], "score": h["score"],
                "snippet": h["snippets"][0]["context"] if h["snippets"] else None,
            }
            for k, v in h["meta"].items():
                row.setdefault(k, v)
            rows.append(row)
        base = ["id", "date", "title", "lang", "kind", "collection", "occurrences", "score", "snippet"]
        frame = pd.DataFrame(rows, columns=base + sorted({k for r in rows for k in r} - set(base)))
        frame = _typed(frame, ints=["occurrences"], floats=["score"],
                       strings=[c for c in frame.columns if c not in ("occurrences", "score")])
        _dates(frame)
        frame.insert(2, "date_start", frame.pop("date_start"))
        frame.attrs.update({k: answer.get(k) for k in ("query", "total", "warnings", "hint")})
        return frame

    @_stamped
    def kwic(self, query: str, *, width: int = 20, sort: str = "date",
             sample: Optional[int] = None, seed: int = 1, gap: Optional[int] = None,
             loose_punct: bool = False, variants: bool = False, scan: bool = False,
             lang: Strings = None, kind: Strings = None, collection: Strings = None,
             date_from=None, date_to=None, where: Where = None,
             where_not: Where = None) -> pd.DataFrame:
        """A concordance: one row per occurrence (id, date, date_start, title,
        field, left, hit, right, start, end, line, line_start, line_end,
        collection, url, source; offsets in characters). ``sort``: date,
        left, right or id; ``sample=N`` draws N lines (same ``seed``, same lines).
        """
        patterns = {"loose_punct": loose_punct, "variants": variants, "scan": scan}
        if gap is not None:
            patterns["gap"] = gap
        answer = self._call("kwic", {
            "query": query, "width": width, "sort": sort, "sample": sample, "seed": seed,
            "patterns": patterns,
            "filter": _filter(lang, kind, collection, date_from, date_to, where, where_not),
        })
        _notes(answer)
        columns = ["id", "date", "title", "field", "left", "hit", "right", "start", "end",
                   "line", "line_start", "line_end", "collection", "url", "source"]
        frame = pd.DataFrame(answer["lines"], columns=columns)
        frame = _typed(frame, ints=["start", "end", "line", "line_start", "line_end"],
                       strings=["id", "date", "title", "field", "left", "hit", "right",
                                "collection", "url", "source"])
        _dates(frame)
        frame.insert(2, "date_start", frame.pop("date_start"))
        frame.attrs.update({k: answer.get(k) for k in ("query", "total", "docs", "warnings")})
        return frame

    # ---- over time ------------------------------------------------------

    @_stamped
    def timeline(self, terms: Strings, *, by: str = "year", families=None,
                 variants: bool = False, scan: bool = False, lang: Strings = None,
                 kind: Strings = None, collection: Strings = None, date_from=None,
                 date_to=None, where: Where = None, where_not: Where = None) -> pd.DataFrame:
        """Use per year (``by="month"``: month) of each term, tidy: one row per
        term and period — term, family (for a family's variant: the @family),
        period, period_start, docs, occurrences, per_million, share,
        denominator (Han characters or English words of the period after
        filters), unit, period_docs, coverage (why a period is not comparable;
        empty when it is). Terms are literal strings or @family names
        (``families``: an extra TOML file); periods between a term's first and
        last use are listed with zeros, undated matches as period "unknown".
        ``df.attrs["timelines"]`` holds the CLI's --json objects.
        """
        answer = self._call("timeline", {
            "terms": _strings(terms, "terms"), "by": by,
            "reading": {"families": None if families is None else os.fspath(families),
                        "variants": variants, "scan": scan},
            "filter": _filter(lang, kind, collection, date_from, date_to, where, where_not),
        })
        for t in answer["timelines"]:
            for w in t.get("warnings") or []:
                warnings.warn(f"{t['term']}: {w}", Note, stacklevel=3)
            if not t.get("by_year", t.get("by_month")):
                warnings.warn(f"{t['term']}: no document matches, so it has no rows "
                              f"(idx.search({t['term']!r}) says what comes near)", Note,
                              stacklevel=3)
        columns = ["term", "family", "period", "docs", "occurrences", "per_million", "share",
                   "denominator", "unit", "period_docs", "coverage"]
        frame = pd.DataFrame(answer["rows"], columns=columns)
        frame = _typed(frame, ints=["docs", "occurrences", "denominator", "period_docs"],
                       floats=["per_million", "share"],
                       strings=["term", "family", "period", "unit", "coverage"])
        _dates(frame, "period", "period_start")
        frame.insert(3, "period_start", frame.pop("period_start"))
        frame.attrs["timelines"] = answer["timelines"]
        return frame

    @_stamped
    def trace(self, term: str, *, first: int = 5, group_by: Optional[str] = None,
              pair: bool = False, families=None, variants: bool = False, scan: bool = False,
              lang: Strings = None, kind: Strings = None, collection: Strings = None,
              date_from=None, date_to=None, where: Where = None,
              where_not: Where = None) -> dict:
        """First appearance (with its sentence), earliest and last documents,
        take-off, early matches to check: the object ``tifa trace --json`` prints."""
        return self._traces([term], first=first, group_by=group_by, pair=pair,
                            families=families, variants=variants, scan=scan,
                            filters=_filter(lang, kind, collection, date_from, date_to,
                                            where, where_not))[0]

    def _traces(self, terms, *, first, group_by, pair, families, variants, scan, filters):
        answer = self._call("trace", {
            "terms": _strings(terms, "terms"), "first": first, "group_by": group_by,
            "pair": pair,
            "reading": {"families": None if families is None else os.fspath(families),
                        "variants": variants, "scan": scan},
            "filter": filters,
        })
        for t in answer:
            for w in t.get("warnings") or []:
                warnings.warn(f"{t['term']}: {w}", Note, stacklevel=4)
        return answer

    @_stamped
    def traces(self, terms: Strings, *, families=None, variants: bool = False,
               scan: bool = False, lang: Strings = None, kind: Strings = None,
               collection: Strings = None, date_from=None, date_to=None,
               where: Where = None, where_not: Where = None) -> pd.DataFrame:
        """One row per term: docs, occurrences, first (date, date_start,
        approximate, quoted, id, title, kind, collection), take_off (year,
        <NA> when not yet in common use) and take_off_docs, last (date, id,
        title), early_total. ``df.attrs["traces"]`` holds the --json objects."""
        answer = self._traces(terms, first=5, group_by=None, pair=False, families=families,
                              variants=variants, scan=scan,
                              filters=_filter(lang, kind, collection, date_from, date_to,
                                              where, where_not))
        rows = []
        for t in answer:
            f, last, take_off = t.get("first") or {}, t.get("last") or {}, t.get("take_off") or {}
            rows.append({
                "term": t["term"], "docs": t["docs"], "occurrences": t["occurrences"],
                "first_date": f.get("date"), "first_approximate": f.get("approximate"),
                "first_quoted": f.get("quoted"), "first_id": f.get("id"),
                "first_title": f.get("title"), "first_kind": f.get("kind"),
                "first_collection": f.get("collection"),
                "take_off": take_off.get("year"), "take_off_docs": take_off.get("docs"),
                "last_date": last.get("date"), "last_id": last.get("id"),
                "last_title": last.get("title"), "early_total": t.get("early_total", 0),
            })
        frame = pd.DataFrame(rows, columns=[
            "term", "docs", "occurrences", "first_date", "first_approximate", "first_quoted",
            "first_id", "first_title", "first_kind", "first_collection", "take_off",
            "take_off_docs", "last_date", "last_id", "last_title", "early_total"])
        frame = _typed(frame, ints=["docs", "occurrences", "early_total"],
                       strings=["term", "first_date", "first_id", "first_title", "first_kind",
                                "first_collection", "last_date", "last_id", "last_title"])
        for c in ("take_off", "take_off_docs"):
            frame[c] = frame[c].astype("Int64")
        for c in ("first_approximate", "first_quoted"):
            frame[c] = frame[c].astype("boolean")
        _dates(frame, "first_date", "first_date_start")
        _dates(frame, "last_date", "last_date_start")
        frame.attrs["traces"] = answer
        return frame

    # ---- judgement ------------------------------------------------------

    @_stamped
    def emerging(self, period: Union[str, int], *, against: str = "before",
                 min_docs: int = 5, min_dates: int = 3, min_log_ratio: float = 1.0,
                 include_faded: bool = False, limit: int = 50, show: str = "formulations",
                 rank: str = "held", lang: Strings = None, kind: Strings = None,
                 collection: Strings = None, date_from=None, date_to=None,
                 where: Where = None, where_not: Where = None) -> pd.DataFrame:
        """Formulations that took off in ``period`` (2015 or "2013..2015"), as
        `tifa emerging`: one row per candidate in rank order — term, class,
        reason, docs, occurrences, ref_docs, per_million, ref_per_million,
        score, held_score, log_ratio, new, held, take_off, first_date,
        first_id, first_title, first_sentence; the signals, kinds,
        collections and by_year as dict columns. ``df.attrs`` holds the
        period, reference, document counts and how many qualified."""
        answer = self._call("emerging", {
            "period": str(period), "against": against, "min_docs": min_docs,
            "min_dates": min_dates, "min_log_ratio": min_log_ratio,
            "include_faded": include_faded, "limit": limit, "show": show, "rank": rank,
            "filter": _filter(lang, kind, collection, date_from, date_to, where, where_not),
        })
        rows = []
        for c in answer["candidates"]:
            first = c.get("first") or {}
            signals = c.get("signals") or {}
            take_off = c.get("take_off")
            rows.append({
                "term": c["term"], "class": c.get("class"), "reason": signals.get("reason"),
                "docs": c["docs"], "occurrences": c["occurrences"], "ref_docs": c["ref_docs"],
                "per_million": c["per_million"], "ref_per_million": c["ref_per_million"],
                "score": c["score"], "held_score": c.get("held_score"),
                "log_ratio": c["log_ratio"], "new": c.get("new"), "held": c.get("held"),
                "take_off": take_off.get("year") if isinstance(take_off, dict) else take_off,
                "first_date": first.get("date"), "first_id": first.get("id"),
                "first_title": first.get("title"), "first_sentence": first.get("sentence"),
                "signals": signals, "kinds": c.get("kinds"),
                "collections": c.get("collections"), "by_year": c.get("by_year"),
            })
        frame = pd.DataFrame(rows, columns=[
            "term", "class", "reason", "docs", "occurrences", "ref_docs", "per_million",
            "ref_per_million", "score", "held_score", "log_ratio", "new", "held", "take_off",
            "first_date", "first_id", "first_title", "first_sentence", "signals", "kinds",
            "collections", "by_year"])
        frame = _typed(frame, ints=["docs", "occurrences", "ref_docs"],
                       floats=["per_million", "ref_per_million", "score", "held_score",
                               "log_ratio"],
                       strings=["term", "class", "reason", "first_date", "first_id",
                                "first_title", "first_sentence"])
        frame["take_off"] = frame["take_off"].astype("Int64")
        _dates(frame, "first_date", "first_date_start")
        frame.attrs.update({k: v for k, v in answer.items() if k != "candidates"})
        return frame

    @_stamped
    def collocates(self, term: str, *, window: int = 5, side: str = "both",
                   min_freq: int = 3, stop_words: bool = False, by: Optional[str] = None,
                   sort: str = "log-dice", limit: int = 20, families=None,
                   variants: bool = False, scan: bool = False, lang: Strings = None,
                   kind: Strings = None, collection: Strings = None, date_from=None,
                   date_to=None, where: Where = None, where_not: Where = None) -> pd.DataFrame:
        """Words around ``term`` as `tifa collocates`: one row per group (all,
        a year or a collection with ``by``) and collocate — group, rank, word,
        freq, corpus_freq, log_dice, log_likelihood; ``sort``: log-dice or ll."""
        answer = self._call("collocates", {
            "term": term, "window": window, "side": side, "min_freq": min_freq,
            "stop_words": stop_words, "by": by, "sort": sort, "limit": limit,
            "reading": {"families": None if families is None else os.fspath(families),
                        "variants": variants, "scan": scan},
            "filter": _filter(lang, kind, collection, date_from, date_to, where, where_not),
        })
        rows = []
        for g in answer["groups"]:
            for rank, c in enumerate(g["collocates"], 1):
                rows.append({"group": g["group"], "rank": rank, "word": c["word"],
                             "freq": c["freq"], "corpus_freq": c["corpus_freq"],
                             "log_dice": c["log_dice"], "log_likelihood": c["log_likelihood"]})
        frame = pd.DataFrame(rows, columns=["group", "rank", "word", "freq", "corpus_freq",
                                            "log_dice", "log_likelihood"])
        frame = _typed(frame, ints=["rank", "freq", "corpus_freq"],
                       floats=["log_dice", "log_likelihood"], strings=["group", "word"])
        frame.attrs.update({k: v for k, v in answer.items() if k != "groups"})
        frame.attrs["groups"] = [{k: v for k, v in g.items() if k != "collocates"}
                                 for g in answer["groups"]]
        return frame

    @_stamped
    def renderings(self, term: str, *, limit: int = 10, by: Optional[str] = None,
                   lang: Strings = None, kind: Strings = None, collection: Strings = None,
                   date_from=None, date_to=None, where: Where = None,
                   where_not: Where = None) -> pd.DataFrame:
        """How ``term`` is rendered in the other language, from aligned pairs
        (`tifa renderings`): one row per rendering — year (<NA> for the whole
        span; each year with ``by="year"``), rank, text, spellings, pairs,
        share, score, first, last, and an example pair."""
        answer = self._call("renderings", {
            "term": term, "limit": limit, "by": by,
            "filter": _filter(lang, kind, collection, date_from, date_to, where, where_not),
        })
        rows = []

        def add(year, renderings):
            for rank, r in enumerate(renderings, 1):
                example = r.get("example") or {}
                rows.append({"year": year, "rank": rank, "text": r["text"],
                             "spellings": r.get("spellings"), "pairs": r["pairs"],
                             "share": r["share"], "score": r["score"], "first": r.get("first"),
                             "last": r.get("last"), "example_id": example.get("id"),
                             "example_source": example.get("source"),
                             "example_target": example.get("target")})

        add(None, answer["renderings"])
        for year, group in sorted((answer.get("by_year") or {}).items()):
            add(int(year), group.get("renderings", []) if isinstance(group, dict) else group)
        frame = pd.DataFrame(rows, columns=["year", "rank", "text", "spellings", "pairs",
                                            "share", "score", "first", "last", "example_id",
                                            "example_source", "example_target"])
        frame["year"] = frame["year"].astype("Int64")
        frame = _typed(frame, ints=["rank", "pairs"], floats=["share", "score"],
                       strings=["text", "first", "last", "example_id", "example_source",
                                "example_target"])
        frame.attrs.update({k: v for k, v in answer.items() if k not in ("renderings", "by_year")})
        return frame

    # ---- the index ------------------------------------------------------

    def document(self, id: str) -> dict:
        """One document: {"id","lang","kind","date","title","text","meta"}."""
        return self._call("document", {"id": id})

    def fields(self, top: int = 10) -> pd.DataFrame:
        """The metadata fields (what ``where`` accepts): field, docs, distinct,
        top (the ``top`` most frequent [value, docs] pairs)."""
        frame = pd.DataFrame(self._call("fields", {"top": top}),
                             columns=["field", "docs", "distinct", "top"])
        return _typed(frame, ints=["docs", "distinct"], strings=["field"])

    def info(self) -> dict:
        """The index's manifest, as `tifa info` reads it (documents, dates,
        sources, corpus_hash, …)."""
        return self._call("info", {})


def open(path: Union[str, os.PathLike] = "index") -> Index:  # noqa: A001 (tifa.open, as the issue names it)
    """Opens the index at ``path`` (default: ``index`` in the working folder)."""
    return Index(path)


def _progress_bar(total: int):
    """A tqdm bar when tqdm is installed (notebook-aware), a line on stderr otherwise."""
    try:
        from tqdm.auto import tqdm  # type: ignore

        bar = tqdm(total=total, unit="B", unit_scale=True, desc="indexing")

        def update(done, _total):
            bar.update(done - bar.n)

        return update, bar.close
    except ImportError:
        last = [-1]

        def update(done, total_):
            percent = int(done * 100 / total_) if total_ else 100
            if percent != last[0]:
                last[0] = percent
                sys.stderr.write(f"\rindexing: {percent:3d} % of {total_ / 1e6:.1f} MB")
                sys.stderr.flush()

        def close():
            sys.stderr.write("\n")

        return update, close


def build(paths: Union[str, os.PathLike, Iterable[Union[str, os.PathLike]]],
          index: Union[str, os.PathLike] = "index", *, strict: bool = False,
          threads: Optional[int] = None, ocr: bool = False, follow_links: bool = False,
          allow_empty: bool = False, wait: bool = False, progress: bool = True) -> dict:
    """Builds (or rebuilds) the index at ``index`` from corpus files and
    folders, as `tifa index`: the new index replaces the old one only when it
    is complete. Returns {"manifest", "generation", "problems"}: problems are
    the records skipped, each "FILE:LINE: reason" (also given as Notes).
    ``progress``: a bar (tqdm's when installed) while it runs."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [os.fspath(p) for p in paths]
    request = {"strict": strict, "threads": threads, "ocr": ocr, "follow_links": follow_links,
               "allow_empty": allow_empty, "wait": wait}
    callback = None
    state: dict = {}
    if progress:

        def callback(done, total):
            if "update" not in state:
                state["update"], state["close"] = _progress_bar(total)
            state["update"](done, total)

    try:
        answer = json.loads(_tifa.build(paths, os.fspath(index), json.dumps(request), callback))
    finally:
        if "close" in state:
            state["close"]()
    problems = answer.get("problems") or []
    for p in problems[:20]:
        warnings.warn(p, Note, stacklevel=2)
    if len(problems) > 20:
        warnings.warn(f"… and {len(problems) - 20} more problems (see the returned 'problems')",
                      Note, stacklevel=2)
    return answer
