"""Stage 3: where works live.  See :class:`ficsift.library.base.Library` for the contract."""

from __future__ import annotations

import os
from pathlib import Path

from ficsift.library.base import (
    BatchLost,
    FileRecord,
    Library,
    LibraryStats,
    Outcome,
    StoredWork,
    StoreResult,
    WorkRow,
)
from ficsift.library.sqlite import SqliteLibrary

__all__ = [
    "BatchLost",
    "FileRecord",
    "Library",
    "LibraryStats",
    "Outcome",
    "SqliteLibrary",
    "StoreResult",
    "StoredWork",
    "WorkRow",
    "default_library_dir",
    "open_library",
]


def default_library_dir() -> Path:
    """``$FICSIFT_HOME`` if set, else the platform's user data folder for ficsift."""
    home = os.environ.get("FICSIFT_HOME")
    if home:
        return Path(home).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("ficsift", appauthor=False))


def open_library(directory: str | Path | None = None) -> Library:
    """The embedded SQLite library in ``directory`` (default: :func:`default_library_dir`)."""
    return SqliteLibrary(directory if directory is not None else default_library_dir())
