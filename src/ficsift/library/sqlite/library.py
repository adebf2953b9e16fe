"""The embedded library: one SQLite file in WAL mode.

Each file is stored in one transaction (``BEGIN IMMEDIATE`` … ``COMMIT``), so a crash or a
``kill -9`` mid-import leaves every earlier file whole and the interrupted one absent; the
same import run again completes it, finding the stored files unchanged.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TypeVar

from ficsift.library.base import (
    BatchLost,
    FileRecord,
    Library,
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
from ficsift.library.index_rows import WORKS_COLUMNS, WorkValues, work_values
from ficsift.library.merge import merge_documents
from ficsift.library.query import INT64_MAX
from ficsift.library.sqlite.search import SqliteSearch
from ficsift.library.sqlite.text_index import index_work, unindex_work
from ficsift.library.storable import StorableDocument, storable
from ficsift.model import Chapter, Document

SCHEMA_VERSION = "7"
# Columns added to existing tables since schema 2 (CREATE TABLE IF NOT EXISTS cannot add them).
ADDED_COLUMNS = (
    ("search_rows", "rating", "TEXT"),
    ("tag_index", "inherited", "INTEGER NOT NULL DEFAULT 0"),
    ("work_facts", "tags", "TEXT NOT NULL DEFAULT ''"),
    ("search_rows", "title_norm", "TEXT"),
    ("search_rows", "franchises", "INTEGER"),
    ("search_rows", "abandoned_since", "TEXT"),
)
# What schema 6 changed in place: full text is Porter-stemmed with a tags column and a head
# table beside it; both FTS tables and the view they read are dropped and made anew.
REBUILT = ("DROP TABLE IF EXISTS work_fts", "DROP TABLE IF EXISTS head_fts",
           "DROP VIEW IF EXISTS work_text")  # fmt: skip
DB_NAME = "library.sqlite3"
_T = TypeVar("_T")
_WORKS_SET = ", ".join(f"{column} = ?" for column in WORKS_COLUMNS)
# The works row's fields an upgrade recomputes (how they are derived may have changed).
_SHOWN = tuple(WORKS_COLUMNS.index(c) for c in ("status", "rating"))
_SHOWN_SET = ", ".join(f"{WORKS_COLUMNS[i]} = ?" for i in _SHOWN)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class SqliteLibrary(SqliteSearch, Library):
    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / DB_NAME
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self._batching = False
        self._batch_log: list[Callable[[], object]] = []  # the open batch's writes, to replay
        self._known_names: set[tuple[str, str]] = set()  # (type, key) known to be in tag_names
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA busy_timeout=10000")
        self.db.execute("PRAGMA cache_size=-65536")
        self._migrate()
        row = self.db.execute("SELECT coalesce(max(read_seq), 0) FROM sources").fetchone()
        self._seq = int(row[0])

    def _migrate(self) -> None:
        """Create the schema, or bring an older library up to it.

        All in one ``BEGIN IMMEDIATE`` transaction: a second process opening the library at
        the same time waits, then finds it current; a crash mid-upgrade leaves the old
        library whole, upgraded again on the next open.
        """
        schema = resources.files("ficsift.library.sqlite").joinpath("schema.sql").read_text("utf-8")
        schema = "\n".join(
            line for line in schema.splitlines() if not line.lstrip().startswith("--")
        )
        with self._transaction():
            version = self._stored_version()
            if version is not None and version != SCHEMA_VERSION:
                self._prepare_upgrade(int(version) if version.isdigit() else 0)
            for statement in schema.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            self.db.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                (SCHEMA_VERSION,),
            )
            self._backfill_search_index()

    def _stored_version(self) -> str | None:
        if not self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ).fetchone():
            return None
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return row[0] if row else None

    def _prepare_upgrade(self, version: int) -> None:
        """Before the schema script runs on an older library: the columns it names exist,
        and what schema 6 rebuilt is gone (the full-text tables are refilled work by work)."""
        for table, column, declaration in ADDED_COLUMNS:
            have = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
            if have and column not in have:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
        if version < 6:
            for statement in REBUILT:
                self.db.execute(statement)
            # Nothing is in the new full-text tables: no work may be "removed" from them
            # (unindex_work reads work_facts to know a work is indexed).
            self.db.execute("DELETE FROM work_facts")

    def _backfill_search_index(self) -> None:
        """Libraries from an older schema get their search rows once, work by work."""
        version = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if version and version[0] == SCHEMA_VERSION:
            return
        # Every work is re-indexed: a new schema may index works differently.
        for (work_id,) in self.db.execute("SELECT id FROM works ORDER BY id").fetchall():
            merged = self._merged_document(work_id)
            if merged is not None:
                unindex_work(self.db, work_id)  # the stored text has not changed: exact
                values = work_values(merged)
                self.db.execute(
                    f"UPDATE works SET {_SHOWN_SET} WHERE id = ?",
                    (*(values.works[i] for i in _SHOWN), work_id),
                )
                index_work(self.db, work_id, values, keep_derived=True)
        self._bump_generation()
        self.db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION,))

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        if self._batching:
            # Only store_file and touch_file write inside a batch (they are replayed after a
            # failure, see batch()); anything else would be lost by that replay.
            raise RuntimeError("only store_file and touch_file may write inside batch()")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._known_names.clear()
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @contextmanager
    def batch(self) -> Iterator[None]:
        # One commit per batch instead of per file: a commit flushes FTS5's pending terms
        # into a new segment and rewrites every index page touched, which cost more than
        # the inserts themselves when each listing page was its own transaction.
        #
        # Each file stays all-or-nothing without a savepoint per file (a savepoint copies
        # every page a file touches into a sub-journal: 0.8 of the 5 CPU-s of storing the
        # shared corpus): the batch's writes are logged, and when one fails the transaction
        # is rolled back and the earlier ones are written again.  Failures are rare (a full
        # disk, a bug), so the replay is cheaper than insuring every file against them.
        if self._batching:
            yield
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._batching = True
        self._batch_log = []
        try:
            yield
        finally:
            self._batching = False
            self._batch_log = []
            if self.db.in_transaction:
                self.db.execute("COMMIT")

    def _logged(self, write: Callable[[], _T]) -> _T:
        """Run one batched write; if it fails, undo it alone (see batch())."""
        try:
            result = write()
        except BaseException:
            self._known_names.clear()  # names it added are gone again
            if self.db.in_transaction:  # (SQLite rolls back by itself after some errors)
                self.db.execute("ROLLBACK")
            log, self._batch_log = self._batch_log, []
            try:
                self.db.execute("BEGIN IMMEDIATE")
                for earlier in log:
                    earlier()
            except BaseException as lost:
                # The library cannot take the writes again (the disk failed): the batch is
                # lost, what was committed before it stays, and the import can be re-run.
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                if isinstance(lost, Exception):
                    raise BatchLost(f"the batch could not be written again: {lost}") from lost
                raise
            self._batch_log = log
            raise
        self._batch_log.append(write)
        return result

    # -- files ---------------------------------------------------------------------------

    def file_record(self, path: str) -> FileRecord | None:
        row = self.db.execute(
            "SELECT path, sha256, size, mtime, documents FROM files WHERE path = ?", (path,)
        ).fetchone()
        return FileRecord(*row) if row else None

    def touch_file(self, record: FileRecord) -> None:
        def write() -> None:
            self.db.execute(
                "UPDATE files SET size = ?, mtime = ? WHERE path = ?",
                (record.size, record.mtime, record.path),
            )

        if self._batching:
            self._logged(write)
        else:
            write()

    def store_file(
        self, record: FileRecord, documents: Sequence[Document | StorableDocument]
    ) -> list[StoreResult]:
        items = [storable(given) for given in documents]

        def write() -> list[StoreResult]:
            return self._write_file(record, items)

        if self._batching:
            return self._logged(write)
        with self._transaction():
            return write()

    def _write_file(self, record: FileRecord, items: list[StorableDocument]) -> list[StoreResult]:
        now = _now()
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

    def _bump_generation(self) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES ('generation', '1') ON CONFLICT(key) "
            "DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    # -- documents -----------------------------------------------------------------------

    def _store_document(
        self, locator: str, file_path: str, item: StorableDocument, now: str
    ) -> StoreResult:
        record_json = item.record_json
        existing = self.db.execute(
            "SELECT id, work_id, document, chapters, words FROM sources WHERE locator = ?",
            (locator,),
        ).fetchone()
        self._seq += 1
        if existing is not None:
            work_id = existing["work_id"]
            if existing["document"] == record_json and self._same_chapters(existing["id"], item):
                return StoreResult(Outcome.UNCHANGED, work_id)
            before = self._work_size(work_id)
            unindex_work(self.db, work_id)
            self._write_source(item, locator, file_path, now, work_id, existing["id"])
            self._refresh_work(work_id, now)
            return StoreResult(
                Outcome.UPDATED, work_id, self._record_update(work_id, before, locator, now)
            )

        text_anchors = item.anchors
        work_id = self._match_work(item.work_key, text_anchors)
        if work_id is not None:
            before = self._work_size(work_id)
            unindex_work(self.db, work_id)
            self._write_source(item, locator, file_path, now, work_id, None)
            self._refresh_work(work_id, now)
            detail = self._record_update(work_id, before, locator, now)
            return StoreResult(Outcome.UPDATED if detail else Outcome.MERGED, work_id, detail)

        cur = self.db.execute(
            "INSERT INTO works(work_key, added_at, modified_at) VALUES (?, ?, ?)",
            (item.work_key, now, now),
        )
        work_id = int(cur.lastrowid or 0)
        source_id = self._write_source(item, locator, file_path, now, work_id, None)
        self._write_work_row(
            work_id, item.values, text_anchors, now, new_body=item.body, text_source_id=source_id
        )
        return StoreResult(Outcome.ADDED, work_id)

    def _same_chapters(self, source_id: int, item: StorableDocument) -> bool:
        rows = self.db.execute(
            "SELECT title, text FROM chapters WHERE source_id = ? ORDER BY idx", (source_id,)
        ).fetchall()
        return [(r["title"], r["text"]) for r in rows] == [(c[1], c[2]) for c in item.chapters]

    def _match_work(self, work_key: str | None, mine: set[int]) -> int | None:
        """A work this document is another copy of: same work key, else near-identical text."""
        if work_key:
            row = self.db.execute("SELECT id FROM works WHERE work_key = ?", (work_key,)).fetchone()
            if row:
                return int(row[0])
        if not mine:
            return None
        values = list(mine)
        placeholders = ",".join("?" * len(values))
        best: tuple[float, int] | None = None
        for row in self.db.execute(
            f"SELECT a.work_id, count(*) AS shared, w.anchors, w.work_key FROM text_anchors a "
            f"JOIN works w ON w.id = a.work_id WHERE a.value IN ({placeholders}) "
            f"GROUP BY a.work_id HAVING shared >= ?",
            (*values, MIN_ANCHORS),
        ):
            if work_key and row["work_key"] and row["work_key"] != work_key:
                continue  # two different known works, however alike
            score = containment(row["shared"], len(mine), row["anchors"])
            if score >= MIN_CONTAINMENT and (best is None or score > best[0]):
                best = (score, row["work_id"])
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
            cur = self.db.execute(
                "INSERT INTO sources(work_id, locator, file_path, format, url, sha256, has_text, "
                "chapters, words, document, read_seq, updated_at, added_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (*values, now),
            )
            source_id = int(cur.lastrowid or 0)
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
            "UPDATE search_rows SET updated = max(coalesce(updated, ''), ?) WHERE id = ?",
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
                "SELECT id FROM sources WHERE work_id = ? "
                "ORDER BY has_text DESC, chapters DESC, read_seq DESC LIMIT 1",
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
            "INSERT OR IGNORE INTO text_anchors(value, work_id) VALUES (?,?)",
            [(value, work_id) for value in fingerprint],
        )
        index_work(self.db, work_id, values, new_body=new_body, known_names=self._known_names)

    # -- reading -------------------------------------------------------------------------

    def _load_source(self, row: sqlite3.Row, with_chapters: bool) -> Document:
        chapters = []
        if with_chapters:
            chapters = [
                Chapter(
                    title=c["title"], text=c["text"], html=c["html"], notes=json.loads(c["notes"]),
                    end_notes=json.loads(c["end_notes"]), summary=c["summary"],
                )
                for c in self.db.execute(
                    "SELECT * FROM chapters WHERE source_id = ? ORDER BY idx", (row["id"],)
                )
            ]  # fmt: skip
        return document_from_record(json.loads(row["document"]), chapters)

    def _merged_document(self, work_id: int) -> Document | None:
        rows = self.db.execute(
            "SELECT * FROM sources WHERE work_id = ? ORDER BY has_text DESC, chapters DESC, read_seq DESC",
            (work_id,),
        ).fetchall()
        if not rows:
            return None
        main = self._load_source(rows[0], with_chapters=True)
        others = sorted(rows[1:], key=lambda r: r["read_seq"], reverse=True)
        return merge_documents(main, [self._load_source(r, with_chapters=False) for r in others])

    def get(self, work_id: int) -> StoredWork | None:
        if not 0 < work_id <= INT64_MAX:  # no such id (and SQLite could not even bind it)
            return None
        work = self.db.execute("SELECT * FROM works WHERE id = ?", (work_id,)).fetchone()
        if work is None:
            return None
        doc = self._merged_document(work_id)
        if doc is None:
            return None
        sources = [
            SourceInfo(
                r["id"],
                r["locator"],
                r["format"],
                r["url"],
                r["sha256"],
                r["added_at"],
                r["updated_at"],
            )
            for r in self.db.execute(
                "SELECT * FROM sources WHERE work_id = ? ORDER BY has_text DESC, chapters DESC, read_seq DESC",
                (work_id,),
            )
        ]
        updates = [
            WorkUpdate(r["at"], r["source_path"], r["chapters_before"], r["chapters_after"],
                       r["words_before"], r["words_after"])
            for r in self.db.execute("SELECT * FROM work_updates WHERE work_id = ? ORDER BY at", (work_id,))
        ]  # fmt: skip
        return StoredWork(work_id, doc, sources, updates, work["added_at"], work["modified_at"])

    def rows(self, limit: int = 50, offset: int = 0) -> list[WorkRow]:
        out = []
        for r in self.db.execute(
            "SELECT w.*, (SELECT group_concat(display, char(31)) FROM tag_index t WHERE "
            "t.work_id = w.id AND t.type = 'fandom' AND t.origin = 'author' AND t.inherited = 0) "
            "AS fandoms "
            "FROM works w ORDER BY w.id LIMIT ? OFFSET ?",
            (limit, offset),
        ):
            out.append(
                WorkRow(
                    r["id"], r["title"], json.loads(r["authors"]),
                    r["fandoms"].split("\x1f") if r["fandoms"] else [], r["rating"], r["words"],
                    r["chapters"], r["status"], bool(r["has_text"]), r["format"] or "",
                )
            )  # fmt: skip
        return out

    def stats(self, top: int = 15) -> LibraryStats:
        one = self.db.execute(
            "SELECT count(*), coalesce(sum(has_text), 0), coalesce(sum(words), 0) FROM works"
        ).fetchone()

        def counts(sql: str) -> list[tuple[str, int]]:
            return [(r[0] if r[0] is not None else "(none)", r[1]) for r in self.db.execute(sql)]

        return LibraryStats(
            works=one[0],
            with_text=one[1],
            words=one[2],
            sources=self.db.execute("SELECT count(*) FROM sources").fetchone()[0],
            files=self.db.execute("SELECT count(*) FROM files").fetchone()[0],
            by_fandom=counts(
                "SELECT max(display), count(DISTINCT work_id) n FROM tag_index WHERE inherited = 0 AND "
                f"type = 'fandom' AND effective = 1 GROUP BY key ORDER BY n DESC, key LIMIT {int(top)}"
            ),
            by_rating=counts(
                "SELECT rating, count(*) n FROM works GROUP BY rating ORDER BY n DESC"
            ),
            by_status=counts(
                "SELECT status, count(*) n FROM works GROUP BY status ORDER BY n DESC"
            ),
            by_format=counts(
                "SELECT format, count(*) n FROM sources GROUP BY format ORDER BY n DESC"
            ),
            size_bytes=self.size_on_disk(),
        )

    def size_on_disk(self) -> int:
        return sum(
            os.path.getsize(p)
            for p in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm"))
            if p.exists()
        )

    def close(self) -> None:
        try:
            self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            self.db.close()
