"""Pages Safari saved (its default "Web Archive", ``.webarchive``).

A web archive is a binary property list: the page's bytes (``WebMainResource`` →
``WebResourceData``) beside its images and frames.  The page is read by the reader that
reads it saved as plain HTML; the archive records the page's address (``WebResourceURL``).
"""

from __future__ import annotations

import plistlib
from typing import Any

from ficsift.model import Document
from ficsift.read.base import RawFile, Reader, ReadError, register
from ficsift.read.saved_page import read_saved_page

_MAGIC = b"bplist00"


@register
class WebArchiveReader(Reader):
    format = "webarchive"

    @classmethod
    def sniff(cls, raw: RawFile) -> int:
        # Above every page reader: the page inside shows its site's marks, but it is not
        # the file.  (The keys of a binary property list may follow its data: all is looked at.)
        if raw.data.startswith(_MAGIC) and (
            raw.suffix == ".webarchive" or b"WebMainResource" in raw.data
        ):
            return 99
        return 0

    def read(self, raw: RawFile) -> list[Document]:
        _check_trailer(raw.data)
        try:
            archive: Any = plistlib.loads(raw.data, fmt=plistlib.FMT_BINARY)
        except (plistlib.InvalidFileException, ValueError, TypeError, KeyError, IndexError) as exc:
            raise ReadError(f"broken web archive: {exc}") from None
        main = archive.get("WebMainResource") if isinstance(archive, dict) else None
        if not isinstance(main, dict) or not isinstance(main.get("WebResourceData"), bytes):
            raise ReadError("web archive holds no page")
        return read_saved_page(
            raw, main["WebResourceData"], str(main.get("WebResourceURL") or ""), WebArchiveReader
        )


def _check_trailer(data: bytes) -> None:
    """A property list's trailer states how many objects it holds; the parser sets aside room
    for them all first.  More objects than the file has bytes is a lie (a hostile file
    stating 2**40 asks for terabytes)."""
    if len(data) < 40:
        raise ReadError("broken web archive: too short")
    objects = int.from_bytes(data[-24:-16], "big")
    if objects > len(data):
        raise ReadError(f"broken web archive: it claims {objects:,} objects")
