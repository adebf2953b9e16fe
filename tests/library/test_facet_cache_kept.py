"""The facet cache kept in the user's cache folder: a server's restart maps it instead of
reading every work's tags again, and only for the library and generation it was made from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ficsift.library import FileRecord, SqliteLibrary
from ficsift.library.sql.facet_counts import FacetCache
from tests.library.test_search_contract import WORKS, _document

WORKS_ROWS = [(1, "1,2"), (2, "1"), (3, ""), (4, "3,4")]  # (work id, tag numbers), by id
NAMES = [  # (number, type, display)
    (1, "fandom", "Buffy the Vampire Slayer"),
    (2, "character", "Willow Rosenberg"),
    (3, "fandom", "Star Trek: Deep Space Nine"),
    (4, "character", "Odo"),
]


def _cache(
    works: list[tuple[int, str]] = WORKS_ROWS, names: list[tuple[int, str, str]] = NAMES
) -> FacetCache:
    cache = FacetCache()
    cache.load(works, names, "7")
    return cache


def test_the_cache_counts_each_work_s_numbered_tags_by_name() -> None:
    counts = _cache().count([1, 2, 3, 4], 5)
    assert counts["fandom"] == [("Buffy the Vampire Slayer", 2), ("Star Trek: Deep Space Nine", 1)]
    assert counts["character"] == [("Odo", 1), ("Willow Rosenberg", 1)]
    assert _cache().count([3], 5) == {}


def test_a_number_without_a_name_is_left_out_not_counted_as_another_tag() -> None:
    # numbers far apart (names added over time) and one no name holds
    cache = _cache([(1, "7,900"), (5, "7,12")], [(7, "fandom", "A"), (900, "fandom", "B")])
    assert cache.count([1, 5], 5) == {"fandom": [("A", 2), ("B", 1)]}


@pytest.mark.parametrize("damaged", ["x", "1.5", "99999999999999999999999", "", " "])
def test_a_damaged_number_counts_as_none_and_its_neighbours_still_count(damaged: str) -> None:
    cache = _cache(
        [(1, f"7,{damaged}"), (2, "900"), (3, "7")], [(7, "fandom", "A"), (900, "fandom", "B")]
    )
    assert cache.count([1, 2, 3], 5) == {"fandom": [("A", 2), ("B", 1)]}


def test_the_widely_used_tags_are_those_a_share_of_the_works_carry_most_first() -> None:
    cache = _cache()  # Buffy on 2 of 4 works, the rest on 1
    assert cache.widely_used(0.5, 10) == [("fandom", "Buffy the Vampire Slayer")]
    assert cache.widely_used(0.25, 2)[0] == ("fandom", "Buffy the Vampire Slayer")
    assert len(cache.widely_used(0.25, 2)) == 2
    assert FacetCache().widely_used(0.0, 10) == []


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
    assert _cache([(1, "1")], [(1, "freeform", "odd\x1ename")]).to_bytes() is None
    assert _cache([(1, "1")], [(1, "freeform", "odd\x1fname")]).to_bytes() is None


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

    def unread(statement: str) -> None:
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

    def counted(statement: str) -> object:
        read.append(1)
        return rows(statement)

    monkeypatch.setattr(second, "_facet_rows", counted)
    moved = second._load_facet_cache(second.generation())
    assert read == [1, 1]  # built again for the new generation: works, then names
    before = built.count(ids, 10)["fandom"][0]
    assert moved.count([*ids, max(ids) + 1], 10)["fandom"][0] == (before[0], before[1] + 1)
    first.close()
    second.close()
