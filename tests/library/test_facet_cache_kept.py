"""The facet cache kept in the user's cache folder: a server's restart maps it instead of
reading every work's tags again, and only for the library and generation it was made from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ficsift.library import FileRecord, SqliteLibrary
from ficsift.library.sql.facet_counts import FacetCache
from tests.library.test_search_contract import WORKS, _document

ROWS = [  # (work id, type, key, display), by work id
    (1, "fandom", "btvs", "Buffy the Vampire Slayer"),
    (1, "character", "willow", "Willow Rosenberg"),
    (2, "fandom", "btvs", "Buffy the Vampire Slayer"),
    (4, "fandom", "ds9", "Star Trek: Deep Space Nine"),
    (4, "character", "odo", "Odo"),
]


def _cache(rows: list[tuple[int, str, str, str]] = ROWS) -> FacetCache:
    cache = FacetCache()
    cache.load(rows, "7")
    return cache


def test_a_cache_comes_back_from_its_bytes_counting_as_built() -> None:
    cache = _cache()
    data = cache.to_bytes()
    assert data is not None
    back = FacetCache.from_bytes(memoryview(data), "7")
    for ids in ([1, 2, 4], [4], [1, 3, 99], []):
        assert back.count(ids, 5) == cache.count(ids, 5)
    assert back.names == cache.names and back.generation == "7"


def test_a_damaged_or_truncated_cache_is_refused() -> None:
    data = _cache().to_bytes()
    assert data is not None
    with pytest.raises(ValueError):
        FacetCache.from_bytes(data[:-3], "7")
    damaged = bytearray(data)
    cache = _cache()
    tags_at = 48 + 4 * len(cache.names) + 8 * len(cache.row_of) + 8 * len(cache.starts)
    damaged[tags_at : tags_at + 4] = np.int32(1000).tobytes()  # a tag number past the names
    with pytest.raises(ValueError):
        FacetCache.from_bytes(bytes(damaged), "7")


def test_a_name_holding_a_separator_is_not_kept() -> None:
    assert _cache([(1, "freeform", "x", "odd\x1ename")]).to_bytes() is None
    assert _cache([(1, "freeform", "x", "odd\x1fname")]).to_bytes() is None


def test_a_second_handle_maps_the_kept_cache_until_the_library_moves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FICSIFT_CACHE", str(tmp_path / "cache"))
    first = SqliteLibrary(tmp_path / "lib")
    for n in range(len(WORKS)):
        d = _document(n)
        first.store_file(FileRecord(d.source.path, f"s{n}", 1, 0.0, 1), [d])
    built = first._load_facet_cache(first.generation())
    assert list((tmp_path / "cache").glob("facets-*.bin"))
    ids = list(range(1, len(WORKS) + 1))
    second = SqliteLibrary(tmp_path / "lib")

    def unread() -> None:
        raise AssertionError("the facet rows were read again")

    monkeypatch.setattr(second, "_facet_rows", unread)
    kept = second._load_facet_cache(second.generation())
    assert kept.count(ids, 10) == built.count(ids, 10)
    d = _document(0)
    d.source.path, d.source.sha256, d.source.work_key = "new.txt", "n", "test:new"
    first.store_file(FileRecord("new.txt", "n", 1, 0.0, 1), [d])  # the generation moves
    monkeypatch.undo()
    monkeypatch.setenv("FICSIFT_CACHE", str(tmp_path / "cache"))
    read: list[int] = []
    rows = second._facet_rows

    def counted() -> object:
        read.append(1)
        return rows()

    monkeypatch.setattr(second, "_facet_rows", counted)
    moved = second._load_facet_cache(second.generation())
    assert read == [1]  # built again for the new generation
    before = built.count(ids, 10)["fandom"][0]
    assert moved.count([*ids, max(ids) + 1], 10)["fandom"][0] == (before[0], before[1] + 1)
    first.close()
    second.close()
