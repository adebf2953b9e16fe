"""The backends give the same answers, and both give what the conditions mean.

One set of real files (the Buffy stories of ``antennapedia``: text, typed author tags and
ficsift's inferred tags; a few DS9 listing pages: AO3 metadata, kudos, ratings, warnings,
dates) is imported into a SQLite library and into a PostgreSQL one.  Random queries over
their real tags are answered by both, and must agree on the total, the page in order (works
named by their key: ids are each backend's own), the scores and the facet counts.  The same
queries' conditions are also evaluated in Python, one work at a time
(:func:`~ficsift.library.conditions.matches`), and must find exactly the works SQL finds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ficsift.importer import import_paths
from ficsift.library import Library, SqliteLibrary
from ficsift.library.conditions import WorkFacts, matches
from ficsift.library.query import Query, TagFilter, TagGroup
from ficsift.library.tag_keys import TagResolver
from ficsift.library.views import Found
from ficsift.model import TagType
from ficsift.search import refresh, search
from ficsift.search.parse import parse_query
from tests.library.conftest import NO_POSTGRES, POSTGRES_URL, drop_schema
from tests.library.query_strategies import queries

RESOLVER = TagResolver()
EVERYTHING = 100_000  # a page size past the library's size: the whole answer


def _sources(corpus: Path) -> list[Path]:
    pages = sorted((corpus / "ao3-listings-ds9").rglob("*.htm*"))[:6]
    return [corpus / "antennapedia" / "btvs", *pages]


def _filled(lib: Library, corpus: Path) -> Library:
    report = import_paths(lib, _sources(corpus), workers=0)
    assert not report.failures
    refresh(lib)
    return lib


@pytest.fixture(scope="module")
def sqlite_lib(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Iterator[SqliteLibrary]:
    lib = SqliteLibrary(tmp_path_factory.mktemp("agree"))
    _filled(lib, corpus)
    lib._work_columns = None  # these tests hold SQL to account, not the in-memory columns
    yield lib
    lib.close()


@pytest.fixture(scope="module")
def postgres_lib(corpus: Path) -> Iterator[Library]:
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    from ficsift.library.postgresql import PostgresLibrary

    schema = "t_agree_" + str(abs(hash(str(corpus))) % 10**8)
    drop_schema(schema)
    lib = PostgresLibrary(POSTGRES_URL, schema=schema)
    try:
        _filled(lib, corpus)
        yield lib
    finally:
        lib.close()
        drop_schema(schema)


def _keys(lib: Library) -> dict[int, str]:
    """Each work's id → what names it in every backend (its archive key, or for a plain text
    its title, authors and length: ids are each backend's own)."""
    rows = lib.db.execute("SELECT id, work_key, title, authors, words FROM works").fetchall()
    keys = {int(r[0]): str(r[1] or f"{r[2]} | {r[3]} | {r[4]}") for r in rows}
    assert len(set(keys.values())) == len(keys)  # a name names one work
    return keys


@pytest.fixture(scope="module")
def vocabulary(sqlite_lib: SqliteLibrary) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for kind, display in sqlite_lib.db.execute(
        "SELECT type, max(display) FROM tag_index WHERE inherited = 0 GROUP BY type, key "
        "ORDER BY count(*) DESC, max(display)"
    ):
        out.setdefault(kind, []).append(display)
    return out


def _named(found: Found, keys: dict[int, str]) -> list[str]:
    return [keys[i] for i, _ in found.page]


def test_both_backends_hold_the_same_works(
    sqlite_lib: SqliteLibrary, postgres_lib: Library
) -> None:
    assert sorted(_keys(sqlite_lib).values()) == sorted(_keys(postgres_lib).values())
    assert sqlite_lib.work_count() > 150  # real works, not two empty libraries


def test_random_queries_on_real_tags_agree_across_backends(
    sqlite_lib: SqliteLibrary, postgres_lib: Library, vocabulary: dict[str, list[str]]
) -> None:
    sqlite_keys, postgres_keys = _keys(sqlite_lib), _keys(postgres_lib)
    nonempty = 0

    @settings(
        max_examples=120, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(queries(vocabulary), st.integers(0, 12))
    def check(query: Query, offset: int) -> None:
        nonlocal nonempty
        lite = sqlite_lib.find(query, RESOLVER, offset=offset, limit=7, facets=5)
        pg = postgres_lib.find(query, RESOLVER, offset=offset, limit=7, facets=5)
        assert pg.total == lite.total
        assert _named(pg, postgres_keys) == _named(lite, sqlite_keys)
        assert [s for _, s in pg.page] == pytest.approx([s for _, s in lite.page], rel=1e-6)
        assert pg.facets == lite.facets
        nonempty += lite.total > 0

    check()
    assert nonempty > 10  # the agreement is mostly over real answers, not empty ones


def _facts(lib: SqliteLibrary) -> dict[int, WorkFacts]:
    """Every work as :func:`matches` reads it, straight from the stored rows."""
    db = lib.db
    tags: dict[int, list[tuple[str, str, str, bool, bool, bool, float | None]]] = {}
    for wid, kind, key, origin, effective, main, hides, confidence in db.execute(
        "SELECT work_id, type, key, origin, effective, main, hides, confidence FROM tag_index"
    ):
        row = (kind, key, origin, bool(effective), bool(main), bool(hides), confidence)
        tags.setdefault(int(wid), []).append(row)
    series: dict[int, list[str]] = {}
    for wid, key in db.execute("SELECT work_id, key FROM work_series"):
        series.setdefault(int(wid), []).append(key)
    reading = {int(w): s for w, s in db.execute("SELECT work_id, status FROM reading")}
    authors = {
        int(w): [a.lower() for a in json.loads(a_json)]
        for w, a_json in db.execute("SELECT id, authors FROM works")
    }
    cursor = db.execute("SELECT * FROM search_rows")
    names = [c[0] for c in cursor.description]
    out: dict[int, WorkFacts] = {}
    for values in cursor:
        row: dict[str, Any] = dict(zip(names, values, strict=True))
        wid = int(row["id"])
        out[wid] = WorkFacts(
            row=row, tags=tags.get(wid, []), series=series.get(wid, []),
            reading=reading.get(wid), authors=authors.get(wid, []),
            text_holds=lambda term: False,  # these queries have no words
        )  # fmt: skip
    return out


def test_sql_finds_exactly_what_the_conditions_mean(
    sqlite_lib: SqliteLibrary, vocabulary: dict[str, list[str]]
) -> None:
    facts = _facts(sqlite_lib)
    compiler = sqlite_lib.compiler(RESOLVER)
    sizes: list[int] = []

    @settings(
        max_examples=120, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(queries(vocabulary))
    def check(query: Query) -> None:
        compiled = compiler.compile(query)
        meant = {w for w, f in facts.items() if all(matches(c, f) for c in compiled.conditions)}
        found = sqlite_lib.find(query, RESOLVER, limit=EVERYTHING)
        assert {i for i, _ in found.page} == meant
        assert found.total == len(meant)
        sizes.append(len(meant))

    check()
    assert sum(1 for n in sizes if 0 < n < len(facts)) > 10  # real, partial answers


def test_the_same_search_from_the_top_gives_the_same_works(
    sqlite_lib: SqliteLibrary, postgres_lib: Library
) -> None:
    """What the CLI and the web app run (the search engine over a parsed query line) names
    the same works in the same order on both backends, for filter-only lines."""
    sqlite_keys, postgres_keys = _keys(sqlite_lib), _keys(postgres_lib)
    lines = [
        'fandom:"Buffy the Vampire Slayer" sort:words',
        'ship:"Odo/Kira" sort:kudos',
        "rating:teen,general words>2000 sort:quality",
        '-"Major Character Death" complete:yes sort:updated',
        "crossover:no kudos>=100 sort:kudos",
    ]
    answered = 0
    for line in lines:
        query = parse_query(line, is_tag=lambda phrase: True)
        lite = search(sqlite_lib, query, limit=15, facets=5)
        pg = search(postgres_lib, query, limit=15, facets=5)
        assert [postgres_keys[h.id] for h in pg.hits] == [sqlite_keys[h.id] for h in lite.hits]
        assert pg.total == lite.total, line
        assert pg.facets == lite.facets, line
        answered += lite.total > 0
    assert answered >= 4


def test_word_searches_find_the_same_best_work(
    sqlite_lib: SqliteLibrary, postgres_lib: Library
) -> None:
    """Stemmers differ (FTS5's Porter, PostgreSQL's english), so whole answers to words may
    differ at the margin; a title typed plainly must come first on both."""
    sqlite_keys, postgres_keys = _keys(sqlite_lib), _keys(postgres_lib)
    titled = [
        (int(i), str(t))
        for i, t in sqlite_lib.db.execute(
            "SELECT id, title FROM works WHERE has_text = 1 AND length(title) > 12 "
            "ORDER BY id LIMIT 12"
        )
    ]
    assert len(titled) >= 8
    for wid, title in titled:
        query = Query(text=title, semantic=False)
        lite = sqlite_lib.find(query, RESOLVER, limit=3)
        pg = postgres_lib.find(query, RESOLVER, limit=3)
        assert lite.page and pg.page, title
        assert sqlite_keys[lite.page[0][0]] == sqlite_keys[wid], title
        assert postgres_keys[pg.page[0][0]] == sqlite_keys[wid], title


def test_a_fandom_filter_is_not_an_empty_agreement(
    sqlite_lib: SqliteLibrary, postgres_lib: Library
) -> None:
    buffy = Query(include=[TagGroup((TagFilter("Buffy the Vampire Slayer", TagType.FANDOM),))])
    lite = sqlite_lib.find(buffy, RESOLVER)
    pg = postgres_lib.find(buffy, RESOLVER)
    assert 50 <= lite.total == pg.total < sqlite_lib.work_count()


def test_word_searches_score_alike_once_both_backends_hold_the_term_postings(
    sqlite_lib: SqliteLibrary, postgres_lib: Library
) -> None:
    """A server (its caches loaded) scores words from the term postings on both backends:
    the same works match and each scores the same, down to the last match."""
    sqlite_keys, postgres_keys = _keys(sqlite_lib), _keys(postgres_lib)
    words = [
        w
        for (title,) in sqlite_lib.db.execute(
            "SELECT title FROM works WHERE has_text = 1 ORDER BY id LIMIT 40"
        )
        for w in str(title).lower().split()
        if w.isalpha() and len(w) > 4
    ]
    texts = [*dict.fromkeys(words)][:10]
    texts += [f"{a} {b}" for a, b in pairwise(texts)][:4]
    texts += [f"{texts[0]} -{texts[1]}", "vampire", "willow tara", "station"]
    assert len(texts) >= 12
    kept = [(lib, lib._work_columns) for lib in (sqlite_lib, postgres_lib)]  # type: ignore[attr-defined]
    try:
        for lib, _ in kept:
            lib.load_search_caches()
            assert lib._current_term_scorer() is not None  # type: ignore[attr-defined]
        answered = 0
        for text in texts:
            query = Query(text=text, semantic=False)
            lite = sqlite_lib.find(query, RESOLVER, limit=EVERYTHING)
            pg = postgres_lib.find(query, RESOLVER, limit=EVERYTHING)
            assert pg.total == lite.total, text
            assert {(postgres_keys[i], round(s, 6)) for i, s in pg.page} == {
                (sqlite_keys[i], round(s, 6)) for i, s in lite.page
            }, text
            answered += lite.total > 0
        assert answered >= 10
    finally:
        for lib, columns in kept:
            lib._work_columns = columns  # type: ignore[attr-defined]
