"""The archive library: PostgreSQL, for many readers and writers at once.

Works are stored by the algorithm every backend shares (:mod:`ficsift.library.sql.store_core`),
each file in one transaction.  Several processes may store at once (imports, web workers):
the store of one file reads before it writes (is this document a copy of a stored work?),
so each store takes a transaction-scoped advisory lock and stores run one at a time, while
readers never wait for them (MVCC).  (The generation row each store bumps first would
serialise them too, by its row lock; the advisory lock says so on purpose, whatever the
store writes first.)  Full text is ``work_text``: weighted tsvectors with GIN
indexes.  The query side (``find``, ``snippets``…) is the search mixin's (search.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from typing import Any, LiteralString, cast

import psycopg
from psycopg import sql

from ficsift.library.base import BatchLost, FileRecord, Library, StoreResult
from ficsift.library.index_rows import WorkValues
from ficsift.library.postgresql.search import PostgresSearch
from ficsift.library.sql.derived_data import DerivedData
from ficsift.library.sql.reader_state import ReaderState
from ficsift.library.sql.store_core import Dialect, WorkStore
from ficsift.library.sql.work_reads import WorkReads
from ficsift.library.storable import StorableDocument, storable
from ficsift.model import Document

SCHEMA_VERSION = "6"  # 2: work_text.body holds every field; 3: tag_index.hides;
# 4: tag_index_postings (a covering index: the script adds it, nothing is re-indexed);
# 5: the term postings (the script adds the tables; the next refresh_text_index fills them);
# 6: tag_names.number and search_rows.facet_tags (what the facet cache reads)
# PostgreSQL's tsvector holds at most 1 MB.  Stored positions make a vector cost up to ~2
# bytes per character of text of many distinct short words (measured: 500k characters of
# random words, 944 KB; a 2 MB English novel, 461 KB, as positions stop at 256 a word), so
# the full text indexes the first BODY_CHARS characters of notes and story (about 70,000
# words: the whole of most works, the opening of the longest) and HEAD_CHARS of each short
# field.  A word found only past that point is not found by full-text search on PostgreSQL.
BODY_CHARS = 400_000
HEAD_CHARS = 100_000


def _strip_nul(text: str) -> str:
    return text.replace("\x00", "")


POSTGRES_DIALECT = Dialect(
    greatest="greatest",
    join_unit="string_agg({0}, chr(31) ORDER BY {1})",
    in_list="{0} = ANY(?)",
    list_param=list,
    number_list="string_agg(DISTINCT CAST({0} AS text), ',')",
    # PostgreSQL text cannot hold NUL (it raises): stored text is the text without it.
    clean=_strip_nul,
)


def _clean(parameters: Sequence[Any]) -> list[Any]:
    return [p.replace("\x00", "") if isinstance(p, str) and "\x00" in p else p for p in parameters]


class PgConnection:
    """The shared store's connection (``?`` placeholders) over psycopg's (``%s``); text is
    bound without NUL, which PostgreSQL rejects."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self._sql: dict[str, LiteralString] = {}

    def _translate(self, query: str) -> LiteralString:
        out = self._sql.get(query)
        if out is None:
            out = self._sql[query] = cast(
                LiteralString, query.replace("%", "%%").replace("?", "%s")
            )
        return out

    def execute(self, query: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor[Any]:
        return self.conn.execute(self._translate(query), _clean(parameters))

    def executemany(self, query: str, parameters: Iterable[Sequence[Any]], /) -> None:
        rows = [_clean(p) for p in parameters]
        if rows:
            with self.conn.cursor() as cur:
                cur.executemany(self._translate(query), rows)


def _script() -> str:
    return resources.files("ficsift.library.postgresql").joinpath("schema.sql").read_text("utf-8")


class PostgresLibrary(PostgresSearch, WorkReads, ReaderState, DerivedData, WorkStore, Library):
    """A library in a PostgreSQL database (``url``), in the schema the URL's search_path
    names, or ``schema`` (created if missing)."""

    dialect = POSTGRES_DIALECT
    db: PgConnection

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        self.url = url
        self.pg: psycopg.Connection[Any] = psycopg.connect(url, autocommit=True)
        self.db = PgConnection(self.pg)
        self.schema = schema
        self._batching = False
        self._seq = 0
        self._known_names = {}
        if schema is not None:
            self.pg.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        # Advisory locks are per database: these are this library's (its search_path).
        keys = self.pg.execute(
            "SELECT hashtext(current_database() || ':' || current_setting('search_path') "
            "|| ':ficsift ' || k) FROM unnest(ARRAY['migrate', 'store']) k"
        ).fetchall()
        self._migrate_lock, self._store_lock = int(keys[0][0]), int(keys[1][0])
        self._migrate()

    # -- schema ------------------------------------------------------------------------------

    def _migrate(self) -> None:
        """Create the schema, or bring an older library up to it.

        In one transaction under an advisory lock: processes opening the library at once
        wait for the first, then find it current; a failed upgrade leaves the old library
        whole (PostgreSQL's DDL is transactional), upgraded again on the next open.
        """
        with self.pg.transaction():
            self.pg.execute("SELECT pg_advisory_xact_lock(%s)", (self._migrate_lock,))
            schema = self.schema or self._named_schema()
            if schema is not None:
                self.pg.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema))
                )
            version = self._stored_version()
            if version == SCHEMA_VERSION:
                self._make_token()
                return
            if version is not None and (
                not version.isdigit() or int(version) > int(SCHEMA_VERSION)
            ):
                raise RuntimeError(
                    f"the library's schema is version {version}, which this ficsift (schema "
                    f"{SCHEMA_VERSION}) does not know: a newer ficsift wrote it"
                )
            self.pg.execute(cast(LiteralString, _script()))
            self.db.execute(
                "INSERT INTO meta(key, value) VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                (SCHEMA_VERSION,),
            )
            self._make_token()
            if version is not None:
                # all schema 6 added, in four statements; first, as indexing a work (below)
                # reads the numbers of the names it has
                self._number_tag_names()
                if version == "2":
                    self._recompute_hides()  # all schema 3 added: one UPDATE, not a re-index
                elif version not in ("3", "4", "5"):
                    # An older library: every work is indexed again, as this version indexes.
                    self._reindex_all()
                self.db.execute(
                    "UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION,)
                )

    def _make_token(self) -> None:
        """A name made once with the library (or on the first open of an older one), so
        caches kept outside it know a library re-created in the same schema for another."""
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES ('library_token', ?) ON CONFLICT DO NOTHING",
            (uuid.uuid4().hex,),
        )

    def cache_identity(self) -> str | None:
        # the server, database and schema, and the token: the same library from any handle
        # of this machine's processes, another one after a drop and re-create
        if self._identity is None:
            try:
                row = self.db.execute(
                    "SELECT current_database(), current_schema(), "
                    "(SELECT value FROM meta WHERE key = 'library_token')"
                ).fetchone()
            except psycopg.Error:  # unreadable: no outside cache, nothing else lost
                return None
            if row is None or row[2] is None:
                return None
            info = self.pg.info
            self._identity = f"postgresql:{info.host}:{info.port}:{row[0]}:{row[1]}:{row[2]}"
        return self._identity

    _identity: str | None = None

    def _named_schema(self) -> str | None:
        """The schema a URL's ``options=-csearch_path=…`` names when it does not exist yet
        (a new library there is made in it; None when the search path has one already)."""
        row = self.pg.execute("SELECT current_schema(), current_setting('search_path')").fetchone()
        if row is None or row[0] is not None:
            return None
        first = str(row[1]).split(",")[0].strip()
        if first.startswith('"') and first.endswith('"'):
            first = first[1:-1].replace('""', '"')
        return first if first and first != "$user" else None

    def _stored_version(self) -> str | None:
        if self.pg.execute("SELECT to_regclass('meta')").fetchone()[0] is None:  # type: ignore[index]
            return None
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return str(row[0]) if row else None

    # -- writing -----------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        try:
            with self.pg.transaction():
                yield
        except BaseException:
            self._known_names.clear()  # names it added are gone again
            raise

    @contextmanager
    def _store_transaction(self) -> Iterator[None]:
        """A store: one at a time over every process (the lock is released at commit), and
        inside a batch without waiting for the disk (see batch())."""
        with self._transaction():
            self.pg.execute(
                "SELECT pg_advisory_xact_lock(%s), set_config('synchronous_commit', %s, true)",
                (self._store_lock, "off" if self._batching else "on"),
            )
            # After the lock, in a new statement: it sees what the last store committed.
            row = self.pg.execute("SELECT coalesce(max(read_seq), 0) FROM sources").fetchone()
            self._seq = int(row[0])  # type: ignore[index]
            yield

    def store_file(
        self, record: FileRecord, documents: Sequence[Document | StorableDocument]
    ) -> list[StoreResult]:
        items = [storable(given) for given in documents]
        try:
            # Pipelined: the writes go without waiting for each answer (a read waits).
            with self._store_transaction(), self.pg.pipeline():
                return self._write_file(record, items)
        except Exception as failed:
            if self._batching and self.pg.broken:
                # The server went away: the batch's last commits, made without waiting for
                # the disk, may be lost with it; the import must stop (a re-run redoes them).
                raise BatchLost(f"the connection to PostgreSQL was lost: {failed}") from failed
            raise

    def touch_file(self, record: FileRecord) -> None:
        self._touch(record)

    @contextmanager
    def batch(self) -> Iterator[None]:
        # Each file is still its own transaction (all-or-nothing, and a failed file costs
        # that file alone), committed without waiting for the WAL to reach the disk; the
        # end of the batch waits once for all of them.  A server crash meanwhile may lose
        # the batch's last files, which a re-run redoes.
        if self._batching:
            yield
            return
        self._batching = True
        try:
            yield
        finally:
            self._batching = False
            if not self.pg.broken:
                # The batch's works into the term postings (searches beside an import keep
                # their speed), under the store lock; and a synchronous commit that writes
                # flushes the WAL up to it: every earlier commit of the batch is then on disk.
                with self._store_transaction():
                    self.term_postings.refresh_if_built()
                    self.db.execute(
                        "INSERT INTO meta(key, value) VALUES ('batch_flushed', '1') "
                        "ON CONFLICT(key) DO UPDATE SET value = "
                        "CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)"
                    )

    # -- full text ---------------------------------------------------------------------------

    def _unindex_text(self, work_id: int) -> None:
        """A work's text row is replaced whole by _index_text; its postings wait."""
        self.term_postings.mark_dirty(work_id)

    def _index_text(self, work_id: int, values: WorkValues, new_body: str | None) -> None:
        self.term_postings.mark_dirty(work_id)
        # body holds every field so that words of one query found in different fields (a
        # title word and a story word) still match one work, as SQLite's work_fts does
        fields = tuple(v[:HEAD_CHARS] for v in values.fts)
        short = "\n".join(fields)
        if new_body is not None:
            body = f"{short}\n{new_body[:BODY_CHARS]}"[:BODY_CHARS]
            self.db.execute(_TEXT_UPSERT.format(body="?"), (work_id, *fields[:4], body))
            return
        self.db.execute(
            _TEXT_UPSERT.format(body=_STORED_BODY), (work_id, *fields[:4], short, work_id)
        )

    def refresh_text_index(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Tokenize the works whose text changed into the term postings (one transaction,
        under the store lock: imports wait, searches go on), then VACUUM: mark the new pages
        visible (so a tag's works come from its index alone) and update the planner's
        statistics, rather than waiting for autovacuum."""
        with self._store_transaction():
            done = self.term_postings.refresh(progress)
        self.pg.execute(
            "VACUUM (ANALYZE) tag_index, works, work_facts, search_rows, term_postings, term_docs"
        )
        return done

    def size_on_disk(self) -> int:
        row = self.pg.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
        ).fetchone()
        return int(row[0])  # type: ignore[index]

    def close(self) -> None:
        self.pg.close()


def _vector(weight: str, text: str = "?", limit: int = HEAD_CHARS) -> str:
    return f"setweight(to_tsvector('english', left({text}, {limit})), '{weight}')"


# The short fields and the text source's chapters (a re-index reads the story back).
_STORED_BODY = (
    "? || chr(10) || coalesce((SELECT string_agg(c.text, chr(10) ORDER BY c.idx) FROM chapters c "
    "JOIN works w ON c.source_id = w.text_source_id WHERE w.id = ?), '')"
)
_TEXT_UPSERT = (
    "INSERT INTO work_text(work_id, head, body) VALUES (?, "
    f"{_vector('A')} || {_vector('B')} || {_vector('C')} || {_vector('C')}, "
    f"{_vector('D', '{body}', BODY_CHARS)}) "
    "ON CONFLICT(work_id) DO UPDATE SET head = excluded.head, body = excluded.body"
)
