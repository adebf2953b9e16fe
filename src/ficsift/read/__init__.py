"""Stage 1: files to Documents.  One reader per format; see :mod:`ficsift.read.base`.

``read_file`` is the one entry point: it picks the reader by sniffing and turns any
unexpected failure inside a reader into a :class:`ReadError`, so a hostile file can never
take a whole import down.
"""

from __future__ import annotations

from ficsift.model import Document
from ficsift.read import readers as _readers  # noqa: F401  (registers every reader)
from ficsift.read.base import DEFAULT_LIMITS, Limits, RawFile, ReadError, pick_reader

__all__ = ["DEFAULT_LIMITS", "Limits", "RawFile", "ReadError", "read_bytes", "read_file"]


def read_file(raw: RawFile) -> list[Document]:
    """Documents in ``raw``; ReadError (one line) when it cannot be read."""
    if len(raw.data) > raw.limits.max_file_size:
        raise ReadError(
            f"file too large ({len(raw.data) / 2**20:,.0f} MB; limit {raw.limits.max_file_size / 2**20:,.0f} MB)"
        )
    reader = pick_reader(raw)
    try:
        docs = reader().read(raw)
    except ReadError:
        raise
    except RecursionError:
        raise ReadError(f"{reader.format}: structure nested too deeply") from None
    except MemoryError:
        raise ReadError(f"{reader.format}: ran out of memory reading this file") from None
    except Exception as exc:  # a reader bug must cost one file, not the batch
        raise ReadError(f"{reader.format} reader failed: {type(exc).__name__}: {exc}") from exc
    if not docs:
        raise ReadError(f"{reader.format}: no story found")
    return docs


def read_bytes(path: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[Document]:
    return read_file(RawFile(path, data, limits))
