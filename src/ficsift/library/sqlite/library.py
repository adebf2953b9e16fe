"""The embedded library: one SQLite file in WAL mode.

Each file is stored in one transaction (``BEGIN IMMEDIATE`` … ``COMMIT``), so a crash or a
``kill -9`` mid-import leaves every earlier file whole and the interrupted one absent; the
same import run again completes it, finding the stored files unchanged.  How a file is
stored is the backends' shared algorithm (:mod:`ficsift.library.sql.store_core`); full text is
FTS5 (``text_index.py``).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TypeVar

from ficsift.library.base import BatchLost, FileRecord, Library, StoreResult
from ficsift.library.index_rows import WorkValues
from ficsift.library.sql.derived_data import DerivedData
from ficsift.library.sql.reader_state import ReaderState
from ficsift.library.sql.store_core import Dialect, WorkStore
from ficsift.library.sql.work_reads import WorkReads
from ficsift.library.sqlite.search import SqliteSearch
from ficsift.library.sqlite.text_index import index_text, unindex_text
from ficsift.library.storable import StorableDocument, storable
from ficsift.model import Document

SCHEMA_VERSION = "9"  # 8: tag_index.hides; 9: tag_names.number, search_rows.facet_tags
# Columns added to existing tables since schema 2 (CREATE TABLE IF NOT EXISTS cannot add them).
ADDED_COLUMNS = (
    ("search_rows", "rating", "TEXT"),
    ("tag_index", "inherited", "INTEGER NOT NULL DEFAULT 0"),
    ("work_facts", "tags", "TEXT NOT NULL DEFAULT ''"),
    ("search_rows", "title_norm", "TEXT"),
    ("search_rows", "franchises", "INTEGER"),
    ("search_rows", "abandoned_since", "TEXT"),
    ("tag_index", "hides", "INTEGER NOT NULL DEFAULT 1"),
    ("tag_names", "number", "INTEGER"),
    ("search_rows", "facet_tags", "TEXT"),
)
# What schema 6 changed in place: full text is Porter-stemmed with a tags column and a head
# table beside it; both FTS tables and the view they read are dropped and made anew.
REBUILT = ("DROP TABLE IF EXISTS work_fts", "DROP TABLE IF EXISTS head_fts",
           "DROP VIEW IF EXISTS work_text")  # fmt: skip
DB_NAME = "library.sqlite3"
_T = TypeVar("_T")

SQLITE_DIALECT = Dialect(
    greatest="max",
    join_unit="group_concat({0}, char(31))",  # in the order of the index it reads: key
    in_list="{0} IN (SELECT value FROM json_each(?))",
    list_param=json.dumps,
    number_list="group_concat(DISTINCT {0})",
    returning_ids=False,
)


class SqliteLibrary(WorkReads, ReaderState, DerivedData, SqliteSearch, WorkStore, Library):
    dialect = SQLITE_DIALECT
    db: sqlite3.Connection  # the shared code's Connection, and FTS5's

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / DB_NAME
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self._batching = False
        self._batch_log: list[Callable[[], object]] = []  # the open batch's writes, to replay
        self._known_names = {}
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA busy_timeout=10000")
        self.db.execute("PRAGMA cache_size=-65536")
        self._migrate()
        self._last_seq: int | None = None

    @property
    def _seq(self) -> int:
        """The newest source's read_seq, read when the first source is stored: max() scans
        every source (~45 ms at 10k works), which a reading command need not pay."""
        if self._last_seq is None:
            row = self.db.execute("SELECT coalesce(max(read_seq), 0) FROM sources").fetchone()
            self._last_seq = int(row[0])
        return self._last_seq

    @_seq.setter
    def _seq(self, value: int) -> None:
        self._last_seq = value

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
        if self._current(schema):
            return  # nothing to write: no wait for another process's long write
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
            # made once, with the library (or on the first open of an older one): see
            # cache_identity; here, in the open's own write, not in a search's read
            self.db.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('library_token', ?)",
                (uuid.uuid4().hex,),
            )
            if version is not None and version != SCHEMA_VERSION:
                # all schema 9 added, in four statements; first, as indexing a work (below)
                # reads the numbers of the names it has
                self._number_tag_names()
                if version == "7":
                    self._recompute_hides()  # all schema 8 added: one UPDATE, not a re-index
                elif version != "8":
                    # Libraries from an older schema get their search rows once, work by work.
                    self._reindex_all()
                self.db.execute(
                    "UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION,)
                )

    def _current(self, schema: str) -> bool:
        """Whether the library is of this schema, with everything the script makes and its
        token: then opening it writes nothing, and a search opens while an import holds the
        write lock (a long refresh held it for minutes at a million works)."""
        if self._stored_version() != SCHEMA_VERSION:
            return False
        made = set(re.findall(r"CREATE\s+(?:VIRTUAL\s+)?\w+\s+IF\s+NOT\s+EXISTS\s+(\w+)", schema))
        have = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master")}
        token = self.db.execute("SELECT 1 FROM meta WHERE key = 'library_token'").fetchone()
        return made <= have and token is not None

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
            # (unindex_text reads work_facts to know a work is indexed).
            self.db.execute("DELETE FROM work_facts")

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
                # the batch's works into the term postings, in its own commit: a search
                # beside an import keeps the postings' speed (FTS5 alone costs 5x on a
                # common word)
                self.term_postings.refresh_if_built()
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

    def touch_file(self, record: FileRecord) -> None:
        def write() -> None:
            self._touch(record)

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

    # -- full text (FTS5) ------------------------------------------------------------------

    def _unindex_text(self, work_id: int) -> None:
        unindex_text(self.db, work_id, self.term_postings)

    def _index_text(self, work_id: int, values: WorkValues, new_body: str | None) -> None:
        index_text(self.db, work_id, values, new_body, self.term_postings)

    def refresh_text_index(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Tokenize the works whose text changed into the term postings (one transaction:
        a crash leaves the postings as they were, and search on FTS5 until the next run)."""
        if self._batching:
            raise RuntimeError("refresh_text_index inside a batch")
        with self._transaction():
            return self.term_postings.refresh(progress)

    def size_on_disk(self) -> int:
        return sum(
            os.path.getsize(p)
            for p in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm"))
            if p.exists()
        )

    def cache_identity(self) -> str | None:
        # the file's place, and a token made once (by _migrate): a copy elsewhere, or a
        # library re-created in this place, is another library even at the same generation
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'library_token'").fetchone()
        except sqlite3.Error:  # unreadable: no outside cache, nothing else lost
            return None
        return f"sqlite:{self.path.resolve()}:{row[0]}" if row else None

    def close(self) -> None:
        """Close the library (again is harmless, as a file's close is)."""
        try:
            self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.ProgrammingError:
            return  # closed already
        finally:
            self.db.close()
