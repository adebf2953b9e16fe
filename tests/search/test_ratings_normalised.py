"""Ratings in AO3's five names wherever the library indexes and counts them.

The test library's front matter rates its fics ``adult``, ``mature``, ``general`` and
``teen`` (as antennapedia does); filters and the Ratings facet speak AO3's names, while the
stored document keeps the author's spelling.
"""

from __future__ import annotations

from ficsift.library import Library, SqliteLibrary
from ficsift.library.index_rows import WORKS_COLUMNS, tag_rows, work_values
from ficsift.library.query import Query
from ficsift.model import Document, Source, TagOrigin, TagType
from ficsift.search import parse_query, search

from .conftest import titles

AO3_RATINGS = {"General Audiences", "Teen And Up Audiences", "Mature", "Explicit", "Not Rated"}


def test_the_ratings_facet_shows_only_ao3_names(fic_library: Library) -> None:
    facets = search(fic_library, Query(use_blacklist=False), facets=10).facets
    shown = dict(facets["rating"])
    assert set(shown) <= AO3_RATINGS, shown
    # adult → Explicit, mature → Mature, general x2 → General Audiences, teen → Teen...
    assert shown == {
        "Explicit": 1, "Mature": 1, "General Audiences": 2, "Teen And Up Audiences": 1
    }  # fmt: skip


def test_an_ao3_rating_filter_finds_the_sources_spellings(fic_library: Library) -> None:
    query = parse_query("rating:Explicit|Mature")
    query.semantic = False
    assert titles(search(fic_library, query, limit=50)) == {"The Cellar Door", "Bleached"}


def test_the_stored_document_keeps_the_authors_spelling(fic_library: Library) -> None:
    ids = [h.id for h in search(fic_library, parse_query("rating:Explicit"), limit=5).hits]
    stored = fic_library.get(ids[0])
    assert stored is not None
    ratings = stored.document.tags_of(TagType.RATING, TagOrigin.AUTHOR)
    assert [t.name for t in ratings] == ["adult"]
    # the blurb (from the index) speaks AO3's name
    assert fic_library.blurbs(ids)[ids[0]].rating == "Explicit"


def test_library_counts_and_rows_speak_ao3_names(fic_library: Library) -> None:
    assert dict(fic_library.stats().by_rating) == {
        "Explicit": 1, "Mature": 1, "General Audiences": 2, "Teen And Up Audiences": 1
    }  # fmt: skip
    assert {r.rating for r in fic_library.rows(limit=10)} <= AO3_RATINGS


def test_an_older_library_is_normalised_on_open(fresh_library: SqliteLibrary) -> None:
    # as a library from before: the source's spelling in the works rows, an older schema
    fresh_library.db.execute("UPDATE works SET rating = 'adult' WHERE rating = 'Explicit'")
    fresh_library.db.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    assert ("adult", 1) in fresh_library.stats().by_rating
    reopened = SqliteLibrary(fresh_library.directory)  # (the fixture closes the first)
    try:
        assert {name for name, _ in reopened.stats().by_rating} <= AO3_RATINGS
    finally:
        reopened.close()


def test_a_rating_the_understanding_stage_did_not_name_is_indexed_by_ao3s_name() -> None:
    # a document stored without canonical names (read, never understood): the source's word
    doc = Document(source=Source(path="raw.md", format="markdown"), title="Raw")
    for raw in ("adult", "Something Else"):
        doc.add_tag(raw, TagType.RATING)
    shown = {(row[0], row[1], row[2]) for row in tag_rows(doc)}
    assert ("rating", "explicit", "Explicit") in shown
    assert ("rating", "something else", "Something Else") in shown  # unknown: as written
    values = work_values(doc)
    assert values.works[WORKS_COLUMNS.index("rating")] == "Explicit"
    assert values.facts[3] == "Explicit"
    assert [t.name for t in doc.tags_of(TagType.RATING)] == ["adult", "Something Else"]
