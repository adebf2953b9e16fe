"""AO3 "Download → HTML" files: one work, its full preface, every chapter.

The file AO3 generates has three parts:

* ``<div id="preface">``: a ``p.message`` with the "Posted originally on the Archive of Our
  Own at URL" link, then ``div.meta`` holding ``dl.tags`` (``<dt>Rating:</dt><dd>…</dd>``
  pairs: Rating, Archive Warning(s), Category/Categories, Fandom(s), Relationship(s),
  Character(s), Additional Tags, Language, Series, Collections, Stats), the ``h1`` title,
  ``div.byline`` with ``a[rel=author]`` links, and "Summary" / "Notes" paragraphs each
  followed by a ``blockquote.userstuff``.  Translations list "A translation of …" in a ``ul``.
* ``<div id="chapters">``: for a multi-chapter work, per chapter a ``div.meta.group``
  (``h2.heading`` title, optional "Chapter Summary" / "Chapter Notes" blockquotes), the
  chapter's ``div.userstuff`` and an optional ``div#endnotesN`` ("Chapter End Notes").
  A one-chapter work has no meta group: just a ``h2.toc-heading`` and the ``div.userstuff``.
* ``<div id="afterword">``: the work's end notes in ``#endnotes`` and "Works inspired by
  this one".

Labels vary in number ("Category:" vs "Categories:") and the Stats ``dd`` is one run of
``Label: value`` text ("Published: 2021-03-03 Completed: … Words: 1,180 Chapters: 3/?").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ficsift.model import Chapter, Document, SeriesRef, Status, TagType
from ficsift.read.base import RawFile, Reader, ReadError, register
from ficsift.read.decode import decode_bytes
from ficsift.read.fields import note_dropped, parse_count, safe_url, set_date, work_key_for
from ficsift.read.html import fragment_text, html_blocks, parse_page, sanitize_html

# dt label (lower-case, no colon) -> tag type; AO3 pluralises a label when it has several tags.
_TAG_LABELS: dict[str, TagType] = {
    "rating": TagType.RATING,
    "ratings": TagType.RATING,
    "archive warning": TagType.WARNING,
    "archive warnings": TagType.WARNING,
    "category": TagType.CATEGORY,
    "categories": TagType.CATEGORY,
    "fandom": TagType.FANDOM,
    "fandoms": TagType.FANDOM,
    "relationship": TagType.RELATIONSHIP,
    "relationships": TagType.RELATIONSHIP,
    "character": TagType.CHARACTER,
    "characters": TagType.CHARACTER,
    "additional tags": TagType.FREEFORM,
    "additional tag": TagType.FREEFORM,
}
# The look-behind starts a label only where a word starts: tried from every letter of a long
# run of letters, "[A-Za-z]+:" is quadratic.
_STAT_RE = re.compile(r"(?<![A-Za-z])([A-Za-z]+):\s*(\S+)")
_DATE_STATS = {"published", "updated", "completed"}
_COUNT_STATS = {"words", "kudos", "hits", "bookmarks", "comments"}
_CHAPTERS_RE = re.compile(r"^(\d+)/(\d+|\?)$")
SITE = "https://archiveofourown.org"
# "Part 2 of <a>Name</a>"; pages since about 2021 say "Part 2 of the <a>Name</a> series".
PART_RE = re.compile(r"Part\s+(\d+)\s+of(?:\s+the)?\s*$")
_WORK_URL_RE = re.compile(r"/works/(\d+)")  # any OTW archive's work link, for the byline
_SITE_MARKS = (b"archive of our own", b"archiveofourown.org")  # raw.head is lower-cased
_NOT_TEXT = "script, style, noscript, template, iframe, object"


@register
class Ao3HtmlReader(Reader):
    format = "ao3-html"

    @classmethod
    def sniff(cls, raw: RawFile) -> int:
        head = raw.head
        if b'id="preface"' in head and any(mark in head for mark in _SITE_MARKS):
            return 95
        return 0

    def read(self, raw: RawFile) -> list[Document]:
        page = decode_ao3(raw.data)
        tree = parse_page(page)
        preface = tree.css_first("#preface")
        if preface is None:
            raise ReadError("not an AO3 download: no preface")
        url = _source_url(preface)
        work_key = work_key_for(url) if url else None
        # Files saved through a page-speed proxy carry injected <script>s inside the story
        # and notes; the shared text helpers would keep their code as story words.
        for node in tree.css(_NOT_TEXT):
            node.decompose()
        doc = Document(source=raw.source(self.format, url=url, work_key=work_key))
        _read_preface(doc, preface)
        doc.title = doc.title or raw.title_guess
        _read_chapters(doc, tree)
        _read_afterword(doc, tree)
        if not doc.chapters:
            raise ReadError("AO3 download has no chapter text")
        return [doc]


def decode_ao3(data: bytes) -> str:
    """AO3 always writes UTF-8: decode it as is, and only guess for files re-saved otherwise.

    The shared decoder's mojibake scan costs more than parsing a listing page, and "repairing"
    text AO3 wrote would change tag names that must stay exactly as the author spelled them.
    """
    try:
        return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        return decode_bytes(data)


def text_of(node: LexborNode) -> str:
    """A node's text on one line: entities decoded, whitespace collapsed."""
    return " ".join(node.text(deep=True).split())


def _source_url(preface: LexborNode) -> str | None:
    """The "Posted originally on the Archive of Our Own at URL" link."""
    for link in preface.css("p.message a"):
        href = safe_url(link.attributes.get("href"), SITE)
        if href and _WORK_URL_RE.search(href):
            return href
    return None


def _read_preface(doc: Document, preface: LexborNode) -> None:
    dl = preface.css_first("dl.tags")
    if dl is not None:
        for label, dd in _dl_pairs(dl):
            _apply_dd(doc, label, dd)
    meta = preface.css_first("div.meta") or preface
    title = meta.css_first("h1")
    doc.title = text_of(title) if title is not None else None
    byline = meta.css_first(".byline")
    if byline is not None:
        doc.authors = [text_of(a) for a in byline.css('a[rel="author"]')]
    # AO3 shows "Anonymous" (no link) for works in anonymous collections.
    doc.authors = [a for a in doc.authors if a] or ["Anonymous"]
    quotes = labelled_blockquotes(meta)
    summary = quotes.get("summary")
    doc.summary = summary[0] if summary else None
    doc.notes.extend(quotes.get("notes", []))
    # Translations and remixes name their source work in a list after the notes.
    # (Only lists directly in the meta block: a summary may hold lists of its own.)
    items = [li for ul in meta.iter() if ul.tag == "ul" for li in ul.iter() if li.tag == "li"]
    if related := [text for li in items if (text := text_of(li))]:
        doc.extra["related_works"] = related


def _dl_pairs(dl: LexborNode) -> list[tuple[str, LexborNode]]:
    """(normalised dt label, dd) pairs in order."""
    pairs: list[tuple[str, LexborNode]] = []
    label: str | None = None
    for child in dl.iter():
        if child.tag == "dt":
            label = " ".join(child.text(deep=True).lower().strip(" \n\t:").split())
        elif child.tag == "dd" and label is not None:
            pairs.append((label, child))
            label = None
    return pairs


def _apply_dd(doc: Document, label: str, dd: LexborNode) -> None:
    tag_type = _TAG_LABELS.get(label)
    if tag_type is not None:
        for link in dd.css("a"):
            doc.add_tag(text_of(link), tag_type)
    elif label == "language":
        doc.language = text_of(dd) or None
    elif label == "series":
        doc.series.extend(series_refs(dd))
    elif label in {"collection", "collections"}:
        names = [text_of(a) for a in dd.css("a")]
        doc.extra["collections"] = names
        doc.stats.collections = len(names)
    elif label == "stats":
        apply_stats(doc, text_of(dd))


def series_refs(dd: LexborNode) -> list[SeriesRef]:
    """Every "Part N of <a>Series</a>" in a Series dd (a work can sit in several series)."""
    refs: list[SeriesRef] = []
    before = ""
    for child in dd.iter(include_text=True):
        if child.tag == "a":
            match = PART_RE.search(before)
            name = text_of(child)
            if name:
                part = parse_count(match.group(1)) if match else None
                url = safe_url(child.attributes.get("href"), SITE)
                refs.append(SeriesRef(name=name, part=part, url=url))
            before = ""
        else:
            text = child.text(deep=True) if child.tag != "-text" else (child.text_content or "")
            before = (before + text)[-200:]  # only "Part N of" at its end counts
    return refs


def apply_stats(doc: Document, text: str) -> None:
    """Read AO3's stats run ("Published: … Words: 1,180 Chapters: 3/?"): dates, counts, status.

    Shared by the download reader and the work-page reader (:mod:`ficsift.read.ao3_page`).
    """
    stats = doc.stats
    for raw_label, value in _STAT_RE.findall(text):
        label = raw_label.lower()
        if label in _DATE_STATS:
            set_date(doc, label, value)
        elif label in _COUNT_STATS:
            count = parse_count(value)
            if count is None:
                note_dropped(doc, label, value, "not a sane count")
            else:
                setattr(stats, label, count)
        elif label == "chapters" and (match := _CHAPTERS_RE.match(value)):
            posted, total = parse_count(match.group(1)), match.group(2)
            if posted is None or (total != "?" and parse_count(total) is None):
                note_dropped(doc, label, value, "not a sane count")
                continue
            stats.chapters_posted = posted
            stats.chapters_total = None if total == "?" else parse_count(total)
    if stats.chapters_posted is not None:
        # "x/?" means the author has not said how many chapters there will be: unfinished.
        total = stats.chapters_total
        finished = total is not None and stats.chapters_posted >= total
        doc.status = Status.COMPLETE if finished else Status.IN_PROGRESS


def labelled_blockquotes(container: LexborNode) -> dict[str, list[str]]:
    """Plain text of each blockquote that directly follows a ``<p>Label</p>``, by label.

    AO3 writes "Notes" even when the only note is a "see the end of the work" link, so a
    label only counts when a blockquote is its very next element.
    """
    found: dict[str, list[str]] = {}
    label: str | None = None
    for child in container.iter():
        tag = child.tag
        if tag == "p" and not child.attributes.get("class"):
            label = text_of(child).lower()
            continue
        if tag == "blockquote" and label:
            text = fragment_text(child.inner_html or "")
            if text:
                found.setdefault(label, []).append(text)
        label = None
    return found


@dataclass(slots=True)
class _Pending:
    """A chapter meta group's title and notes, waiting for the ``div.userstuff`` after it."""

    title: str | None = None
    meta: dict[str, list[str]] = field(default_factory=dict)


def _read_chapters(doc: Document, tree: LexborHTMLParser) -> None:
    container = tree.css_first("#chapters")
    if container is not None:
        _walk_chapters(doc, container, _Pending())


def _walk_chapters(doc: Document, container: LexborNode, pending: _Pending) -> None:
    """Chapters in document order: a meta group, then its text, then its end notes.

    Plain wrapper divs (some AO3 versions wrap each chapter) are walked into.
    """
    for child in container.iter():
        if child.tag != "div":
            continue
        classes = (child.attributes.get("class") or "").split()
        node_id = child.attributes.get("id") or ""
        if "meta" in classes and node_id.startswith("endnotes"):
            # "Chapter End Notes" belong to the chapter just read.
            if doc.chapters:
                notes = labelled_blockquotes(child).get("chapter end notes", [])
                doc.chapters[-1].end_notes.extend(notes)
        elif "meta" in classes:
            heading = child.css_first("h2.heading")
            pending.title = text_of(heading) if heading is not None else None
            pending.meta = labelled_blockquotes(child)
        elif "userstuff" in classes:
            doc.chapters.append(_chapter(child, pending.title or doc.title, pending.meta))
            pending.title, pending.meta = None, {}
        else:
            _walk_chapters(doc, child, pending)


def _chapter(node: LexborNode, title: str | None, meta: dict[str, list[str]]) -> Chapter:
    # Some AO3 versions put a hidden "Chapter Text" landmark heading inside the text.
    for landmark in node.css("h3.landmark"):
        landmark.decompose()
    inner = node.inner_html or ""
    blocks = html_blocks(node)
    summary = meta.get("chapter summary")
    return Chapter(
        title=title,
        text="\n\n".join(b.text for b in blocks),
        html=sanitize_html(inner),
        notes=list(meta.get("chapter notes", [])),
        summary="\n\n".join(summary) if summary else None,
    )


def _read_afterword(doc: Document, tree: LexborHTMLParser) -> None:
    endnotes = tree.css_first("#afterword #endnotes")
    if endnotes is not None:
        doc.end_notes.extend(labelled_blockquotes(endnotes).get("end notes", []))
    for dt in tree.css("#afterword dl > dt"):
        dd = dt.next
        while dd is not None and dd.tag != "dd":
            dd = dd.next
        if "inspired" in dt.text().lower() and dd is not None:
            works = [text_of(li) for li in dd.css("li")] or [t for t in [text_of(dd)] if t]
            if works:
                doc.extra["inspired_works"] = works
