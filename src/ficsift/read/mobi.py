"""MOBI and AZW3 (Kindle) books: unpacked with KindleUnpack, then read as EPUB or AO3 HTML.

The unpacker is the ``mobi`` package (KindleUnpack, maintained on PyPI; GPL-3.0 like
FanFicFare, already a dependency).  It is the only maintained pure-Python reader of both
Kindle formats: a KF8 book (AZW3, or the KF8 half of a joint MOBI) comes out as an EPUB,
an old MOBI 7 book as one ``book.html`` with an OPF of its EXTH metadata.  Measured on the
wild AO3 downloads: 0.03 s for a 38 KB MOBI 7, 0.17 s for a 151 KB AZW3, 29 MB peak.

A hostile file must not hang or exhaust the import, and KindleUnpack is not written for
hostile input (it loops over record offsets the file declares), so it runs in a child
process with a time budget and an address-space cap, writing into a temporary folder (the
one place a reader touches the file system: the unpacker only writes files).

AO3 makes both formats with calibre from its HTML download.  KF8 keeps the HTML (calibre's
renamed classes included), so the EPUB reader's AO3 path reads it.  MOBI 7 flattens it: the
preface's ``<dl>`` becomes "Label:" blocks each followed by a value block, every chapter a
section after a page break with its heading first; :func:`ao3_html_from_mobi7` puts AO3's
HTML download back together so the AO3 reader reads it like the original.  Other MOBI 7
books (FanFicFare's, anyone's) are wrapped as an EPUB of one page per section, with the OPF,
and read by the EPUB reader (title page fields, chapters from headings).
"""

from __future__ import annotations

import html as htmllib
import io
import re
import struct
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from selectolax.lexbor import LexborNode

from ficsift.model import Chapter, Document
from ficsift.read.ao3_html import Ao3HtmlReader
from ficsift.read.base import RawFile, Reader, ReadError, register
from ficsift.read.child import failure_reason, run_bounded
from ficsift.read.epub import EpubReader
from ficsift.read.fanficfare_outputs import apply_title_page
from ficsift.read.html import fragment_text, html_blocks, node_text, parse_html, sanitize_html

MAGIC_AT, MAGIC = 60, b"BOOKMOBI"
TIME_BUDGET = 60.0  # seconds: the largest real books unpack in about a second
# Run in the child: unpack the book named by argv[1] into the folder argv[2].
_UNPACK = (
    "import sys\n"
    "from loguru import logger\n"
    "logger.remove()\n"
    "from mobi.kindleunpack import unpackBook\n"
    "unpackBook(sys.argv[1], sys.argv[2], epubver='A')\n"
)
_PAGEBREAK_RE = re.compile(r"<mbp:pagebreak\s*/?>(?:\s*</mbp:pagebreak>)?", re.I)
# KindleUnpack's position anchors, written XML-style (<a id="filepos7788" />): an HTML
# parser opens a link there that swallows the rest of the section.
_ANCHOR_RE = re.compile(r"<a\s+id=\"[^\"]*\"\s*/>", re.I)
# AO3's preface labels (its <dt>s) as MOBI 7 shows them, on a block of their own.
_AO3_LABELS = {
    "rating", "ratings", "archive warning", "archive warnings", "category", "categories",
    "fandom", "fandoms", "relationship", "relationships", "character", "characters",
    "additional tags", "language", "series", "collections", "stats",
}  # fmt: skip
_META_LABELS = {"summary", "notes", "chapter summary", "chapter notes"}
_END_LABELS = {"chapter end notes", "end notes"}
_CHAPTERS_RE = re.compile(r"Chapters:\s*(\d+)\s*/")


@dataclass(slots=True)
class Unpacked:
    epub: bytes | None = None  # a KF8 book as KindleUnpack rebuilt it
    html: str = ""  # a MOBI 7 book's text
    opf: bytes = b""
    files: dict[str, bytes] = field(default_factory=dict)


@register
class MobiReader(Reader):
    format = "mobi"

    @classmethod
    def sniff(cls, raw: RawFile) -> int:
        return 95 if raw.data[MAGIC_AT : MAGIC_AT + len(MAGIC)] == MAGIC else 0

    def read(self, raw: RawFile) -> list[Document]:
        try:
            return self._read(raw)
        except ReadError as exc:  # the inner EPUB/HTML reading's reasons, named as MOBI's
            message = str(exc)
            raise ReadError(message if message.startswith("MOBI") else f"MOBI: {message}") from None

    def _read(self, raw: RawFile) -> list[Document]:
        book = unpack(raw)
        if book.epub is not None:
            inner = RawFile(raw.path, book.epub, raw.limits, raw.depth + 1, raw.budget)
            docs = EpubReader().read(inner)
        elif 'class="authorlink"' in book.html[:20_000]:
            docs = [read_fanficfare_mobi(raw, book.html)]
        elif "Posted originally on the" in book.html and "archiveofourown" in book.html:
            rebuilt = ao3_html_from_mobi7(book.html)
            inner = RawFile(raw.path, rebuilt.encode(), raw.limits, raw.depth + 1, raw.budget)
            docs = Ao3HtmlReader().read(inner)
        else:
            inner = RawFile(raw.path, epub_from_mobi7(book), raw.limits, raw.depth + 1, raw.budget)
            docs = EpubReader().read(inner)
        fmt = "azw3" if book.epub is not None else self.format
        for doc in docs:
            doc.source = raw.source(fmt, url=doc.source.url, work_key=doc.source.work_key)
        return docs


def unpack(raw: RawFile) -> Unpacked:
    """The book's EPUB (KF8) or HTML and OPF (MOBI 7), unpacked in a bounded child process."""
    with tempfile.TemporaryDirectory(prefix="ficsift-mobi-") as tmp:
        book = Path(tmp, "book.mobi")
        book.write_bytes(raw.data)
        out = Path(tmp, "out")
        done = run_bounded(
            _UNPACK, [str(book), str(out)], what="MOBI", doing="unpacking", budget=TIME_BUDGET
        )
        if done.returncode != 0:
            why = failure_reason(done)
            # KindleUnpack insists on every record the header counts; FanFicFare's MOBI
            # writer counts one more than it writes.  The text itself is still there.
            text = palmdoc_text(raw.data)
            if text is None:
                raise ReadError(f"MOBI: cannot unpack this book ({why})")
            return Unpacked(html=text)
        epubs = sorted(out.glob("mobi8/*.epub"))
        if epubs:
            return Unpacked(epub=epubs[0].read_bytes())
        html = out / "mobi7" / "book.html"
        if not html.exists():
            raise ReadError("MOBI: no text in this book (encrypted, or a dictionary or PDF?)")
        opf = out / "mobi7" / "content.opf"
        return Unpacked(
            html=html.read_bytes().decode("utf-8", "replace"),
            opf=opf.read_bytes() if opf.exists() else b"",
        )


def palmdoc_text(data: bytes, limit: int = 64 << 20) -> str | None:
    """A MOBI 7 book's text read directly: the PalmDOC-compressed (or uncompressed) text
    records there are, each stripped of its trailing entries; None for anything else
    (HUFF/CDIC compression, encryption, a header that does not add up)."""
    try:
        count = struct.unpack_from(">H", data, 76)[0]
        offsets = [struct.unpack_from(">I", data, 78 + 8 * i)[0] for i in range(count)]
        offsets.append(len(data))
        rec0 = data[offsets[0] : offsets[1]]
        compression, text_count, encryption = (
            struct.unpack_from(">H", rec0, 0)[0],
            struct.unpack_from(">H", rec0, 8)[0],
            struct.unpack_from(">H", rec0, 12)[0],
        )
        encoding = struct.unpack_from(">I", rec0, 28)[0] if rec0[16:20] == b"MOBI" else 1252
        header_len = struct.unpack_from(">I", rec0, 20)[0] if rec0[16:20] == b"MOBI" else 0
        flags = struct.unpack_from(">H", rec0, 0xF2)[0] if header_len >= 0xE4 else 0
    except (struct.error, IndexError):
        return None
    if encryption or compression not in {1, 2} or offsets != sorted(offsets):
        return None
    out = bytearray()
    for i in range(1, min(text_count, count - 1) + 1):
        record = _trim_trailing(data[offsets[i] : offsets[i + 1]], flags)
        out += _lz77(record) if compression == 2 else record
        if len(out) > limit:
            return None
    return out.decode("utf-8" if encoding == 65001 else "cp1252", "replace")


def _trim_trailing(record: bytes, flags: int) -> bytes:
    """A text record without the trailing entries its header's extra-data flags announce."""
    for bit in range(15, 0, -1):
        if flags & (1 << bit):
            size = shift = 0
            for pos in range(len(record) - 1, max(len(record) - 5, -1), -1):
                size |= (record[pos] & 0x7F) << shift
                shift += 7
                if record[pos] & 0x80:
                    break
            record = record[: len(record) - size] if 0 < size <= len(record) else record
    if flags & 1 and record:
        record = record[: len(record) - ((record[-1] & 3) + 1)]
    return record


def _lz77(record: bytes) -> bytes:
    """PalmDOC decompression (its LZ77 variant)."""
    out = bytearray()
    i, n = 0, len(record)
    while i < n:
        c = record[i]
        i += 1
        if 1 <= c <= 8:
            out += record[i : i + c]
            i += c
        elif c < 0x80:
            out.append(c)
        elif c >= 0xC0:
            out += bytes((0x20, c ^ 0x80))
        elif i < n:
            pair = (c << 8) | record[i]
            i += 1
            distance, length = (pair >> 3) & 0x7FF, (pair & 7) + 3
            if 0 < distance <= len(out):
                for _ in range(length):
                    out.append(out[-distance])
    return bytes(out)


# --- MOBI 7 -------------------------------------------------------------------------------


def sections(html: str) -> list[list[Block]]:
    """The book's blocks, section by section (calibre starts each chapter on a page break).

    A block is a body child with its wrappers peeled off: calibre's MOBI 7 output nests a
    quote ten blockquotes deep for its indent.
    """
    out = []
    for part in split_pages(html):
        body = parse_html(f"<html><body>{part}</body></html>").body
        if body is None:
            continue
        blocks = [
            Block(*_peel(n)) for n in body.iter() if node_text(n) or n.css_first("img") is not None
        ]
        out.append(blocks)
    return out


@dataclass(slots=True)
class Block:
    node: LexborNode
    # How many blockquotes deep: calibre sets notes off one level deeper than the story.
    depth: int


def _value(part: list[Block], start: int, greedy: bool = False) -> tuple[str, int]:
    """The value after a label block at ``start - 1``: the indented blocks that follow (a
    note of several paragraphs is several blockquotes), or the one next block, or (``greedy``:
    the preface page holds nothing else) every block up to the next label; and the index
    after it."""
    end = start + 1
    depth = part[start].depth
    while (
        end < len(part)
        and (greedy or (depth and part[end].depth == depth))
        and not _label_of(part[end])
        and not _is_note_link(part[end].node)
    ):
        end += 1
    if end - start == 1:
        return _inner(part[start].node), end
    return "".join(f"<p>{_inner(b.node)}</p>" for b in part[start:end]), end  # one per paragraph


def _label_of(block: Block) -> str | None:
    label = _label(block.node)
    return label if label in _META_LABELS | _END_LABELS else None


def split_pages(html: str) -> list[str]:
    """The body's HTML between page breaks, KindleUnpack's anchors removed."""
    body_start = html.lower().find("<body")
    body = _ANCHOR_RE.sub("", html[body_start:] if body_start >= 0 else html)
    return _PAGEBREAK_RE.split(body)


def _peel(node: LexborNode) -> tuple[LexborNode, int]:
    """The block inside single-child wrappers, and how many of them were blockquotes."""
    depth = int(node.tag == "blockquote")
    while True:
        kids = [k for k in node.iter(include_text=True) if k.tag != "-text" or node_text(k)]
        if len(kids) != 1 or kids[0].tag not in {"blockquote", "div"}:
            return node, depth
        node = kids[0]
        depth += node.tag == "blockquote"


def _inner(node: LexborNode) -> str:
    return (node.inner_html if node.tag != "-text" else htmllib.escape(node_text(node))) or ""


def _label(node: LexborNode) -> str:
    text = node_text(node).strip().lower()
    return text[:-1].strip() if text.endswith(":") else text


def ao3_html_from_mobi7(html: str) -> str:
    """AO3's HTML download rebuilt from calibre's MOBI 7 flattening of it."""
    parts = sections(html)
    preface: list[str] = []
    dl: list[str] = []
    chapters_stated = 1
    end_of_preface = 0  # index of the section holding the byline
    for n, part in enumerate(parts):
        for i, item in enumerate(part):
            block = item.node
            text = node_text(block)
            label = _label(block)
            if "Posted originally on the" in text:
                preface.append(f'<p class="message">{_inner(block)}</p>')
            elif text.endswith(":") and label in _AO3_LABELS and i + 1 < len(part):
                value = part[i + 1].node
                dl.append(f"<dt>{htmllib.escape(label.title())}:</dt><dd>{_inner(value)}</dd>")
                if label == "stats" and (m := _CHAPTERS_RE.search(node_text(value))):
                    chapters_stated = int(m.group(1))
            elif _is_byline(block):
                end_of_preface = n
    if not dl:
        raise ReadError("AO3 MOBI: no preface tags found")
    meta = _preface_meta(parts[end_of_preface])
    out = [
        '<html><head><meta charset="utf-8"/></head><body><div id="preface">',
        *preface,
        f'<div class="meta"><dl class="tags">{"".join(dl)}</dl>{meta}</div></div>',
        '<div id="chapters" class="userstuff">',
    ]
    afterword = ""
    story: list[list[Block]] = []
    for part in parts[end_of_preface + 1 :]:
        if _is_afterword(part):
            afterword = _afterword_html(part)
            break
        if part:
            story.append(part)
    if chapters_stated == 1:  # no chapter headings: every page is the one chapter
        story = [[b for part in story for b in part]]
    out.extend(_chapter_html(part, n, chapters_stated > 1) for n, part in enumerate(story, 1))
    out.append(f"</div>{afterword}</body></html>")
    return "".join(out)


def _is_byline(block: LexborNode) -> bool:
    return node_text(block).startswith("by ") and block.css_first('a[href*="/users/"]') is not None


def _is_note_link(block: LexborNode) -> bool:
    """AO3's "See the end of the chapter for more notes" (a link, not a note)."""
    text = node_text(block)
    return text.startswith("See the end of the") and len(text) < 80


def _notes(
    part: list[Block], start: int, labels: set[str], greedy: bool = False
) -> tuple[list[str], int]:
    """``<p>Label</p><blockquote>`` pairs from ``start`` while the blocks are labels of
    ``labels`` (a label whose value is only AO3's "see the end" link is dropped)."""
    out: list[str] = []
    i = start
    while i + 1 < len(part) and _label(part[i].node) in labels:
        label = node_text(part[i].node).rstrip(":").title()
        if _is_note_link(part[i + 1].node):
            i += 2
            continue
        value, i = _value(part, i + 1, greedy)
        out.append(f"<p>{htmllib.escape(label)}</p><blockquote>{value}</blockquote>")
    return out, i


def _preface_meta(part: list[Block]) -> str:
    """Title, byline, summary and notes: the section with the byline."""
    out: list[str] = []
    i = 0
    while i < len(part):
        block = part[i].node
        if _is_byline(block):
            if i > 0:
                out.insert(0, f"<h1>{htmllib.escape(node_text(part[i - 1].node))}</h1>")
            for link in block.css('a[href*="/users/"]'):
                link.attrs["rel"] = "author"
            out.append(f'<div class="byline">{_inner(block)}</div>')
        elif _label(block) in {"summary", "notes"}:
            notes, i = _notes(part, i, {"summary", "notes"}, greedy=True)
            out.extend(notes)
            continue
        i += 1
    return "".join(out)


def _chapter_html(part: list[Block], n: int, headed: bool) -> str:
    """One chapter: its meta group (heading, summary, notes), its text, its end notes."""
    meta: list[str] = []
    i = 0
    if headed and part:
        meta.append(f'<h2 class="heading">{htmllib.escape(node_text(part[0].node))}</h2>')
        i = 1
    notes, i = _notes(part, i, {"chapter summary", "chapter notes"})
    meta.extend(notes)
    text: list[str] = []
    end: list[str] = []
    while i < len(part):
        block = part[i].node
        if _label(block) == "chapter end notes":
            end, i = _notes(part, i, {"chapter end notes"})
            continue
        if not _is_note_link(block):
            text.append(block.html or "")
        i += 1
    head = f'<div class="meta group">{"".join(meta)}</div>' if meta else ""
    tail = f'<div class="meta" id="endnotes{n}">{"".join(end)}</div>' if end else ""
    return f'{head}<div class="userstuff">{"".join(text)}</div>{tail}'


def _is_afterword(part: list[Block]) -> bool:
    """The afterword (end notes, the "drop by and comment" line) or calibre's contents page."""
    first = [_label(b.node) for b in part[:3]]
    return bool(set(first) & {"end notes", "afterword", "table of contents"}) or any(
        "drop by the archive and comment" in text for text in first
    )


def _afterword_html(part: list[Block]) -> str:
    out: list[str] = []
    for i, block in enumerate(part):
        if _label(block.node) == "end notes":
            out, _ = _notes(part, i, {"end notes"})
            break
    return (
        f'<div id="afterword"><div class="meta"><div id="endnotes">{"".join(out)}</div></div></div>'
    )


def read_fanficfare_mobi(raw: RawFile, html: str) -> Document:
    """FanFicFare's MOBI: a title page (``<h3>`` title "by" author links, then ``<b>Label:</b>
    value<br/>`` fields, the labels of its HTML and TXT outputs), a contents page, then one
    page per chapter under its ``<h3>`` title."""
    pages = split_pages(html)
    title_page = parse_html(pages[0]).body
    if title_page is None:
        raise ReadError("FanFicFare MOBI: no title page")
    doc = Document(source=raw.source(MobiReader.format))
    heading = title_page.css_first("h3")
    if heading is not None:
        links = heading.css("a")
        doc.title = node_text(links[0]) if links else node_text(heading)
        doc.authors = [node_text(a) for a in heading.css("a.authorlink") if node_text(a)]
        if links and (url := links[0].attributes.get("href")):
            doc.source.url = url if url.startswith(("http://", "https://")) else None
    fields: list[tuple[str, str]] = []
    for box in title_page.css("div"):
        if box.css_first("b") is None:
            continue
        for piece in re.split(r"<br\s*/?>", box.inner_html or ""):
            found = re.match(r"\s*<b>([^<]{1,40}):</b>(.*)$", piece, re.S)
            if found:
                fields.append((found.group(1), fragment_text(found.group(2))))
        break
    apply_title_page(doc, fields)
    for page in pages[1:]:
        body = parse_html(page).body
        if body is None or body.css_first('a[name="TOCTOP"]') is not None:
            continue
        head = body.css_first("h3")
        if head is None:
            continue
        title = node_text(head)
        head.decompose()
        blocks = html_blocks(body)
        text = "\n\n".join(b.text for b in blocks)
        if text.strip():
            doc.chapters.append(
                Chapter(title=title, text=text, html=sanitize_html(body.inner_html or ""))
            )
    if not doc.chapters:
        raise ReadError("FanFicFare MOBI: no chapters")
    return doc


def epub_from_mobi7(book: Unpacked) -> bytes:
    """A MOBI 7 book as a minimal EPUB: one page per section, the OPF of its metadata."""
    parts = split_pages(book.html)
    opf = book.opf.decode("utf-8", "replace")
    names = [f"part{n:04d}.html" for n in range(len(parts))]
    manifest = "".join(
        f'<item id="p{n}" href="{name}" media-type="application/xhtml+xml"/>'
        for n, name in enumerate(names)
    )
    spine = "".join(f'<itemref idref="p{n}"/>' for n in range(len(names)))
    meta = re.search(r"<metadata.*?</metadata>", opf, re.S)
    opf = (
        '<?xml version="1.0" encoding="utf-8"?><package version="2.0" '
        'xmlns="http://www.idpf.org/2007/opf" unique-identifier="uid">'
        f"{meta.group(0) if meta else '<metadata/>'}<manifest>{manifest}</manifest>"
        f"<spine>{spine}</spine></package>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
        )
        zf.writestr("content.opf", opf)
        for name, part in zip(names, parts, strict=True):
            page = part.removeprefix(part[: part.find(">") + 1] if part.startswith("<body") else "")
            zf.writestr(
                name, f'<html><head><meta charset="utf-8"/></head><body>{page}</body></html>'
            )
    return buf.getvalue()
