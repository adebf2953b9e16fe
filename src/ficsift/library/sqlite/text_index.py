"""Keeping a work's search rows in step with the work in SQLite: tag keys, facts, full text.

Called by the SQLite library inside the transaction that writes the work, so the index can
never disagree with what is stored.  Full text is an external-content FTS5 table over the
``work_text`` view: removing a work's old entry needs the exact old values, which the view
still gives *before* the work's chapters change — hence :func:`unindex_work` first, then the
writes, then :func:`index_work`.
"""

from __future__ import annotations

import sqlite3

from ficsift.library.index_rows import FTS_COLUMNS, HEAD_COLUMNS, SEARCH_COLUMNS, WorkValues

_FTS_LIST = ", ".join(FTS_COLUMNS)
_HEAD_LIST = ", ".join(HEAD_COLUMNS)


def unindex_work(db: sqlite3.Connection, work_id: int) -> None:
    """Remove a work's full-text entries (while the view still shows its old text)."""
    if db.execute("SELECT 1 FROM work_facts WHERE work_id = ?", (work_id,)).fetchone():
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
        db.execute("DELETE FROM work_facts WHERE work_id = ?", (work_id,))


_SEARCH_INSERT = (
    f"INTO search_rows(id, {', '.join(SEARCH_COLUMNS)}) "
    f"VALUES ({', '.join('?' * (len(SEARCH_COLUMNS) + 1))})"
)


def index_work(
    db: sqlite3.Connection,
    work_id: int,
    values: WorkValues,
    *,
    new_body: str | None = None,
    keep_derived: bool = False,
    known_names: set[tuple[str, str]] | None = None,
) -> None:
    """(Re)write a work's tag keys, facts and full text; drop its derived scores and vectors.

    The caller must have called :func:`unindex_work` before changing a stored work.
    ``new_body`` is given for a work just created from one source: its story text, written
    as is rather than read back through the view (and nothing of the work is indexed yet:
    fewer statements).
    ``known_names`` are the (type, key) pairs already in ``tag_names`` (the caller's cache;
    added to here).
    """
    new = new_body is not None
    if not new:
        if db.execute("SELECT 1 FROM work_facts WHERE work_id = ?", (work_id,)).fetchone():
            raise RuntimeError(f"work {work_id} changed before its full-text entry was removed")
        db.execute("DELETE FROM tag_index WHERE work_id = ?", (work_id,))
        db.execute("DELETE FROM work_series WHERE work_id = ?", (work_id,))
    db.executemany(
        "INSERT INTO work_series(work_id, key, name, part) VALUES (?,?,?,?)",
        [(work_id, *s) for s in values.series],
    )
    rows = values.tag_rows
    db.executemany(
        "INSERT INTO tag_index(work_id, type, key, display, origin, main, effective, confidence, "
        "inherited) VALUES (?,?,?,?,?,?,?,?,?)",
        [(work_id, *row) for row in rows],
    )
    db.execute(
        "INSERT INTO work_facts(work_id, language, fandoms, relationships, rating, notes, tags) "
        "VALUES (?,?,?,?,?,?,?)",
        (work_id, *values.facts),
    )
    names = [(r[0], r[1], r[2]) for r in rows if not r[7]]
    if known_names is not None:
        names = [n for n in names if (n[0], n[1]) not in known_names]
        known_names.update((n[0], n[1]) for n in names)
    db.executemany("INSERT OR IGNORE INTO tag_names(type, key, display) VALUES (?,?,?)", names)
    # A new work has no row yet: a plain INSERT.  OR REPLACE cost 8x as much per row (2 s of
    # the shared corpus's 7 s of storing), so only a re-indexed work pays it.
    verb = "INSERT" if new else "INSERT OR REPLACE"
    db.execute(f"{verb} {_SEARCH_INSERT}", (work_id, *values.search))
    if new_body is not None:
        # What the work_text view would give for a work with one source, from the document
        # rather than read back (for a novel, megabytes): external-content FTS must be given
        # exactly the view's values, so merged works still read the view.
        db.execute(
            f"INSERT INTO work_fts(rowid, {_FTS_LIST}) VALUES (?,?,?,?,?,?,?)",
            (work_id, *values.fts, new_body),
        )
        db.execute(
            f"INSERT INTO head_fts(rowid, {_HEAD_LIST}) VALUES (?,?,?,?,?)",
            (work_id, *values.fts[:4]),
        )
    else:
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
        # The library saw the work grow (a WIP's new chapters): that is an update too.
        db.execute(
            "UPDATE search_rows SET updated = (SELECT max(coalesce(search_rows.updated, ''), "
            "substr(max(u.at), 1, 10)) FROM work_updates u WHERE u.work_id = search_rows.id) "
            "WHERE id = ? AND EXISTS (SELECT 1 FROM work_updates WHERE work_id = ?)",
            (work_id, work_id),
        )
    if keep_derived:  # re-indexing an unchanged work (a schema migration): scores still hold
        db.execute(
            "UPDATE search_rows SET quality = (SELECT quality FROM work_scores WHERE work_id = ?) "
            "WHERE id = ?",
            (work_id, work_id),
        )
        return
    if not new:
        db.execute("DELETE FROM work_scores WHERE work_id = ?", (work_id,))
        db.execute("DELETE FROM work_vectors WHERE work_id = ?", (work_id,))
