"""How a library stores works, whatever its database: one algorithm for every backend.

Storing a file is the same everywhere: each document finds its work (its own source again, a
work with the same work key, or one whose text it nearly copies: fingerprint.py), the work's
shown fields are merged again from all its sources (merge.py), its index rows are rewritten
(index_rows.py) and its derived scores and vectors dropped, and the file is remembered — all
in the caller's one transaction.  A backend mixes :class:`WorkStore` in and supplies:

- ``db``: a :class:`Connection` taking ``?`` placeholders (sqlite3's own; PostgreSQL's
  adapter translates them), its rows indexable by position;
- ``dialect``: the few SQL spellings the two databases do not share (:class:`Dialect`);
- its full text (:meth:`WorkStore._index_text`, :meth:`WorkStore._unindex_text`) and its size
  on disk; and the transaction around :meth:`WorkStore._write_file`.

The SQL here is the form SQLite (3.35+) and PostgreSQL both take (``ON CONFLICT`` for
upserts); where one cannot, the dialect says how.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from ficsift.library.base import (
    FileRecord,
    LibraryStats,
    Outcome,
    SourceInfo,
    StoredWork,
    StoreResult,
    WorkRow,
    WorkUpdate,
)
from ficsift.library.codec import document_from_record
from ficsift.library.fingerprint import MIN_ANCHORS, MIN_CONTAINMENT, anchors, containment
from ficsift.library.index_rows import SEARCH_COLUMNS, WORKS_COLUMNS, WorkValues, work_values
from ficsift.library.merge import merge_documents
from ficsift.library.query import INT64_MAX
from ficsift.library.storable import StorableDocument
from ficsift.model import Chapter, Document
from ficsift.understand.calibration import load_calibration


class Cursor(Protocol):
    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """What the store needs of a database connection (sqlite3.Connection is one)."""

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> object: ...


@dataclass(frozen=True, slots=True)
class Dialect:
    """The spellings SQLite and PostgreSQL do not share, as the store uses them."""

    greatest: str  # the larger of two values: SQLite's scalar max(), PostgreSQL's greatest()
    join_unit: str  # an aggregate joining {0}'s values with U+001F between them, in {1}'s order
    in_list: str  # "{0} is one of the list bound to ?": json_each over JSON, or = ANY(array)
    list_param: Callable[[list[Any]], object]  # the bound value in_list expects
    number_list: str  # an aggregate of {0}'s distinct integers as text "3,17,42"
    # New ids by ``INSERT … RETURNING id``, else by last_insert_rowid(): in SQLite a RETURNING
    # statement opens a statement transaction, which makes FTS5 flush its pending terms
    # (storing the shared corpus took 40% longer).
    returning_ids: bool = True
    clean: Callable[[str], str] | None = None  # what the database makes of stored text


def in_valid_range(work_id: int) -> bool:
    """An id a work can have (and that either database can even bind)."""
    return 0 < work_id <= INT64_MAX


_WORKS_SET = ", ".join(f"{column} = ?" for column in WORKS_COLUMNS)
# The works row's fields an upgrade recomputes (how they are derived may have changed).
_SHOWN = tuple(WORKS_COLUMNS.index(c) for c in ("status", "rating"))
_SHOWN_SET = ", ".join(f"{WORKS_COLUMNS[i]} = ?" for i in _SHOWN)
# facet_tags: the numbers (tag_names.number) of the work's own effective tags, as text
# "3,17,42": what a server's facet cache reads, a row per work rather than a row per tag
# (20 million rows at a million works were most of its first start).
_NAMES_PER_READ = 400  # tag names looked up per statement (SQLite binds at most 32,766)
_SEARCH_INSERT = (
    f"INSERT INTO search_rows(id, {', '.join(SEARCH_COLUMNS)}, facet_tags) "
    f"VALUES ({', '.join('?' * (len(SEARCH_COLUMNS) + 2))})"
)
# A re-indexed work's row anew: its quality score is dropped with the work's scores.
_SEARCH_UPSERT = f"{_SEARCH_INSERT} ON CONFLICT(id) DO UPDATE SET quality = NULL, " + ", ".join(
    f"{c} = excluded.{c}" for c in (*SEARCH_COLUMNS, "facet_tags")
)
# The text source of a work: the one merge.text_source_rank ranks first.
TEXT_SOURCE_ORDER = "has_text DESC, chapters DESC, read_seq DESC"
_SOURCE_COLUMNS = "id, document, read_seq, locator, format, url, sha256, added_at, updated_at"


def now_text() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class WorkStore:
    """Files and works: storing them (inside the backend's transaction) and reading them."""

    db: Connection
    dialect: ClassVar[Dialect]
    _seq: int  # read_seq of the last stored source (the newest read ranks first on ties)
    # (type, key) → (number, display) of names known to be in tag_names as this process
    # wrote or read them (cleared when a transaction that may have added some rolls back)
    _known_names: dict[tuple[str, str], tuple[int, str]]

    # -- what each backend supplies --------------------------------------------------------

    def _unindex_text(self, work_id: int) -> None:
        """Remove the work's full-text entry, before its stored text changes."""
        raise NotImplementedError

    def _index_text(self, work_id: int, values: WorkValues, new_body: str | None) -> None:
        """Index the work's full text (``new_body``: the story of a work just made from one
        source, else read back from its text source's chapters)."""
        raise NotImplementedError

    def size_on_disk(self) -> int:
        raise NotImplementedError

    def _bump_vectors(self, model: str) -> None:
        """Move ``model``'s vectors stamp (derived data's own)."""
        raise NotImplementedError

    # -- files ---------------------------------------------------------------------------

    def file_record(self, path: str) -> FileRecord | None:
        row = self.db.execute(
            "SELECT path, sha256, size, mtime, documents FROM files WHERE path = ?", (path,)
        ).fetchone()
        return FileRecord(row[0], row[1], int(row[2]), float(row[3]), int(row[4])) if row else None

    def _touch(self, record: FileRecord) -> None:
        self.db.execute(
            "UPDATE files SET size = ?, mtime = ? WHERE path = ?",
            (record.size, record.mtime, record.path),
        )

    def _write_file(self, record: FileRecord, items: list[StorableDocument]) -> list[StoreResult]:
        """Store one file's documents and remember the file (the caller's transaction)."""
        now = now_text()
        self._bump_generation()
        many = len(items) > 1
        results = []
        for n, item in enumerate(items):
            locator = f"{record.path}#{item.work_key or n}" if many else record.path
            results.append(self._store_document(locator, record.path, item, now))
        self.db.execute(
            "INSERT INTO files(path, sha256, size, mtime, documents, read_at) VALUES (?,?,?,?,?,?) "
            "ON CONFLICT(path) DO UPDATE SET sha256=excluded.sha256, size=excluded.size, "
            "mtime=excluded.mtime, documents=excluded.documents, read_at=excluded.read_at",
            (record.path, record.sha256, record.size, record.mtime, len(items), now),
        )
        return results

    def _insert(self, sql: str, parameters: Sequence[Any]) -> int:
        """Insert one row; its new id."""
        if self.dialect.returning_ids:
            return int(self.db.execute(f"{sql} RETURNING id", parameters).fetchall()[0][0])
        self.db.execute(sql, parameters)
        return int(self.db.execute("SELECT last_insert_rowid()").fetchone()[0])

    _batching = False  # inside an import's batch (each backend's batch() sets it)

    def _bump_generation(self) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES ('generation', '1') ON CONFLICT(key) "
            "DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)"
        )
        if not self._batching:
            # A write of its own (a refresh after an import, a removal) leaves the library
            # at rest: other processes' caches must answer for it exactly again, where an
            # import's batches let them lag (SearchBackend.snapshot_lag).
            self.db.execute(
                "INSERT INTO meta(key, value) SELECT 'settled', value FROM meta "
                "WHERE key = 'generation' ON CONFLICT(key) DO UPDATE SET value = excluded.value"
            )

    def generation(self) -> str:
        """Bumped by every stored file: derived in-memory caches compare it."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return row[0] if row else "0"

    # -- documents -----------------------------------------------------------------------

    def _store_document(
        self, locator: str, file_path: str, item: StorableDocument, now: str
    ) -> StoreResult:
        existing = self.db.execute(
            "SELECT id, work_id, document FROM sources WHERE locator = ?", (locator,)
        ).fetchone()
        self._seq += 1
        if existing is not None:
            source_id, work_id = int(existing[0]), int(existing[1])
            if existing[2] == item.record_json and self._same_chapters(source_id, item):
                return StoreResult(Outcome.UNCHANGED, work_id)
            before = self._work_size(work_id)
            self._unindex_work(work_id)
            self._write_source(item, locator, file_path, now, work_id, source_id)
            self._refresh_work(work_id, now)
            return StoreResult(
                Outcome.UPDATED, work_id, self._record_update(work_id, before, locator, now)
            )

        text_anchors = item.anchors
        match = self._match_work(item.work_key, text_anchors)
        if match is not None:
            before = self._work_size(match)
            self._unindex_work(match)
            self._write_source(item, locator, file_path, now, match, None)
            self._refresh_work(match, now)
            detail = self._record_update(match, before, locator, now)
            return StoreResult(Outcome.UPDATED if detail else Outcome.MERGED, match, detail)

        work_id = self._insert(
            "INSERT INTO works(work_key, added_at, modified_at) VALUES (?, ?, ?)",
            (item.work_key, now, now),
        )
        source_id = self._write_source(item, locator, file_path, now, work_id, None)
        self._write_work_row(
            work_id, item.values, text_anchors, now, new_body=item.body, text_source_id=source_id
        )
        return StoreResult(Outcome.ADDED, work_id)

    def _same_chapters(self, source_id: int, item: StorableDocument) -> bool:
        rows = self.db.execute(
            "SELECT title, text FROM chapters WHERE source_id = ? ORDER BY idx", (source_id,)
        ).fetchall()
        clean = self.dialect.clean
        given = [(c[1], c[2]) for c in item.chapters]
        if clean is not None:  # compare with what the database could keep of the text
            given = [(None if t is None else clean(t), clean(x)) for t, x in given]
        return [(r[0], r[1]) for r in rows] == given

    def _match_work(self, work_key: str | None, mine: set[int]) -> int | None:
        """A work this document is another copy of: same work key, else near-identical text."""
        if work_key:
            row = self.db.execute("SELECT id FROM works WHERE work_key = ?", (work_key,)).fetchone()
            if row:
                return int(row[0])
        if not mine:
            return None
        best: tuple[float, int] | None = None
        for work_id, shared, theirs, their_key in self.db.execute(
            "SELECT a.work_id, count(*), w.anchors, w.work_key FROM text_anchors a "
            f"JOIN works w ON w.id = a.work_id WHERE {self.dialect.in_list.format('a.value')} "
            "GROUP BY a.work_id, w.anchors, w.work_key HAVING count(*) >= ?",
            (self.dialect.list_param(list(mine)), MIN_ANCHORS),
        ):
            if work_key and their_key and their_key != work_key:
                continue  # two different known works, however alike
            score = containment(int(shared), len(mine), int(theirs))
            if score >= MIN_CONTAINMENT and (best is None or score > best[0]):
                best = (score, int(work_id))
        return best[1] if best else None

    def _write_source(
        self, item: StorableDocument, locator: str, file_path: str, now: str, work_id: int,
        source_id: int | None,
    ) -> int:  # fmt: skip
        """Write one source and its chapters; its id."""
        src = item.source
        values = (work_id, locator, file_path, src.format, src.url, src.sha256, int(src.has_text),
                  src.chapters, src.words, item.record_json, self._seq, now)  # fmt: skip
        if source_id is None:
            source_id = self._insert(
                "INSERT INTO sources(work_id, locator, file_path, format, url, sha256, "
                "has_text, chapters, words, document, read_seq, updated_at, added_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (*values, now),
            )
        else:
            self.db.execute(
                "UPDATE sources SET work_id=?, locator=?, file_path=?, format=?, url=?, sha256=?, "
                "has_text=?, chapters=?, words=?, document=?, read_seq=?, updated_at=? WHERE id=?",
                (*values, source_id),
            )
            self.db.execute("DELETE FROM chapters WHERE source_id = ?", (source_id,))
        self.db.executemany(
            "INSERT INTO chapters(source_id, idx, title, text, html, notes, end_notes, summary, words) "
            "VALUES (?,?,?,?,?,?,?,?,?)",
            [(source_id, *row) for row in item.chapters],
        )
        return source_id

    def _work_size(self, work_id: int) -> tuple[int, int]:
        row = self.db.execute(
            "SELECT chapters, words FROM works WHERE id = ?", (work_id,)
        ).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def _record_update(self, work_id: int, before: tuple[int, int], locator: str, now: str) -> str:
        after = self._work_size(work_id)
        if after[0] <= before[0] and after[1] <= before[1]:
            return ""
        self.db.execute(
            "INSERT INTO work_updates(work_id, at, source_path, chapters_before, words_before, "
            "chapters_after, words_after) VALUES (?,?,?,?,?,?,?)",
            (work_id, now, locator, *before, *after),
        )
        # `updated:` and sort:updated see the growth the library saw (the source may not
        # date it).
        self.db.execute(
            f"UPDATE search_rows SET updated = {self.dialect.greatest}(coalesce(updated, ''), ?) "
            "WHERE id = ?",
            (now[:10], work_id),
        )
        return f"{before[0]} → {after[0]} chapters"

    def _refresh_work(self, work_id: int, now: str) -> None:
        merged = self._merged_document(work_id)
        if merged is not None:
            fingerprint = anchors(merged.text) if merged.has_text else set()
            self._write_work_row(work_id, work_values(merged), fingerprint, now)

    def _write_work_row(
        self,
        work_id: int,
        values: WorkValues,
        fingerprint: set[int],
        now: str,
        new_body: str | None = None,
        text_source_id: int | None = None,
    ) -> None:
        """Write the work's shown fields and index it.  ``new_body``: the work was just
        created from one source, ``text_source_id``, with this story text (fewer statements)."""
        new = new_body is not None
        if text_source_id is None:
            text_source = self.db.execute(
                f"SELECT id FROM sources WHERE work_id = ? ORDER BY {TEXT_SOURCE_ORDER} LIMIT 1",
                (work_id,),
            ).fetchone()
            text_source_id = text_source[0] if text_source else None
        self.db.execute(
            f"UPDATE works SET work_key = coalesce(work_key, ?), anchors = ?, {_WORKS_SET}, "
            "text_source_id = ?, modified_at = ? WHERE id = ?",
            (values.work_key, len(fingerprint), *values.works, text_source_id, now, work_id),
        )
        if not new:
            self.db.execute("DELETE FROM text_anchors WHERE work_id = ?", (work_id,))
        self.db.executemany(
            "INSERT INTO text_anchors(value, work_id) VALUES (?,?) ON CONFLICT DO NOTHING",
            [(value, work_id) for value in fingerprint],
        )
        self._index_work(work_id, values, new_body=new_body)

    # -- the search index ------------------------------------------------------------------

    def _unindex_work(self, work_id: int) -> None:
        """Take a work out of the index before it changes (full text first: SQLite's reads
        the old text to remove it).  Its facts row says it is indexed."""
        self._unindex_text(work_id)
        self.db.execute("DELETE FROM work_facts WHERE work_id = ?", (work_id,))

    def _index_work(
        self,
        work_id: int,
        values: WorkValues,
        *,
        new_body: str | None = None,
        keep_derived: bool = False,
    ) -> None:
        """(Re)write a work's tag keys, facts, search row and full text; drop its derived
        scores and vectors (``keep_derived``: the work itself did not change).

        :meth:`_unindex_work` must have run before a stored work changed.  ``new_body`` is
        given for a work just created from one source: nothing of it is indexed yet (fewer
        statements) and its story is written as is rather than read back.
        """
        db = self.db
        new = new_body is not None
        if not new:
            if db.execute("SELECT 1 FROM work_facts WHERE work_id = ?", (work_id,)).fetchone():
                raise RuntimeError(f"work {work_id} changed before its index entry was removed")
            db.execute("DELETE FROM tag_index WHERE work_id = ?", (work_id,))
            db.execute("DELETE FROM work_series WHERE work_id = ?", (work_id,))
        db.executemany(
            "INSERT INTO work_series(work_id, key, name, part) VALUES (?,?,?,?)",
            [(work_id, *s) for s in values.series],
        )
        rows = values.tag_rows
        db.executemany(
            "INSERT INTO tag_index(work_id, type, key, display, origin, main, effective, "
            "confidence, inherited, hides) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(work_id, *row) for row in rows],
        )
        db.execute(
            "INSERT INTO work_facts(work_id, language, fandoms, relationships, rating, notes, "
            "tags) VALUES (?,?,?,?,?,?,?)",
            (work_id, *values.facts),
        )
        numbers = self._tag_numbers((r[0], r[1], r[2]) for r in rows if not r[7])
        facet = sorted({numbers[(r[0], r[1])] for r in rows if r[5] and not r[7]})
        # A new work has no row yet: a plain INSERT (an upsert cost SQLite 8x as much per
        # row), so only a re-indexed work pays for one.
        db.execute(
            _SEARCH_INSERT if new else _SEARCH_UPSERT,
            (work_id, *values.search, ",".join(map(str, facet))),
        )
        self._index_text(work_id, values, new_body)
        if not new:
            # The library saw the work grow (a WIP's new chapters): that is an update too.
            db.execute(
                f"UPDATE search_rows SET updated = (SELECT {self.dialect.greatest}("
                "coalesce(search_rows.updated, ''), substr(max(u.at), 1, 10)) FROM work_updates u "
                "WHERE u.work_id = search_rows.id) "
                "WHERE id = ? AND EXISTS (SELECT 1 FROM work_updates WHERE work_id = ?)",
                (work_id, work_id),
            )
        if keep_derived:  # re-indexing an unchanged work (a schema migration): scores hold
            db.execute(
                "UPDATE search_rows SET quality = (SELECT quality FROM work_scores "
                "WHERE work_id = ?) WHERE id = ?",
                (work_id, work_id),
            )
            return
        if not new:
            db.execute("DELETE FROM work_scores WHERE work_id = ?", (work_id,))
            models = [
                r[0]
                for r in db.execute("SELECT model FROM work_vectors WHERE work_id = ?", (work_id,))
            ]
            if models:
                db.execute("DELETE FROM work_vectors WHERE work_id = ?", (work_id,))
                for model in models:
                    self._bump_vectors(model)  # the vector set changed: caches of it are stale

    def _tag_numbers(self, names: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str], int]:
        """The numbers of (type, key, display) tag names, new names stored: a read of the
        ones this process has not seen yet, at most, and a write of the new (a round trip per
        name cost PostgreSQL's pipelined stores their pace).  A name's display is the
        greatest any work gave it: the facets' name, whichever work was stored first."""
        known = self._known_names
        shown: dict[tuple[str, str], str] = {}
        for kind, key, display in names:
            shown[(kind, key)] = max(display, shown.get((kind, key), display))
        missing = [name for name in shown if name not in known]
        for start in range(0, len(missing), _NAMES_PER_READ):
            part = missing[start : start + _NAMES_PER_READ]
            for kind, key, number, display in self.db.execute(
                "SELECT type, key, number, display FROM tag_names WHERE (type, key) IN "
                f"(VALUES {', '.join(['(?, ?)'] * len(part))})",
                [value for name in part for value in name],
            ).fetchall():
                known[(kind, key)] = (int(number), str(display))
        new = [name for name in missing if name not in known]
        if new:
            # under the store's lock (one writer at a time): the numbers past max are free
            row = self.db.execute("SELECT coalesce(max(number), 0) FROM tag_names").fetchone()
            top = int(row[0]) if row else 0
            added = [(*name, shown[name], top + i) for i, name in enumerate(new, 1)]
            self.db.executemany(
                "INSERT INTO tag_names(type, key, display, number) VALUES (?, ?, ?, ?)", added
            )
            known.update(((kind, key), (number, display)) for kind, key, display, number in added)
        grown = [(name, shown[name]) for name in shown if shown[name] > known[name][1]]
        if grown:
            self.db.executemany(
                "UPDATE tag_names SET display = ? WHERE type = ? AND key = ? AND display < ?",
                [(display, kind, key, display) for (kind, key), display in grown],
            )
            known.update((name, (known[name][0], display)) for name, display in grown)
        return {name: known[name][0] for name in shown}

    def _number_tag_names(self) -> None:
        """Number the tag names and write every work's facet tags: an upgrade from a schema
        without them, in a few statements rather than a re-index."""
        # Cleared first: a library numbered already (its version set back) would collide,
        # as both engines check a unique index row by row.
        self.db.execute("UPDATE tag_names SET number = NULL")
        self.db.execute(
            "UPDATE tag_names SET number = n.num FROM (SELECT type, key, "
            "row_number() OVER (ORDER BY type, key) AS num FROM tag_names) AS n "
            "WHERE n.type = tag_names.type AND n.key = tag_names.key"
        )
        listed = self.dialect.number_list.format("n.number")
        self.db.execute(
            f"UPDATE search_rows SET facet_tags = f.listed FROM (SELECT t.work_id AS work_id, "
            f"{listed} AS listed FROM tag_index t JOIN tag_names n "
            "ON n.type = t.type AND n.key = t.key WHERE t.inherited = 0 AND t.effective = 1 "
            "GROUP BY t.work_id) AS f WHERE f.work_id = search_rows.id"
        )
        self.db.execute("UPDATE search_rows SET facet_tags = '' WHERE facet_tags IS NULL")
        self._bump_generation()

    def _recompute_hides(self) -> None:
        """Fill ``tag_index.hides`` on a library indexed before it existed, in one statement
        (re-indexing every work cost minutes at 100k).  The rows keep no character role or
        warning label, so a guessed row gets the strictest bar its type may have: an upgrade
        only ever hides fewer works than a fresh index would, never more."""
        bars = upgrade_hiding_bars()
        cases = " ".join(f"WHEN type = '{kind}' THEN {bar!r}" for kind, bar in bars.items())
        self.db.execute(
            "UPDATE tag_index SET hides = CASE WHEN origin = 'author' THEN 1 "
            f"WHEN coalesce(confidence, 0) >= CASE {cases} ELSE {max(bars.values())!r} END "
            "THEN 1 ELSE 0 END"
        )
        self._bump_generation()

    def _reindex_all(self) -> None:
        """Index every work again (a library from an older schema, which may have indexed
        works differently), inside the caller's transaction; its scores still hold."""
        for (work_id,) in self.db.execute("SELECT id FROM works ORDER BY id").fetchall():
            merged = self._merged_document(work_id)
            if merged is not None:
                self._unindex_work(work_id)  # the stored text has not changed: exact
                values = work_values(merged)
                self.db.execute(
                    f"UPDATE works SET {_SHOWN_SET} WHERE id = ?",
                    (*(values.works[i] for i in _SHOWN), work_id),
                )
                self._index_work(work_id, values, keep_derived=True)
        self._bump_generation()

    # -- reading ---------------------------------------------------------------------------

    def _load_source(self, source_id: int, document: str, with_chapters: bool) -> Document:
        chapters = []
        if with_chapters:
            chapters = [
                Chapter(title=c[0], text=c[1], html=c[2], notes=json.loads(c[3]),
                        end_notes=json.loads(c[4]), summary=c[5])
                for c in self.db.execute(
                    "SELECT title, text, html, notes, end_notes, summary FROM chapters "
                    "WHERE source_id = ? ORDER BY idx",
                    (source_id,),
                )
            ]  # fmt: skip
        return document_from_record(json.loads(document), chapters)

    def _sources(self, work_id: int) -> list[Any]:
        """The work's sources, its text source first: (id, document, read_seq, locator,
        format, url, sha256, added_at, updated_at)."""
        return self.db.execute(
            f"SELECT {_SOURCE_COLUMNS} FROM sources WHERE work_id = ? ORDER BY {TEXT_SOURCE_ORDER}",
            (work_id,),
        ).fetchall()

    def _merged_document(self, work_id: int, rows: list[Any] | None = None) -> Document | None:
        rows = self._sources(work_id) if rows is None else rows
        if not rows:
            return None
        main = self._load_source(rows[0][0], rows[0][1], with_chapters=True)
        others = sorted(rows[1:], key=lambda r: r[2], reverse=True)
        return merge_documents(main, [self._load_source(r[0], r[1], False) for r in others])

    def get(self, work_id: int) -> StoredWork | None:
        if not in_valid_range(work_id):
            return None
        work = self.db.execute(
            "SELECT added_at, modified_at FROM works WHERE id = ?", (work_id,)
        ).fetchone()
        if work is None:
            return None
        rows = self._sources(work_id)
        doc = self._merged_document(work_id, rows)
        if doc is None:
            return None
        sources = [SourceInfo(int(r[0]), r[3], r[4], r[5], r[6], r[7], r[8]) for r in rows]
        updates = [
            WorkUpdate(r[0], r[1], int(r[2]), int(r[3]), int(r[4]), int(r[5]))
            for r in self.db.execute(
                "SELECT at, source_path, chapters_before, chapters_after, words_before, "
                "words_after FROM work_updates WHERE work_id = ? ORDER BY at",
                (work_id,),
            )
        ]
        return StoredWork(work_id, doc, sources, updates, work[0], work[1])

    def rows(self, limit: int = 50, offset: int = 0) -> list[WorkRow]:
        fandoms = self.dialect.join_unit.format("display", "key")
        return [
            WorkRow(
                int(r[0]), r[1], json.loads(r[2]), r[3].split("\x1f") if r[3] else [], r[4],
                int(r[5]), int(r[6]), r[7], bool(r[8]), r[9] or "",
            )
            for r in self.db.execute(
                f"SELECT w.id, w.title, w.authors, (SELECT {fandoms} FROM tag_index t WHERE "
                "t.work_id = w.id AND t.type = 'fandom' AND t.origin = 'author' AND "
                "t.inherited = 0), w.rating, w.words, w.chapters, w.status, w.has_text, "
                "w.format FROM works w ORDER BY w.id LIMIT ? OFFSET ?",
                (limit, offset),
            )
        ]  # fmt: skip

    def stats(self, top: int = 15) -> LibraryStats:
        one = self.db.execute(
            "SELECT count(*), coalesce(sum(has_text), 0), coalesce(sum(words), 0) FROM works"
        ).fetchone()

        def counts(sql: str) -> list[tuple[str, int]]:
            return [
                (r[0] if r[0] is not None else "(none)", int(r[1])) for r in self.db.execute(sql)
            ]

        return LibraryStats(
            works=int(one[0]),
            with_text=int(one[1]),
            words=int(one[2]),
            sources=int(self.db.execute("SELECT count(*) FROM sources").fetchone()[0]),
            files=int(self.db.execute("SELECT count(*) FROM files").fetchone()[0]),
            by_fandom=counts(
                "SELECT max(display), count(DISTINCT work_id) AS n FROM tag_index WHERE "
                "inherited = 0 AND type = 'fandom' AND effective = 1 GROUP BY key "
                f"ORDER BY n DESC, key LIMIT {int(top)}"
            ),
            by_rating=counts(
                "SELECT rating, count(*) AS n FROM works GROUP BY rating ORDER BY n DESC"
            ),
            by_status=counts(
                "SELECT status, count(*) AS n FROM works GROUP BY status ORDER BY n DESC"
            ),
            by_format=counts(
                "SELECT format, count(*) AS n FROM sources GROUP BY format ORDER BY n DESC"
            ),
            size_bytes=self.size_on_disk(),
        )


def upgrade_hiding_bars() -> dict[str, float]:
    """Per tag type, the strictest exclusion bar any guessed tag of that type may have (see
    :meth:`WorkStore._recompute_hides`)."""
    calibration = load_calibration()
    kinds = {
        "fandom": ("fandom",),
        "warning": ("warning", ""),  # an archive warning, or a content label (no kind)
        "character": ("character", "unknown character", "freeform"),
        "relationship": ("relationship", "main pairing"),
        "freeform": ("freeform",),
        "rating": ("rating",),
    }
    return {t: max(calibration.exclusion_bar(k) for k in ks) for t, ks in kinds.items()}
