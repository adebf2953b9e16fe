"""Pages saved as one file by Chrome and Edge (MHTML): read as the page inside would be."""

from __future__ import annotations

import quopri

import pytest

from ficsift.read import ReadError, read_bytes
from tests.read.reader_contract import WILD, Case, ReaderContract, wild_case

BOUNDARY = "----MultipartBoundary--x1y2z3----"


def mhtml(page: bytes, url: str = "https://example.org/page", kind: str = "text/html") -> bytes:
    """``page`` as Chrome saves it: a MIME envelope, the page quoted-printable with CRLF
    lines, then an image part."""
    head = (
        f"From: <Saved by Blink>\r\nSnapshot-Content-Location: {url}\r\nSubject: A page\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype="text/html";\r\n'
        f'\tboundary="{BOUNDARY}"\r\n\r\n\r\n--{BOUNDARY}\r\nContent-Type: {kind}\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n"
        f"Content-Location: {url}\r\n\r\n"
    ).encode()
    image = (
        f"\r\n--{BOUNDARY}\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
        f"Content-Location: https://example.org/x.png\r\n\r\niVBORw0KGgo=\r\n\r\n--{BOUNDARY}--\r\n"
    ).encode()
    return head + quopri.encodestring(page).replace(b"\n", b"\r\n") + image


def _wrapped(path: str, url: str) -> Case:
    case = wild_case(path)
    return Case(
        f"{path} as MHTML", lambda: mhtml((WILD / path).read_bytes(), url), case.expect, "mhtml"
    )


class TestMhtmlContract(ReaderContract):
    cases = (
        _wrapped(
            "fujowebdev-ao3js/works_323217_index.html", "https://archiveofourown.org/works/323217"
        ),
        _wrapped(
            "aerialabhorsen-ff_scrape/fanfiction/good_story.html",
            "https://www.fanfiction.net/s/1/1/",
        ),
    )


def test_a_saved_page_reads_as_the_page_itself() -> None:
    """The same text, tags and title as the page saved as plain HTML; the file's own hash;
    the browser's record of the address names the work."""
    path = "fujowebdev-ao3js/works_323217_index.html"
    page = (WILD / path).read_bytes()
    saved = mhtml(page, "https://archiveofourown.org/works/323217")
    (doc,) = read_bytes("work.mhtml", saved)
    (plain,) = read_bytes("work.html", page)
    assert doc.text == plain.text and doc.title == plain.title
    assert [t.name for t in doc.tags] == [t.name for t in plain.tags]
    assert doc.source.work_key == "ao3:323217" and doc.source.sha256 != plain.source.sha256


def test_a_page_that_never_names_itself_takes_the_saved_address() -> None:
    story = "<html><body><div>" + "<p>Willow counted the stones on the long walk home.</p>" * 12
    (doc,) = read_bytes(
        "p.mhtml",
        mhtml(f"{story}</div></body></html>".encode(), "https://www.fanfiction.net/s/42/1/"),
    )
    assert (
        doc.source.url == "https://www.fanfiction.net/s/42/1/" and doc.source.work_key == "ffn:42"
    )


@pytest.mark.parametrize(
    "saved, reason",
    [
        (mhtml(b"", kind="text/html"), "empty"),
        (mhtml(b"x", kind="image/gif"), "no HTML or text part"),
        (mhtml(mhtml(b"<p>inner</p>")), "another saved page"),
    ],
)
def test_a_broken_saved_page_fails_with_one_line(saved: bytes, reason: str) -> None:
    with pytest.raises(ReadError, match=reason):
        read_bytes("broken.mhtml", saved)


def test_the_page_after_thousands_of_parts_and_a_page_inside_nested_parts() -> None:
    """A page's part is found by the boundary however many parts come first; a page inside
    a nested multipart is still found (the whole file is parsed then)."""
    parts = "".join("--B\r\nContent-Type: image/png\r\n\r\nx\r\n" for _ in range(5000))
    story = "<p>" + "Willow counted the stones. " * 40 + "</p>"
    flat = (
        'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="B"\r\n\r\n'
        f"{parts}--B\r\nContent-Type: text/html\r\n\r\n{story}\r\n--B--\r\n"
    )
    assert read_bytes("flat.mhtml", flat.encode())[0].words == 160
    nested = (
        'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="A"\r\n\r\n'
        '--A\r\nContent-Type: multipart/alternative; boundary="C"\r\n\r\n'
        f"--C\r\nContent-Type: text/html\r\n\r\n{story}\r\n--C--\r\n--A--\r\n"
    )
    assert read_bytes("nested.mhtml", nested.encode())[0].words == 160
