"""Shared test fixtures: where the real data is, and a fresh library per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ficsift.library import Library, SqliteLibrary

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("FICSIFT_SHARED", ROOT.parent / "shared")).resolve()
CORPUS = SHARED / "corpus"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared real-data corpus; its absence is a setup error, not a skip."""
    assert CORPUS.is_dir(), f"shared corpus missing at {CORPUS} (see README: ../shared)"
    return CORPUS


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = SqliteLibrary(tmp_path / "lib")
    yield lib
    lib.close()


@pytest.fixture
def derived_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty derived cache (primer, ontology image) of this test's own."""
    from ficsift import derived_cache

    folder = tmp_path / "cache"
    monkeypatch.setenv(derived_cache.CACHE_ENV, str(folder))
    return folder
