"""PDF books: text lines with their size and place (pypdf), paragraphs and headings rebuilt.

Parser choice, measured on AO3's PDF download of a 10-chapter work (48 pages, 228 KB):
pypdf (BSD) 0.82 s, 40 MB; pdfminer.six (MIT) 3.2 s, 39 MB, and it reads the preface's two
columns ("Rating:" ... then every value) apart, while pypdf keeps "Rating: Explicit" on one
line.  Both give each text run's font size and position, which is what finds headings
(AO3's chapter titles are set larger) and paragraphs (a wider gap between lines, or an
indent: notes are set off as blockquotes).  PyMuPDF (AGPL) was ruled out by licence.

PDF parsing of a hostile file can take long or blow up in memory (deep object graphs,
stream bombs), so the extraction runs in a child process with a time budget and an
address-space cap; the parent only sees lines of JSON.

AO3's PDF is calibre's rendering of its HTML download, each chapter starting a page with its
heading.  The lines are turned into the same flattened HTML calibre's MOBI 7 writer makes
("Label:" blocks each followed by its value, one section per chapter page) and rebuilt into
AO3's HTML by :func:`ficsift.read.mobi.ao3_html_from_mobi7`.  Other PDFs become an EPUB of one
page per heading, read by the EPUB reader.
"""

from __future__ import annotations

import html as htmllib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from statistics import median

from ficsift.model import Document
from ficsift.read.ao3_html import Ao3HtmlReader
from ficsift.read.base import RawFile, Reader, ReadError, register
from ficsift.read.child import failure_reason, run_bounded
from ficsift.read.epub import EpubReader
from ficsift.read.mobi import _AO3_LABELS, Unpacked, ao3_html_from_mobi7, epub_from_mobi7

TIME_BUDGET = 90.0  # seconds; a 48-page AO3 PDF takes about one
MAX_PAGES = 20_000
PAGEBREAK = "<mbp:pagebreak/>"
# Run in the child: the PDF on stdin, one JSON line per text line on stdout.
_EXTRACT = """
import json, sys
import pypdf
import io
reader = pypdf.PdfReader(io.BytesIO(sys.stdin.buffer.read()), strict=False)
meta = reader.metadata or {}
print(json.dumps({"title": str(meta.get("/Title") or ""), "author": str(meta.get("/Author") or ""),
                  "pages": len(reader.pages)}))
for number, page in enumerate(reader.pages):
    if number >= int(sys.argv[1]):
        break
    runs = []
    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((round(tm[5] * cm[3] + cm[5], 1), round(tm[4] * cm[0] + cm[4], 1),
                         round(abs(size * tm[3] * cm[3]), 1), text))
    page.extract_text(visitor_text=visit)
    print(json.dumps([number, runs]))
"""
_LABEL_RE = re.compile(r"^([A-Z][A-Za-z ]+):\s*(.*)$")


@dataclass(slots=True)
class Line:
    page: int
    y: float
    x: float
    size: float
    text: str


@register
class PdfReader(Reader):
    format = "pdf"

    @classmethod
    def sniff(cls, raw: RawFile) -> int:
        return 95 if raw.data[:1024].lstrip()[:5] == b"%PDF-" else 0

    def read(self, raw: RawFile) -> list[Document]:
        info, lines = extract_lines(raw.data)
        if not lines:
            raise ReadError("PDF has no text (a scan? only images)")
        flat = flattened_html(lines, _authors(info.get("author") or ""))
        if "Posted originally on the" in flat and "Archive of Our Own" in flat:
            rebuilt = ao3_html_from_mobi7(flat)
            inner = RawFile(raw.path, rebuilt.encode(), raw.limits, raw.depth + 1, raw.budget)
            docs = Ao3HtmlReader().read(inner)
            if info.get("title"):  # what calibre was given: exact even where a font's
                docs[0].title = info["title"]  # glyphs have no text (CJK headings)
        else:
            opf = _opf(info.get("title") or raw.title_guess, info.get("author") or "")
            epub = epub_from_mobi7(Unpacked(html=flat, opf=opf.encode()))
            inner = RawFile(raw.path, epub, raw.limits, raw.depth + 1, raw.budget)
            docs = EpubReader().read(inner)
        for doc in docs:
            doc.source = raw.source(self.format, url=doc.source.url, work_key=doc.source.work_key)
        return docs


def extract_lines(data: bytes) -> tuple[dict[str, str], list[Line]]:
    """The PDF's metadata and its text lines, from a bounded child process."""
    done = run_bounded(
        _EXTRACT, [str(MAX_PAGES)], what="PDF", doing="reading the text", budget=TIME_BUDGET,
        stdin=data,
    )  # fmt: skip
    out = done.stdout.decode("utf-8", "replace").splitlines()
    if done.returncode != 0 or not out:
        raise ReadError(f"PDF: cannot read this file ({failure_reason(done)})")
    info = json.loads(out[0])
    lines: list[Line] = []
    for row in out[1:]:
        number, runs = json.loads(row)
        lines.extend(_page_lines(number, runs))
    return info, lines


def _page_lines(page: int, runs: list[list]) -> list[Line]:
    """Runs on one baseline (within 3 points: a label and its value sit a little apart)
    joined left to right into lines, top to bottom."""
    lines: list[Line] = []
    for y, x, size, text in sorted(runs, key=lambda r: (-r[0], r[1])):
        if lines and abs(lines[-1].y - y) <= 3:
            last = lines[-1]
            last.text += text
            last.size = max(last.size, size)
            last.x = min(last.x, x)
        else:
            lines.append(Line(page, y, x, size, text))
    for line in lines:
        line.text = _CJK_SPACE_RE.sub("", " ".join(line.text.split()).translate(_RADICALS))
    return [line for line in lines if line.text]


def flattened_html(lines: list[Line], authors: list[str]) -> str:
    """The lines as flat HTML: headings bold, paragraphs as <p> (indented ones, notes, as
    <blockquote>), a page break before each page that opens with a heading, and AO3's
    "Label: value" preface lines as a label block and a value block."""
    body = median(line.size for line in lines)
    # The story's left edge: the commonest start of a body-size line.
    left = Counter(round(line.x) for line in lines if line.size <= body * 1.05).most_common(1)[0][0]
    gaps = [a.y - b.y for a, b in pairwise(lines) if a.page == b.page and 0 < a.y - b.y < body * 3]
    step = median(gaps) if gaps else body * 1.2
    out: list[str] = []
    para: list[str] = []
    para_tag = "p"
    prev: Line | None = None
    label_value: list[str] | None = None
    label_name = ""
    label_x = 0.0
    seen_byline = False
    story_started = False
    headless = len({line.page for line in lines if line.size > body * 1.2}) <= 1

    def flush() -> None:
        nonlocal para, label_value, label_name
        if label_value is not None:
            out.append(f"<p>{_tag_links(label_name, _joined(label_value))}</p>")
            label_value = None
        if para:
            out.append(f"<{para_tag}>{htmllib.escape(_joined(para))}</{para_tag}>")
            para = []

    for line in lines:
        heading = line.size > body * 1.2
        new_page = prev is None or line.page != prev.page
        # The story starts on a page of its own after the preface (a work of one chapter
        # has no heading to mark it).
        after_preface = headless and new_page and seen_byline and not story_started
        story_started = story_started or after_preface
        if new_page and (heading or after_preface or _opens_afterword(line.text)):
            flush()
            out.append(PAGEBREAK)
        label = _LABEL_RE.match(line.text)
        byline = (
            line.text.startswith("by ")
            and prev is not None
            and prev.size > body * 1.2
            and prev.page == line.page
            and not seen_byline
        )
        seen_byline = seen_byline or byline
        if "Posted originally on the" in line.text or byline:
            flush()
            out.append(f"<p>{_linked(line.text, authors)}</p>")
        elif heading:
            flush()
            if out and out[-1].startswith("<h2>") and not new_page:
                out[-1] = out[-1][:-5] + " " + htmllib.escape(line.text) + "</h2>"
            else:
                out.append(f"<h2>{htmllib.escape(line.text)}</h2>")
        elif label and label.group(1).lower() in _AO3_LABELS:
            flush()
            out.append(f"<p>{htmllib.escape(label.group(1))}:</p>")
            label_value, label_name = [label.group(2)], label.group(1).lower()
            label_x = line.x
        elif (
            label_value is not None
            and prev is not None
            and (
                (line.page == prev.page and prev.y - line.y < step * 1.3)
                or (line.page != prev.page and line.x > label_x + body * 2)
            )
        ):
            label_value.append(line.text)  # a long tag list wraps, even onto the next page
        else:
            indented = line.x > left + body * 0.6
            tag = "blockquote" if indented else "p"
            gap = prev is not None and not new_page and prev.y - line.y > step * 1.4
            resized = prev is not None and abs(prev.size - line.size) > 1
            if para and (
                gap or resized or tag != para_tag or prev is None or prev.size > body * 1.2
            ):
                flush()
            para_tag = tag
            para.append(line.text)
        prev = line
    flush()
    return "<html><body>" + "".join(out) + "</body></html>"


def _authors(author: str) -> list[str]:
    """The PDF's /Author as names (calibre joins several with " & ")."""
    return [a.strip() for a in re.split(r"\s*&\s*|\s*;\s*", author) if a.strip()]


def _opens_afterword(text: str) -> bool:
    return text in {"End Notes", "Afterword"} or "drop by the Archive and comment" in text


_CJK = r"\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef"
# Between CJK characters (and the quotes and dots CJK text uses) a PDF's spaces are only
# the gaps between its glyph runs.
_CJK_SPACE_RE = re.compile(
    rf"(?<=[{_CJK}\u201c\u2018\u00b7])\s+(?=[{_CJK}\u00b7])|(?<=[{_CJK}\u00b7])\s+(?=[\u201d\u2019\u00b7])"
)
# CJK fonts map some ideographs to their look-alike Kangxi radicals (U+2F00-2FDF, U+2E80-2EFF:
# "⼊" for "入"); NFKC maps each back, and nothing else is touched.
_RADICALS = {
    c: unicodedata.normalize("NFKC", chr(c))
    for c in [*range(0x2E80, 0x2EFF), *range(0x2F00, 0x2FE0)]
    if unicodedata.normalize("NFKC", chr(c)) != chr(c)
}
# The supplement's radicals have no NFKC mapping: the ones that stand for whole simplified
# ideographs, by their Unicode names (C-SIMPLIFIED SEE is 见, CART is 车, ...).
_RADICALS.update(
    {
        ord(r): c
        for r, c in zip(
            "⻄⻅⻋⻓⻔⻛⻜⻢⻉⻚⻥⻦⻰⻬⻮⻆⻘⻩⻝⻈",
            "西见车长门风飞马贝页鱼鸟龙齐齿角青黄食讠",
            strict=True,
        )
    }
)
_NO_SPACE_RE = re.compile(
    rf"(?<=[{_CJK}])\n(?=[{_CJK}])|(?<=\S-)\n(?=[a-z])|(?<=\S-)\n(?=[A-Z][a-z])"
)
_SERIES_RE = re.compile(r"Part (\d+) of (.+?)(?=,? Part \d+ of |$)")


def _joined(lines: list[str]) -> str:
    """Wrapped lines as one: a space between them, but none inside CJK text (which has no
    spaces) nor after a word broken at its hyphen ("Pre-" / "Canon")."""
    return _NO_SPACE_RE.sub("", "\n".join(lines)).replace("\n", " ")


def _tag_links(label: str, value: str) -> str:
    """A preface value as AO3 shows it: each tag a link (AO3 tags never hold a comma), each
    series "Part N of <a>Series</a>"."""
    if label == "series":
        return ", ".join(
            f'Part {m.group(1)} of <a href="https://archiveofourown.org/series/">'
            f"{htmllib.escape(m.group(2))}</a>"
            for m in _SERIES_RE.finditer(value)
        )
    if label in {"stats", "language", "collections"}:
        return htmllib.escape(value)
    return ", ".join(
        f'<a href="https://archiveofourown.org/tags/">{htmllib.escape(tag)}</a>'
        for tag in value.split(", ")
        if tag.strip()
    )


def _linked(text: str, authors: list[str]) -> str:
    """A preface line with its links back: the work's URL, and the byline's authors (as
    links to their pages, which is how the AO3 reader knows them)."""
    if text.startswith("by "):
        names = text[3:]
        found = [a for a in authors if a in names] or [n.strip() for n in names.split(", ")]
        links = ", ".join(
            f'<a href="https://archiveofourown.org/users/{htmllib.escape(n)}">{htmllib.escape(n)}</a>'
            for n in found
        )
        return f"by {links}"
    return re.sub(
        r"https?://\S+?(?=\.?$|\s)",
        lambda m: f'<a href="{htmllib.escape(m.group(0))}">{htmllib.escape(m.group(0))}</a>',
        htmllib.escape(text),
    )


def _opf(title: str, author: str) -> str:
    creators = "".join(f"<dc:creator>{htmllib.escape(a)}</dc:creator>" for a in _authors(author))
    return (
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{htmllib.escape(title)}</dc:title>{creators}</metadata>"
    )
