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
