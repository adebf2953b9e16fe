"""What only the PostgreSQL backend has to get right: several writers at once, migrations on
open, values PostgreSQL refuses (NUL in text, integers past bigint, tsvectors past 1 MB)."""

from __future__ import annotations

import multiprocessing
import random
import string
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql

from ficsift.library import BatchLost, FileRecord, Library, Outcome
from ficsift.library.postgresql.library import SCHEMA_VERSION
from ficsift.library.query import INT64_MAX
from ficsift.model import Chapter, Document, Source, Stats, TagType
from tests.library.conftest import POSTGRES_URL, postgres_class


def _open(schema: str) -> Any:
    return postgres_class()(POSTGRES_URL, schema=schema)


@pytest.fixture
def pg(pg_schema: str) -> Iterator[Any]:
    lib = _open(pg_schema)
    yield lib
    lib.close()


def story(seed: int, words: int = 600) -> str:
    """A story of its own: words no other seed's story shares runs of."""
    rng = random.Random(seed)
    vocab = ["".join(rng.choice(string.ascii_lowercase) for _ in range(6)) for _ in range(300)]
    return " ".join(rng.choice(vocab) for _ in range(words))


def work(path: str, seed: int, key: str | None = None, text: str | None = None) -> Document:
    body = text if text is not None else story(seed)
    d = Document(
        source=Source(path=path, format="text", work_key=key, sha256=f"sha-{path}"),
        title=f"Work {seed}",
        authors=["someone"],
        chapters=[Chapter(title="One", text=body, html=f"<p>{body}</p>")],
    )
    d.add_tag("Star Trek: Deep Space Nine", TagType.FANDOM)
    return d


def store(lib: Library, d: Document) -> Outcome:
    record = FileRecord(d.source.path, d.source.sha256 or "", 1, 0.0, 1)
    return lib.store_file(record, [d])[0].outcome


# -- several writers -----------------------------------------------------------------------


SEEDS = 40


def _import_copies(schema: str, copy: str, ready: Any) -> None:
    """One importing process: its own copy of every work (a keyed one and an unkeyed one
    per seed), in the same order as the other, so both store a work at about one time."""
    lib = _open(schema)
    ready.wait()
    for seed in range(SEEDS):
        store(lib, work(f"{copy}/keyed-{seed}.html", seed, key=f"ao3:{seed}"))
        store(lib, work(f"{copy}/plain-{seed}.txt", 100 + seed))  # merged by its text alone
    lib.close()


def test_two_processes_storing_copies_of_the_same_works_make_each_work_once(
    pg: Any, pg_schema: str
) -> None:
    """Each store reads (is this a copy of a stored work?) before it writes: without the
    store lock two processes both find nothing and both add the work."""
    context = multiprocessing.get_context("fork")
    ready = context.Barrier(2)
    workers = [
        context.Process(target=_import_copies, args=(pg_schema, copy, ready)) for copy in ("a", "b")
    ]
    for p in workers:
        p.start()
    for p in workers:
        p.join(120)
    assert [p.exitcode for p in workers] == [0, 0]
    assert pg.work_count() == 2 * SEEDS  # keyed and unkeyed works, each stored twice
    assert pg.stats().sources == 4 * SEEDS
    per_work = pg.db.execute("SELECT count(*) FROM sources GROUP BY work_id").fetchall()
    assert sorted(int(r[0]) for r in per_work) == [2] * (2 * SEEDS)


def test_readers_do_not_wait_for_a_store(pg: Any, pg_schema: str) -> None:
    """A store holds the store lock to its commit; another process's store waits for it,
    its reads do not."""
    store(pg, work("first.txt", 1))
    other = _open(pg_schema)
    holder = psycopg.connect(POSTGRES_URL, autocommit=True)
    try:
        holder.execute("BEGIN")
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (pg._store_lock,))
        started = time.monotonic()
        assert other.work_count() == 1 and other.get(1) is not None
        assert time.monotonic() - started < 5
        done: list[Outcome] = []
        writer = threading.Thread(target=lambda: done.append(store(other, work("w.txt", 2))))
        writer.start()
        writer.join(1.0)
        assert not done  # waiting for the lock
        holder.execute("COMMIT")
        writer.join(30)
        assert done == [Outcome.ADDED]
    finally:
        holder.close()
        other.close()


# -- migrations ----------------------------------------------------------------------------


def test_opening_an_empty_schema_from_several_processes_at_once(pg_schema: str) -> None:
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            _open(pg_schema).close()
        except BaseException as failed:  # reported below
            errors.append(failed)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    lib = _open(pg_schema)
    try:
        assert lib._stored_version() == SCHEMA_VERSION
        assert lib.work_count() == 0
    finally:
        lib.close()


def test_an_older_library_is_migrated_and_reindexed_on_open(pg: Any, pg_schema: str) -> None:
    """A library an older version wrote (no full-text table, no search rows) gets them on
    open, from the stored works."""
    store(pg, work("a.txt", 1, key="ao3:1"))
    pg.db.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    pg.db.execute("DROP TABLE work_text")
    pg.db.execute("DELETE FROM search_rows")
    pg.db.execute("DELETE FROM work_facts")
    pg.close()
    lib = _open(pg_schema)
    try:
        assert lib._stored_version() == SCHEMA_VERSION
        assert lib.db.execute("SELECT count(*) FROM search_rows").fetchone()[0] == 1
        word = story(1).split()[0]
        hit = lib.db.execute(
            "SELECT work_id FROM work_text WHERE body @@ plainto_tsquery('english', ?)", (word,)
        ).fetchall()
        assert [int(r[0]) for r in hit] == [1]
        assert store(lib, work("a.txt", 1, key="ao3:1")) == Outcome.UNCHANGED
    finally:
        lib.close()


def test_a_newer_library_is_refused_with_its_version(pg: Any, pg_schema: str) -> None:
    pg.db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(RuntimeError, match="version 99, which this ficsift"):
        _open(pg_schema)


# -- values PostgreSQL refuses -------------------------------------------------------------


def test_nul_bytes_in_text_are_stored_without_them(pg: Any) -> None:
    """PostgreSQL text cannot hold NUL (binding one raises): the stored text leaves it out,
    and storing the same document again is still 'unchanged'."""
    d = work("nul.txt", 5, text="Odo\x00 shifted " + story(5))
    d.title = "The\x00Changeling"
    d.chapters[0].title = "One\x00"
    d.add_tag("Odo/Kira\x00 Nerys", TagType.RELATIONSHIP)
    assert store(pg, d) == Outcome.ADDED
    got = pg.get(1)
    assert got is not None
    assert got.document.chapters[0].text.startswith("Odo shifted")
    assert pg.rows()[0].title == "TheChangeling"
    assert store(pg, d) == Outcome.UNCHANGED


def test_integers_past_bigint_are_dropped_or_not_found(pg: Any) -> None:
    d = work("big.txt", 6)
    d.stats = Stats(kudos=2**64, hits=INT64_MAX)
    assert store(pg, d) == Outcome.ADDED
    got = pg.get(1)
    assert got is not None and got.document.stats.kudos is None
    assert got.document.stats.hits == INT64_MAX
    huge = 2**63
    assert pg.get(huge) is None and not pg.has_work(huge) and pg.reading(huge) is None
    assert pg.blurbs([huge]) == {} and pg.score_detail(huge) is None
    assert not pg.blacklist_remove(huge)
    with pytest.raises(ValueError, match="no work"):
        pg.set_reading(huge, status="read")
    pg.put_scores([(huge, 0.5, "kudos", "{}"), (1, 0.7, "kudos", "{}")])
    assert pg.qualities([1, huge]) == {1: 0.7}


def test_a_story_past_the_tsvector_limit_is_stored_and_found_by_its_opening(pg: Any) -> None:
    """1.5 million characters of distinct words make a tsvector past PostgreSQL's 1 MB: the
    full text indexes the story's opening instead of refusing the work."""
    rng = random.Random(7)
    text = " ".join(
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 7)))
        for _ in range(300_000)
    )
    assert len(text) > 1_400_000
    assert store(pg, work("epic.txt", 7, text=text)) == Outcome.ADDED
    first = text.split()[0]
    hit = pg.db.execute(
        "SELECT work_id FROM work_text WHERE body @@ to_tsquery('simple', ?)", (first,)
    ).fetchall()
    assert [int(r[0]) for r in hit] == [1]
    assert len(pg.story_text(1)) == len(text)


def test_a_batch_whose_connection_is_lost_says_so(pg: Any) -> None:
    """Inside a batch, commits do not wait for the disk: when the server connection is lost
    the batch's last files may be lost with it, and BatchLost stops the import."""
    killer = psycopg.connect(POSTGRES_URL, autocommit=True)
    try:
        with pytest.raises(BatchLost), pg.batch():
            assert store(pg, work("one.txt", 8)) == Outcome.ADDED
            killer.execute("SELECT pg_terminate_backend(%s)", (pg.pg.info.backend_pid,))
            store(pg, work("two.txt", 9))
    finally:
        killer.close()


def test_a_batch_is_durable_at_its_end(pg: Any, pg_schema: str) -> None:
    with pg.batch():
        for seed in range(3):
            store(pg, work(f"{seed}.txt", 20 + seed))
    other = _open(pg_schema)
    try:
        assert other.work_count() == 3
        assert other.file_record("2.txt") is not None
    finally:
        other.close()


def test_each_test_schema_is_its_own_library(pg: Any, pg_schema: str) -> None:
    store(pg, work("mine.txt", 30))
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        tables = conn.execute(
            sql.SQL("SELECT count(*) FROM {}.works").format(sql.Identifier(pg_schema))
        ).fetchone()
    assert tables is not None and tables[0] == 1


def test_a_url_naming_a_new_schema_makes_the_library_there(pg_schema: str) -> None:
    """`--library 'postgresql://…?options=-csearch_path%3Dname'` on an empty database: the
    schema is made, and the library lives in it (not in public)."""
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{pg_schema}"
    lib = postgres_class()(url)
    try:
        assert store(lib, work("a.txt", 1, key="ao3:1")) == Outcome.ADDED
        assert lib.pg.execute("SELECT current_schema()").fetchone()[0] == pg_schema  # type: ignore[index]
    finally:
        lib.close()
    again = postgres_class()(url)
    try:
        assert again.work_count() == 1
    finally:
        again.close()


def test_a_tags_works_come_from_its_index_alone_after_an_import(pg: Any, pg_schema: str) -> None:
    """``tag_index_postings`` holds every column a tag filter reads (so a big tag is an
    index-only scan), a schema 3 library gets it on open without a re-index, and the end of
    an import (its refresh step) runs VACUUM (ANALYZE), which marks the pages visible."""
    import re

    from ficsift.library.conditions import HasTag, TagTest
    from ficsift.library.postgresql.compile import posting_sql
    from ficsift.library.tag_keys import KeyMatch

    for n in range(3):
        store(pg, work(f"{n}.txt", n))
    pg.db.execute("DROP INDEX tag_index_postings")  # as a schema 3 library has it
    pg.db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    marker = pg.db.execute("SELECT max(id) FROM search_rows").fetchone()[0]
    pg.close()
    lib = _open(pg_schema)
    try:
        assert lib._stored_version() == SCHEMA_VERSION
        assert lib.db.execute("SELECT max(id) FROM search_rows").fetchone()[0] == marker
        indexed = {
            r[0]
            for r in lib.db.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = "
                "i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indexrelid = "
                "'tag_index_postings'::regclass"
            ).fetchall()
        }
        keys = KeyMatch(keys=frozenset({"star trek: deep space nine"}))
        for author_only in (False, True):
            test = TagTest(keys, "fandom", author_only, main_only=True, hiding=True)
            query, params = posting_sql(HasTag((test,)))
            read = set(re.findall(r"\bt\.(\w+)", query))
            assert read and read <= indexed, read - indexed
            assert len(lib.db.execute(query, params).fetchone()[0]) == 3  # (the author's tag)
        vacuums = "SELECT vacuum_count FROM pg_stat_user_tables WHERE relid = 'tag_index'::regclass"
        before = lib.db.execute(vacuums).fetchone()[0]
        lib.refresh_text_index()
        # VACUUM ran (whether it could mark the pages visible depends on other sessions'
        # snapshots, so that is not asked here)
        assert lib.db.execute(vacuums).fetchone()[0] == before + 1
    finally:
        lib.close()


def test_a_library_keeps_its_cache_name_and_a_re_created_one_has_another(
    pg: Any, pg_schema: str
) -> None:
    """Caches kept outside the database (facets, vectors) are kept under this name: the same
    library from every handle, never one dropped and made again in the same schema."""
    name = pg.cache_identity()
    assert name is not None and pg_schema in name
    again = _open(pg_schema)
    try:
        assert again.cache_identity() == name
    finally:
        again.close()
    pg.close()
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(pg_schema)))
    remade = _open(pg_schema)
    try:
        assert remade.cache_identity() not in (None, name)
    finally:
        remade.close()
