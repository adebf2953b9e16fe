"""SQLite's full text: a work's FTS5 entries, kept in step with the work.

Called by the store (:mod:`ficsift.library.sql.store_core`) inside the transaction that writes
the work, so the index can never disagree with what is stored.  Full text is an
external-content FTS5 table over the ``work_text`` view: removing a work's old entry needs
the exact old values, which the view still gives *before* the work's chapters change —
hence :func:`unindex_text` first, then the writes, then :func:`index_text`.
"""

from __future__ import annotations

import sqlite3

from ficsift.library.index_rows import FTS_COLUMNS, HEAD_COLUMNS, WorkValues
from ficsift.library.sql.term_postings import Postings

_FTS_LIST = ", ".join(FTS_COLUMNS)
_HEAD_LIST = ", ".join(HEAD_COLUMNS)


def unindex_text(db: sqlite3.Connection, work_id: int, postings: Postings) -> None:
    """Remove a work's full-text entries (while the view still shows its old text); a work
    is indexed while it has a work_facts row, which the store deletes next."""
    if db.execute("SELECT 1 FROM work_facts WHERE work_id = ?", (work_id,)).fetchone():
        postings.mark_dirty(work_id)
        db.execute(
            f"INSERT INTO work_fts(work_fts, rowid, {_FTS_LIST}) "
            f"SELECT 'delete', work_id, {_FTS_LIST} FROM work_text WHERE work_id = ?",
            (work_id,),
        )
        db.execute(
            f"INSERT INTO head_fts(head_fts, rowid, {_HEAD_LIST}) "
            f"SELECT 'delete', work_id, {_HEAD_LIST} FROM work_text WHERE work_id = ?",
            (work_id,),
        )


def index_text(
    db: sqlite3.Connection, work_id: int, values: WorkValues, new_body: str | None,
    postings: Postings,
) -> None:  # fmt: skip
    """Write a work's full-text entries (its facts row is written: the view reads it).

    ``new_body`` is given for a work just created from one source: what the work_text view
    would give, from the document rather than read back (for a novel, megabytes).
    External-content FTS must be given exactly the view's values, so merged works still
    read the view.  The term postings learn of the work at the next refresh.
    """
    postings.mark_dirty(work_id)
    if new_body is not None:
        db.execute(
            f"INSERT INTO work_fts(rowid, {_FTS_LIST}) VALUES (?,?,?,?,?,?,?)",
            (work_id, *values.fts, new_body),
        )
        db.execute(
            f"INSERT INTO head_fts(rowid, {_HEAD_LIST}) VALUES (?,?,?,?,?)",
            (work_id, *values.fts[:4]),
        )
        return
    db.execute(
        f"INSERT INTO work_fts(rowid, {_FTS_LIST}) "
        f"SELECT work_id, {_FTS_LIST} FROM work_text WHERE work_id = ?",
        (work_id,),
    )
    db.execute(
        f"INSERT INTO head_fts(rowid, {_HEAD_LIST}) "
        f"SELECT work_id, {_HEAD_LIST} FROM work_text WHERE work_id = ?",
        (work_id,),
    )
