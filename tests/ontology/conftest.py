"""Fixtures for the ontology tests: the packaged data, and the real sources beside the repo."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import SHARED  # one place says where the shared data is (FICSIFT_SHARED)

from ficsift.ontology import Ontology, load_ontology


@pytest.fixture(scope="session")
def onto() -> Ontology:
    return load_ontology()


@pytest.fixture(scope="session")
def shared() -> Path:
    """The real sources beside the repo (skips the test where they are absent)."""
    if not SHARED.exists():
        pytest.skip(f"shared data not found: {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def scourgify_rows(shared: Path) -> Callable[[str], list[list[str]]]:
    """Rows (header dropped) of a scourgify CSV by file name, read once per session."""
    cache: dict[str, list[list[str]]] = {}

    def rows(name: str) -> list[list[str]]:
        if name not in cache:
            with (shared / "ontology" / "scourgify-ao3-2021" / name).open(
                encoding="utf-8", newline=""
            ) as fh:
                cache[name] = list(csv.reader(fh))[1:]
        return cache[name]

    return rows
