"""The embedded backend: one SQLite file in WAL mode, full text in FTS5."""

from ficsift.library.sqlite.library import SqliteLibrary

__all__ = ["SqliteLibrary"]
