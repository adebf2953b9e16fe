"""Term postings beside FTS5: what a text search's BM25 needs, stored a term at a time.

FTS5 computes ``bm25()`` row by row (~4 µs a row: the row's instances and its docsize
lookup), so a query whose words are in 30,000 works spent 100–250 ms of a 100k-work search
scoring works its page would never show.  Here each term's works and its weighted
frequencies in them are arrays (one row per term and segment), so a search reads a few
blobs and scores every match at once (:mod:`ficsift.library.sql.term_scores`).

The terms are FTS5's own: the works' text is tokenized by a scratch FTS5 table with the
same tokenizer, and what it holds is read back through ``fts5vocab``.  Kept up to date like
Lucene's segments: the store marks a work in ``text_dirty`` in the transaction that changes
its full text; :func:`refresh` tokenizes the marked works into a new segment, and a work's
entries in older segments are ignored once ``term_docs`` names a newer one.  An import
refreshes at the end of each batch it commits (:func:`refresh_if_built`), so searches beside
it keep the postings' speed.  Past :data:`MAX_SEGMENTS` the smaller segments are merged into
one (Lucene's tiered merging: the largest is rewritten only once the rest outgrow it).
While a work waits in ``text_dirty`` the postings are stale, and search scores with the
backend's own full text alone.

Both backends keep them (plain tables of blobs, :class:`Postings` over a connection), so a
word query ranks the same on SQLite and PostgreSQL once they are built, and PostgreSQL's
text search costs what SQLite's does: a blob per term rather than ``ts_rank`` over every
match.  The tokenizer stays FTS5's (stdlib sqlite3, in memory) on both.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import numpy as np

from ficsift.library.index_rows import FTS_COLUMNS
from ficsift.library.sql.store_core import Connection, Dialect

# FTS_COLUMNS: title, authors, summary, tags (the head), notes, body.  A posting keeps the
# head's frequency weighted as head_fts weighs it, and the notes' and body's as work_fts
# does; a change of weights makes the stored postings another index (STAMP).
HEAD_WEIGHTS = (7.0, 5.0, 2.0, 2.0)
BODY_WEIGHTS = (0.0, 0.0, 0.0, 0.0, 1.0, 1.0)
HEAD_FIELDS = 4
STAMP = f"1:{HEAD_WEIGHTS}:{BODY_WEIGHTS}"
TOKENIZER = "porter unicode61 remove_diacritics 2"  # schema.sql's, for work_fts and head_fts
MAX_SEGMENTS = 8  # merged into one past this (a search reads every segment of its terms)
BATCH_WORKS = 200  # works tokenized at once
SEGMENT_POSTINGS = 4_000_000  # a long refresh writes a segment this size (bounds memory)

_HEAD_W = np.array([*HEAD_WEIGHTS, 0.0, 0.0], dtype=np.float64)
_BODY_W = np.array(BODY_WEIGHTS, dtype=np.float64)


def same_weights(stamp: str, other: str) -> bool:
    """Whether two states of the postings are of one index (only refreshes between them)."""
    return stamp.rsplit("#", 1)[0] == other.rsplit("#", 1)[0]


class Tokenizer:
    """FTS5's tokenizer, through a scratch in-memory FTS5 table: the terms a text gives.

    The table is contentless and emptied with ``delete-all`` (a normal table's DELETE would
    tokenize every row again); one work at a time, so its ``col`` vocabulary is the work's
    term frequencies, read without sorting.
    """

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        columns = ", ".join(FTS_COLUMNS)
        self.db.execute(
            f"CREATE VIRTUAL TABLE scratch USING fts5({columns}, content='', "
            f"tokenize='{TOKENIZER}')"
        )
        self.db.execute("CREATE VIRTUAL TABLE scratch_terms USING fts5vocab(scratch, instance)")
        self.db.execute("CREATE VIRTUAL TABLE scratch_cols USING fts5vocab(scratch, col)")
        marks = ", ".join("?" * (1 + len(FTS_COLUMNS)))
        self._insert = f"INSERT INTO scratch(rowid, {columns}) VALUES ({marks})"

    def _empty(self) -> None:
        self.db.execute("INSERT INTO scratch(scratch) VALUES ('delete-all')")

    def terms(self, text: str) -> list[str]:
        """The terms of one query word, in order ("keeps" → ["keep"])."""
        self._empty()
        self.db.execute("INSERT INTO scratch(rowid, title) VALUES (1, ?)", (text,))
        rows = self.db.execute("SELECT term FROM scratch_terms ORDER BY offset").fetchall()
        return [r[0] for r in rows]

    def postings(self, rows: Sequence[Sequence[object]]) -> Batch:
        """The postings of works given as (work_id, *FTS_COLUMNS)."""
        found: list[tuple[str, int, str, int]] = []
        for row in rows:
            self._empty()
            self.db.execute(self._insert, row)
            work_id = int(row[0])  # type: ignore[call-overload]
            found.extend(
                (term, work_id, col, count)
                for term, col, count in self.db.execute("SELECT term, col, cnt FROM scratch_cols")
            )
        return Batch.of(found, [int(r[0]) for r in rows])  # type: ignore[call-overload]

    def close(self) -> None:
        self.db.close()


@dataclass(slots=True)
class Batch:
    """Postings of some works: parallel arrays, ordered by term then work."""

    terms: list[str]  # one per distinct term
    starts: np.ndarray  # where each term's postings begin (and a final end)
    ids: np.ndarray
    head: np.ndarray
    body: np.ndarray
    doc_ids: np.ndarray  # every work given, with its lengths
    head_len: np.ndarray
    work_len: np.ndarray

    @classmethod
    def of(cls, found: list[tuple[str, int, str, int]], works: list[int]) -> Batch:
        """From (term, work id, column name, count) rows in any order."""
        doc_ids = np.array(sorted(works), dtype=np.int64)
        if not found:
            zero = np.zeros(len(doc_ids), dtype=np.int64)
            empty = np.zeros(0)
            return cls([], np.zeros(1, np.int64), empty.astype(np.int64), empty, empty,
                       doc_ids, zero, zero.copy())  # fmt: skip
        terms_col, docs, cols, counts = zip(*found, strict=True)
        number: dict[str, int] = {}
        term_ids = np.array([number.setdefault(t, len(number)) for t in terms_col], dtype=np.int64)
        column_of = {name: i for i, name in enumerate(FTS_COLUMNS)}
        doc = np.array(docs, dtype=np.int64)
        col = np.array([column_of[c] for c in cols], dtype=np.int64)
        count = np.array(counts, dtype=np.float64)
        rows_of = np.searchsorted(doc_ids, doc)
        head_len = np.bincount(rows_of, weights=count * (col < HEAD_FIELDS), minlength=len(doc_ids))
        work_len = np.bincount(rows_of, weights=count, minlength=len(doc_ids))
        order = np.lexsort((doc, term_ids))
        term_ids, doc, col, count = term_ids[order], doc[order], col[order], count[order]
        # a posting is a run of one (term, work): its columns
        new_term = np.ones(len(doc), dtype=bool)
        new_term[1:] = term_ids[1:] != term_ids[:-1]
        new_posting = new_term.copy()
        new_posting[1:] |= doc[1:] != doc[:-1]
        firsts = np.nonzero(new_posting)[0]
        head = np.add.reduceat(count * _HEAD_W[col], firsts)
        body = np.add.reduceat(count * _BODY_W[col], firsts)
        term_firsts = np.nonzero(new_term)[0]
        starts = np.searchsorted(firsts, term_firsts)
        names = list(number)
        return cls(
            [names[i] for i in term_ids[term_firsts]], np.append(starts, len(firsts)),
            doc[firsts], head, body, doc_ids, head_len.astype(np.int64),
            work_len.astype(np.int64),
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class Postings:
    """A library's term postings: the tables ``term_postings``, ``term_docs`` and
    ``text_dirty`` in ``db``; ``fields`` names the view that gives a work's full-text
    fields (work_id, *FTS_COLUMNS), holding every work that is in full text."""

    db: Connection
    dialect: Dialect
    fields: str

    def mark_dirty(self, work_id: int) -> None:
        """The work's full text changed (the store calls this in the same transaction)."""
        self.db.execute(
            "INSERT INTO text_dirty(work_id) VALUES (?) ON CONFLICT DO NOTHING", (work_id,)
        )

    def state(self) -> tuple[str | None, bool]:
        """The postings' stamp (None: never built, or for other weights) and whether a work
        waits in ``text_dirty`` (its postings are stale: search answers with the backend's
        own full text, or from a snapshot)."""
        row = self.db.execute(
            "SELECT value, EXISTS (SELECT 1 FROM text_dirty) FROM meta WHERE key = 'term_postings'"
        ).fetchone()
        if row is None or not str(row[0]).startswith(STAMP + "#"):
            return None, False
        return str(row[0]), bool(row[1])

    def refresh(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Bring the postings up to date with the works' text; the number of works tokenized.

        The caller holds the write transaction.  The first refresh of a library (or of
        another weighting) tokenizes every work.
        """
        db = self.db
        built = db.execute("SELECT value FROM meta WHERE key = 'term_postings'").fetchone()
        full = built is None or not str(built[0]).startswith(STAMP + "#")
        if full:
            db.execute("DELETE FROM term_postings")
            db.execute("DELETE FROM term_docs")
            db.execute("DELETE FROM text_dirty")
            pending = [r[0] for r in db.execute("SELECT work_id FROM work_facts ORDER BY work_id")]
        else:
            pending = [r[0] for r in db.execute("SELECT work_id FROM text_dirty ORDER BY work_id")]
        if not pending and not full:
            return 0
        row = db.execute("SELECT coalesce(max(segment), 0) FROM term_postings").fetchone()
        tokenizer = Tokenizer()
        try:
            segment = self._tokenize(tokenizer, pending, int(row[0]), progress)
        finally:
            tokenizer.close()
        db.execute("DELETE FROM text_dirty")
        if db.execute("SELECT count(DISTINCT segment) FROM term_docs").fetchone()[0] > MAX_SEGMENTS:
            segment = self._merge(segment + 1, self._smaller_segments())
        version = 0 if full else int(str(built[0]).rsplit("#", 1)[1]) + 1
        db.execute(
            "INSERT INTO meta(key, value) VALUES ('term_postings', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (f"{STAMP}#{version}",),
        )
        return len(pending)

    def refresh_if_built(self) -> int:
        """:meth:`refresh`, for the end of an import's batch: only when the postings were
        built once (the first import of a library tokenizes everything at its end) and a
        work waits.  The caller holds the batch's transaction; a failure here undoes only
        this refresh, and the works wait for the next one."""
        stamp, waiting = self.state()
        if stamp is None or not waiting:
            return 0
        self.db.execute("SAVEPOINT term_postings_refresh")
        try:
            done = self.refresh()
        except Exception:  # (a full disk, a bug): the works wait, the batch is kept
            self.db.execute("ROLLBACK TO SAVEPOINT term_postings_refresh")
            self.db.execute("RELEASE SAVEPOINT term_postings_refresh")
            return 0
        self.db.execute("RELEASE SAVEPOINT term_postings_refresh")
        return done

    def _tokenize(
        self, tokenizer: Tokenizer, pending: list[int], segment: int,
        progress: Callable[[int, int], None] | None,
    ) -> int:  # fmt: skip
        """Tokenize ``pending`` into new segments; returns the last segment written."""
        columns = ", ".join(FTS_COLUMNS)
        batches: list[Batch] = []
        held = 0
        for start in range(0, len(pending), BATCH_WORKS):
            chunk = pending[start : start + BATCH_WORKS]
            marks = ",".join("?" * len(chunk))
            # a work is in full text while it has a facts row (the store removes it first)
            rows = self.db.execute(
                f"SELECT work_id, {columns} FROM {self.fields} WHERE work_id IN ({marks}) "
                "AND work_id IN (SELECT work_id FROM work_facts)",
                chunk,
            ).fetchall()
            self.db.execute(f"DELETE FROM term_docs WHERE work_id IN ({marks})", chunk)
            if rows:
                batch = tokenizer.postings([tuple(r) for r in rows])
                batches.append(batch)
                held += len(batch)
            if held >= SEGMENT_POSTINGS:
                segment += 1
                self._write_segment(segment, batches)
                batches, held = [], 0
            if progress:
                progress(min(start + BATCH_WORKS, len(pending)), len(pending))
        if batches:
            segment += 1
            self._write_segment(segment, batches)
        return segment

    def _write_segment(self, segment: int, batches: list[Batch]) -> None:
        """One row per term of these batches' postings, and the works' lengths."""
        number: dict[str, int] = {}
        term_ids = []
        for batch in batches:
            local = np.array([number.setdefault(t, len(number)) for t in batch.terms], np.int64)
            term_ids.append(np.repeat(local, np.diff(batch.starts)))
            self.db.executemany(
                "INSERT INTO term_docs(work_id, segment, head_len, work_len) VALUES (?, ?, ?, ?)",
                zip(batch.doc_ids.tolist(), [segment] * len(batch.doc_ids),
                    batch.head_len.tolist(), batch.work_len.tolist(), strict=True),
            )  # fmt: skip
        if not number:
            return
        term = np.concatenate(term_ids)
        ids = np.concatenate([b.ids for b in batches]).astype("<i8")
        order = np.lexsort((ids, term))
        term, ids = term[order], ids[order]
        head = np.concatenate([b.head for b in batches])[order].astype("<f4")
        body = np.concatenate([b.body for b in batches])[order].astype("<f4")
        bounds = np.flatnonzero(np.diff(term)) + 1
        starts = np.concatenate(([0], bounds)).tolist()
        ends = np.concatenate((bounds, [len(term)])).tolist()
        names = list(number)
        self.db.executemany(
            "INSERT INTO term_postings(term, segment, ids, head, body) VALUES (?, ?, ?, ?, ?)",
            (
                (names[term[a]], segment, ids[a:b].tobytes(), head[a:b].tobytes(),
                 body[a:b].tobytes())
                for a, b in zip(starts, ends, strict=True)
            ),
        )  # fmt: skip

    def _smaller_segments(self) -> list[int]:
        """Every segment but the one holding most works (all of them once the others
        together hold as many: merged, they would soon outgrow it anyway)."""
        sizes = self.db.execute(
            "SELECT segment, count(*) FROM term_docs GROUP BY segment ORDER BY count(*) DESC"
        ).fetchall()
        rest = sum(n for _, n in sizes[1:])
        if rest >= sizes[0][1]:
            return [segment for segment, _ in sizes]
        return [segment for segment, _ in sizes[1:]]

    def _merge(self, into: int, segments: list[int]) -> int:
        """The live postings of ``segments`` as one segment ``into`` (older entries of a
        re-tokenized work and those of removed works dropped)."""
        db = self.db
        live = self.doc_segments()
        # (segments no live work names any more go too)
        dead = {r[0] for r in db.execute("SELECT DISTINCT segment FROM term_postings")} - {
            r[0] for r in db.execute("SELECT DISTINCT segment FROM term_docs")
        }
        chosen = self.dialect.list_param(sorted({*segments, *dead}))
        among = self.dialect.in_list.format("segment")
        cursor = db.execute(
            "SELECT term, segment, ids, head, body FROM term_postings "
            f"WHERE {among} ORDER BY term, segment",
            (chosen,),
        )
        merged = []  # read everything before the old rows go
        for term, rows in groupby(cursor, key=lambda r: r[0]):
            ids, head, body = live_postings((r[1:] for r in rows), live)
            if ids.size:
                order = np.argsort(ids, kind="stable")
                merged.append((term, into, ids[order].astype("<i8").tobytes(),
                               head[order].astype("<f4").tobytes(),
                               body[order].astype("<f4").tobytes()))  # fmt: skip
        db.execute(f"DELETE FROM term_postings WHERE {among}", (chosen,))
        db.executemany(
            "INSERT INTO term_postings(term, segment, ids, head, body) VALUES (?, ?, ?, ?, ?)",
            merged,
        )
        db.execute(f"UPDATE term_docs SET segment = ? WHERE {among}", (into, chosen))
        return into

    def doc_segments(self) -> DocSegments:
        rows = self.db.execute(
            "SELECT work_id, segment, head_len, work_len FROM term_docs"
        ).fetchall()
        if not rows:
            empty = np.zeros(0, dtype=np.int64)
            return DocSegments(empty - 1, empty.astype(np.float64), empty.astype(np.float64))
        table = np.array(rows, dtype=np.int64)
        top = int(table[:, 0].max()) + 1
        segment = np.full(top, -1, dtype=np.int64)
        head_len = np.zeros(top, dtype=np.float64)
        work_len = np.zeros(top, dtype=np.float64)
        segment[table[:, 0]] = table[:, 1]
        head_len[table[:, 0]] = table[:, 2]
        work_len[table[:, 0]] = table[:, 3]
        return DocSegments(segment, head_len, work_len)

    def read(self, term: str, live: DocSegments) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A term's live postings: work ids, head and body frequencies (float64)."""
        segments = self.db.execute(
            "SELECT segment, ids, head, body FROM term_postings WHERE term = ?", (term,)
        ).fetchall()
        return live_postings(segments, live)


@dataclass(slots=True)
class DocSegments:
    """Which segment holds each work's current postings (-1: none), and its lengths."""

    segment: np.ndarray  # by work id
    head_len: np.ndarray
    work_len: np.ndarray

    def valid(self, ids: np.ndarray, segment: int) -> np.ndarray:
        inside = ids < len(self.segment)
        out = np.zeros(len(ids), dtype=bool)
        out[inside] = self.segment[ids[inside]] == segment
        return out


def live_postings(
    segments: Iterable[Sequence[Any]], live: DocSegments
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One term's (segment, ids, head, body) rows as arrays of its live entries only."""
    parts = []
    for segment, ids_b, head_b, body_b in segments:
        ids = np.frombuffer(ids_b, dtype="<i8")
        keep = live.valid(ids, segment)
        parts.append(
            (ids[keep], np.frombuffer(head_b, "<f4")[keep], np.frombuffer(body_b, "<f4")[keep])
        )
    if not parts:
        empty = np.zeros(0)
        return empty.astype(np.int64), empty, empty
    ids, head, body = (np.concatenate([p[i] for p in parts]) for i in range(3))
    return ids.astype(np.int64), head.astype(np.float64), body.astype(np.float64)
