"""EPUB files: AO3's EPUB download, FanFicFare's EPUBs, and any other EPUB.

An EPUB is a zip holding XHTML content documents, a package document (OPF) with Dublin Core
metadata and the *spine* (reading order), and a table of contents (NCX and/or EPUB 3 nav);
:mod:`ficsift.read.epub_opf` reads the packaging.  Members are read one at a time through
:class:`~ficsift.read.safezip.SafeZip` (size, ratio and path limits; nothing touches the
disk), the packaging XML goes through defusedxml, and the XHTML through selectolax, which
never expands custom entities.

Three flavours, recognised from the content rather than the file name:

1. **AO3's EPUB download** is calibre's conversion of AO3's HTML download: the preface
   (``dl.tags`` Rating/Archive Warning/Category/Fandom/Relationship/Character/Additional
   Tags/Language/Series/Stats, title, byline, summary, notes, the work URL), chapters
   (``div.meta.group`` with ``h2.heading``, chapter summary and notes, ``div.userstuff``
   text, ``#endnotesN``) and the afterword.  Calibre renames classes (``meta group`` →
   ``meta1``) and splits the file at each chapter (and inside long ones), unwrapping the
   split point's ancestors.  Undoing that gives back AO3's HTML download, which is then read
   by :class:`~ficsift.read.ao3_html.Ao3HtmlReader`, so both downloads of a work read alike.
2. **FanFicFare EPUBs**: ``title_page.xhtml`` with ``<b>Label:</b> value`` lines (or a table),
   read through the shared :func:`~ficsift.read.fields.apply_fields` table; ``dc:source`` is
   the story URL; each chapter is one spine document with an ``h3.fff_chapter_title`` and,
   for AO3 stories, ``div.fff_chapter_notes`` head/foot notes.  The title, contents and
   update-log pages are not story text.
3. **Any other EPUB**: OPF metadata and the spine; front matter (cover, title page,
   copyright, contents) is skipped; chapters start at table-of-contents entries (which may
   point into the middle of a file) or at files that open with a heading; plain-text author's
   notes and chapter headings inside are found by :func:`~ficsift.read.structure.split_story`.

A spine item that leaves the archive or is missing costs that item (noted in
``Document.extra["warnings"]``); a zip bomb, entity declarations or a broken package fail the
whole file with a one-line :class:`ReadError`.
"""

from __future__ import annotations

import html as htmllib
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from ficsift.model import Chapter, Document, SeriesRef, Status, TagType, count_words
from ficsift.read.ao3_html import Ao3HtmlReader
from ficsift.read.archive import is_epub, is_zip
from ficsift.read.base import RawFile, Reader, ReadError, register
from ficsift.read.epub_opf import (
    ContentDoc,
    Package,
    TocEntry,
    apply_metadata,
    load_documents,
    read_package,
    source_url,
)
from ficsift.read.fields import (
    AO3_CATEGORIES,
    TAG_LABELS,
    apply_fields,
    normalise_label,
    parse_count,
    parse_int,
    safe_url,
    split_label,
    split_list,
    work_key_for,
)
from ficsift.read.html import (
    Block,
    fragment_text,
    html_blocks,
    is_heading_html,
    node_text,
    parse_html,
    sanitize_html,
)
from ficsift.read.safezip import SafeZip
from ficsift.read.structure import apply_parts, split_story, text_blocks

# Table-of-contents markers put into the XHTML before a fragment's target; private-use
# characters, so they never collide with story text and survive sanitising.
_MARK_RE = re.compile("\ue000(\\d+)\ue001")
_CLASS_ATTR_RE = re.compile(r'\sclass="([^"]*)"')
# Greedy name, no "\s*" beside it: ".*?" then "\s*" both take spaces (quadratic in a run).
_SERIES_PART_RE = re.compile(r"^(.*)\[(\d+)\]$")
_FRONT_NAME_RE = re.compile(
    r"^(?:cover|title|titlepage|title[_-]page|halftitle|toc|contents|nav|copyright|colophon|imprint)"
    r"(?:[_-]?page)?[_-]?\d*$",
    re.I,
)
_FRONT_LANDMARKS = {
    "cover": "cover", "title-page": "title", "titlepage": "title", "toc": "toc",
    "copyright-page": "copyright", "copyright": "copyright", "colophon": "copyright",
}  # fmt: skip
_FRONT_TITLES = {
    "cover": "cover", "title page": "title", "title": "title", "table of contents": "toc",
    "contents": "toc", "toc": "toc", "copyright": "copyright", "update log": "toc",
}  # fmt: skip
_FRONT_NAME_KINDS = (
    ("title", "title"), ("halftitle", "title"), ("cover", "cover"), ("toc", "toc"),
    ("contents", "toc"), ("nav", "toc"), ("copyright", "copyright"), ("colophon", "copyright"),
    ("imprint", "copyright"),
)  # fmt: skip
_FFF_PAGES = {
    "titlepage": "title_page.xhtml",
    "tocpage": "toc_page.xhtml",
    "logpage": "log_page.xhtml",
}
_STAT_LABELS = {"kudos", "hits", "bookmarks", "comments"}
# Not story content wherever they sit (saved pages carry injected scripts).
_NOT_TEXT = frozenset({"-comment", "script", "style", "noscript", "template", "iframe", "object"})


@dataclass(slots=True)
class Section:
    """A run of story blocks that becomes one chapter."""

    title: str | None
    blocks: list[Block] = field(default_factory=list)
    headings: set[str] = field(default_factory=set)  # texts of h1–h6 in its documents
    notes: list[str] = field(default_factory=list)
    end_notes: list[str] = field(default_factory=list)
    summary: str | None = None


@register
class EpubReader(Reader):
    format = "epub"

    @classmethod
    def sniff(cls, raw: RawFile) -> int:
        # (An ".epub" that is no zip is refused before any reader: see read.formats.)
        return 95 if is_epub(raw) else 0

    def read(self, raw: RawFile) -> list[Document]:
        if not is_zip(raw.data):
            raise ReadError("not an EPUB: the file is not a zip archive (damaged or mislabelled)")
        archive = open_epub(raw)
        try:
            return [read_epub(raw, archive)]
        finally:
            archive.close()


def open_epub(raw: RawFile) -> SafeZip:
    try:
        return SafeZip(raw.data, raw.limits, "EPUB", raw.budget)
    except NotImplementedError as exc:  # zipfile's "zip file version 21.7" from a damaged header
        raise ReadError(f"corrupt EPUB: {exc}") from None
    except ReadError as exc:
        if "is not a zip file" in str(exc):
            raise ReadError(
                "corrupt EPUB: truncated or damaged zip (no central directory; was the download cut short?)"
            ) from None
        raise


def read_epub(raw: RawFile, archive: SafeZip) -> Document:
    pkg = read_package(archive)
    warnings = list(pkg.warnings)
    docs = load_documents(archive, pkg, warnings)
    flavour = detect_flavour(pkg, docs)
    if flavour == "ao3":
        doc = read_ao3(raw, docs)
        apply_metadata(doc, pkg.metadata, flavour)
    elif flavour == "fanficfare":
        doc = Document(source=raw.source(EpubReader.format))
        read_fanficfare(doc, docs, pkg)  # the title page is the better source: it goes first
        apply_metadata(doc, pkg.metadata, flavour)
    else:
        doc = Document(source=raw.source(EpubReader.format))
        # The OPF is the only metadata: it goes first, so a status it states beats the
        # guess the structure finder makes from "more soon!" in a note.
        apply_metadata(doc, pkg.metadata, flavour)
        read_generic(doc, docs, pkg)
    url = doc.source.url or source_url(pkg.metadata)
    if url:
        doc.source.url, doc.source.work_key = url, work_key_for(url)
    doc.title = doc.title or raw.title_guess
    doc.extra["epub_flavour"] = flavour
    if warnings:
        doc.extra.setdefault("warnings", []).extend(warnings)
    if not doc.has_text:
        raise ReadError("EPUB has no story text" + (f" ({warnings[0]})" if warnings else ""))
    return doc


def classes(node: LexborNode) -> set[str]:
    """Class names without calibre's numbering (calibre turns ``meta group`` into ``meta1``)."""
    value = node.attributes.get("class") or ""
    return {_unnumbered(c).lower() for c in value.split()}


def _unnumbered(name: str) -> str:
    """A class name without calibre's trailing number (rstrip: a "\\d+$" search from every
    digit of a long run of digits is quadratic)."""
    return name.rstrip("0123456789")


def detect_flavour(pkg: Package, docs: list[ContentDoc]) -> str:
    meta = pkg.metadata
    marks = " ".join(meta.contributors + meta.identifiers).lower()
    if "fanficfare" in marks or "fanficdownloader" in marks:
        return "fanficfare"
    for d in docs:
        fanficfare = bool(classes(d.body) & {"fff_titlepage", "fff_chapter"})
        d.release()
        if fanficfare:
            return "fanficfare"
    for d in docs[:4]:
        ao3 = ao3_tags_list(d.body) is not None
        d.release()
        if ao3:
            return "ao3"
    return "generic"


# --- AO3 -----------------------------------------------------------------------------------


_AO3_DL_LABELS = {
    "rating", "ratings", "archive warning", "archive warnings", "fandom", "fandoms",
}  # fmt: skip


def ao3_tags_list(node: LexborNode) -> LexborNode | None:
    """AO3's ``dl.tags`` preface block under ``node``, if there is one.

    Known by its labels: calibre may rename the ``tags`` class (to ``message`` or
    ``calibreN``, whichever class had the same style), so any class will do when the list
    has two of AO3's labels; ``dl.tags`` needs one.
    """
    for dl in node.css("dl"):
        labels = {normalise_label(node_text(dt)) for dt in dl.css("dt")}
        found = len(labels & _AO3_DL_LABELS)
        if found >= 2 or (found and "tags" in classes(dl)):
            return dl
    return None


def read_ao3(raw: RawFile, docs: list[ContentDoc]) -> Document:
    """Rebuild AO3's HTML download from calibre's pieces and read it with the AO3 reader.

    AO3 makes its EPUB by running calibre over the HTML download, so the markup is the same
    once calibre's changes are undone: class names get their numbers stripped, and the
    split files are joined.  Calibre unwraps the ancestors of each split point in the file
    after it, so ``div#chapters`` survives only around the first chapter and the second half
    of a long chapter is bare paragraphs; the chapters part is therefore re-wrapped here.
    """
    joined = _CLASS_ATTR_RE.sub(_ao3_classes, "".join(_inner_html(d) for d in docs))
    tree = parse_html(f"<html><body>{joined}</body></html>")
    body = tree.body
    dl = ao3_tags_list(body) if body is not None else None
    if body is None or dl is None:
        raise ReadError("AO3 EPUB has no preface")
    dl.attrs["class"] = "tags"
    _restore_meta_classes(body)
    preface = _top_level(body, dl)
    afterword = next((n for n in body.iter() if _is_afterword(n)), None)
    # Chapters are what lies between the preface and the afterword (a cover page a library
    # program added before the preface is not a chapter).
    top = list(body.iter(include_text=True))
    start = next(n for n, node in enumerate(top) if node.mem_id == preface.mem_id) + 1
    # Calibre splits the preface at its title (a page break before the h1): the second
    # half, with the title, byline, summary and notes, is another div#preface.
    parts = [preface]
    while start < len(top) and (top[start].tag == "-text" or _is_preface(top[start])):
        if top[start].tag != "-text":
            parts.append(top[start])
        start += 1
    stop = next(
        (n for n, node in enumerate(top) if afterword and node.mem_id == afterword.mem_id), len(top)
    )
    items: list[str] = []
    content: list[str] = []
    _ao3_chapter_items(top[start:stop], items, content)
    _flush_content(items, content)
    preface_html = "".join(
        (p.inner_html if p.attributes.get("id") == "preface" else p.html) or "" for p in parts
    )
    preface_html = f'<div id="preface">{preface_html}</div>'
    # Calibre splits the afterword too (an empty div#afterword before a page break, the
    # notes in the next): everything after the chapters is the afterword.
    afterword_html = "".join(
        (n.inner_html if n.attributes.get("id") == "afterword" else n.html) or ""
        for n in top[stop:]
        if n.tag != "-text"
    )
    afterword_html = f'<div id="afterword">{afterword_html}</div>' if afterword_html else ""
    rebuilt = (
        '<html><head><meta charset="utf-8"/></head><body>'
        f'{preface_html}<div id="chapters" class="userstuff">{"".join(items)}</div>'
        f"{afterword_html}</body></html>"
    )
    html_raw = RawFile(raw.path, rebuilt.encode("utf-8"), raw.limits, raw.depth, raw.budget)
    doc = Ao3HtmlReader().read(html_raw)[0]
    doc.source = raw.source(EpubReader.format, url=doc.source.url, work_key=doc.source.work_key)
    return doc


def _inner_html(d: ContentDoc) -> str:
    html = d.body.inner_html or ""
    d.release()
    return html


def _ao3_classes(match: re.Match[str]) -> str:
    names = [
        _unnumbered(c)
        for c in htmllib.unescape(match.group(1)).split()
        if not c.lower().startswith("calibre")  # calibre's own classes for unclassed nodes
    ]
    return f' class="{htmllib.escape(" ".join(names))}"' if names else ""


def _top_level(body: LexborNode, node: LexborNode) -> LexborNode:
    """The ancestor of ``node`` that is a child of ``body``."""
    while node.parent is not None and node.parent.mem_id != body.mem_id:
        node = node.parent
    return node


def _restore_meta_classes(body: LexborNode) -> None:
    """Give back the ``meta`` classes calibre renamed to ``calibreN`` where its CSS made
    them alike: the div holding the work's h1 (title, byline, summary, notes), each chapter's
    meta group (the div holding its h2 heading) and the end-notes divs."""
    for div in body.css("div"):
        if "meta" in classes(div):
            continue
        kids = [c for c in div.iter() if c.tag in {"h1", "h2"}]
        if any(c.tag == "h1" for c in kids):
            div.attrs["class"] = "meta"
        elif any("heading" in classes(c) for c in kids):
            div.attrs["class"] = "meta group"
        elif (div.attributes.get("id") or "").startswith("endnotes"):
            div.attrs["class"] = "meta"


def _is_preface(node: LexborNode) -> bool:
    return node.tag == "div" and node.attributes.get("id") == "preface"


def _is_afterword(node: LexborNode) -> bool:
    if node.tag != "div" or node.attributes.get("id") in {"chapters", "preface"}:
        return False  # (a one-chapter work called "Afterword" has that toc-heading too)
    if node.attributes.get("id") == "afterword":
        return True
    heading = node.css_first("h2")
    return (
        heading is not None
        and "toc-heading" in classes(heading)
        and node_text(heading).lower() == "afterword"
    )


def _ao3_chapter_items(nodes: Iterable[LexborNode], items: list[str], content: list[str]) -> None:
    """The chapters part as AO3's HTML has it: meta groups, text divs, end-notes divs."""
    for child in nodes:
        tag = child.tag
        if tag in _NOT_TEXT:
            continue
        if tag == "-text":
            if (child.text_content or "").strip():
                content.append(htmllib.escape(child.text_content or ""))
            continue
        cls = classes(child)
        if (tag == "div" and "meta" in cls) or (tag == "h2" and "toc-heading" in cls):
            _flush_content(items, content)
            items.append(child.html or "")
        elif tag in {"div", "section"} and _holds_chapter_parts(child):
            _ao3_chapter_items(child.iter(include_text=True), items, content)  # #chapters etc.
        elif tag == "div" and "userstuff" in cls:
            content.append(child.inner_html or "")
        else:
            content.append(child.html or "")  # the bare rest of a chapter calibre split


def _holds_chapter_parts(node: LexborNode) -> bool:
    own = node.mem_id
    return any(
        d.mem_id != own
        and d.tag in {"div", "h2"}
        and classes(d) & {"meta", "userstuff", "toc-heading"}
        for d in node.css("div, h2")
    )


def _flush_content(items: list[str], content: list[str]) -> None:
    joined = "".join(content)
    if fragment_text(joined) or "<img" in joined:
        items.append(f'<div class="userstuff">{joined}</div>')
    content.clear()


# --- FanFicFare ----------------------------------------------------------------------------


def _fff_page(d: ContentDoc, kind: str) -> bool:
    """Whether ``d`` is FanFicFare's title, contents or update-log page (by class or name)."""
    name = posixpath.basename(d.path).lower()
    return name == _FFF_PAGES[kind] or f"fff_{kind}" in classes(d.body)


def read_fanficfare(doc: Document, docs: list[ContentDoc], pkg: Package) -> None:
    for d in docs:
        found = _fff_page(d, "titlepage")
        if found:
            read_title_page(doc, d.body, pkg.metadata.subjects)
        d.release()
        if found:
            break
    toc = _toc_titles(pkg.toc)
    sections = []
    for d in docs:
        try:
            section = _fff_section(doc, d, pkg, toc)
        finally:
            d.release()  # one parsed document at a time (see ContentDoc)
        if section is not None:
            sections.append(section)
    add_sections(doc, sections, whole_story=False)


def _fff_section(doc: Document, d: ContentDoc, pkg: Package, toc: dict[str, str]) -> Section | None:
    """One FanFicFare chapter document as a section; None for its own pages and the cover."""
    if (
        any(_fff_page(d, k) for k in ("titlepage", "tocpage", "logpage"))
        or _front_kind(d, pkg, toc) == "cover"
    ):
        return None
    heading = next((h for h in d.body.css("h1, h2, h3") if "fff_chapter_title" in classes(h)), None)
    meta_title = d.tree.css_first('meta[name="chaptertitle"]')
    title = (
        toc.get(d.path)
        or node_text(heading)
        or (meta_title.attributes.get("content") if meta_title else None)
    )
    if heading is not None:
        heading.decompose()
    section = Section(title=title or None)
    _fff_notes(d.body, section, doc)
    section.blocks, section.headings = clean_blocks(d.body)
    return section


def read_title_page(doc: Document, body: LexborNode, subjects: list[str]) -> None:
    """FanFicFare's title page: ``<b>Label:</b> value<br/>`` lines or table rows."""
    pairs: list[tuple[str, str]] = []
    for label, value_html in labelled_values(body):
        key = normalise_label(label)
        value = node_text(parse_html(value_html).body)
        if not value:
            continue
        if key in {"series", "additional series"}:
            _fff_series(doc, value_html)
        elif key in _STAT_LABELS:
            setattr(doc.stats, key, parse_int(value))
        elif key in {"chapters", "chapters/total chapters"}:
            posted, _, total = value.partition("/")
            doc.stats.chapters_posted = parse_int(posted)
            doc.stats.chapters_total = parse_int(total) if total else doc.stats.chapters_total
        elif key in TAG_LABELS and key != "rating":
            _fff_tags(doc, label, value, subjects, pairs)
        else:
            pairs.append((label, value))
    apply_fields(doc, pairs)
    heading = body.css_first("h3")
    links = heading.css("a") if heading is not None else []
    if links and not doc.title:
        doc.title = node_text(links[0]) or None


def labelled_values(body: LexborNode) -> list[tuple[str, str]]:
    """(label, value HTML) for each bold ``Label:`` and what follows it up to the next line."""
    out = []
    for bold in body.css("b, strong"):
        label = node_text(bold)
        if not label.endswith(":") or len(label) > 60:
            continue
        parts = []
        node = bold.next
        while node is not None and node.tag != "br" and not _is_label(node):
            parts.append(node.html or "")
            node = node.next
        value = "".join(parts)
        parent = bold.parent
        if not node_text(parse_html(value).body) and parent is not None and parent.tag == "td":
            cell = parent.next
            while cell is not None and cell.tag != "td":
                cell = cell.next
            value = cell.inner_html or "" if cell is not None else ""
        out.append((label.rstrip(":").strip(), value))
    return out


def _is_label(node: LexborNode) -> bool:
    return node.tag in {"b", "strong"} and node_text(node).endswith(":")


def _fff_series(doc: Document, value_html: str) -> None:
    """A series line: "Name [3]", usually a link to the series page."""
    tree = parse_html(value_html)
    link = tree.css_first("a")
    text = node_text(link if link is not None else tree.body)
    match = _SERIES_PART_RE.match(text)
    name, part = (match.group(1).strip(), parse_count(match.group(2))) if match else (text, None)
    if name:
        href = safe_url(link.attributes.get("href")) if link is not None else None
        doc.series.append(SeriesRef(name, part, href))


def _fff_tags(
    doc: Document, label: str, value: str, subjects: list[str], pairs: list[tuple[str, str]]
) -> None:
    """FanFicFare joins list values with ", "; items that hold a comma are in dc:subject whole."""
    protected = sorted((s for s in subjects if "," in s and s in value), key=len, reverse=True)
    for n, item in enumerate(protected):
        value = value.replace(item, f"\ue002{n}\ue003")
    tag_type = TAG_LABELS[normalise_label(label)]
    for item in split_list(value):
        match = re.fullmatch("\ue002(\\d+)\ue003", item)
        if match:
            name = protected[int(match.group(1))]
            doc.add_tag(name, TagType.CATEGORY if name in AO3_CATEGORIES else tag_type, label=label)
        else:
            pairs.append(
                (label, re.sub("\ue002(\\d+)\ue003", lambda m: protected[int(m.group(1))], item))
            )


def _fff_notes(body: LexborNode, section: Section, doc: Document) -> None:
    """FanFicFare's AO3 chapter notes (``div.fff_chapter_notes``) into their places."""
    for box in [n for n in body.css("div") if "fff_chapter_notes" in classes(n)]:
        foot = "fff_foot_notes" in classes(box)
        label = ""
        for child in box.iter():
            if child.tag in {"b", "strong"}:
                label = node_text(child).lower()
                continue
            text = node_text(child)
            if not text:
                continue
            if "summary" in label and not foot:
                section.summary = text
            elif "author" in label:
                (doc.end_notes if foot else doc.notes).append(text)
            else:
                (section.end_notes if foot else section.notes).append(text)
        box.decompose()


# --- any other EPUB ------------------------------------------------------------------------


def _toc_titles(toc: list[TocEntry]) -> dict[str, str]:
    """The title of each document: its first whole-file entry, else its first entry."""
    out: dict[str, str] = {}
    for whole_file in (True, False):
        for entry in toc:
            if entry.title and (entry.fragment is None) == whole_file:
                out.setdefault(entry.path, entry.title)
    return out


def _front_kind(d: ContentDoc, pkg: Package, toc: dict[str, str]) -> str | None:
    """The kind of front matter ``d`` is ("cover", "title", "toc"…), None for story pages."""
    if not d.linear:
        return "nonlinear"
    if d.path in _nav_paths(pkg):
        return "toc"
    if kind := _FRONT_LANDMARKS.get(pkg.landmarks.get(d.path, "")):
        return kind
    stem = posixpath.splitext(posixpath.basename(d.path))[0].lower()
    if _FRONT_NAME_RE.match(stem):
        for prefix, kind in _FRONT_NAME_KINDS:
            if stem.startswith(prefix):
                return kind
    if kind := _FRONT_TITLES.get(toc.get(d.path, "").strip().lower()):
        return kind
    links = d.body.css("a")
    text = node_text(d.body)
    if len(links) >= 3 and len(text) < 5000:
        linked = sum(len(node_text(a)) for a in links)
        if linked >= 0.6 * len(text.replace("\n", "")):
            return "toc"
    return None


def _nav_paths(pkg: Package) -> set[str]:
    return {i.path for i in pkg.manifest.values() if "nav" in i.properties and i.path}


def read_generic(doc: Document, docs: list[ContentDoc], pkg: Package) -> None:
    toc = _toc_titles(pkg.toc)
    book_title = (pkg.metadata.titles[0] if pkg.metadata.titles else "").lower()
    story: list[ContentDoc] = []
    for d in docs:
        kind = _front_kind(d, pkg, toc)
        if kind is None and not story and book_title and _looks_like_title_page(d, book_title, doc):
            kind = "title"
        if kind == "title":
            _title_page_fields(doc, d.body)
        d.release()  # one parsed document at a time (see ContentDoc)
        if kind is None:
            story.append(d)
    if not story:  # everything looked like front matter: better too much text than none
        story = [d for d in docs if d.linear and _has_text(d)]
    add_sections(doc, make_sections(story, pkg.toc), whole_story=True)


def _has_text(d: ContentDoc) -> bool:
    text = node_text(d.body)
    d.release()
    return bool(text)


_TITLE_PAGE_PROSE = 60  # words of a title page besides its fields and the work's summary


def _looks_like_title_page(d: ContentDoc, book_title: str, doc: Document) -> bool:
    """A first page naming the book whose words, besides labelled fields ("By: x", "Words:
    4,210") and the summary the book's metadata already gives, are few (FicHub's
    "Introduction", a converter's title page)."""
    text = node_text(d.body)
    if book_title not in text.lower():
        return False
    summary = " ".join((doc.summary or "").split())
    prose = [
        line
        for line in text.split("\n")
        if line.strip() and split_label(line) is None and " ".join(line.split()) != summary
    ]
    return sum(count_words(line) for line in prose) < _TITLE_PAGE_PROSE


def _title_page_fields(doc: Document, body: LexborNode) -> None:
    """Labelled lines ("Rating: M") on a title page; other tools put metadata there."""
    pairs = []
    for block in text_blocks(node_text(body)):
        for line in block.text.split("\n"):
            if (found := split_label(line)) is not None:
                pairs.append(found)
    apply_fields(doc, pairs)


def make_sections(docs: list[ContentDoc], toc: list[TocEntry]) -> list[Section]:
    """Cut the documents into chapters.

    A chapter starts at each table-of-contents entry (a fragment entry may start one in the
    middle of a file).  A file no entry names continues the chapter before it (calibre splits
    long chapters into several files) unless it opens with a heading; with no usable table
    of contents at all, every file is a chapter.
    """
    paths = {d.path for d in docs}
    entries = [e for e in toc if e.path in paths]
    by_path: dict[str, list[tuple[int, TocEntry]]] = {}
    for n, entry in enumerate(entries):
        by_path.setdefault(entry.path, []).append((n, entry))
    sections: list[Section] = []
    for d in docs:
        starts: list[TocEntry] = []
        ids: dict[str, LexborNode] | None = None
        for n, entry in by_path.get(d.path, []):
            target = None
            if entry.fragment:
                ids = ids if ids is not None else _ids(d.body)
                target = ids.get(entry.fragment)
            if target is None or target.mem_id == d.body.mem_id:
                starts.append(entry)
            else:
                target.insert_before(f"\ue000{n}\ue001")
        blocks, headings = clean_blocks(d.body)
        d.release()  # one parsed document at a time (see ContentDoc)
        first = next((b for b in blocks if b.text.strip()), None)
        opens_with_heading = first is not None and _is_heading(first, headings)
        if starts:
            sections.extend(Section(title=entry.title or None) for entry in starts)
        elif not sections or not entries or opens_with_heading:
            sections.append(Section(title=None))
        for block in blocks:
            _add_block(sections, block, entries, headings)
    return sections


def _ids(body: LexborNode) -> dict[str, LexborNode]:
    out: dict[str, LexborNode] = {}
    for node in body.traverse():
        for attr in ("id", "name"):
            value = node.attributes.get(attr)
            if value and value not in out:
                out[value] = node
    return out


def _add_block(
    sections: list[Section], block: Block, entries: list[TocEntry], headings: set[str]
) -> None:
    current = sections[-1]
    current.headings |= headings
    text = block.text
    if not _MARK_RE.search(text):
        current.blocks.append(block)
        return
    pieces = _MARK_RE.split(text)  # [text, n, text, n, text…]
    if pieces[0].strip():
        current.blocks.append(Block(pieces[0].strip(), _plain_html(pieces[0])))
    for n in range(1, len(pieces), 2):
        current = Section(title=entries[int(pieces[n])].title or None, headings=set(headings))
        sections.append(current)
        rest = pieces[n + 1].strip()
        if rest:
            whole = len(pieces) == 3 and not pieces[0].strip()
            html = _MARK_RE.sub("", block.html) if whole else _plain_html(rest)
            current.blocks.append(Block(rest, html))


def _plain_html(text: str) -> str:
    return "<p>" + htmllib.escape(text.strip()).replace("\n", "<br/>") + "</p>"


def clean_blocks(body: LexborNode) -> tuple[list[Block], set[str]]:
    """Paragraph blocks of sanitised story HTML, and the texts of its headings.

    Heading texts are collected from the DOM because a block's HTML does not always keep
    its ``<hN>`` tag.
    """
    tree = parse_html(f"<html><body>{sanitize_html(body.inner_html or '')}</body></html>")
    if tree.body is None:
        return [], set()
    headings = {_norm(node_text(h)) for h in tree.body.css("h1, h2, h3, h4, h5, h6")}
    return html_blocks(tree.body), headings - {""}


def _norm(text: str) -> str:
    return " ".join(_MARK_RE.sub("", text).split()).lower()


def _is_heading(block: Block, headings: set[str]) -> bool:
    return len(block.text) < 200 and (is_heading_html(block.html) or _norm(block.text) in headings)


def _take_title(section: Section) -> None:
    """Drop the heading that repeats the chapter title (or make it the title)."""
    index = next((i for i, b in enumerate(section.blocks) if b.text.strip()), None)
    if index is None:
        return
    first = section.blocks[index]
    norm, title = _norm(first.text), _norm(section.title or "")
    if title and (
        norm == title or (_is_heading(first, section.headings) and (norm in title or title in norm))
    ):
        del section.blocks[index]
    elif not title and _is_heading(first, section.headings):
        section.title = first.text.strip()
        del section.blocks[index]


def add_sections(doc: Document, sections: list[Section], whole_story: bool) -> None:
    """Sections into chapters, with notes peeled off by the shared structure finder.

    ``whole_story`` (any other EPUB): a book that is one section may hold every chapter, so
    chapter headings in its text split it.  Otherwise each section is exactly one chapter.
    A one-chapter work's notes are the work's notes, as on AO3.
    """
    with_text = [s for s in sections if any(b.text.strip() for b in s.blocks)]
    if whole_story and len(with_text) == 1:
        section = with_text[0]
        heads = {i for i, b in enumerate(section.blocks) if _is_heading(b, section.headings)}
        if len(heads) < 2:  # no HTML chapter headings: "Chapter 2" lines may still be there
            _take_title(section)
        parts = split_story(section.blocks, heads if len(heads) >= 2 else None)
        if len(parts.chapters) == 1 and parts.chapters[0].title is None:
            parts.chapters[0].title = section.title
        apply_parts(doc, parts)
    else:
        for section in sections:
            _take_title(section)
        sections = [s for s in sections if any(b.text.strip() for b in s.blocks)]
        last_status = Status.UNKNOWN
        for section in sections:
            parts = split_story(section.blocks, set())
            chapter = parts.chapters[0] if parts.chapters else Chapter(title=None, text="")
            chapter.title = section.title
            chapter.summary = section.summary
            chapter.notes = section.notes + parts.notes + chapter.notes
            chapter.end_notes = chapter.end_notes + parts.end_notes + section.end_notes
            apply_fields(doc, parts.fields)
            doc.disclaimer = doc.disclaimer or parts.disclaimer
            doc.chapters.append(chapter)
            last_status = parts.status
        if len(doc.chapters) == 1:
            only = doc.chapters[0]
            doc.notes[:0], doc.end_notes[:0] = only.notes, only.end_notes
            only.notes, only.end_notes = [], []
        if doc.status == Status.UNKNOWN:
            doc.status = last_status
    for chapter in doc.chapters:
        chapter.html = sanitize_html(chapter.html)
