"""The search index written from each document must equal what the stored works say.

New works get their search row and full-text entry straight from the document (no read-back
of what was just written); merged works read the ``work_text`` view.  Either way the index must
hold exactly the stored values: a mismatch would make filters disagree with the page, and an
external-content FTS5 entry that differs from the view cannot be deleted cleanly later.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ficsift.importer import import_paths
from ficsift.library import SqliteLibrary


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Iterator[SqliteLibrary]:
    lib = SqliteLibrary(tmp_path_factory.mktemp("rows"))
    paths = [
        *sorted((corpus / "antennapedia" / "btvs").glob("*"))[:12],
        *sorted((corpus / "ao3-html").glob("*.html"))[:2],
        *sorted((corpus / "ao3-listings-ds9").rglob("*.htm*"))[:2],
    ]
    report = import_paths(lib, paths, workers=0)
    assert not report.failures
    assert lib.work_count() > 40
    yield lib
    lib.close()


def test_search_rows_hold_the_works_values(library: SqliteLibrary) -> None:
    differing = library.db.execute(
        "SELECT w.id FROM works w JOIN search_rows s ON s.id = w.id WHERE "
        "s.status IS NOT w.status OR s.words IS NOT w.words OR s.chapters IS NOT w.chapters "
        "OR s.kudos IS NOT w.kudos OR s.hits IS NOT w.hits OR s.bookmarks IS NOT w.bookmarks "
        "OR s.comments IS NOT w.comments OR s.has_text IS NOT w.has_text "
        "OR s.published IS NOT substr(w.published, 1, 10) "
        "OR s.updated IS NOT substr(coalesce(w.updated, w.completed, w.published), 1, 10) "
        "OR s.title_key IS NOT lower(w.title)"
    ).fetchall()
    assert differing == []
    assert library.db.execute("SELECT count(*) FROM search_rows").fetchone()[0] == (
        library.work_count()
    )


def test_full_text_index_equals_one_built_from_the_view(library: SqliteLibrary) -> None:
    """Every term's document and instance counts, against a fresh index of ``work_text``."""
    db = library.db
    db.execute(
        "CREATE VIRTUAL TABLE temp.fresh_fts USING fts5(title, summary, notes, authors, body, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute(
        "INSERT INTO temp.fresh_fts(rowid, title, summary, notes, authors, body) "
        "SELECT work_id, title, summary, notes, authors, body FROM work_text"
    )
    db.execute("CREATE VIRTUAL TABLE temp.stored_terms USING fts5vocab(main, work_fts, 'row')")
    db.execute("CREATE VIRTUAL TABLE temp.fresh_terms USING fts5vocab(temp, fresh_fts, 'row')")
    stored = set(db.execute("SELECT term, doc, cnt FROM temp.stored_terms").fetchall())
    fresh = set(db.execute("SELECT term, doc, cnt FROM temp.fresh_terms").fetchall())
    assert len(fresh) > 1000
    assert stored == fresh
