"""Stage 1: files to Documents.  One reader per format; see :mod:`ficsift.read.base`.

``read_file`` is the one entry point: it picks the reader by sniffing and turns any
unexpected failure inside a reader into a :class:`ReadError`, so a hostile file can never
take a whole import down.
"""

from __future__ import annotations

import re

from ficsift.model import Document
from ficsift.read import readers as _readers  # noqa: F401  (registers every reader)
from ficsift.read.base import DEFAULT_LIMITS, Limits, RawFile, ReadError, pick_reader
from ficsift.read.fields import safe_url, work_key_for

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
    if (url := saved_from(raw.data[:4096])) is not None:
        for doc in docs:
            if not doc.source.url:
                doc.source.url = url
                doc.source.work_key = doc.source.work_key or work_key_for(url)
    return docs


# The address a browser or extension recorded atop a page it saved: "<!-- saved from
# url=(0055)https://… -->" (Chrome, Internet Explorer), SingleFile's "url: https://…".
_SAVED_FROM_RE = re.compile(
    rb"<!--\s*(?:saved from url=\(\d{1,5}\)|Page saved with SingleFile\s+url:\s*)(https?://[^\s<>\"']{1,2000})",
    re.I,
)


def saved_from(head: bytes) -> str | None:
    """The address a saved page says it was saved from, if it says so at its top."""
    found = _SAVED_FROM_RE.search(head)
    return safe_url(found.group(1).decode("latin-1")) if found else None


def read_bytes(path: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[Document]:
    return read_file(RawFile(path, data, limits))
