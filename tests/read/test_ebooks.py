"""AO3's ebook downloads (EPUB, MOBI, AZW3, PDF) and hostile Kindle and PDF files.

The real downloads are read from the shared wild/ folder (never copied); a small AO3-like
HTML download made here is converted with calibre's ebook-convert and AO3's own options
(scripts/make_ao3_conversions.py), and every format must read with the fields of its HTML.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import time
from pathlib import Path

import pytest

from ficsift.model import Document, TagType
from ficsift.read import ReadError, read_bytes
from ficsift.read import mobi as mobi_reader
from ficsift.read import pdf as pdf_reader
from tests.conftest import ROOT, SHARED

WILD = SHARED / "corpus" / "wild"
EBOOK_FORMATS = {"ao3-download-epub", "ao3-download-mobi", "ao3-download-azw3", "ao3-download-pdf"}


def _wild_ebooks() -> list[dict]:
    entries = json.loads((WILD / "expected.json").read_text("utf-8"))["files"]
    return [e for e in entries if e["format"] in EBOOK_FORMATS]


def _names(doc: Document, kind: TagType) -> set[str]:
    return {t.name.casefold() for t in doc.tags_of(kind)}


@pytest.mark.parametrize("entry", _wild_ebooks(), ids=lambda e: e["path"].rsplit("/", 1)[-1])
def test_ao3_downloads_read_as_their_work(entry: dict) -> None:
    path = WILD / entry["path"]
    want = entry["fields"]
    doc = read_bytes(str(path), path.read_bytes())[0]
    assert doc.title == want["title"]  # not the file name
    assert doc.authors == want["authors"]  # not "Anonymous"
    assert len(doc.chapters) == want["chapters"]  # not collapsed into one
    assert abs(doc.words - want["words"]) <= want["words_tol"] * want["words"]
    assert _names(doc, TagType.FANDOM) == {f.casefold() for f in want["fandoms"]}
    assert _names(doc, TagType.CHARACTER) == {c.casefold() for c in want["characters"]}
    assert [t.name for t in doc.tags_of(TagType.RATING)] == [want["rating"]]
    assert doc.status.value == want["status"]
    if "series" in want:
        assert [s.name for s in doc.series] == [want["series"]]


# --- generated: an AO3-like download converted as AO3 converts it ----------------------------

CHAPTER_TITLES = ["The Lamp", "The Road North", "Harbour Lights"]
# The stylesheet AO3's HTML download carries: calibre merges classes of equal style, so the
# conversions depend on it.
AO3_STYLE = (
    "p.message{text-align:center}.meta h1{font-size:1.5em;text-align:center}"
    ".meta h2{font-size:1.25em;text-align:center}.meta h2{page-break-before:always}"
    ".meta .byline{text-align:center}.meta dl.tags{border:1px solid;padding:1em}"
    ".meta dd{margin:-1em 0 0 10em}.meta .endnote-link{font-size:.8em}"
    '#chapters{font-family:"Nimbus Roman No9 L","Times New Roman",serif;padding:1em}'
    '.userstuff{font-family:"Nimbus Roman No9 L","Times New Roman",serif;padding:1em}'
    ".toc-heading{display:none}"
)


def ao3_like_html() -> str:
    """An AO3 HTML download (its markup, invented text): three chapters, a chapter summary,
    chapter notes and end notes, work notes and end notes, a series."""
    para = "The keeper trimmed the wick and watched the grey water turn under the wind. "
    chapters = []
    for n, title in enumerate(CHAPTER_TITLES, 1):
        chapters.append(
            f'<div class="meta group"><h2 class="heading">{title}</h2>'
            f'<p>Chapter Summary</p><blockquote class="userstuff"><p>Summary of part {n}.</p>'
            "</blockquote>"
            f'<p>Chapter Notes</p><blockquote class="userstuff"><p>A note on part {n}.</p>'
            "<p>Its second paragraph.</p></blockquote></div>"
            '<div class="userstuff">'
            + "".join(f"<p>{para * 4} ({n}.{k})</p>" for k in range(12))
            + "</div>"
            f'<div class="meta" id="endnotes{n}"><p>Chapter End Notes</p>'
            f'<blockquote class="userstuff"><p>After part {n}.</p></blockquote></div>'
        )
    tags = {
        "Rating": ["Teen And Up Audiences"],
        "Archive Warning": ["No Archive Warnings Apply"],
        "Category": ["Gen"],
        "Fandom": ["Lighthouse Keepers (Original Work)"],
        "Relationship": ["Keeper/Sea"],
        "Character": ["The Keeper", "The Ferryman"],
        "Additional Tags": ["Slow Burn", "Pre-Canon", "Weather"],
    }
    dl = "".join(
        f"<dt>{label}:</dt><dd>"
        + ", ".join(f'<a href="https://archiveofourown.org/tags/{t}">{t}</a>' for t in names)
        + "</dd>"
        for label, names in tags.items()
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="UTF-8"/><title>The Keeper</title>'
        f'<style type="text/css">{AO3_STYLE}</style></head>'
        '<body><div id="preface"><h2 class="toc-heading">Preface</h2>'
        '<p class="message"><b>The Keeper</b><br/>Posted originally on the '
        '<a href="http://archiveofourown.org/">Archive of Our Own</a> at '
        '<a href="http://archiveofourown.org/works/1">http://archiveofourown.org/works/1</a>.</p>'
        f'<div class="meta"><dl class="tags">{dl}<dt>Language:</dt><dd>English</dd>'
        '<dt>Series:</dt><dd>Part 2 of <a href="http://archiveofourown.org/series/9">Coastal</a>'
        "</dd><dt>Stats:</dt><dd>Published: 2020-01-02 Completed: 2020-03-04 Words: 3,000 "
        "Chapters: 3/3</dd></dl>"
        '<h1>The Keeper</h1><div class="byline">by <a rel="author" '
        'href="http://archiveofourown.org/users/wickwright/pseuds/wickwright">wickwright</a></div>'
        '<p>Summary</p><blockquote class="userstuff"><p>A keeper, a lamp, a winter.</p>'
        '</blockquote><p>Notes</p><blockquote class="userstuff"><p>Written for a friend.</p>'
        "</blockquote></div></div>"
        f'<div id="chapters" class="userstuff">{"".join(chapters)}</div>'
        '<div id="afterword"><h2 class="toc-heading">Afterword</h2><div class="meta">'
        '<div id="endnotes"><p>End Notes</p><blockquote class="userstuff"><p>Thanks for '
        "reading.</p></blockquote></div></div>"
        '<p class="message">Please <a href="http://archiveofourown.org/works/1/comments/new">'
        "drop by the archive and comment</a> to let the author know if you enjoyed their work!"
        "</p></div></body></html>"
    )


def _conversions_script():
    spec = importlib.util.spec_from_file_location(
        "make_ao3_conversions", ROOT / "scripts" / "make_ao3_conversions.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The AO3-like download as AO3 would serve it in every ebook format (calibre; the
    Makefile's test target installs it)."""
    assert shutil.which("ebook-convert"), "calibre's ebook-convert is needed: make test installs it"
    folder = tmp_path_factory.mktemp("ao3-conversions")
    html = folder / "The_Keeper.html"
    html.write_text(ao3_like_html(), "utf-8")
    script = _conversions_script()
    for fmt in ("epub", "mobi", "azw3", "pdf"):
        assert script.convert(html, folder, fmt).startswith("made"), fmt
    return {fmt: folder / f"The_Keeper.{fmt}" for fmt in ("html", "epub", "mobi", "azw3", "pdf")}


def _fields(doc: Document) -> dict:
    return {
        "title": doc.title,
        "authors": doc.authors,
        "tags": sorted((t.type.value, t.name) for t in doc.tags),
        "chapters": [c.title for c in doc.chapters],
        "chapter notes": [(c.summary, c.notes, c.end_notes) for c in doc.chapters],
        "summary": doc.summary,
        "notes": (doc.notes, doc.end_notes),
        "status": doc.status,
        "series": [(s.name, s.part) for s in doc.series],
        "language": doc.language,
    }


@pytest.mark.parametrize("fmt", ["epub", "mobi", "azw3", "pdf"])
def test_every_ao3_download_format_reads_as_its_html(converted: dict[str, Path], fmt: str) -> None:
    html = read_bytes("The_Keeper.html", converted["html"].read_bytes())[0]
    assert [c.title for c in html.chapters] == CHAPTER_TITLES  # the fixture is what it says
    doc = read_bytes(str(converted[fmt]), converted[fmt].read_bytes())[0]
    assert _fields(doc) == _fields(html)
    assert abs(doc.words - html.words) <= 0.01 * html.words
    assert "After part 2." not in doc.chapters[1].text  # end notes stay out of the story


# --- hostile Kindle and PDF files --------------------------------------------------------------


@pytest.mark.parametrize("name", ["junk.mobi", "junk.txt"])  # by its content, whatever its name
def test_a_junk_mobi_fails_in_one_line(name: str) -> None:
    header = b"Junk Book\x00".ljust(60, b"\x00") + b"BOOKMOBI" + bytes(12)
    with pytest.raises(ReadError) as err:
        read_bytes(name, header + b"compressed-looking text record " * 300)
    assert str(err.value).startswith("MOBI:") and "\n" not in str(err.value)


def test_a_junk_pdf_fails_in_one_line() -> None:
    with pytest.raises(ReadError) as err:
        read_bytes("junk.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 200)
    assert str(err.value).startswith("PDF") and "\n" not in str(err.value)


def test_a_parser_that_hangs_is_stopped_by_the_time_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # A PDF that makes the parser loop, simulated: the child sleeps past the budget.
    monkeypatch.setattr(pdf_reader, "_EXTRACT", "import time; time.sleep(30)")
    monkeypatch.setattr(pdf_reader, "TIME_BUDGET", 1.0)
    started = time.monotonic()
    with pytest.raises(ReadError, match="took over"):
        read_bytes("slow.pdf", b"%PDF-1.4\n%%EOF\n")
    assert time.monotonic() - started < 10  # generous: the budget is 1 s
    monkeypatch.setattr(mobi_reader, "_UNPACK", "import time; time.sleep(30)")
    monkeypatch.setattr(mobi_reader, "TIME_BUDGET", 1.0)
    with pytest.raises(ReadError, match="took over"):
        read_bytes("slow.azw3", b"x".ljust(60, b"\x00") + b"BOOKMOBI" + bytes(100))


def test_a_parser_that_eats_memory_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_reader, "_EXTRACT", "x = bytearray(8 << 30)")
    with pytest.raises(ReadError, match="memory"):
        read_bytes("big.pdf", b"%PDF-1.4\n%%EOF\n")


# --- generic EPUBs: dc:subject typed as AO3 would type it ----------------------------------------


def test_generic_epub_subjects_are_typed_through_the_ontology() -> None:
    from tests.read.epub_fixtures import paragraphs, simple_epub

    subjects = ["Doctor Who", "Ten/Rose", "Rose Tyler", "Teen And Up Audiences", "Gen",
                "Fluff", "A tag nobody has ever used before"]  # fmt: skip
    book = simple_epub(
        [("One", paragraphs("The TARDIS landed in a field of wet grass. " * 20))],
        subjects=subjects,
    )
    doc = read_bytes("who.epub", book)[0]
    typed = {t.name: t.type for t in doc.tags}
    assert typed == {
        "Doctor Who": TagType.FANDOM,  # not a character called "Doctor Who"
        "Ten/Rose": TagType.RELATIONSHIP,  # a pairing AO3 knows within the book's fandom
        "Rose Tyler": TagType.CHARACTER,
        "Teen And Up Audiences": TagType.RATING,
        "Gen": TagType.CATEGORY,
        "Fluff": TagType.FREEFORM,
        "A tag nobody has ever used before": TagType.FREEFORM,
    }


# --- FanFicFare's MOBI: its title page fields, as its EPUB has them ------------------------------


def test_fanficfare_mobi_reads_as_its_epub(tmp_path: Path) -> None:
    import json as jsonlib
    import os
    import subprocess
    import sys

    from tests.read.epub_fixtures import _FFF_SCRIPT

    (tmp_path / "personal.ini").write_text("", "utf-8")
    argvs = [
        [
            "-f",
            fmt,
            "--non-interactive",
            "-o",
            f"output_filename=wip.{fmt}",
            "http://test1.com?sid=1",
        ]
        for fmt in ("mobi", "epub")
    ]
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / ".config"),
           "PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"}  # fmt: skip
    subprocess.run([sys.executable, "-c", _FFF_SCRIPT, jsonlib.dumps(argvs)], cwd=tmp_path,
                   env=env, capture_output=True, timeout=300, check=True)  # fmt: skip
    mobi = read_bytes("wip.mobi", (tmp_path / "wip.mobi").read_bytes())[0]
    epub = read_bytes("wip.epub", (tmp_path / "wip.epub").read_bytes())[0]
    for doc in (mobi, epub):
        doc.series = [type(s)(s.name, s.part) for s in doc.series]  # the MOBI has no series link
        doc.language = None  # nor a language (the EPUB's is its OPF's)
    assert _fields(mobi) == _fields(epub)
    assert (mobi.published, mobi.updated, mobi.stats.words) == ("1975-03-15", "1975-04-15", 123456)
    assert abs(mobi.words - epub.words) <= 5
