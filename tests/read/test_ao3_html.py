"""The AO3 "Download → HTML" reader against every real download in ../shared/corpus/ao3-html.

Expected values come from a separate, regex-only reading of each file's preface (not the
reader's helpers), so a bug in the reader's tree walk cannot hide behind itself.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

import pytest

from ficsift.model import Document, Status
from ficsift.read import read_bytes
from ficsift.read.ao3_html import Ao3HtmlReader
from ficsift.read.base import RawFile, ReadError, pick_reader
from tests.conftest import CORPUS

# Collected at import so each file is its own test; a missing corpus fails test_corpus_is_there.
FILES = sorted((CORPUS / "ao3-html").glob("*.html"))
CJK_FILES = {"Wu_Yan_Hui_Yi.html", "Zhan_Yan_Yin_Yu.html"}

# dt label prefix -> the Document.to_json() key holding those tags
LABEL_KEYS = {
    "Rating": "rating",
    "Archive Warning": "warnings",
    "Categor": "category",
    "Fandom": "fandoms",
    "Relationship": "relationships",
    "Character": "characters",
    "Additional Tag": "tags",
}


def clean(fragment: str) -> str:
    """Text of an HTML snippet on one line (tags dropped, entities decoded)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@cache
def source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@cache
def preface(path: Path) -> str:
    text = source(path)
    return text[text.index('<div id="preface">') : text.index('<div id="chapters"')]


@cache
def pairs(path: Path) -> tuple[tuple[str, str], ...]:
    dl = re.search(r'<dl class="tags">(.*?)</dl>', preface(path), re.S)
    assert dl, path.name
    return tuple(
        (clean(dt).rstrip(":"), dd)
        for dt, dd in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", dl.group(1), re.S)
    )


def field(path: Path, label: str) -> str | None:
    for name, dd in pairs(path):
        if name == label:
            return dd
    return None


@cache
def read(path: Path) -> Document:
    docs = Ao3HtmlReader().read(RawFile(str(path), path.read_bytes()))
    assert len(docs) == 1
    return docs[0]


def stat(path: Path, label: str) -> str | None:
    match = re.search(rf"\b{label}:\s*(\S+)", clean(field(path, "Stats") or ""))
    return match.group(1) if match else None


@pytest.fixture(params=FILES, ids=lambda p: p.name)
def path(request: pytest.FixtureRequest) -> Path:
    return request.param


def test_corpus_is_there() -> None:
    assert len(FILES) == 15, f"expected 15 AO3 downloads in {CORPUS / 'ao3-html'}"


def test_sniffed_as_ao3_download(path: Path) -> None:
    raw = RawFile(str(path), path.read_bytes())
    assert Ao3HtmlReader.sniff(raw) == 95
    assert pick_reader(raw) is Ao3HtmlReader
    assert [d.source.format for d in read_bytes(str(path), raw.data)] == ["ao3-html"]


def test_tags_match_preface_exactly(path: Path) -> None:
    got = read(path).to_json()
    seen_keys = set()
    for label, dd in pairs(path):
        key = next((k for prefix, k in LABEL_KEYS.items() if label.startswith(prefix)), None)
        if key is None:
            continue
        seen_keys.add(key)
        expected = [clean(a) for a in re.findall(r"<a [^>]*>(.*?)</a>", dd, re.S)]
        assert expected, (path.name, label)
        assert [t["name"] for t in got[key]] == expected, (path.name, label)
    for key in set(LABEL_KEYS.values()) - seen_keys:
        assert got[key] == [], (path.name, key)
    assert {"rating", "warnings", "category", "fandoms"} <= seen_keys


def test_language(path: Path) -> None:
    expected = clean(field(path, "Language") or "")
    assert read(path).language == expected
    if path.name in CJK_FILES:
        assert expected == "中文-普通话 國語"
    else:
        assert expected == "English"


def test_series(path: Path) -> None:
    dd = field(path, "Series") or ""
    expected = [
        (clean(name), int(part), url)
        for part, url, name in re.findall(r'Part (\d+) of\s*<a href="([^"]*)">(.*?)</a>', dd, re.S)
    ]
    got = [(s.name, s.part, s.url) for s in read(path).series]
    assert got == expected
    assert bool(expected) == (path.name != "Last_Gasp_at_Calama.html")


def test_dates_stats_and_status(path: Path) -> None:
    doc = read(path)
    assert doc.published == stat(path, "Published")
    assert doc.completed == stat(path, "Completed")
    assert doc.updated == stat(path, "Updated")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", doc.published or "")
    assert doc.stats.words == int((stat(path, "Words") or "").replace(",", ""))
    posted, total = (stat(path, "Chapters") or "").split("/")
    assert doc.stats.chapters_posted == int(posted)
    assert doc.stats.chapters_total == (None if total == "?" else int(total))
    expected = Status.COMPLETE if total == posted else Status.IN_PROGRESS
    assert doc.status == expected
    # A finished work states "Completed", an unfinished one "Updated" (or only "Published").
    if doc.completed is not None:
        assert doc.status == Status.COMPLETE


def test_title_authors_and_source(path: Path) -> None:
    doc = read(path)
    text = preface(path)
    title = re.search(r"<h1>(.*?)</h1>", text, re.S)
    assert title and doc.title == clean(title.group(1))
    byline = re.search(r'<div class="byline">(.*?)</div>', text, re.S)
    assert byline
    authors = [
        clean(a) for a in re.findall(r'<a rel="author"[^>]*>(.*?)</a>', byline.group(1), re.S)
    ]
    assert doc.authors == (authors or ["Anonymous"])
    url = re.search(r'Archive of Our Own</a> at <a href="([^"]+)"', text)
    assert url and doc.source.url == url.group(1)
    work_id = re.search(r"/works/(\d+)", url.group(1))
    assert work_id and doc.source.work_key == f"ao3:{work_id.group(1)}"
    assert doc.source.format == "ao3-html"


def squash_html(fragment: str) -> str:
    """An HTML snippet's characters without tags, scripts or whitespace, for layout-blind
    compares."""
    fragment = re.sub(r"<script\b.*?</script>", "", fragment, flags=re.S)
    return "".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def squash(text: str) -> str:
    return "".join(text.split())


def quotes_after(text: str, label_re: str) -> list[str]:
    """Inner HTML of each blockquote right after a ``label_re`` paragraph, nesting-aware.

    Notes quote poems in blockquotes of their own, so a lazy ``.*?</blockquote>`` would stop
    at the inner one.
    """
    found = []
    for match in re.finditer(label_re + r"\s*<blockquote[^>]*>", text):
        depth, pos = 1, match.end()
        for tag in re.finditer(r"<(/?)blockquote\b[^>]*>", text[pos:]):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                found.append(text[pos : pos + tag.start()])
                break
    return found


def test_summary_and_notes_match_the_preface(path: Path) -> None:
    doc = read(path)
    text = preface(path)
    summary = quotes_after(text, r"<p>Summary</p>")
    assert squash(doc.summary or "") == "".join(squash_html(q) for q in summary)
    assert bool(doc.summary) == bool(summary)
    notes = quotes_after(text, r"<p>Notes</p>")
    assert [squash(n) for n in doc.notes] == [squash_html(n) for n in notes]
    afterword = source(path)[source(path).index('<div id="afterword">') :]
    end = quotes_after(afterword, r'<div id="endnotes">\s*<p>End Notes</p>')
    assert [squash(n) for n in doc.end_notes] == [squash_html(n) for n in end]


def test_chapters_match_headings_and_count(path: Path) -> None:
    doc = read(path)
    text = source(path)
    chapters_html = text[text.index('<div id="chapters"') : text.index('<div id="afterword">')]
    headings = [
        clean(h) for h in re.findall(r'<h2 class="heading">(.*?)</h2>', chapters_html, re.S)
    ]
    assert len(doc.chapters) == doc.stats.chapters_posted
    assert [c.title for c in doc.chapters] == (headings or [doc.title])
    for chapter in doc.chapters:
        assert chapter.text.strip()
        assert chapter.html.strip().startswith("<")
        assert "<script" not in chapter.html


def test_chapter_notes_match_file(path: Path) -> None:
    doc = read(path)
    text = source(path)
    # Chapter N's end notes sit in div#endnotesN after its text.
    expected_end = {}
    for match in re.finditer(r'<div class="meta" id="endnotes(\d+)">', text):
        quotes = quotes_after(text[match.end() :], r"^\s*<p>Chapter End Notes</p>")
        if quotes:
            expected_end[int(match.group(1))] = squash_html(quotes[0])
    got_end = {
        i + 1: squash("".join(c.end_notes)) for i, c in enumerate(doc.chapters) if c.end_notes
    }
    assert got_end == expected_end
    notes = [squash_html(q) for q in quotes_after(text, r"<p>Chapter Notes</p>")]
    assert [squash(n) for c in doc.chapters for n in c.notes] == notes
    summaries = [squash_html(q) for q in quotes_after(text, r"<p>Chapter Summary</p>")]
    assert [squash(c.summary) for c in doc.chapters if c.summary] == summaries


def test_no_preface_or_notes_text_in_story(path: Path) -> None:
    doc = read(path)
    story = doc.text
    for extra in [doc.summary or "", *doc.notes, *doc.end_notes]:
        if len(extra) >= 20:
            assert extra not in story
    for chapter in doc.chapters:
        for note in [*chapter.notes, *chapter.end_notes, chapter.summary or ""]:
            if len(note) >= 20:
                assert note not in chapter.text
        assert not chapter.text.startswith(("Chapter Notes", "Chapter Summary", "Summary", "Notes"))
    assert "Posted originally on the" not in story
    # Some files were saved through a proxy that injected scripts into the story HTML.
    everything = "\n".join([story, doc.summary or "", *doc.notes, *doc.end_notes])
    everything += "\n".join(n for c in doc.chapters for n in [*c.notes, *c.end_notes])
    for script in re.findall(r"<script[^>]*>(.*?)</script>", source(path), re.S):
        if script.strip():
            assert script.strip()[:40] not in everything
    assert "drop by the archive" not in story.lower()


def test_story_words_close_to_ao3_count(path: Path) -> None:
    doc = read(path)
    stated = doc.stats.words
    assert stated
    # AO3 counts slightly differently (punctuation-only tokens, dashes): measured at most 0.17%
    # off (2 words of 1,180), so 0.5% still catches stray notes or scripts in the text.
    assert abs(doc.words - stated) / stated < 0.005, (doc.words, stated)


SYNTHETIC = """<!DOCTYPE html><html><head><meta charset="utf-8"/><title>t</title></head><body>
<div id="preface"><h2 class="toc-heading">Preface</h2>
<p class="message"><b>Test Work</b><br/>Posted originally on the
<a href="http://archiveofourown.org/">Archive of Our Own</a> at
<a href="http://archiveofourown.org/works/123">http://archiveofourown.org/works/123</a>.</p>
<div class="meta"><dl class="tags">
<dt>Rating:</dt><dd><a href="#">Mature</a></dd>
<dt>Archive Warnings:</dt><dd><a href="#">Major Character Death</a>, <a href="#">Underage</a></dd>
<dt>Fandom:</dt><dd><a href="#">Tom &amp; Jerry</a></dd>
<dt>Series:</dt><dd>Part 2 of <a href="http://archiveofourown.org/series/1">First</a>, Part 10 of the
<a href="http://archiveofourown.org/series/2">Second   Series</a> series</dd>
<dt>Stats:</dt><dd>Published: 2020-01-02 Updated: 2020-02-03 Words: 9 Chapters: 2/?
Kudos: 1,024 Hits: 5</dd>
</dl><h1>Test Work</h1><div class="byline">by Anonymous</div>
<p>Summary</p><blockquote class="userstuff"><ul><li>not a related work</li></ul></blockquote>
</div></div>
<div id="chapters" class="userstuff">
<div class="meta group"><h2 class="heading">One</h2></div>
<div class="userstuff"><h3 class="landmark heading">Chapter Text</h3><p>Alpha beta.</p>
<script>x()</script></div>
<div class="meta group"><h2 class="heading">Two</h2>
<p>Chapter Notes</p><div class="endnote-link">see the end</div></div>
<div class="userstuff"><p>Gamma delta epsilon.</p></div>
<div class="meta" id="endnotes2"><p>Chapter End Notes</p>
<blockquote class="userstuff"><p>bye</p></blockquote></div>
</div><div id="afterword"></div></body></html>"""


def test_synthetic_download_edge_cases() -> None:
    raw = RawFile("t.html", SYNTHETIC.encode())
    assert Ao3HtmlReader.sniff(raw) == 95
    (doc,) = Ao3HtmlReader().read(raw)
    assert [(s.name, s.part, s.url) for s in doc.series] == [
        ("First", 2, "http://archiveofourown.org/series/1"),
        ("Second Series", 10, "http://archiveofourown.org/series/2"),
    ]
    assert doc.authors == ["Anonymous"]
    assert [t["name"] for t in doc.to_json()["warnings"]] == ["Major Character Death", "Underage"]
    assert [t["name"] for t in doc.to_json()["fandoms"]] == ["Tom & Jerry"]
    assert doc.status == Status.IN_PROGRESS and doc.stats.chapters_total is None
    assert (doc.stats.kudos, doc.stats.hits, doc.updated) == (1024, 5, "2020-02-03")
    assert [c.title for c in doc.chapters] == ["One", "Two"]
    assert doc.chapters[0].text == "Alpha beta."  # landmark heading and script left out
    assert "script" not in doc.chapters[0].html
    assert doc.chapters[1].notes == [] and doc.chapters[1].end_notes == ["bye"]
    assert "related_works" not in doc.extra
    assert doc.words == 5


def test_chapters_inside_a_wrapper_div() -> None:
    wrapped = SYNTHETIC.replace(
        '<div id="chapters" class="userstuff">', '<div id="chapters" class="userstuff"><div>'
    ).replace('</div><div id="afterword">', '</div></div><div id="afterword">')
    assert wrapped.count("<div>") == 1
    (doc,) = Ao3HtmlReader().read(RawFile("t.html", wrapped.encode()))
    assert [c.title for c in doc.chapters] == ["One", "Two"]
    assert doc.chapters[1].end_notes == ["bye"]


def test_not_an_ao3_download() -> None:
    raw = RawFile("x.html", b"<html><body><p>Just a page.</p></body></html>")
    assert Ao3HtmlReader.sniff(raw) == 0
    with pytest.raises(ReadError, match="preface"):
        Ao3HtmlReader().read(raw)
