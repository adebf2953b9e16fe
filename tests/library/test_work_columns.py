"""Filter-only queries answered in memory must give exactly what SQLite gives.

The library holds real works: the Buffy stories of ``antennapedia`` (text, typed author tags
and ficsift's inferred tags) and a few DS9 listing pages (AO3 metadata: kudos, ratings,
warnings, dates).  Random queries over their real tags are answered twice — by the SQL the
compiler writes and by :class:`~ficsift.library.work_columns.WorkColumns` — and must agree
on the total, the page in order, and the facet counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ficsift.importer import import_paths
from ficsift.library import SqliteLibrary
from ficsift.library.query import (
    Query,
    Range,
    Sort,
    TagFilter,
    TagGroup,
)
from ficsift.library.tag_keys import TagResolver
from ficsift.library.views import Found
from ficsift.model import TagType
from ficsift.search import refresh
from tests.library.query_strategies import queries

RESOLVER = TagResolver()


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Iterator[SqliteLibrary]:
    lib = SqliteLibrary(tmp_path_factory.mktemp("columns"))
    pages = sorted((corpus / "ao3-listings-ds9").rglob("*.htm*"))[:6]
    report = import_paths(lib, [corpus / "antennapedia" / "btvs", *pages], workers=0)
    assert not report.failures
    refresh(lib)
    yield lib
    lib.close()


@pytest.fixture(scope="module")
def vocabulary(library: SqliteLibrary) -> dict[str, list[str]]:
    """The library's own tags by type, commonest first (real AO3 and author spellings)."""
    out: dict[str, list[str]] = {}
    for kind, display in library.db.execute(
        "SELECT type, max(display) FROM tag_index WHERE inherited = 0 GROUP BY type, key "
        "ORDER BY count(*) DESC"
    ):
        out.setdefault(kind, []).append(display)
    return out


def answer(lib: SqliteLibrary, query: Query, offset: int, in_memory: bool) -> Found:
    if in_memory:
        lib.load_search_caches()
    else:
        lib._work_columns = None  # the SQL path
    return lib.find(query, RESOLVER, offset=offset, limit=7, facets=5)


def test_real_queries_agree(library: SqliteLibrary, vocabulary: dict[str, list[str]]) -> None:
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(queries(vocabulary), st.integers(0, 12))
    def check(query: Query, offset: int) -> None:
        by_sql = answer(library, query, offset, in_memory=False)
        in_memory = answer(library, query, offset, in_memory=True)
        assert in_memory.total == by_sql.total
        assert [i for i, _ in in_memory.page] == [i for i, _ in by_sql.page]
        assert [s for _, s in in_memory.page] == pytest.approx([s for _, s in by_sql.page])
        assert in_memory.facets == by_sql.facets

    check()


def test_broad_queries_find_something(library: SqliteLibrary) -> None:
    """The agreement above is not two empty answers: real filters match real works."""
    library.load_search_caches()
    everything = library.find(Query(), RESOLVER, limit=5)
    buffy = library.find(
        Query(include=[TagGroup((TagFilter("Buffy the Vampire Slayer", TagType.FANDOM),))]),
        RESOLVER,
    )
    assert everything.total > 150
    assert 50 <= buffy.total < everything.total


def test_a_stale_cache_is_not_used(library: SqliteLibrary, tmp_path: Path) -> None:
    library.load_search_caches()
    before = library.find(Query(), RESOLVER).total
    extra = tmp_path / "extra.md"
    extra.write_text("---\ntitle: Extra\nauthor: me\n---\nA new story about the Bronze.\n")
    import_paths(library, [extra], workers=0)
    assert library.find(Query(), RESOLVER).total == before + 1


def test_an_empty_library_answers_from_memory(tmp_path: Path) -> None:
    lib = SqliteLibrary(tmp_path)
    lib.load_search_caches()
    found = lib.find(
        Query(include=[TagGroup((TagFilter("Vampires"),))], sort=Sort.TITLE),
        RESOLVER,
        facets=5,
    )
    assert (found.total, found.page, found.facets) == (0, [], {})
    lib.close()


@pytest.mark.parametrize("in_memory", [False, True])
def test_bounds_past_sqlite_integers_mean_what_they_say(
    library: SqliteLibrary, in_memory: bool
) -> None:
    """A Query built by any front end with a bound SQLite cannot bind (it raised
    OverflowError) is clamped where conditions are made: everything is under 10^30 words,
    nothing over it."""
    everything = answer(library, Query(), 0, in_memory).total
    huge = 10**30
    assert answer(library, Query(words=Range(None, huge)), 0, in_memory).total == everything
    assert answer(library, Query(kudos=Range(huge, None)), 0, in_memory).total == 0
    assert answer(library, Query(max_relationships=huge), 0, in_memory).total == everything
    assert answer(library, Query(words=Range(-huge, huge)), 0, in_memory).total == everything


def test_a_list_of_work_ids_finds_those_works_in_memory_as_in_sql(library: SqliteLibrary) -> None:
    """The ids a hybrid search hands on (its candidates) are looked up by row in memory; a
    value no work can have (negative, past 2**63) finds nothing, never an error."""
    ids = [i for i, _ in answer(library, Query(), 0, in_memory=False).page][:4]
    odd = [-1, 2**63 + 5, 10**40]
    for wanted in (ids, [*ids, *odd], odd):
        query = Query(work_ids=wanted)
        by_sql = answer(library, query, 0, in_memory=False)
        in_memory = answer(library, query, 0, in_memory=True)
        assert in_memory.total == by_sql.total == len(set(wanted) & set(ids))
        assert sorted(i for i, _ in in_memory.page) == sorted(i for i, _ in by_sql.page)
