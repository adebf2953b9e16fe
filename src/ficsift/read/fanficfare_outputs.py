"""FanFicFare's HTML and TXT outputs (its EPUBs are read by the EPUB reader).

Both start with a title page, then a table of contents, then the chapters:

* HTML: ``<h1><a href=story>Title</a> by <a class='authorlink'>Author</a></h1>``, then a
  ``table.full`` of ``<tr><td><b>Label:</b></td><td>value</td></tr>`` rows (Series
  "Name [N]", Category = the fandoms, Genre, Characters, Relationships, Status, Published,
  Updated, Packaged, Rating, Warnings, Chapters, Words, Publisher, Summary), ``<a
  name="TOCTOP">``, and per chapter ``<a name="sectionNNNN"><h2>Title</h2></a><div>text</div>``.
* TXT: the title, "by Author", the same fields as "Label: value" lines wrapped at 78
  columns (a wrapped value continues on the next line), "TABLE OF CONTENTS" with one title
  per paragraph, then each chapter under its title indented by eight spaces; "End file."
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from ficsift.model import Chapter, Document, SeriesRef
from ficsift.read.base import RawFile, Reader, ReadError, looks_binary, register
from ficsift.read.decode import decode_bytes
from ficsift.read.fields import apply_fields, normalise_label, parse_count, safe_url
from ficsift.read.html import (
    fragment_text,
    html_blocks,
    node_text,
    parse_page,
    sanitize_html,
)
from ficsift.read.structure import one_chapter, text_blocks

_SERIES_RE = re.compile(r"^(.*?)\s*\[(\d+)\]\s*$")
# Labels FanFicFare writes that the shared field table has no home for.
_COUNTS = {"chapters": "chapters_posted", "words": "words"}
_SKIP = {"packaged", "publisher", "story url", "author url", "series url"}
_TXT_LABEL_RE = re.compile(r"^([A-Z][A-Za-z ]{1,24}):\s?(.*)$")
_TOC = "TABLE OF CONTENTS"


def apply_title_page(doc: Document, fields: list[tuple[str, str]]) -> None:
    """FanFicFare's title-page fields into ``doc`` (both outputs share the labels)."""
    plain: list[tuple[str, str]] = []
    for raw_label, value in fields:
        label = normalise_label(raw_label)
        if label in _COUNTS:
            count = parse_count(value)
            if count is not None:
                setattr(doc.stats, _COUNTS[label], count)
        elif label == "series":
            match = _SERIES_RE.match(value)
            name, part = (match.group(1), parse_count(match.group(2))) if match else (value, None)
            if name:
                doc.series.append(SeriesRef(name=name, part=part))
        elif label == "story url":
            if url := safe_url(value):
                doc.source.url = url
        elif label in _SKIP:
            doc.extra.setdefault("fields", {})[label] = value
        else:
            plain.append((label, value))
    apply_fields(doc, plain)


@register
class FanFicFareHtmlReader(Reader):
    format = "fanficfare-html"

    @classmethod
    def sniff(cls, raw: RawFile) -> int:
        head = raw.head
        if b"authorlink" in head and b'name="toctop"' in head:
            return 70
        return 0

    def read(self, raw: RawFile) -> list[Document]:
        page = decode_bytes(raw.data)
        tree = parse_page(page)
        body = tree.body
        if body is None:
            raise ReadError("FanFicFare HTML has no body")
        doc = Document(source=raw.source(self.format))
        h1 = body.css_first("h1")
        if h1 is not None:
            story = h1.css_first("a")
            doc.title = node_text(story) if story is not None else None
            doc.source.url = safe_url(story.attributes.get("href")) if story is not None else None
            doc.authors = [name for a in h1.css("a.authorlink") if (name := node_text(a))]
        table = body.css_first("table")
        if table is not None:
            apply_title_page(doc, _table_fields(table))
        _html_chapters(doc, body)
        doc.title = doc.title or raw.title_guess
        if not doc.has_text:
            raise ReadError("FanFicFare HTML has no chapter text")
        return [doc]


def _table_fields(table: LexborNode) -> list[tuple[str, str]]:
    fields = []
    for row in table.css("tr"):
        cells = row.css("td")
        if len(cells) >= 2:
            label = node_text(cells[0]).rstrip(":")
            value = fragment_text(cells[1].inner_html or "")
            if label and value:
                fields.append((label, value))
    return fields


def _html_chapters(doc: Document, body: LexborNode) -> None:
    """Each ``a[name=sectionNNNN]`` heading and the ``div`` after it."""
    title: str | None = None
    for child in body.iter():
        if child.tag == "a" and (child.attributes.get("name") or "").startswith("section"):
            title = node_text(child) or None
        elif child.tag == "div" and title is not None:
            blocks = html_blocks(child)
            doc.chapters.append(
                Chapter(
                    title=title,
                    text="\n\n".join(b.text for b in blocks),
                    html=sanitize_html(child.inner_html or ""),
                )
            )
            title = None


@register
class FanFicFareTextReader(Reader):
    format = "fanficfare-text"

    @classmethod
    def sniff(cls, raw: RawFile) -> int:
        head = raw.data[:16384]
        if b"\nPackaged: " in head and _TOC.encode() in head and not looks_binary(raw.data):
            return 70
        return 0

    def read(self, raw: RawFile) -> list[Document]:
        text = decode_bytes(raw.data).replace("\r\n", "\n")
        front, sep, rest = text.partition(f"\n{_TOC}\n")
        if not sep:
            raise ReadError("FanFicFare text has no table of contents")
        doc = Document(source=raw.source(self.format))
        lines = [line.rstrip() for line in front.split("\n")]
        heads = [line.strip() for line in lines if line.strip()][:2]
        if heads:
            doc.title = heads[0]
        if len(heads) > 1 and heads[1].startswith("by "):
            doc.authors = [a.strip() for a in heads[1][3:].split(",") if a.strip()]
        apply_title_page(doc, _text_fields(lines))
        _text_chapters(doc, rest)
        doc.title = doc.title or raw.title_guess
        if not doc.has_text:
            raise ReadError("FanFicFare text has no chapter text")
        return [doc]


def _text_fields(lines: list[str]) -> list[tuple[str, str]]:
    """ "Label: value" lines; a line with no label continues the value before it (the
    summary runs on to the table of contents)."""
    fields: list[list[str]] = []
    for line in lines:
        match = _TXT_LABEL_RE.match(line)
        if match and not (fields and fields[-1][0] == "Summary"):
            fields.append([match.group(1), match.group(2).strip()])
        elif fields and line.strip():
            fields[-1][1] = f"{fields[-1][1]} {line.strip()}".strip()
        elif fields and fields[-1][0] == "Summary":
            fields[-1][1] += "\n\n"
    return [(label, " ".join(value.split(" ")).strip()) for label, value in fields]


def _text_chapters(doc: Document, rest: str) -> None:
    """Chapters under their eight-space-indented titles."""
    parts = re.split(r"\n {8}(?=\S)", "\n" + rest)
    for n, part in enumerate(parts[1:]):
        title_text, _, body = part.partition("\n\n")
        body = body.rsplit("\nEnd file.", 1)[0]
        chapters, front = one_chapter(text_blocks(body), " ".join(title_text.split()) or None)
        if n == 0 and front.disclaimer:
            doc.disclaimer = doc.disclaimer or front.disclaimer
        elif front.disclaimer and chapters:
            chapters[0].notes.insert(0, front.disclaimer)
        if chapters:
            chapters[0].notes[:0] = front.notes
        doc.chapters.extend(chapters)
