"""Autocomplete suggests every tag of the library, not only the commonest few thousand."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ficsift.web import api

from .conftest import make_app, make_client


def test_a_rare_tag_is_suggested(library_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the cached counts know only the most used tag of each type: a rare one is beyond them
    monkeypatch.setattr(api, "TAG_DEPTH", 1)
    with sqlite3.connect(library_dir / "library.sqlite3") as db:
        rare, top = (
            db.execute(
                "SELECT max(display) FROM tag_index WHERE type = 'freeform' AND effective = 1 "
                f"AND inherited = 0 GROUP BY key ORDER BY count(DISTINCT work_id) {order}, key "
                "LIMIT 1"
            ).fetchone()[0]
            for order in ("ASC", "DESC")
        )
    assert rare != top
    client: TestClient
    with make_client(make_app(library_dir)) as client:
        prefix = rare[:4].upper()
        found = client.get("/api/tags", params={"prefix": prefix, "limit": 50}).json()["tags"]
    assert any(t["name"] == rare and t["type"] == "freeform" and t["count"] == 1 for t in found)
    assert all(t["name"].casefold().startswith(prefix.casefold()) for t in found[:1])
