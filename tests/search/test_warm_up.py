"""A server's warm-up asks for the tags many works carry, so a reader's first search for
one of them is answered from memory, not by reading its works' rows from disk."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ficsift.library import Library
from ficsift.library.query import Query, TagFilter, TagGroup
from ficsift.model import TagType
from ficsift.search import engine
from tests.library import conftest
from tests.library import test_search_contract as contract
from tests.library.test_search_contract import BTVS, DS9, RESOLVER

# the contract suite's five works, on both backends
library, pg_schema, lib = conftest.library, conftest.pg_schema, contract.lib


def _asking(lib: Library, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The tag conditions the backend is asked for from now on."""
    asked: list[Any] = []
    fetch = lib._postings  # type: ignore[attr-defined]

    def counted(condition: Any) -> np.ndarray:
        asked.append(condition)
        return fetch(condition)  # type: ignore[no-any-return]

    monkeypatch.setattr(lib._work_columns, "_fetch", counted)  # type: ignore[attr-defined]
    return asked


def _total(lib: Library, name: str, kind: TagType | None) -> int:
    query = Query(include=[TagGroup((TagFilter(name, kind),))], use_blacklist=False)
    return lib.find(query, RESOLVER, limit=5).total


def test_a_tag_most_works_carry_is_in_memory_after_warm_up(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "WIDE_TAG_SHARE", 0.5)  # Buffy: 3 of the 5 works
    engine.warm_up(lib)
    asked = _asking(lib, monkeypatch)
    assert _total(lib, BTVS, TagType.FANDOM) == 3  # as a facet link asks
    assert _total(lib, BTVS, None) == 3  # as "tag:" in the search box asks
    assert asked == []
    assert _total(lib, DS9, TagType.FANDOM) == 2  # 2 of 5: fetched when asked
    assert len(asked) == 1


def test_the_widely_used_tags_come_from_the_loaded_caches_only(lib: Library) -> None:
    assert lib.widely_used_tags(0.5, 10) == []  # nothing loaded: nothing known
    lib.load_search_caches()
    assert lib.widely_used_tags(0.5, 10) == [("fandom", BTVS)]
    assert ("fandom", DS9) in lib.widely_used_tags(0.4, 10)


class _Vectors:
    """A library's vectors as pages, with the count it says it holds."""

    def __init__(self, pages: list[list[tuple[int, bytes]]], count: int) -> None:
        self.pages, self.count = pages, count

    def vector_count(self, model: str) -> int:
        return self.count

    def vector_pages(self, model: str) -> Any:
        return iter(self.pages)


def _row(*values: float) -> bytes:
    return np.array(values, dtype="<f4").tobytes()


def test_the_vectors_are_read_page_by_page_into_one_matrix() -> None:
    pages = [[(1, _row(1, 0)), (4, _row(0, 1))], [(9, _row(1, 1))]]
    ids, rows = engine._vector_matrix(_Vectors(pages, 3))  # type: ignore[arg-type, misc]
    assert ids.tolist() == [1, 4, 9]
    assert rows.tolist() == [[1, 0], [0, 1], [1, 1]]


def test_a_row_of_another_width_is_left_out_and_rows_past_the_count_are_kept() -> None:
    pages = [
        [(2, _row(1, 2, 3)), (1, _row(1, 0)), (4, _row(0, 0))],
        [(3, _row(0, 1)), (5, _row(2, 2))],
    ]
    # counted before a writer stored two more; one of the rows is damaged
    ids, rows = engine._vector_matrix(_Vectors(pages, 2))  # type: ignore[arg-type, misc]
    assert ids.tolist() == [1, 4, 3, 5]
    assert rows.tolist() == [[1, 0], [0, 0], [0, 1], [2, 2]]
    assert engine._vector_matrix(_Vectors([], 0)) is None  # type: ignore[arg-type]
    assert engine._vector_matrix(_Vectors([[(1, b"abc")]], 1)) is None  # type: ignore[arg-type]
