"""The AO3 listing reader against the 517 saved DS9 tag pages in ../shared/corpus.

Expected values come from a regex-only reading of each blurb's markup (not the reader's
tree walk); the whole-corpus test also checks the reader stays fast.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from ficsift.model import Document, Status, TagType
from ficsift.read import ReadError, read_bytes
from ficsift.read.ao3_html import Ao3HtmlReader
from ficsift.read.ao3_listing import Ao3ListingReader, blurb_region
from ficsift.read.base import RawFile, pick_reader
from tests.conftest import CORPUS

PAGES = sorted((CORPUS / "ao3-listings-ds9").glob("*.html"))
SITE = "https://archiveofourown.org"
_BLURB_RE = re.compile(r'<li id="work_(\d+)" class="work blurb')
# Markup worth covering in the per-field checks, each found on the first page that has it.
FEATURES = {
    "anonymous": re.compile(r"<!-- do not cache -->\s*Anonymous\s"),
    "no category": re.compile(r'title="No category"'),
    "several categories": re.compile(r'category" title="[^"]*, '),
    "several warnings": re.compile(r'warnings" title="[^"]*, '),
    "unknown total": re.compile(r"</a>/\?</dd>"),
    "collections": re.compile(r'<dd class="collections">'),
    "several series": re.compile(r"</li>\s*<li>\s*Part <strong>"),
    "gift": re.compile(r'/gifts">'),
    "russian": re.compile(r'<dd class="language">Русский'),
    "several authors": re.compile(r'rel="author"[^>]*>[^<]*</a>,\s*<a rel="author"'),
}


def clean(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def squash_html(fragment: str) -> str:
    """Characters of an HTML snippet without tags or whitespace, for layout-blind compares."""
    return "".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def number(text: str) -> int | None:
    digits = clean(text).replace(",", "")
    return int(digits) if digits.isdigit() else None


def chunks(page: str) -> list[tuple[str, str]]:
    """(work id, markup) for each work blurb on a page."""
    end = page.index("<!--/content-->")
    starts = [(m.start(), m.group(1)) for m in _BLURB_RE.finditer(page)]
    bounds = [s for s, _ in starts[1:]] + [end]
    return [(work_id, page[s:stop]) for (s, work_id), stop in zip(starts, bounds, strict=True)]


def expected_blurb(work_id: str, blurb: str) -> dict[str, Any]:
    """What the reader should find in one blurb, by regex over its markup."""
    h4 = re.search(r'<h4 class="heading">(.*?)</h4>', blurb, re.S)
    assert h4
    title = re.search(rf'<a href="/works/{work_id}">(.*?)</a>', h4.group(1), re.S)
    assert title
    authors = [clean(a) for a in re.findall(r'<a rel="author"[^>]*>(.*?)</a>', h4.group(1), re.S)]
    fandoms_h5 = re.search(r'<h5 class="fandoms heading">(.*?)</h5>', blurb, re.S)
    assert fandoms_h5
    symbols = dict(
        re.findall(r'<span class="[^"]*\b(rating|warnings|category|iswip)" title="([^"]*)"', blurb)
    )
    tags: dict[str, list[str]] = defaultdict(list)
    for kind, name in re.findall(
        r"<li class='(\w+)'>(?:<strong>)?<a class=\"tag\"[^>]*>(.*?)</a>", blurb, re.S
    ):
        tags[kind].append(clean(name))
    stats = {k: clean(v) for k, v in re.findall(r'<dd class="(\w+)">(.*?)</dd>', blurb, re.S)}
    summary_at = blurb.find('<blockquote class="userstuff summary">')
    date = re.search(r'<p class="datetime">(.*?)</p>', blurb)
    assert date
    posted, _, total = stats["chapters"].partition("/")
    return {
        "key": f"ao3:{work_id}",
        "url": f"{SITE}/works/{work_id}",
        "title": clean(title.group(1)),
        "authors": authors or ["Anonymous"],
        "fandoms": [
            clean(a) for a in re.findall(r"<a class=\"tag\"[^>]*>(.*?)</a>", fandoms_h5.group(1))
        ],
        "rating": [symbols["rating"]],
        "category": [] if symbols["category"] == "No category" else symbols["category"].split(", "),
        "status": {"Complete Work": Status.COMPLETE, "Work in Progress": Status.IN_PROGRESS}[
            symbols["iswip"]
        ],
        "warnings": tags["warnings"] or symbols["warnings"].split(", "),
        "relationships": tags["relationships"],
        "characters": tags["characters"],
        "tags": tags["freeforms"],
        "summary": squash_html(blurb[summary_at : blurb.rindex("</blockquote>")])
        if summary_at >= 0
        else "",
        "language": stats.get("language"),
        "words": number(stats.get("words", "")),
        "chapters": (int(posted), None if total == "?" else int(total)),
        **{
            k: number(stats[k]) if k in stats else None
            for k in ("kudos", "hits", "bookmarks", "comments", "collections")
        },
        "updated": dt.datetime.strptime(date.group(1).strip(), "%d %b %Y").date().isoformat(),
        "series": [
            (clean(name), int(part), SITE + href)
            for part, href, name in re.findall(
                r'Part <strong>(\d+)</strong> of <a href="([^"]*)">(.*?)</a>', blurb, re.S
            )
        ],
    }


def actual_blurb(doc: Document) -> dict[str, Any]:
    j = doc.to_json()
    names = {
        k: [t["name"] for t in j[k]]
        for k in (
            "fandoms",
            "rating",
            "category",
            "warnings",
            "relationships",
            "characters",
            "tags",
        )
    }
    s = doc.stats
    return {
        "key": doc.source.work_key,
        "url": doc.source.url,
        "title": doc.title,
        "authors": doc.authors,
        **names,
        "status": doc.status,
        "summary": "".join((doc.summary or "").split()),
        "language": doc.language,
        "words": s.words,
        "chapters": (s.chapters_posted, s.chapters_total),
        "kudos": s.kudos,
        "hits": s.hits,
        "bookmarks": s.bookmarks,
        "comments": s.comments,
        "collections": s.collections,
        "updated": doc.updated,
        "series": [(r.name, r.part, r.url) for r in doc.series],
    }


@cache
def feature_pages() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for name, pattern in FEATURES.items():
            if name not in found and pattern.search(text):
                found[name] = page
    return found


def sample_pages() -> list[Path]:
    chosen = {*PAGES[::50], *PAGES[-1:], *feature_pages().values()}
    return sorted(chosen)


def test_corpus_is_there() -> None:
    assert len(PAGES) == 517, f"expected 517 listing pages in {CORPUS / 'ao3-listings-ds9'}"
    assert set(feature_pages()) == set(FEATURES)  # every feature really is covered below


@pytest.mark.parametrize("page", sample_pages(), ids=lambda p: p.name[-15:-11])
def test_every_blurb_matches_its_markup(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    docs = Ao3ListingReader().read(RawFile(str(page), page.read_bytes()))
    expected = [expected_blurb(work_id, blurb) for work_id, blurb in chunks(text)]
    assert len(docs) == len(expected) == 20 or page == PAGES[-1]
    for want, doc in zip(expected, docs, strict=True):
        got = actual_blurb(doc)
        assert got == want, doc.source.work_key
        assert doc.chapters == [] and not doc.has_text
        assert doc.words == doc.stats.words  # metadata-only: the stated figure


def test_sniff_and_pick() -> None:
    page = RawFile(str(PAGES[0]), PAGES[0].read_bytes())
    assert Ao3ListingReader.sniff(page) == 90
    assert Ao3HtmlReader.sniff(page) == 0
    assert pick_reader(page) is Ao3ListingReader
    assert {d.source.format for d in read_bytes(page.path, page.data)} == {"ao3-listing"}
    download = next((CORPUS / "ao3-html").glob("*.html"))
    assert Ao3ListingReader.sniff(RawFile(str(download), download.read_bytes())) == 0


def test_whole_corpus_counts_and_stats() -> None:
    # (Speed is measured by `make bench`, not here.)
    reader = Ao3ListingReader()
    raws = [RawFile(str(p), p.read_bytes()) for p in PAGES]
    docs = [doc for raw in raws for doc in reader.read(raw)]
    # Independent totals from the markup: blurbs, and every kudos/hits figure present.
    expected_ids: list[str] = []
    kudos = hits = 0
    for raw in raws:
        text = raw.data.decode("utf-8")
        expected_ids += _BLURB_RE.findall(text)
        kudos += sum(number(k) or 0 for k in re.findall(r'<dd class="kudos">(.*?)</dd>', text))
        hits += sum(number(h) or 0 for h in re.findall(r'<dd class="hits">(.*?)</dd>', text))
    assert 10_000 < len(docs) == len(expected_ids)
    assert [d.source.work_key for d in docs] == [f"ao3:{i}" for i in expected_ids]
    assert sum(d.stats.kudos or 0 for d in docs) == kudos
    assert sum(d.stats.hits or 0 for d in docs) == hits
    assert all(d.stats.hits is not None for d in docs)
    # Art and podfic works state 0 words; one blurb states nothing at all.
    no_words = text_count(raws, '<dd class="words"></dd>')
    assert sum(d.stats.words is None for d in docs) == no_words == 1
    assert sum(d.stats.kudos is None for d in docs) == len(expected_ids) - text_count(
        raws, '<dd class="kudos">'
    )
    assert all(d.updated and d.title and d.authors and d.tags_of(TagType.RATING) for d in docs)
    assert all(d.status != Status.UNKNOWN for d in docs)


def text_count(raws: list[RawFile], needle: str) -> int:
    return sum(raw.data.count(needle.encode()) for raw in raws)


BOOKMARKS = """<html><body><ol class="bookmark index group">
<li id="bookmark_1" class="bookmark blurb group" role="article">
  <div class="header module">
    <h4 class="heading"><a href="/works/42">A Made-Up Work</a> by
      <a rel="author" href="/users/a/pseuds/a">a</a>, <a rel="author" href="/users/b/pseuds/b">b</a>
      for <a href="/users/c/gifts">c</a></h4>
    <h5 class="fandoms heading"><a class="tag" href="/tags/X/works">X &amp; Y</a></h5>
    <ul class="required-tags">
      <li><a><span class="rating-notrated rating" title="Not Rated"><span>x</span></span></a></li>
      <li><a><span class="warning-yes warnings" title="Graphic Depictions Of Violence, Underage">
        <span class="text">x</span></span></a></li>
      <li><a><span class="category-none category" title="No category"><span>x</span></span></a></li>
      <li><a><span class="complete-no iswip" title="Work in Progress"><span>x</span></span></a></li>
    </ul>
    <p class="datetime">07 Jan 2021</p>
  </div>
  <ul class="tags commas"><li class='freeforms'><a class="tag" href="#">Fluff</a></li></ul>
  <dl class="stats"><dt>Words:</dt><dd class="words">1,234</dd>
    <dt>Chapters:</dt><dd class="chapters"><a href="#">2</a>/?</dd></dl>
  <div class="user module group">
    <h5 class="byline heading">Bookmarked by <a href="/users/z">z</a></h5>
    <ul class="meta tags commas">
      <li class='freeforms'><a class="tag" href="#">Bookmarker Tag</a></li></ul>
    <blockquote class="userstuff notes"><p>Bookmarker note.</p></blockquote>
  </div>
</li>
<li id="bookmark_2" class="bookmark blurb group" role="article">
  <div class="header module"><h4 class="heading"><a href="/series/7">A Series</a></h4></div>
</li>
<li id="bookmark_3" class="bookmark blurb group" role="article">
  <div class="header module">
    <h4 class="heading"><a href="/external_works/9">Elsewhere</a></h4></div>
</li>
</ol></body></html>"""


def test_bookmark_page_keeps_works_only_and_ignores_the_bookmarker() -> None:
    raw = RawFile("bookmarks.html", BOOKMARKS.encode())
    assert Ao3ListingReader.sniff(raw) == 90
    (doc,) = Ao3ListingReader().read(raw)
    got = actual_blurb(doc)
    assert got["key"] == "ao3:42" and got["title"] == "A Made-Up Work"
    assert got["authors"] == ["a", "b"] and doc.extra["gift_for"] == ["c"]
    assert got["fandoms"] == ["X & Y"] and got["rating"] == ["Not Rated"] and got["category"] == []
    assert got["warnings"] == ["Graphic Depictions Of Violence", "Underage"]
    assert got["tags"] == ["Fluff"]  # not the bookmarker's tag
    assert doc.summary is None and doc.notes == []
    assert got["status"] == Status.IN_PROGRESS and got["chapters"] == (2, None)
    assert (got["words"], got["updated"], got["kudos"]) == (1234, "2021-01-07", None)


def test_page_without_blurbs_is_an_error() -> None:
    with pytest.raises(ReadError, match="no work blurbs"):
        Ao3ListingReader().read(RawFile("empty.html", b"<html><body><ol></ol></body></html>"))


def test_blurb_region_cuts_header_and_filters_and_keeps_every_blurb() -> None:
    page = (
        "<html><head><title>t</title></head><body><div id='header'>Site menu</div>"
        '<ol class="work index group"><li id="work_1" class="work blurb group">one</li>'
        '<li id="work_2" class="work blurb group">two <ol><li>nested</li></ol></li></ol>'
        '<!--/content--><form class="narrow-hidden filters">Filter tags</form>'
        '<div id="footer">Footer</div></body></html>'
    )
    region = blurb_region(page)
    assert region.startswith('<li id="work_1"') and region.endswith("</ol>")
    assert "nested" in region and "Site menu" not in region and "Filter tags" not in region
    assert blurb_region("<html><body>no blurbs here</body></html>").endswith("here</body></html>")
    bookmarks = '<p>x</p><li id="bookmark_7" class="bookmark blurb">b</li>'
    assert blurb_region(bookmarks) == '<li id="bookmark_7" class="bookmark blurb">b</li>'
