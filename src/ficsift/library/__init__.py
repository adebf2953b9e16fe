"""Stage 3: where works live.  See :class:`ficsift.library.base.Library` for the contract."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ficsift.library.base import (
    BatchLost,
    DerivedStore,
    FileRecord,
    Library,
    LibraryStats,
    Outcome,
    ReaderStateStore,
    SearchBackend,
    StoredWork,
    StoreResult,
    WorkRow,
    WorkStorage,
)

if TYPE_CHECKING:
    from ficsift.library.sqlite import SqliteLibrary

__all__ = [
    "BatchLost",
    "DerivedStore",
    "FileRecord",
    "Library",
    "LibraryStats",
    "Outcome",
    "ReaderStateStore",
    "SearchBackend",
    "SqliteLibrary",
    "StoreResult",
    "StoredWork",
    "WorkRow",
    "WorkStorage",
    "default_library_dir",
    "is_postgres_url",
    "library_home",
    "library_label",
    "library_spec",
    "open_library",
]


def __getattr__(name: str) -> object:
    # The SQLite backend (and numpy, which its search uses) is imported when a library is
    # opened or SqliteLibrary is named: `ficsift --help` and the query model go without it.
    if name == "SqliteLibrary":
        from ficsift.library.sqlite import SqliteLibrary

        return SqliteLibrary
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def default_library_dir() -> Path:
    """``$FICSIFT_HOME`` if set, else the platform's user data folder for ficsift."""
    home = os.environ.get("FICSIFT_HOME")
    if home:
        return Path(home).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("ficsift", appauthor=False))


POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(spec: str | Path) -> bool:
    return isinstance(spec, str) and spec.startswith(POSTGRES_SCHEMES)


def library_spec(given: str | Path | None = None) -> str | Path:
    """Which library a command means: the one given, else ``$FICSIFT_LIBRARY`` (a folder or
    a ``postgresql://`` URL), else the embedded library in :func:`default_library_dir`."""
    if given is not None and str(given):
        return given
    return os.environ.get("FICSIFT_LIBRARY") or default_library_dir()


def library_home(spec: str | Path | None = None) -> Path:
    """The folder for the reader's files beside a library (downloads, web import jobs,
    uploads): an embedded library's own folder; for a database library, ``$FICSIFT_HOME``
    or the user data folder."""
    spec = library_spec(spec)
    return default_library_dir() if is_postgres_url(spec) else Path(spec).expanduser()


def library_label(spec: str | Path | None = None) -> str:
    """How to name a library to the reader: its folder, or its URL without the password."""
    spec = library_spec(spec)
    if not is_postgres_url(spec):
        return str(Path(spec).expanduser())
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", str(spec))


def open_library(spec: str | Path | None = None) -> Library:
    """The library ``spec`` names (see :func:`library_spec`): a ``postgresql://`` URL opens
    the PostgreSQL backend, anything else is the folder of an embedded SQLite library."""
    spec = library_spec(spec)
    if is_postgres_url(spec):
        from ficsift.library.postgresql import PostgresLibrary  # psycopg: the archive extra

        return PostgresLibrary(str(spec))
    from ficsift.library.sqlite import SqliteLibrary

    return SqliteLibrary(spec)
