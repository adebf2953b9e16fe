"""The text vectors and model kept in the user's cache folder between one-shot commands."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from ficsift.library import Library, SqliteLibrary
from ficsift.search import engine
from ficsift.search.parse import parse_query
from ficsift.search.semantic import VectorIndex


def test_a_vector_index_comes_back_from_its_bytes_as_built() -> None:
    rng = np.random.default_rng(7)
    index = VectorIndex(np.array([5, 2, 9, 3]), rng.normal(size=(4, 8)).astype(np.float32))
    back = VectorIndex.from_bytes(memoryview(index.to_bytes()))
    assert back.ids.tolist() == [2, 3, 5, 9]
    assert np.array_equal(back.vectors, index.vectors)
    query = rng.normal(size=8).astype(np.float32)
    assert back.top_k(query, 3) == index.top_k(query, 3)


def test_a_truncated_vector_index_is_refused() -> None:
    index = VectorIndex(np.array([1, 2]), np.ones((2, 4), dtype=np.float32))
    with pytest.raises(ValueError):
        VectorIndex.from_bytes(index.to_bytes()[:-4])


def test_a_copied_library_has_another_cache_identity(tmp_path: Path) -> None:
    first = SqliteLibrary(tmp_path / "a")
    name = first.cache_identity()
    assert name is not None and name == first.cache_identity()
    first.close()
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    copy = SqliteLibrary(tmp_path / "b")
    assert copy.cache_identity() not in (None, name)
    copy.close()


def test_a_second_command_maps_the_model_and_vectors_instead_of_reading_them(
    fic_library: Library, derived_cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = parse_query("vampire in the dark cellar")
    engine._VECTOR_CACHE.clear()
    first = engine.search(fic_library, query)
    kept = sorted(p.name.split("-")[0] for p in derived_cache_folder.glob("*.bin"))
    assert "model" in kept and "vectors" in kept
    engine._VECTOR_CACHE.clear()  # as a new process would start

    def unread(*_: object) -> None:
        raise AssertionError("read from the library, not the cache")

    monkeypatch.setattr(fic_library, "model", unread)
    monkeypatch.setattr(fic_library, "vectors", unread)
    second = engine.search(fic_library, query)
    assert [(h.id, round(h.score, 6)) for h in second.hits] == [
        (h.id, round(h.score, 6)) for h in first.hits
    ]
    assert any(h.id for h in second.hits)
    engine._VECTOR_CACHE.clear()


def test_the_cache_identity_is_read_while_another_process_writes(tmp_path: Path) -> None:
    """The token is made when the library is opened: asking for it during another process's
    import neither writes nor waits for that import's lock."""
    import sqlite3
    import time

    lib = SqliteLibrary(tmp_path / "lib")
    writer = sqlite3.connect(lib.path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # as an import holds the write lock
    try:
        started = time.monotonic()
        assert lib.cache_identity() is not None
        assert time.monotonic() - started < 2  # the busy timeout is 10 s
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        lib.close()


def test_a_current_library_opens_and_searches_while_another_process_writes(
    tmp_path: Path,
) -> None:
    """Opening a library of this schema writes nothing, so a search opens it while an
    import holds the write lock (it waited the 10 s busy timeout, then failed)."""
    import sqlite3
    import threading

    from ficsift.library.query import Query
    from ficsift.search import search

    SqliteLibrary(tmp_path / "lib").close()
    writer = sqlite3.connect(tmp_path / "lib" / "library.sqlite3", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # as a long refresh holds it
    answered: list[int] = []
    try:

        def open_and_search() -> None:
            lib = SqliteLibrary(tmp_path / "lib")
            try:
                answered.append(search(lib, Query(text="", use_blacklist=False)).total)
            finally:
                lib.close()

        thread = threading.Thread(target=open_and_search)
        thread.start()
        thread.join(5)
        assert answered == [0], "opening the library waited for the writer"
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        thread.join(15)
