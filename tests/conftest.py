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


@pytest.fixture(scope="session", autouse=True)
def _derived_cache_of_the_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The tests' derived cache (primer, ontology image) is the run's own, built once by the
    first test that needs it: no test reads or writes the reader's ~/.cache."""
    folder = tmp_path_factory.mktemp("derived-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FICSIFT_CACHE", str(folder))
        yield


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
