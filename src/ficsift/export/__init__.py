"""Works out to e-readers: a clean EPUB or one HTML file per work.

The export reads the library's merged work (and, when asked, the reader's own rating and
notes); it never touches the network or changes the library.  See
:mod:`ficsift.export.pages` for the layout and :mod:`ficsift.export.xhtml` for how hostile
story data is escaped and sanitised.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ficsift.export.epub import build_epub
    from ficsift.export.html import build_html
    from ficsift.library import StoredWork
    from ficsift.library.views import ReadingState

__all__ = ["Format", "build_epub", "build_html", "export_work", "file_name"]

_UNSAFE_NAME_RE = re.compile(r'[\x00-\x1f<>:"/\\|?*\x7f]+')


def __getattr__(name: str) -> object:
    # The builders (selectolax, nh3, zipfile) are imported when a work is exported: the CLI
    # names Format in every command's options, and a search need not load them.
    if name == "build_epub":
        from ficsift.export.epub import build_epub

        return build_epub
    if name == "build_html":
        from ficsift.export.html import build_html

        return build_html
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Format(StrEnum):
    EPUB = "epub"
    HTML = "html"


def export_work(stored: StoredWork, fmt: Format, reading: ReadingState | None = None) -> bytes:
    """The work in ``fmt``; ``reading`` adds the reader's own rating and notes."""
    from ficsift.export.epub import build_epub
    from ficsift.export.html import build_html

    return build_epub(stored, reading) if fmt is Format.EPUB else build_html(stored, reading)


def file_name(stored: StoredWork, fmt: Format) -> str:
    """A file name for the work that is safe on every file system: "Title - Author (id).epub"."""
    doc = stored.document
    stem = doc.title or "Untitled"
    if doc.authors:
        stem += f" - {doc.authors[0]}"
    stem = " ".join(_UNSAFE_NAME_RE.sub(" ", stem).split()).strip(". ")[:80].strip(". ")
    return f"{stem or 'work'} ({stored.id}).{fmt.value}"
