"""A page a browser saved inside an envelope of its own (Chrome's MHTML, Safari's web
archive): the page is read by the reader that reads it saved as plain HTML, and the address
the browser recorded names the work when the page does not."""

from __future__ import annotations

from ficsift.model import Document
from ficsift.read.base import RawFile, Reader, ReadError, pick_reader
from ficsift.read.fields import safe_url, work_key_for


def read_saved_page(
    raw: RawFile, page: bytes, address: object, envelope: type[Reader]
) -> list[Document]:
    """Documents of ``page`` (the saved page's own bytes, found in ``raw``) as its own
    reader reads them; the file's hash stays ``raw``'s."""
    if not page.strip():
        raise ReadError("saved page's HTML part is empty")
    inner = RawFile(raw.path, page, raw.limits, raw.depth + 1, raw.budget)
    reader = pick_reader(inner)
    if issubclass(reader, envelope):
        raise ReadError("saved page holds another saved page")
    docs = reader().read(inner)
    url = safe_url(address)
    for doc in docs:
        doc.source.sha256 = raw.sha256  # the file the reader has, not its inner page
        if url and not doc.source.url:
            doc.source.url = url
            doc.source.work_key = doc.source.work_key or work_key_for(url)
    return docs
