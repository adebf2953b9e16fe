"""AO3 work pages saved from the browser (``/works/N``, ``/works/N/chapters/M``, full work).

The page wraps the work in the site's chrome (header, navigation, kudos list, comments,
footer); only three parts hold the work:

* ``dl.work.meta.group``: ``dd.rating|warning|category|fandom|relationship|character|
  freeform.tags`` each a list of ``a.tag``; ``dd.language``; ``dd.series`` ("Part N of
  <a>Series</a>" in ``span.position``, beside "← Previous Work" links); ``dd.stats`` whose
  text is the same "Published: … Words: … Chapters: x/y …" run as in AO3's HTML download
  (read by :func:`ficsift.read.ao3_html.apply_stats`: one family).
* ``div#workskin > div.preface.group``: ``h2.title``, ``h3.byline`` (``a[rel=author]``),
  ``div.summary.module`` and ``div.notes.module`` (``blockquote.userstuff``).
* ``div#chapters``: per chapter a ``div.chapter`` holding a ``div.chapter.preface.group``
  (``h3.title``, chapter summary and notes), ``div.userstuff`` (with a hidden "Chapter Text"
  landmark) and a closing preface group with ``div.end.notes``; a one-chapter work has just
  a ``div.userstuff``.  ``div#work_endnotes`` holds the work's end notes.

A page of AO3 with no work on it (the 404 for a deleted work, the log-in page a locked work
shows when logged out) is refused with a one-line reason rather than read as a story.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ficsift.model import Chapter, Document, SeriesRef, TagType
from ficsift.read.ao3_html import PART_RE, SITE, apply_stats, decode_ao3, text_of
from ficsift.read.base import RawFile, Reader, ReadError, register
from ficsift.read.fields import parse_count, safe_url, work_key_for
from ficsift.read.html import fragment_text, html_blocks, parse_page, sanitize_html

_DD_TYPES = {
    "rating": TagType.RATING,
    "warning": TagType.WARNING,
    "category": TagType.CATEGORY,
    "fandom": TagType.FANDOM,
    "relationship": TagType.RELATIONSHIP,
    "character": TagType.CHARACTER,
    "freeform": TagType.FREEFORM,
}
_META_MARK = b'class="work meta group"'
# The site's own chrome: a saved page of archiveofourown.org (or another OTW archive).
_CHROME_MARKS = (b'id="main" class="', b"archive of our own")
_WORK_ID_RE = re.compile(r"/works/(\d+)")
_NOT_TEXT = "script, style, noscript, template, iframe, object"
# What the page shows instead of a work, by the class AO3 gives div#main.
_NO_WORK = (
    ("error-404", "AO3 page for a work that does not exist (deleted, or a wrong link)"),
    ("session", "AO3 log-in page (a locked work seen logged out)"),
    ("errors", "AO3 error page"),
)


@register
class Ao3PageReader(Reader):
    format = "ao3-page"

    @classmethod
    def sniff(cls, raw: RawFile) -> int:
        head = raw.data[:262144]
        if _META_MARK in head:
            return 96  # above the listing reader: a work page may list related works
        if _CHROME_MARKS[0] in head and _CHROME_MARKS[1] in raw.head:
            return 80  # any other AO3 page: refused below unless a listing reader wants it
        return 0

    def read(self, raw: RawFile) -> list[Document]:
        page = decode_ao3(raw.data)
        tree = parse_page(page)
        meta = tree.css_first("dl.work.meta.group")
        if meta is None:
            raise ReadError(f"no work on this page: {_what_page(tree)}")
        for node in tree.css(_NOT_TEXT):
            node.decompose()
        url = _work_url(tree)
        doc = Document(
            source=raw.source(self.format, url=url, work_key=work_key_for(url) if url else None)
        )
        _read_meta(doc, meta)
        skin = tree.css_first("#workskin") or tree.body
        if skin is None:
            raise ReadError("no work on this page: AO3 page without a body")
        _read_preface(doc, skin)
        doc.title = doc.title or raw.title_guess
        chapters = skin.css_first("#chapters")
        if chapters is not None:
            _read_chapters(doc, chapters)
        endnotes = skin.css_first("#work_endnotes blockquote.userstuff")
        if endnotes is not None and (text := fragment_text(endnotes.inner_html or "")):
            doc.end_notes.append(text)
        if not doc.chapters:
            raise ReadError("AO3 work page has no chapter text")
        if doc.summary is None and len(doc.chapters) == 1:
            # A later chapter's page shows no work summary: its chapter summary is the
            # only one the file has.
            doc.summary = doc.chapters[0].summary
        return [doc]


def _what_page(tree: LexborHTMLParser) -> str:
    main = tree.css_first("#main")
    classes = (main.attributes.get("class") or "") if main is not None else ""
    for mark, what in _NO_WORK:
        if mark in classes:
            return what
    # A hidden or restricted work sends the reader elsewhere with a flash message.
    flash = tree.css_first("div.flash.error, div.flash.notice, div.flash.caution")
    if flash is not None and (said := text_of(flash)):
        return f"AO3 says {said[:120]!r}"
    return "an AO3 page with no work meta (a listing, a profile or a site page)"


def _work_url(tree: LexborHTMLParser) -> str | None:
    """The work's address, from the canonical link or the first work link in the meta."""
    for selector in (
        'link[rel="canonical"]',
        'meta[property="og:url"]',
        "#chapters a[href]",
        "li.share a[href]",
    ):
        node = tree.css_first(selector)
        if node is None:
            continue
        href = node.attributes.get("href") or node.attributes.get("content")
        if href and (match := _WORK_ID_RE.search(str(href))):
            return f"{SITE}/works/{match.group(1)}"
    return None


def _read_meta(doc: Document, meta: LexborNode) -> None:
    for dd in meta.css("dd"):
        classes = (dd.attributes.get("class") or "").split()
        if not classes:
            continue
        kind = classes[0]
        if kind in _DD_TYPES and "tags" in classes:
            for link in dd.css("a.tag"):
                doc.add_tag(text_of(link), _DD_TYPES[kind])
        elif kind == "language":
            doc.language = text_of(dd) or None
        elif kind == "series":
            doc.series.extend(_series(dd))
        elif kind == "collections":
            names = [text_of(a) for a in dd.css("a")]
            doc.extra["collections"] = names
            doc.stats.collections = len(names)
        elif kind == "stats":
            apply_stats(doc, _stats_text(dd))


def _stats_text(dd: LexborNode) -> str:
    """The stats as "Label: value" pairs set apart: the page runs them together with no space
    ("Published:2019-02-15Updated:…"), which would glue a value to the next label."""
    # (lexbor's css() matches the node it is called on too: the dd itself is no pair)
    pairs = [text_of(node) for node in dd.css("dt, dd") if node != dd]
    return " ".join(pairs) if pairs else text_of(dd)


def _series(dd: LexborNode) -> list[SeriesRef]:
    refs: list[SeriesRef] = []
    for position in dd.css("span.position"):
        link = position.css_first("a")
        if link is None:
            continue
        before = text_of(position).split(text_of(link))[0]
        match = PART_RE.search(before + " ")
        name = text_of(link)
        if name:
            part = parse_count(match.group(1)) if match else None
            refs.append(
                SeriesRef(name=name, part=part, url=safe_url(link.attributes.get("href"), SITE))
            )
    return refs


def _read_preface(doc: Document, skin: LexborNode) -> None:
    # The work's preface group comes before any chapter's (found by CSS, not as a child of
    # #workskin: a page saved with the creator's style turned off may lack that wrapper).
    preface = skin.css_first("div.preface.group")
    if preface is None:
        return
    title = preface.css_first("h2.title")
    doc.title = text_of(title) if title is not None else None
    byline = preface.css_first("h3.byline")
    if byline is not None:
        doc.authors = [name for a in byline.css('a[rel="author"]') if (name := text_of(a))]
    doc.authors = doc.authors or ["Anonymous"]
    summary = preface.css_first("div.summary blockquote.userstuff")
    if summary is not None:
        doc.summary = fragment_text(summary.inner_html or "") or None
    notes = preface.css_first("div.notes blockquote.userstuff")
    if notes is not None and (text := fragment_text(notes.inner_html or "")):
        doc.notes.append(text)


def _has_classes(node: LexborNode, *names: str) -> bool:
    classes = (node.attributes.get("class") or "").split()
    return all(name in classes for name in names)


def _read_chapters(doc: Document, container: LexborNode) -> None:
    wrappers = [
        c
        for c in container.iter()
        if c.tag == "div" and _has_classes(c, "chapter") and not _has_classes(c, "preface")
    ]
    if not wrappers:
        text = container.css_first("div.userstuff")
        if text is not None:
            doc.chapters.append(_chapter(text, doc.title))
        return
    for wrapper in wrappers:
        text = next((c for c in wrapper.iter() if _has_classes(c, "userstuff")), None)
        if text is None:
            continue
        heading = wrapper.css_first("h3.title")
        chapter = _chapter(text, text_of(heading) if heading is not None else doc.title)
        for group in (c for c in wrapper.iter() if _has_classes(c, "preface", "group")):
            _chapter_meta(chapter, group)
        doc.chapters.append(chapter)


def _chapter_meta(chapter: Chapter, group: LexborNode) -> None:
    """A chapter preface group's summary and notes (before the text) or end notes (after)."""
    for module in group.iter():
        if module.tag != "div":
            continue
        quote = module.css_first("blockquote.userstuff")
        text = fragment_text(quote.inner_html or "") if quote is not None else ""
        if not text:
            continue
        if _has_classes(module, "end", "notes"):
            chapter.end_notes.append(text)
        elif _has_classes(module, "summary"):
            chapter.summary = text
        elif _has_classes(module, "notes"):
            chapter.notes.append(text)


def _chapter(node: LexborNode, title: str | None) -> Chapter:
    for landmark in node.css("h3.landmark"):
        landmark.decompose()
    blocks = html_blocks(node)
    return Chapter(
        title=title,
        text="\n\n".join(b.text for b in blocks),
        html=sanitize_html(node.inner_html or ""),
    )
