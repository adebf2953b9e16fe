"""``wip:abandoned`` / ``wip:active`` and ``series:"Name"`` on a generated library, answered
by SQL and by the in-memory columns alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from ficsift.importer import import_paths
from ficsift.library import SqliteLibrary
from ficsift.library.tag_keys import TagResolver
from ficsift.search import parse_query, query_to_text

RESOLVER = TagResolver(None)
TODAY = date.today()


def _story(folder: Path, name: str, **fields: str) -> None:
    head = "".join(f"{k}: {v}\n" for k, v in fields.items())
    (folder / f"{name}.md").write_text(
        f"---\ntitle: {name}\nauthor: someone\n{head}---\nThe Bronze was quiet that night.\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteLibrary]:
    root = tmp_path_factory.mktemp("wip")
    stories = root / "stories"
    stories.mkdir()
    long_ago = (TODAY - timedelta(days=3 * 365)).isoformat()
    recent = (TODAY - timedelta(days=10)).isoformat()
    for n in range(3):  # silent for three years: abandoned
        _story(stories, f"stalled{n}", status="in-progress", published=long_ago, updated=long_ago)
    for n in range(2):  # updated ten days ago: active
        _story(stories, f"fresh{n}", status="in-progress", published=recent, updated=recent)
    _story(stories, "undated", status="in-progress")  # nothing dates it: active
    _story(stories, "finished", status="complete", published=long_ago, updated=long_ago)
    # a series, in two spellings of its name's case, and one other series
    _story(stories, "part one", status="complete", series="Hellmouth [Nights]?")
    _story(stories, "part two", status="complete", series="hellmouth [nights]?")
    _story(stories, "other", status="complete", series="Sunnydale Days")
    lib = SqliteLibrary(root / "lib")
    report = import_paths(lib, [stories], workers=0)
    assert not report.failures, report.failures
    yield lib
    lib.close()


def _titles(lib: SqliteLibrary, line: str, in_memory: bool) -> set[str]:
    if in_memory:
        lib.load_search_caches()
    else:
        lib._work_columns = None  # the SQL path
    found = lib.find(parse_query(line, is_tag=lambda _: False), RESOLVER, limit=50)
    assert found.total == len(found.page)
    return {lib.get(i).document.title or "" for i, _ in found.page}  # type: ignore[union-attr]


@pytest.mark.parametrize("in_memory", [False, True])
def test_wip_abandoned_and_active(library: SqliteLibrary, in_memory: bool) -> None:
    abandoned = _titles(library, "wip:abandoned", in_memory)
    active = _titles(library, "wip:active", in_memory)
    assert abandoned == {"stalled0", "stalled1", "stalled2"}
    assert active == {"fresh0", "fresh1", "undated"}
    assert _titles(library, "wip:yes", in_memory) == abandoned | active
    assert "finished" in _titles(library, "wip:no", in_memory)


@pytest.mark.parametrize("in_memory", [False, True])
def test_series_by_name(library: SqliteLibrary, in_memory: bool) -> None:
    assert _titles(library, 'series:"HELLMOUTH [NIGHTS]?"', in_memory) == {"part one", "part two"}
    # ``*`` is the only wildcard: the name's own [ ] and ? are letters
    assert _titles(library, 'series:"hellmouth [n*"', in_memory) == {"part one", "part two"}
    assert _titles(library, 'series:"hellmouth ?nights]?"', in_memory) == set()
    assert _titles(library, 'series:"Sunnydale Days"|Nowhere', in_memory) == {"other"}
    assert _titles(library, "series:Sunnydale", in_memory) == set()  # exact, not a prefix


def test_the_filters_write_back() -> None:
    for line in ("wip:abandoned", "wip:active", 'series:"Hellmouth Nights"'):
        assert query_to_text(parse_query(line)) == line


def test_the_web_shows_abandoned_and_links_the_series(library: SqliteLibrary) -> None:
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    from tests.web.conftest import make_app, make_client

    directory = library.directory
    with make_client(make_app(directory)) as client:
        found = client.get("/search", params={"q": "wip:yes sort:title"})
        assert found.status_code == 200
        blurbs = HTMLParser(found.text).css("li.blurb")
        flagged = {
            b.css_first("h3 a").text(): b.css_first("span.abandoned") is not None for b in blurbs
        }
        assert flagged == {
            "fresh0": False, "fresh1": False, "undated": False,
            "stalled0": True, "stalled1": True, "stalled2": True,
        }  # fmt: skip
        (part,) = library.db.execute("SELECT id FROM works WHERE title = 'part one'").fetchone()
        work = HTMLParser(client.get(f"/works/{part}").text)
        link = work.css_first("a.series")
        assert link.text() == "Hellmouth [Nights]?"
        series = HTMLParser(client.get(link.attributes["href"] or "").text)
        assert sorted(a.text() for a in series.css("li.blurb h3 a")) == ["part one", "part two"]


def test_a_series_lists_its_works_by_part(library: SqliteLibrary) -> None:
    query = parse_query('series:"hellmouth [nights]?"')
    unnumbered = [i for i, _ in library.find(query, RESOLVER, limit=10).page]
    assert len(unnumbered) == 2
    # number the parts against the order the works come in without parts
    for part, work_id in enumerate(reversed(unnumbered), start=1):
        library.db.execute("UPDATE work_series SET part = ? WHERE work_id = ?", (part, work_id))
    by_part = [i for i, _ in library.find(query, RESOLVER, limit=10).page]
    assert by_part == unnumbered[::-1]
    query.sort = parse_query("sort:title").sort  # another order asked for: that order
    titles = [library.get(i).document.title for i, _ in library.find(query, RESOLVER).page]  # type: ignore[union-attr]
    assert titles == ["part one", "part two"]
