"""Issue 10's hostile files, each class of them: small inputs that cost minutes or gigabytes,
junk taken for works, a bad field that cost the story, absurd numbers and unsafe links.

Every input is generated here (see :mod:`tests.read.hostile`); time bounds are generous
(the inputs took 10 s to minutes before, and take milliseconds now).
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ficsift.read import Limits, ReadError, read_bytes, read_file
from ficsift.read.archive import expand
from ficsift.read.base import Failure, RawFile
from ficsift.read.epub import classes
from ficsift.read.epub_opf import xhtml_as_html
from ficsift.read.fields import MAX_COUNT, parse_count, parse_date, safe_url, split_list
from ficsift.read.frontmatter import _markdown_inline
from ficsift.read.html import fragment_text
from ficsift.read.nesting import MAX_DEPTH, nesting_depth
from tests.conftest import ROOT
from tests.read import hostile as H
from tests.read.epub_fixtures import (
    AO3,
    ao3_html_download,
    epub_bytes,
    lighthouse_work,
    opf_xml,
    paragraphs,
    simple_epub,
    xhtml,
    zip_bytes,
)

STORY = "The lamp was lit at dusk, as it always was, and the sea did not care.\n\n" * 20


def timed(call: Callable[[], object]) -> float:
    started = time.monotonic()
    call()
    return time.monotonic() - started


def read_error(name: str, data: bytes) -> str:
    with pytest.raises(ReadError) as info:
        read_bytes(name, data)
    message = str(info.value)
    assert message and "\n" not in message and "reader failed" not in message, message
    return message


# --- finding 4 and its class: no regex in the readers is quadratic ----------------------------


def test_div_with_200000_spaces_reads_in_moments() -> None:
    data = H.div_spaces_epub(200_000)
    assert len(data) < 4000  # the audit's file was 1,376 bytes
    docs: list = []
    assert timed(lambda: docs.extend(read_bytes("spaces.epub", data))) < 5  # was 62-132 s
    assert "lamp was lit" in docs[0].text


# Each once took seconds to minutes on ~100-200 KB: nested or adjacent quantifiers over the
# same characters, or a "[^>]*>" tried from every "<" of a tail with no ">".
HOT_SPOTS: list[tuple[str, Callable[[str], object], str]] = [
    ("self-closing XHTML tag", xhtml_as_html, "<div" + " " * 200_000 + ">"),
    ("tag tail without >", fragment_text, "<" * 200_000),
    ("block tags without >", fragment_text, "<p " * 70_000),
    ("scripts never closed", fragment_text, "<script>" * 30_000),
    ("list of spaces", split_list, "a" + " " * 100_000 + "b"),
    ("markdown strong openers", _markdown_inline, "**a " * 30_000),
    ("markdown em openers", _markdown_inline, "*a " * 40_000),
    ("markdown underscore openers", _markdown_inline, "_a " * 40_000),
    ("class of digits", lambda s: classes(_node(f'<p class="{s}">x</p>')), "1" * 100_000 + "x"),
    ("nesting scan, long name", nesting_depth, "<" + "a" * 200_000 + "<"),
]


def _node(markup: str):  # type: ignore[no-untyped-def]
    from ficsift.read.html import parse_html

    node = parse_html(markup).css_first("p")
    assert node is not None
    return node


@pytest.mark.parametrize("what, call, text", HOT_SPOTS, ids=[h[0] for h in HOT_SPOTS])
def test_regex_hot_spots_are_linear(what: str, call: Callable[[str], object], text: str) -> None:
    assert timed(lambda: call(text)) < 2, what


def test_ao3_stats_of_one_long_word_read_quickly() -> None:
    page = ao3_html_download(lighthouse_work()).replace("Words: 1,234", "x" * 100_000)
    assert timed(lambda: read_bytes("work.html", page.encode())) < 5


RUNS = st.sampled_from(
    ["<", ">", " ", "\n", "\t", "<div", "<div>", "</div>", "<p ", "<p>", "<br", "**a ", "*a ",
     "_a ", "a", "1", ",", ";", " | ", ":", "Part 1 of ", 'class="', "<script", "<!--", "&",
     "Chapter", "---", "<ul><li>", "<hr", "/>", "A/N:", "Disclaimer"]
)  # fmt: skip


@st.composite
def long_runs(draw: st.DrawFn) -> str:
    """Text made of a few long runs of one piece each (spaces, "<", tags, newlines…)."""
    pieces = draw(st.lists(st.tuples(RUNS, st.integers(1, 20_000)), min_size=1, max_size=5))
    return "".join(piece * min(count, 60_000 // len(piece)) for piece, count in pieces)


def as_inputs(text: str) -> list[tuple[str, bytes]]:
    """``text`` put where each reader reads it."""
    story = STORY + text
    ao3 = ao3_html_download(lighthouse_work()).replace("<p>The ledger", f"<p>{text}The ledger", 1)
    return [
        ("x.txt", story.encode()),
        ("x.html", f"<html><body><p>{story}</p></body></html>".encode()),
        ("x.md", f"---\ntitle: T\nsummary: {text!r}\n---\n\n{story}".encode()),
        ("x.epub", simple_epub([("One", paragraphs(STORY) + text)])),
        ("work.html", ao3.encode()),
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=long_runs())
def test_long_runs_cost_every_reader_seconds_at_most(text: str) -> None:
    for name, data in as_inputs(text):
        started = time.monotonic()
        try:
            read_bytes(name, data)
        except ReadError as exc:
            assert "\n" not in str(exc) and "reader failed" not in str(exc), str(exc)
        assert time.monotonic() - started < 10, (name, text[:80])


# --- finding 6: deep nesting is refused before any parser sees it -----------------------------


def random_ids_nesting(depth: int) -> str:
    """Nested divs with random ids, so the chapter does not compress like a zip bomb."""
    rng = random.Random(depth)
    opening = "".join(f'<div id="n{rng.getrandbits(48):x}">' for _ in range(depth))
    return opening + "<p>Deep inside.</p>" + "</div>" * depth


@pytest.mark.parametrize(
    "name, make",
    [
        ("divs.html", lambda: H.nested_html_page(100_000)),  # 1.1 MB: was 131 s
        ("lists.html", lambda: H.nested_html_page(20_000, "list")),  # was 15 s
        ("fontless.htm", lambda: ("<html><body>" + "<b>" * 50_000 + "x").encode()),
        ("deep.epub", lambda: simple_epub([("One", paragraphs(STORY) + random_ids_nesting(20_000))])),
        ("work.html", lambda: ao3_html_download(lighthouse_work()).replace(
            "<p>The ledger", H.nested_markup(20_000) + "<p>The ledger", 1).encode()),
        ("deep.md", lambda: f"---\ntitle: T\n---\n\n{STORY}{H.nested_markup(20_000)}".encode()),
    ],
)  # fmt: skip
def test_deep_nesting_fails_the_file_in_moments(name: str, make: Callable[[], bytes]) -> None:
    data = make()
    message = ""

    def read() -> None:
        nonlocal message
        message = read_error(name, data)

    assert timed(read) < 3
    assert "nested too deeply" in message and f"{MAX_DEPTH:,}" in message


def test_nesting_below_the_limit_and_sloppy_markup_still_read() -> None:
    deep = "<html><body>" + H.nested_markup(MAX_DEPTH // 3) + "</body></html>"
    assert "lamp was lit" in read_bytes("deep.html", deep.encode())[0].text
    # Old pages: unclosed <p>, <li>, <td> and <font> render shallow and measure shallow.
    sloppy = "<html><body>" + "<p><font face=x>A paragraph of the story." * 5000
    sloppy += "<ul>" + "<li>item" * 3000 + "</ul><table>" + "<tr><td>cell" * 3000 + "</table>"
    assert nesting_depth(sloppy) < 10
    assert read_bytes("sloppy.html", sloppy.encode())[0].has_text


def test_nesting_depth_follows_the_tree_builder() -> None:
    assert nesting_depth("<div><div><br><img src=x><hr></div></div>") == 2
    assert nesting_depth("<ul><li><ul><li><ul><li>x") == 6
    assert nesting_depth("<table><tr><td><table><tr><td>x") == 6
    assert nesting_depth("<svg>" + "<path d='x'/>" * 100 + "</svg>") == 1
    assert nesting_depth("<div/>" * 5) == 5  # HTML ignores "/>" on a div
    assert nesting_depth("<a><b><c/></b><d/></a>", xml=True) == 2
    assert nesting_depth("<!--" + "<div>" * 50 + "--><script>'<div>'</script>") == 1


def test_a_deep_epub_description_costs_only_the_summary() -> None:
    deep = H.nested_markup(5_000)
    data = simple_epub([("One", paragraphs(STORY))], description=deep)
    doc = read_bytes("described.epub", data)[0]
    assert doc.summary is None and "lamp was lit" in doc.text
    assert any("summary" in w for w in doc.extra["warnings"])


# --- finding 7: one budget for the whole expansion of a file --------------------------------


def test_a_small_zip_of_forty_mib_of_text_is_refused_at_once() -> None:
    for data in (H.text_zip(), H.text_zip(compression=zipfile.ZIP_DEFLATED)):
        assert len(data) < 250_000  # LZMA: 16 KB (the audit's was 65 KB)
        results: list[RawFile | Failure] = []
        started = time.monotonic()
        results.extend(expand(RawFile("fics.zip", data)))
        assert time.monotonic() - started < 1
        assert [type(r) for r in results] == [Failure]  # no member became a work
        assert isinstance(results[0], Failure) and "would unpack to 40 MB" in results[0].reason
        assert "zip bomb" in results[0].reason


def test_a_zip_of_such_zips_stops_at_the_budget() -> None:
    data = H.zip_of_zips(H.text_zip(compression=zipfile.ZIP_DEFLATED))
    assert len(data) < 8_000  # 4 x 40 MiB (the audit's was 3 KB)
    results: list = []
    assert timed(lambda: results.extend(expand(RawFile("pack.zip", data)))) < 1  # was 55 s+
    assert results and all(isinstance(r, Failure) for r in results)
    assert all("zip bomb" in r.reason for r in results)


def test_entries_and_bytes_are_counted_across_nested_archives() -> None:
    inner = zip_bytes([(f"f{n}.txt", STORY) for n in range(8)], epub_mimetype=False)
    outer = zip_bytes([(f"in{n}.zip", inner) for n in range(3)], epub_mimetype=False)
    files: list[RawFile | Failure] = []
    failures: list[RawFile | Failure] = []
    for item in expand(RawFile("outer.zip", outer, Limits(max_archive_members=15))):
        (failures if isinstance(item, Failure) else files).append(item)
    assert len(files) == 8  # 3 + 8 entries fit; the next inner zip would make 19
    assert len(failures) == 2
    assert all("archives around it" in f.reason for f in failures if isinstance(f, Failure))
    # An EPUB inside a zip draws on the same budget as the zip around it.
    epub = simple_epub([("One", paragraphs(STORY * 20))])
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(epub)).infolist())
    packed = zip_bytes([("book.epub", epub)], epub_mimetype=False)
    tight = Limits(max_archive_total=unpacked + len(epub) - 1)
    (member,) = list(expand(RawFile("one.zip", packed, tight)))
    assert isinstance(member, RawFile)
    with pytest.raises(ReadError, match="would unpack to"):
        read_file(member)
    assert read_file(replace(member, data=member.data))  # alone, with a budget of its own


# --- finding 8: memory per file is bounded ---------------------------------------------------

_PEAK_SCRIPT = textwrap.dedent(
    """
    import json, resource, sys
    sys.path.insert(0, sys.argv[1])
    from tests.read import hostile as H
    from ficsift.library.storable import storable
    from ficsift.model import Chapter, Document, Source
    from ficsift.read import read_bytes
    from ficsift.understand import understand

    def peak():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    warm = Document(Source("warm", "text"), chapters=[Chapter(None, "Willow smiled. " * 50)])
    storable(understand(warm))  # the primer and lexicons: the process's, not the file's
    name = sys.argv[2]
    data = H.many_chapter_epub(3000) if name.endswith(".epub") else H.text_of_size(20 << 20)
    before = peak()
    docs = [storable(understand(d)) for d in read_bytes(name, data)]
    print(json.dumps({"size": len(data), "grew": peak() - before, "works": len(docs)}))
    """
)


@pytest.mark.parametrize("name", ["chapters.epub", "novel.txt"])
def test_memory_of_reading_and_understanding_stays_near_the_file_size(name: str) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PEAK_SCRIPT, str(ROOT), name],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["works"] == 1
    # Measured: the EPUB ~9x (was 700x: every chapter's parsed tree kept), the text ~7x
    # (was 18x: a string per word); the target is 20x and at most 1 GB.
    assert report["grew"] < min(12 * report["size"], 1 << 30) + (16 << 20), report


# --- finding 11: formats ficsift cannot read fail by name; binary is never text --------------


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("junk.epub", b"not an epub at all", "not an EPUB: no zip header"),
        ("junk.zip", STORY.encode(), "not a zip: no zip header"),
        # MOBI/AZW3 and PDF are read (tests/read/test_ebooks.py: broken ones fail in the
        # reader); text named as one is refused by name.
        ("book.azw3", STORY.encode(), "not a MOBI/AZW3 file"),
        ("paper.pdf", STORY.encode(), "not a PDF file"),
        ("pic.txt", b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG image is not supported yet"),
        ("pic.jpg", b"\xff\xd8\xff\xe0" + bytes(100), "JPEG image is not supported yet"),
        ("notes.db", b"SQLite format 3\x00" + bytes(200), "SQLite database is not supported"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "Word (.doc) is not supported"),
        ("story.rtf", b"{\\rtf1\\ansi Once upon a time}", "RTF is not supported yet"),
        ("mostly.txt", STORY.encode() * 3 + random.Random(2).randbytes(60_000), "binary"),
    ],
)  # fmt: skip
def test_unreadable_formats_fail_with_their_name(name: str, data: bytes, reason: str) -> None:
    assert reason in read_error(name, data)
    (failure,) = list(expand(RawFile(name, data)))  # the same before the readers
    if reason != "binary":
        assert isinstance(failure, Failure) and reason in failure.reason


def test_office_zips_are_documents_not_folders() -> None:
    docx = zip_bytes([("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:p/>")],
                     epub_mimetype=False)  # fmt: skip
    (result,) = list(expand(RawFile("letter.docx", docx)))
    assert isinstance(result, Failure) and "Word document (.docx)" in result.reason
    (result,) = list(expand(RawFile("renamed.zip", docx)))  # by its content too
    assert isinstance(result, Failure) and "Word document (.docx)" in result.reason


def test_text_in_utf16_without_a_bom_is_still_text() -> None:
    doc = read_bytes("wide.txt", STORY.encode("utf-16-le"))[0]
    assert "lamp was lit" in doc.text


# --- finding 12: a bad field costs that field, not the story ---------------------------------


def test_an_impossible_front_matter_date_costs_only_the_date() -> None:
    data = f"---\ntitle: Tide\ndate: 2013-13-45\nupdated: 2014-02-03\n---\n\n{STORY}".encode()
    doc = read_bytes("tide.md", data)[0]
    assert (doc.title, doc.published, doc.updated) == ("Tide", None, "2014-02-03")
    assert "lamp was lit" in doc.text
    assert any("2013-13-45" in w for w in doc.extra["warnings"])
    assert doc.extra["fields"]["published"] == "2013-13-45"  # the text is not lost


def test_an_opf_with_a_bogus_encoding_still_reads() -> None:
    opf = opf_xml(title="Bogus", items=[("c1", "c1.xhtml", "application/xhtml+xml")], spine=["c1"],
                  dates={"publication": "2019-02-30"}, toc=None)  # fmt: skip
    opf = opf.replace('encoding="utf-8"', 'encoding="x-bogus"')
    data = epub_bytes({"content.opf": opf, "c1.xhtml": xhtml(paragraphs(STORY))})
    doc = read_bytes("bogus.epub", data)[0]
    assert doc.title == "Bogus" and "lamp was lit" in doc.text
    assert doc.published is None and any("2019-02-30" in w for w in doc.extra["warnings"])


def test_impossible_ao3_dates_are_dropped() -> None:
    work = replace(lighthouse_work(), published="2013-13-45", updated="2021-04-01")
    doc = read_bytes("work.html", ao3_html_download(work).encode())[0]
    assert (doc.published, doc.updated) == (None, "2021-04-01")
    assert doc.chapters


@pytest.mark.parametrize(
    "value, expected",
    [("2021-03-03", "2021-03-03"), ("2021-3-4", "2021-03-04"), ("2013-13-45", None),
     ("2006-06-04T12:30:00-07:00", "2006-06-04T12:30:00-07:00"), ("March 3, 2021", "2021-03-03"),
     ("3 Mar 2021", "2021-03-03"), ("2021", "2021"), ("2021-02", "2021-02"), ("2021-02-29", None),
     ("sometime", None), ("9" * 5000, None), ("", None)],
)  # fmt: skip
def test_parse_date(value: str, expected: str | None) -> None:
    assert parse_date(value) == expected


# --- finding 3: numbers are sane where they are read ---------------------------------------

HUGE = "9" * 25


def test_huge_ao3_stats_are_dropped_not_passed_on() -> None:
    work = replace(lighthouse_work(), words=HUGE, chapter_total=HUGE, series=[(int(HUGE), "S", 1)])
    page = ao3_html_download(work).replace("Words:", f"Kudos: {HUGE}\nHits: {HUGE}\nWords:")
    doc = read_bytes("work.html", page.encode())[0]
    stats = doc.stats
    assert (stats.words, stats.kudos, stats.hits, stats.chapters_total) == (None,) * 4
    assert doc.series[0].part is None and doc.chapters
    assert len([w for w in doc.extra["warnings"] if HUGE in w]) == 4


def blurb(work_id: int, stat: str, part: str, series_href: str) -> str:
    dds = "".join(f'<dt class="{s}">{s}:</dt><dd class="{s}">{stat}</dd>'
                  for s in ("words", "kudos", "hits", "bookmarks", "comments"))  # fmt: skip
    return (
        f'<li id="work_{work_id}" class="work blurb group" role="article">'
        f'<div class="header module"><h4 class="heading"><a href="/works/{work_id}">Title {work_id}</a>'
        f' by <a rel="author" href="/users/a">a</a></h4><p class="datetime">45 May 2022</p></div>'
        f'<ul class="series"><li>Part <strong>{part}</strong> of <a href="{series_href}">S</a></li></ul>'
        f'<dl class="stats">{dds}<dt>Chapters:</dt><dd class="chapters">{stat}/{stat}</dd></dl></li>'
    )


def test_huge_listing_numbers_and_unsafe_links_are_dropped() -> None:
    page = '<ol class="work index group">' + blurb(1, HUGE, HUGE, "javascript:alert(1)")
    page += blurb(2, "1,234", "3", "/series/77") + "</ol>"
    first, second = read_bytes("listing.html", page.encode())
    assert first.stats.kudos is None and first.stats.words is None
    assert first.stats.chapters_posted is None and first.series[0].part is None
    assert first.series[0].url is None and first.updated is None  # "45 May 2022"
    assert second.stats.kudos == 1234 and second.series[0].part == 3
    assert second.series[0].url == f"{AO3}/series/77"


@pytest.mark.parametrize(
    "value, expected",
    [("1,234", 1234), ("0", 0), (str(MAX_COUNT), MAX_COUNT), (str(MAX_COUNT + 1), None),
     (HUGE, None), ("9" * 5000, None), ("-3", None), ("٣", None), ("?", None), ("", None),
     (2**63, None), (True, None), (17, 17)],
)  # fmt: skip
def test_parse_count(value: object, expected: int | None) -> None:
    assert parse_count(value) == expected


def test_huge_front_matter_and_title_page_numbers_are_dropped() -> None:
    data = f"---\ntitle: T\nwords: {HUGE}\n---\n\n{STORY}".encode()
    doc = read_bytes("t.md", data)[0]
    assert doc.stats.words is None and any(HUGE in w for w in doc.extra["warnings"])


# --- finding 2: only http(s) links leave the readers ----------------------------------------

EVIL = "javascript:alert(document.cookie)//archiveofourown.org/works/1"


def test_a_javascript_posted_originally_link_is_not_the_source() -> None:
    page = ao3_html_download(lighthouse_work())
    page = page.replace(f'<a href="{AO3}/works/31415926">', f'<a href="{EVIL}">')
    page = page.replace(f'href="{AO3}/series/4242"', 'href="data:text/html,<script>x</script>"')
    doc = read_bytes("work.html", page.encode())[0]
    assert doc.source.url is None and doc.source.work_key is None
    assert doc.series and doc.series[0].url is None
    assert "javascript" not in json.dumps(doc.to_json()).lower()


def test_unsafe_epub_source_and_front_matter_links_are_dropped() -> None:
    data = simple_epub([("One", paragraphs(STORY))], sources=["vbscript:msgbox(1)", EVIL])
    doc = read_bytes("book.epub", data)[0]
    assert doc.source.url is None
    fm = f"---\ntitle: T\nurl: '{EVIL}'\nlink: https://example.org/fic\n---\n\n{STORY}"
    doc = read_bytes("t.md", fm.encode())[0]
    assert doc.extra["urls"] == ["https://example.org/fic"]


@pytest.mark.parametrize(
    "value, expected",
    [("https://archiveofourown.org/works/1", "https://archiveofourown.org/works/1"),
     ("  HTTP://example.org/x ", "HTTP://example.org/x"), (EVIL, None), ("JaVaScRiPt:x", None),
     (" javascript:x", None), ("java\tscript:x", None), ("data:text/html,x", None),
     ("vbscript:x", None), ("//evil.example/x", None), ("https://a b", None), ("/works/2", None),
     (None, None)],
)  # fmt: skip
def test_safe_url(value: str | None, expected: str | None) -> None:
    assert safe_url(value) == expected
    if value == "/works/2":
        assert safe_url(value, AO3) == f"{AO3}/works/2"


def test_protocol_relative_url_takes_the_sites_scheme() -> None:
    """FanFiction.net's canonical link is "//www.fanfiction.net/s/N/1/": with the site
    known it is an https link; an unsafe base gives it no unsafe scheme."""
    assert safe_url("//www.fanfiction.net/s/5/1/T", "https://www.fanfiction.net") == (
        "https://www.fanfiction.net/s/5/1/T"
    )
    assert safe_url("//evil.example/x", "javascript:alert(1)") is None


def test_a_stylesheet_hiding_thousands_of_classes_costs_no_more_than_a_few() -> None:
    """Hidden classes are read from a page's <style> (Royal Road's anti-piracy line); a sheet
    hiding 20,000 of them is read only up to a cap, and the story is still all there."""
    from ficsift.read.html import hidden_classes, parse_page

    sheet = "".join(f".c{i}{{display:none}}" for i in range(20_000))
    html = f"<html><head><style>{sheet}</style></head><body><p class='x'>Kept.</p></body></html>"
    assert 0 < len(hidden_classes(parse_page(html))) <= 200
    story = "<p class='c19999'>" + "Willow walked home. " * 20 + "</p>"
    doc = read_bytes("h.html", html.replace("<p class='x'>Kept.</p>", story * 30).encode())[0]
    assert doc.words == 30 * 20 * 3
