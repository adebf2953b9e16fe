"""Pages Safari saved (.webarchive): read as the page inside would be."""

from __future__ import annotations

import plistlib

import pytest

from ficsift.read import ReadError, read_bytes
from tests.read.reader_contract import WILD, Case, ReaderContract, wild_case

PATH = "fujowebdev-ao3js/works_323217_index.html"


def webarchive(page: bytes, url: str = "https://archiveofourown.org/works/323217") -> bytes:
    """``page`` as Safari archives it: a binary property list, the page and its images."""
    archive = {
        "WebMainResource": {
            "WebResourceData": page,
            "WebResourceMIMEType": "text/html",
            "WebResourceTextEncodingName": "UTF-8",
            "WebResourceURL": url,
        },
        "WebSubresources": [{"WebResourceData": b"\x89PNG", "WebResourceURL": "https://x/y.png"}],
    }
    return plistlib.dumps(archive, fmt=plistlib.FMT_BINARY)


class TestWebArchiveContract(ReaderContract):
    cases = (
        Case(
            f"{PATH} as a web archive",
            lambda: webarchive((WILD / PATH).read_bytes()),
            wild_case(PATH).expect,
            "webarchive",
        ),
    )


def test_a_safari_archive_reads_as_its_page() -> None:
    page = (WILD / PATH).read_bytes()
    (doc,) = read_bytes("work.webarchive", webarchive(page))
    (plain,) = read_bytes("work.html", page)
    assert doc.text == plain.text and doc.title == plain.title
    assert doc.source.work_key == "ao3:323217"


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"bplist00" + b"\x00" * 40, "broken web archive"),
        (
            plistlib.dumps({"WebMainResource": {"WebResourceURL": "x"}}, fmt=plistlib.FMT_BINARY),
            "no page",
        ),
        (plistlib.dumps(["not", "an", "archive"], fmt=plistlib.FMT_BINARY), "no page"),
        (webarchive(webarchive(b"<p>inner</p>")), "another saved page"),
    ],
)
def test_a_broken_archive_fails_with_one_line(data: bytes, reason: str) -> None:
    with pytest.raises(ReadError, match=reason):
        read_bytes("broken.webarchive", data)


def test_an_archive_claiming_more_objects_than_bytes_is_refused() -> None:
    """The trailer's object count is checked before the parser sets room aside for it."""
    data = bytearray(webarchive(b"<p>story</p>"))
    data[-24:-16] = (2**40).to_bytes(8, "big")
    with pytest.raises(ReadError, match="claims 1,099,511,627,776 objects"):
        read_bytes("lie.webarchive", bytes(data))
