"""Every cache in the web app follows the library, whoever changed it: an import by another
process (a CLI `ficsift add`, another server worker) or a blacklist entry added elsewhere."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from ficsift.importer import import_paths
from ficsift.library import open_library
from ficsift.library.query import BlacklistEntry, BlacklistKind
from ficsift.search import refresh
from ficsift.web import state as web_state
from ficsift.web.state import FifoLock

BTVS = "Buffy the Vampire Slayer"
NEW_FIC = """---
title: Counted Later
author: somebody else
tags:
  - f:btvs
  - c:willow
---

Willow counted the books twice, because the first count was already out of date.
"""


def fandom_counts(client: TestClient, url: str = "/search/facets") -> dict[str, int]:
    """The sidebar's Fandoms counts, as a page shows them."""
    tree = HTMLParser(client.get(url).text)
    for facet in tree.css("details.facet"):
        summary = facet.css_first("summary")
        if summary is not None and summary.text().strip() == "Fandoms":
            return {
                item.css_first(".facet-name").text(): int(item.css_first(".count").text())  # type: ignore[union-attr]
                for item in facet.css(".facet-item")
            }
    raise AssertionError("no Fandoms facet")


def test_facet_counts_follow_another_processs_import(
    client: TestClient, library_dir: Path, tmp_path: Path
) -> None:
    assert fandom_counts(client)[BTVS] == 4
    assert fandom_counts(client)[BTVS] == 4  # now from the cache
    assert fandom_counts(client, "/search?facets=1")[BTVS] == 4  # cached for the page too
    story = tmp_path / "counted.md"
    story.write_text(NEW_FIC)
    with open_library(library_dir) as other:  # as `ficsift add` would, on its own connection
        report = import_paths(other, [story], workers=0)
        assert report.counts["added"] == 1, report
        refresh(other)  # the end of `ficsift add`: the library is at rest, answered exactly
    assert fandom_counts(client)[BTVS] == 5
    assert fandom_counts(client, "/search?facets=1")[BTVS] == 5
    assert client.get("/api/search").json()["total"] == 6  # results agree with the counts


def test_facet_counts_follow_another_processs_blacklist(
    client: TestClient, library_dir: Path
) -> None:
    assert fandom_counts(client)[BTVS] == 4
    with open_library(library_dir) as other:
        other.blacklist_add(BlacklistEntry(BlacklistKind.AUTHOR, "antennapedia"))
    assert BTVS not in fandom_counts(client)
    with open_library(library_dir) as other:
        entry = other.blacklist()[0]
        assert entry.id is not None
        other.blacklist_remove(entry.id)
    assert fandom_counts(client)[BTVS] == 4


def _warmed(client: TestClient) -> web_state.AppState:
    state: web_state.AppState = client.app.state.ficsift  # type: ignore[attr-defined]
    deadline = time.monotonic() + 30
    while state._warm is None:  # the start-up warm-up, in its thread
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return state


def test_search_caches_reload_in_the_background_during_another_processs_import(
    client: TestClient, library_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_state, "RELOAD_EVERY", 0.2)
    state = _warmed(client)
    story = tmp_path / "counted.md"
    story.write_text(NEW_FIC)
    with open_library(library_dir) as other:  # an import's batch, its refresh still to come
        import_paths(other, [story], workers=0)
        moved = str(other.generation())  # type: ignore[attr-defined]
    assert state._warm != moved
    seen = set()
    deadline = time.monotonic() + 30
    while state._warm != moved:  # searches go on; one of them sets the reload going
        assert time.monotonic() < deadline, "the search caches were never reloaded"
        seen.add(client.get("/api/search", params={"tag": f"fandom:{BTVS}"}).json()["total"])
        time.sleep(0.05)
    assert seen <= {4, 5}  # the library before the batch, or after it: nothing else
    assert client.get("/api/search", params={"tag": f"fandom:{BTVS}"}).json()["total"] == 5
    assert fandom_counts(client)[BTVS] == 5


def test_searches_go_on_while_the_caches_reload(
    client: TestClient, library_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reload loads a fresh handle outside the library lock: a search meanwhile is
    answered (loading under the lock stalled every search of the process)."""
    monkeypatch.setattr(web_state, "RELOAD_EVERY", 0.0)
    state = _warmed(client)
    loading, release = threading.Event(), threading.Event()
    real_warm_up = web_state.warm_up

    def slow_warm_up(lib: object) -> None:
        loading.set()
        release.wait(30)
        real_warm_up(lib)  # type: ignore[arg-type]

    monkeypatch.setattr(web_state, "warm_up", slow_warm_up)
    story = tmp_path / "counted.md"
    story.write_text(NEW_FIC)
    with open_library(library_dir) as other:
        import_paths(other, [story], workers=0)
        refresh(other)
    try:
        first = client.get("/api/search")  # sees the move: the reload starts
        assert first.json()["total"] == 6  # (a library at rest is answered exactly)
        assert loading.wait(10), "no reload started"
        totals: list[int] = []
        search = threading.Thread(
            target=lambda: totals.append(
                client.get("/api/search", params={"tag": f"fandom:{BTVS}"}).json()["total"]
            )
        )
        search.start()
        search.join(10)  # while the reload is held
        assert totals == [5], "a search waited for the reload"
    finally:
        release.set()
    deadline = time.monotonic() + 30
    while state._warming:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert client.get("/api/search").json()["total"] == 6


def test_the_library_lock_is_granted_in_arrival_order() -> None:
    """A request that just released the library may not take it again ahead of one already
    waiting (threading.RLock lets it: under load some requests waited many turns)."""
    for _ in range(5):
        lock = FifoLock()
        order: list[str] = []

        def waiting(lock: FifoLock, order: list[str]) -> None:
            with lock:
                order.append("waited first")

        lock.__enter__()
        waiter = threading.Thread(target=waiting, args=(lock, order))
        waiter.start()
        time.sleep(0.05)  # it is blocked, waiting its turn
        lock.__exit__()
        with lock, lock:  # straight back, as the next request would (and re-entrant)
            order.append("came back")
        waiter.join()
        assert order == ["waited first", "came back"]
