"""AO3 listing pages saved from a browser: tag/search/user work lists and bookmark lists.

Each ``li.work.blurb`` (``li.bookmark.blurb`` on bookmark pages) is one work's card:

* ``div.header.module``: ``h4.heading`` with the title link (``/works/<id>``), the
  ``a[rel=author]`` links ("Anonymous" as plain text when hidden) and gift recipients;
  ``h5.fandoms a.tag``; ``ul.required-tags`` whose ``span[title]`` carry rating, warnings
  (comma-joined and spelled differently from the tags: "Choose Not To Use…"), category
  ("F/M, M/M", or "No category") and completion ("Complete Work" / "Work in Progress");
  ``p.datetime`` ("31 May 2022": the last update).
* ``ul.tags``: ``li.warnings|relationships|characters|freeforms`` each holding one ``a.tag``.
* ``blockquote.summary``, ``ul.series`` ("Part <strong>N</strong> of <a>Series</a>"),
  ``dl.stats`` (``dd.language|words|chapters|collections|comments|kudos|bookmarks|hits``,
  numbers with thousands commas, a stat AO3 has nothing for is left out).

A blurb becomes a metadata-only :class:`Document` (no chapters).  Series blurbs and
bookmarks of external works or series are skipped: they are not AO3 works.

Pages are large (~200 KB for 20 blurbs) and saved by the hundred, so the walk is one
pass over each blurb's direct children with a dispatch on class, not a CSS query per field.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from ficsift.model import Document, SeriesRef, Stats, Status, Tag, TagType
from ficsift.read.ao3_html import SITE, decode_ao3, text_of
from ficsift.read.base import RawFile, Reader, ReadError, register
from ficsift.read.fields import parse_count, parse_date, safe_url
from ficsift.read.html import fragment_text, parse_html
from ficsift.read.nesting import check_nesting

_MONTHS = {
    month: number
    for number, month in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_TAG_CLASSES = {
    "warnings": TagType.WARNING,
    "relationships": TagType.RELATIONSHIP,
    "characters": TagType.CHARACTER,
    "freeforms": TagType.FREEFORM,
}
_COUNT_STATS = ("words", "kudos", "hits", "bookmarks", "comments", "collections")
_SNIFF_MARKS = (b'<li id="work_', b'<li id="bookmark_')
_BLURB_STARTS = ('<li id="work_', '<li id="bookmark_')
# What AO3 puts after the list of blurbs (comments and forms never survive in user HTML).
_AFTER_BLURBS = ("<!--/content-->", '<form class="narrow-hidden filters"', '<div id="footer"')


@register
class Ao3ListingReader(Reader):
    format = "ao3-listing"

    @classmethod
    def sniff(cls, raw: RawFile) -> int:
        # The first blurb follows ~40 KB of site header and filters; look a little further.
        head = raw.data[:262144]
        if b"blurb" in head and any(mark in head for mark in _SNIFF_MARKS):
            return 90
        return 0

    def read(self, raw: RawFile) -> list[Document]:
        region = blurb_region(decode_ao3(raw.data))
        check_nesting(region)
        tree = parse_html(region)
        docs: list[Document] = []
        for blurb in tree.css("li.work.blurb, li.bookmark.blurb"):
            doc = read_blurb(blurb, raw, self.format)
            if doc is not None:
                docs.append(doc)
        if not docs:
            raise ReadError("AO3 listing page has no work blurbs")
        return docs


def blurb_region(page: str) -> str:
    """The part of a page that holds the blurbs, from the first to the end of the list.

    Half a listing page is site header, filter form and footer; lexbor parses only what it
    is given (0.8 → 0.4 s over the shared listings), and it closes the cut-off list itself.
    The page is returned whole when its blurbs cannot be found by their id marks.
    """
    first = min((i for mark in _BLURB_STARTS if (i := page.find(mark)) != -1), default=-1)
    last = max(page.rfind(mark) for mark in _BLURB_STARTS)
    if first == -1:
        return page
    ends = [i for mark in _AFTER_BLURBS if (i := page.find(mark, last)) != -1]
    return page[first : min(ends)] if ends else page[first:]


class _BlurbTags:
    """A blurb's author tags, each (type, name) once: Document.add_tag's rule, kept with a
    set (add_tag compares with every tag already there; 166,000 tags on the shared pages)."""

    __slots__ = ("doc", "seen")

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.seen: set[tuple[TagType, str]] = set()

    def add(self, name: str, tag_type: TagType) -> None:
        name = " ".join(name.split())
        if name and (tag_type, name) not in self.seen:
            self.seen.add((tag_type, name))
            self.doc.tags.append(Tag(name=name, type=tag_type))


def read_blurb(blurb: LexborNode, raw: RawFile, fmt: str) -> Document | None:
    """One blurb as a Document; None for blurbs that are not AO3 works (series, external)."""
    doc = Document(source=raw.source(fmt))
    tags = _BlurbTags(doc)
    warning_title = ""
    for child in blurb.iter():
        tag = child.tag
        cls = child.attributes.get("class") or ""
        if tag == "div" and cls.startswith("header"):
            warning_title = _header(child, doc, tags)
        elif tag == "ul" and cls.startswith("tags"):
            for li in child.iter():
                tag_type = _TAG_CLASSES.get(li.attributes.get("class") or "")
                if tag_type is not None:
                    tags.add(text_of(li), tag_type)
        elif tag == "blockquote" and "summary" in cls:
            doc.summary = fragment_text(child.inner_html or "") or None
        elif tag == "ul" and cls == "series":
            doc.series.extend(_series(child))
        elif tag == "dl" and cls == "stats":
            _stats(child, doc.stats, doc)
    if doc.source.work_key is None:
        return None
    if not doc.tags_of(TagType.WARNING) and warning_title:
        # The tag list normally repeats the warnings with their exact tag names; without
        # it, fall back to the symbol's title ("A, B" for several).
        for name in warning_title.split(", "):
            tags.add(name, TagType.WARNING)
    return doc


def _header(header: LexborNode, doc: Document, tags: _BlurbTags) -> str:
    """Fill title, authors, fandoms, required tags and date; return the warnings title."""
    warning_title = ""
    for child in header.iter():
        tag = child.tag
        if tag == "h4":
            _heading(child, doc)
        elif tag == "h5":
            for link in child.iter():
                if link.tag == "a":
                    tags.add(text_of(link), TagType.FANDOM)
        elif tag == "ul":
            for span in child.css("span[title]"):
                warning_title = _required(span, doc, tags) or warning_title
        elif tag == "p" and (child.attributes.get("class") or "") == "datetime":
            doc.updated = iso_date(child.text(deep=True))
    return warning_title


def _heading(h4: LexborNode, doc: Document) -> None:
    for link in h4.iter():
        if link.tag != "a":
            continue
        attrs = link.attributes
        href = attrs.get("href") or ""
        if attrs.get("rel") == "author":
            doc.authors.append(text_of(link))
        elif href.startswith("/works/") and doc.source.work_key is None:
            work_id = href[7:].split("/", 1)[0].split("?", 1)[0]
            if work_id.isascii() and work_id.isdigit():
                doc.title = text_of(link)
                doc.source.url = f"{SITE}/works/{work_id}"
                doc.source.work_key = f"ao3:{work_id}"
        elif href.endswith("/gifts"):
            doc.extra.setdefault("gift_for", []).append(text_of(link))
    # Works in anonymous collections show "Anonymous" as plain text instead of a link.
    if not doc.authors:
        doc.authors.append("Anonymous")


def _required(span: LexborNode, doc: Document, tags: _BlurbTags) -> str:
    """Apply one required-tag symbol; return the title when it is the warnings symbol."""
    classes = (span.attributes.get("class") or "").split()
    title = (span.attributes.get("title") or "").strip()
    if not title:
        return ""
    if "rating" in classes:
        tags.add(title, TagType.RATING)
    elif "category" in classes:
        if title != "No category":
            for name in title.split(", "):
                tags.add(name, TagType.CATEGORY)
    elif "iswip" in classes:
        doc.status = {"Complete Work": Status.COMPLETE, "Work in Progress": Status.IN_PROGRESS}.get(
            title, Status.UNKNOWN
        )
    elif "warnings" in classes:
        return title
    return ""


def _series(ul: LexborNode) -> list[SeriesRef]:
    refs = []
    for li in ul.iter():
        if li.tag != "li":
            continue
        part = li.css_first("strong")
        link = li.css_first("a")
        if link is None:
            continue
        href = link.attributes.get("href") or ""
        number = text_of(part) if part is not None else ""
        refs.append(
            SeriesRef(name=text_of(link), part=parse_count(number), url=safe_url(href, SITE))
        )
    return refs


def _stats(dl: LexborNode, stats: Stats, doc: Document) -> None:
    for dd in dl.iter():
        if dd.tag != "dd":
            continue
        name = dd.attributes.get("class") or ""
        value = dd.text(deep=True).strip()
        if name == "language":
            doc.language = value or None
        elif name == "chapters":
            posted, _, total = value.partition("/")
            stats.chapters_posted = parse_count(posted)
            stats.chapters_total = parse_count(total)  # None for "?"
        elif name in _COUNT_STATS:
            setattr(stats, name, parse_count(value))


def iso_date(value: str) -> str | None:
    """ "31 May 2022" -> "2022-05-31" (month names are AO3's English abbreviations)."""
    parts = value.split()
    if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
        return None
    month = _MONTHS.get(parts[1][:3].title())
    if month is None or len(parts[0]) > 2 or len(parts[2]) != 4:
        return None
    return parse_date(f"{parts[2]}-{month:02d}-{int(parts[0]):02d}")  # None for "45 May"
