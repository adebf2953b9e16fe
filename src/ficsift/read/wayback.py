"""Pages the Internet Archive's Wayback Machine serves, saved from the browser: an old
archive's story page, an AO3 or FFN page long gone from its site.

The Wayback Machine changes the page it replays: it adds its scripts to ``<head>`` (up to
``<!-- End Wayback Rewrite JS Include -->``) and its toolbar to ``<body>`` (between
``<!-- BEGIN WAYBACK TOOLBAR INSERT -->`` and its end), and rewrites every address to go
through itself (``/web/20060405132243/http://site/path``; ``im_``, ``cs_``, ``js_`` for
images, styles and scripts).  The toolbar's captures, dates and "Save snapshot" are no story,
and a reader that knows its site by its addresses (AO3's ``/works/123``, FFN's ``/u/1/Name``)
no longer recognises them.  So the additions are taken out, every address is given back as
the page had it (the captured site's own as a path), and the page is read by the reader that
reads it saved from the site itself; the captured address names the work.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ficsift.model import Document
from ficsift.read.base import RawFile, Reader, ReadError, register
from ficsift.read.decode import decode_bytes
from ficsift.read.saved_page import read_saved_page

# Marks only the Wayback Machine's replay puts in a page.
_MARKS = (
    b"<!-- begin wayback toolbar insert -->",
    b"<!-- end wayback rewrite js include -->",
    b"__wm.wombat(",
    b"archived on",  # "FILE ARCHIVED ON 13:22:43 Apr 05, 2006 AND RETRIEVED FROM THE …"
)
_TOOLBAR_BEGIN = re.compile(r"<!--\s*BEGIN WAYBACK TOOLBAR INSERT\s*-->", re.I)
_TOOLBAR_END = re.compile(r"<!--\s*END WAYBACK TOOLBAR INSERT\s*-->", re.I)
_HEAD_END = re.compile(r"<!--\s*End Wayback Rewrite JS Include\s*-->", re.I)
_HEAD_START_RE = re.compile(r"<script[^>]{0,300}(?:archive\.org/includes/|/_static/js/)", re.I)
# "https://web.archive.org/web/20060405132243im_/" before the address it replays.
_PREFIX_RE = re.compile(
    r"(?:(?:https?:)?//web\.archive\.org)?/web/\d{1,14}(?:[a-z]{2}_|\*)?/(?=(?:https?:)?//)", re.I
)
_CAPTURED_RE = re.compile(
    r"__wm\.wombat\(\s*[\"']([^\"']{1,2000})[\"']"
    r"|id=[\"']wmtbURL[\"'][^>]*value=[\"']([^\"']{1,2000})[\"']",
    re.I,
)


@register
class WaybackReader(Reader):
    format = "wayback"

    @classmethod
    def sniff(cls, raw: RawFile) -> int:
        # Above every page reader: the replayed page shows its site's marks, but its
        # addresses and toolbar are the archive's.
        head = raw.head
        if b"web.archive.org" not in head and b"/_static/" not in head:
            return 0
        tail = raw.data[-2048:].lower()
        marks = sum(1 for mark in _MARKS if mark in head or mark in tail)
        return 99 if marks >= 2 else 0

    def read(self, raw: RawFile) -> list[Document]:
        page = decode_bytes(raw.data)
        captured = _captured_address(page)
        page = _PREFIX_RE.sub("", _without_additions(page))
        if captured and (host := urlsplit(captured).netloc):
            # The captured site's own links as paths, as a page saved from it has them (its
            # canonical address and the like stay whole: they name the site).
            own = re.escape(host.removeprefix("www."))
            page = re.sub(
                rf"(<a\b[^>]{{0,500}}?\bhref=[\"'])(?:https?:)?//(?:www\.)?{own}(?=/)",
                r"\1",
                page,
                flags=re.I,
            )
        if not page.strip():
            raise ReadError("Wayback Machine page holds no page")
        return read_saved_page(raw, page.encode("utf-8"), captured or "", WaybackReader)


def _without_additions(page: str) -> str:
    """``page`` less the archive's scripts in <head> and its toolbar.  Cut by position, not
    by a pattern spanning them: a page that opens an addition and never closes it is read
    whole, at one pass's cost."""
    end = _HEAD_END.search(page)
    if end is not None and (start := _HEAD_START_RE.search(page, 0, end.start())) is not None:
        page = page[: start.start()] + page[end.end() :]
    begin = _TOOLBAR_BEGIN.search(page)
    close = _TOOLBAR_END.search(page, begin.end()) if begin is not None else None
    if begin is not None and close is not None:
        page = page[: begin.start()] + page[close.end() :]
    return page


def _captured_address(page: str) -> str | None:
    """The address the Wayback Machine replayed (its toolbar and scripts state it)."""
    found = _CAPTURED_RE.search(page[:200_000])
    if not found:
        return None
    address = found.group(1) or found.group(2)
    return address if address.lower().startswith(("http://", "https://")) else None
