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
        # a one-chapter work was published when it was last updated (a listing's one date)
        "OR s.published IS NOT coalesce(substr(w.published, 1, 10), CASE WHEN w.chapters <= 1 "
        "THEN substr(coalesce(w.updated, w.completed), 1, 10) END) "
        "OR s.updated IS NOT substr(coalesce(w.updated, w.completed, w.published), 1, 10) "
        "OR s.title_key IS NOT lower(w.title)"
    ).fetchall()
    assert differing == []
    # (the listing pages date their works, the stories mostly do not: both kinds are here)
    assert library.db.execute(
        "SELECT count(*) FROM search_rows s JOIN works w ON w.id = s.id "
        "WHERE s.published IS NOT NULL AND w.published IS NULL"
    ).fetchone()[0]
    assert library.db.execute("SELECT count(*) FROM search_rows").fetchone()[0] == (
        library.work_count()
    )


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("work_fts", "title, authors, summary, tags, notes, body"),
        ("head_fts", "title, authors, summary, tags"),
    ],
)
def test_full_text_index_equals_one_built_from_the_view(
    library: SqliteLibrary, table: str, columns: str
) -> None:
    """Every term's document and instance counts, against a fresh index of ``work_text``."""
    db = library.db
    db.execute(f"DROP TABLE IF EXISTS temp.fresh_{table}")
    db.execute(
        f"CREATE VIRTUAL TABLE temp.fresh_{table} USING fts5({columns}, "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    db.execute(
        f"INSERT INTO temp.fresh_{table}(rowid, {columns}) SELECT work_id, {columns} FROM work_text"
    )
    db.execute(f"CREATE VIRTUAL TABLE temp.stored_{table} USING fts5vocab(main, {table}, 'row')")
    db.execute(
        f"CREATE VIRTUAL TABLE temp.fresh_{table}_terms USING fts5vocab(temp, fresh_{table}, 'row')"
    )
    stored = set(db.execute(f"SELECT term, doc, cnt FROM temp.stored_{table}").fetchall())
    fresh = set(db.execute(f"SELECT term, doc, cnt FROM temp.fresh_{table}_terms").fetchall())
    assert len(fresh) > 1000
    assert stored == fresh  # (stemmed as the fresh one is: "walked" is held as "walk")
