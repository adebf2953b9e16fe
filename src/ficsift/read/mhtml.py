"""Pages saved as one file by Chrome, Edge and Opera ("Webpage, Single File": ``.mhtml``).

An MHTML file is a MIME message: the page's HTML (quoted-printable, in the charset the page
declared) beside its images and style sheets.  Read as HTML it is garbled (``class=3D"…"``,
words cut at every 76th column), so the page is taken out of its envelope and read by the
reader that would read it saved as plain HTML (an AO3 work page by the AO3 page reader, an
FFN page by the FFN reader…).  The browser records the page's address
(``Snapshot-Content-Location``), which names the work when the page itself does not.
"""

from __future__ import annotations

import email.policy
import re
from email.message import EmailMessage
from email.parser import BytesParser

from ficsift.model import Document
from ficsift.read.base import RawFile, Reader, ReadError, register
from ficsift.read.saved_page import read_saved_page

_MARKS = (b"mime-version:", b"multipart/related")


@register
class MhtmlReader(Reader):
    format = "mhtml"

    @classmethod
    def sniff(cls, raw: RawFile) -> int:
        head = raw.head[:4096]
        if all(mark in head for mark in _MARKS):
            return 99  # above every page reader: the page inside may show its site's marks
        return 40 if raw.suffix in {".mhtml", ".mht"} and b"mime-version:" in head else 0

    def read(self, raw: RawFile) -> list[Document]:
        message, page = _envelope_and_page(raw.data)
        if page is None:
            raise ReadError("saved page holds no HTML or text part")
        # The page's bytes as saved, the transfer encoding undone: the page's own reader finds
        # its charset as it would in a plain .html file (Chrome names none on the part).
        data = page.get_payload(decode=True)
        address = message.get("Snapshot-Content-Location") or page.get("Content-Location")
        return read_saved_page(
            raw, data if isinstance(data, bytes) else b"", str(address or ""), MhtmlReader
        )


_PARSER = BytesParser(policy=email.policy.default)
_PAGE_TYPE_RE = re.compile(rb"(?im)^content-type:\s*text/(html|plain)\b")


def _envelope_and_page(data: bytes) -> tuple[EmailMessage, EmailMessage | None]:
    """The file's headers and its page part.  The parts are found by their boundary and only
    a page's part is parsed: a browser writes the page first, and parsing every part of a
    hostile file of 50,000 took 12 s.  A file whose page is not a top-level part (nested
    multiparts) is parsed whole."""
    cut = next((i for i in (data.find(b"\r\n\r\n"), data.find(b"\n\n")) if i >= 0), len(data))
    envelope = _PARSER.parsebytes(data[: cut + 4], headersonly=True)
    boundary = envelope.get_boundary()
    if not isinstance(envelope, EmailMessage):
        raise ReadError("saved page has no MIME envelope")
    if boundary:
        marker = b"--" + boundary.encode("ascii", "replace")
        fallback = None
        at = data.find(marker, cut)
        while at >= 0:
            start = at + len(marker)
            nxt = data.find(marker, start)
            part = data[start : nxt if nxt >= 0 else len(data)]
            if part.startswith(b"--"):
                break
            part = part.lstrip(b"\r\n")
            head = part[:4096].replace(b"\r\n", b"\n")
            kind = _PAGE_TYPE_RE.search(head[: head.find(b"\n\n")] if b"\n\n" in head else head)
            if kind and kind.group(1).lower() == b"html":
                return envelope, _message(part)
            if kind and fallback is None:
                fallback = part
            at = nxt
        if fallback is not None:
            return envelope, _message(fallback)
    message = _PARSER.parsebytes(data)
    return (message, _html_part(message)) if isinstance(message, EmailMessage) else (envelope, None)


def _message(part: bytes) -> EmailMessage | None:
    message = _PARSER.parsebytes(part)
    return message if isinstance(message, EmailMessage) else None


def _html_part(message: EmailMessage) -> EmailMessage | None:
    """The first ``text/html`` part: the page (the parts after it are its resources); else
    the first ``text/plain`` one."""
    for kind in ("text/html", "text/plain"):
        for part in message.walk():
            if part.get_content_type() == kind and isinstance(part, EmailMessage):
                return part
    return None
