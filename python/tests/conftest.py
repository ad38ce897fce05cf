"""Fixtures: the CLI (built by cargo, the one the answers must equal), a small
corpus written here, and an index of the shared corpus built once per run."""

import json
import os
import pathlib
import subprocess

import pytest

import tifa

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


def _cli_path() -> pathlib.Path:
    explicit = os.environ.get("TIFA_BIN")
    if explicit:
        return pathlib.Path(explicit)
    for profile in ("debug", "release"):
        candidate = ROOT / "target" / profile / "tifa"
        if candidate.exists():
            return candidate
    pytest.exit("no tifa binary: run `cargo build` first or set TIFA_BIN", returncode=2)


class Cli:
    """`tifa --index DIR …` as the user runs it."""

    def __init__(self, index):
        self.binary = _cli_path()
        self.index = index

    def run(self, *args, check=True):
        return subprocess.run([str(self.binary), "--index", str(self.index), *args],
                              capture_output=True, text=True, check=check)

    def json(self, *args):
        return json.loads(self.run(*args, "--json").stdout)

    def json_lines(self, *args):
        return [json.loads(line) for line in self.run(*args, "--json").stdout.splitlines()]


def unstamped(answer):
    """An answer without its stamp (whose command differs by design)."""
    return {k: v for k, v in answer.items() if k != "stamp"}


FIXTURE = [
    {"id": "a1", "date": "2014-11-19", "lang": "zh", "kind": "speech",
     "title": "第一届世界互联网大会", "text": "尊重网络主权。网络空间命运共同体。网络主权！"},
    {"id": "a2", "date": "2015-12-16", "lang": "zh", "kind": "speech",
     "title": "第二届世界互联网大会开幕式讲话",
     "text": "推进全球互联网治理体系变革，应该坚持尊重网络主权。共同构建网络空间命运共同体。"},
    {"id": "a3", "date": "2015", "lang": "zh", "kind": "report", "title": "年度报告",
     "text": "网络空间命运共同体的理念。", "country": "CHN"},
    {"id": "b1", "date": "2016-03-01", "lang": "en", "kind": "speech",
     "title": "Cyber sovereignty", "text": "We respect cyber sovereignty and a community "
     "with a shared future in cyberspace.", "country": "USA"},
    {"id": "c1", "lang": "zh", "kind": "article", "title": "无日期", "text": "网络主权。"},
]


@pytest.fixture(scope="session")
def fixture_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    lines = [json.dumps(d, ensure_ascii=False) for d in FIXTURE]
    lines.insert(2, "{not json")  # a broken record: reported, skipped
    (folder / "fixture.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def fixture_build(fixture_corpus, tmp_path_factory):
    index = tmp_path_factory.mktemp("fixture-index")
    answer = tifa.build([fixture_corpus], index, progress=False)
    return index, answer


@pytest.fixture(scope="session")
def fixture_index(fixture_build):
    return tifa.open(fixture_build[0])


@pytest.fixture(scope="session")
def fixture_cli(fixture_build):
    return Cli(fixture_build[0])


@pytest.fixture(scope="session")
def shared_index_path(tmp_path_factory):
    """TIFA_PY_INDEX (an index of ../shared/corpus built by this checkout), or
    one built here from ../shared/corpus."""
    given = os.environ.get("TIFA_PY_INDEX")
    if given:
        return pathlib.Path(given)
    if not (SHARED / "corpus").is_dir():
        pytest.skip("../shared/corpus is missing")
    index = tmp_path_factory.mktemp("shared-index")
    tifa.build([SHARED / "corpus"], index, progress=False)
    return index


@pytest.fixture(scope="session")
def shared_index(shared_index_path):
    return tifa.open(shared_index_path)


@pytest.fixture(scope="session")
def shared_cli(shared_index_path):
    return Cli(shared_index_path)


@pytest.fixture(scope="session")
def dev_terms():
    text = (SHARED / "terms" / "dev-terms.txt").read_text(encoding="utf-8")
    return [t.strip() for t in text.splitlines() if t.strip() and not t.startswith("#")]
