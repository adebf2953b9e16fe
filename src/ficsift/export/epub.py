"""A work as an EPUB 3 book (with an EPUB 2 table of contents for older readers).

One XHTML page per part — the title page, each chapter, the end notes — listed in both the
EPUB 3 navigation document (``nav.xhtml``) and the NCX (``toc.ncx``) that Kobo, older Kindle
converters and KOReader's fallback read.  The package metadata carries what calibre and
e-readers index: title, authors, language, source URL, summary, tags as subjects, series,
dates, and (when asked) the reader's own rating.

The same work exported twice gives the same bytes: the identifier comes from the work's
identity and the timestamps from the library, so an e-reader sees one book, updated.
"""

from __future__ import annotations

import re
import uuid
import zipfile
from io import BytesIO

from ficsift.export import pages
from ficsift.export.xhtml import text
from ficsift.library import StoredWork
from ficsift.library.views import ReadingState
from ficsift.model import Document, TagOrigin

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_CODE_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
# AO3's language names (as listings and downloads spell them) to BCP 47 codes.
_LANGUAGE_CODES = {
    "english": "en", "español": "es", "spanish": "es", "français": "fr", "french": "fr",
    "deutsch": "de", "german": "de", "italiano": "it", "italian": "it", "русский": "ru",
    "russian": "ru", "português brasileiro": "pt-BR", "português europeu": "pt-PT",
    "portuguese": "pt", "polski": "pl", "polish": "pl", "nederlands": "nl", "dutch": "nl",
    "中文-普通话 國語": "zh", "中文": "zh", "chinese": "zh", "日本語": "ja", "japanese": "ja",
    "한국어": "ko", "korean": "ko", "bahasa indonesia": "id", "tiếng việt": "vi",
    "türkçe": "tr", "svenska": "sv", "suomi": "fi", "dansk": "da", "norsk": "no",
    "čeština": "cs", "magyar": "hu", "العربية": "ar", "עברית": "he", "українська": "uk",
    "català": "ca", "română": "ro", "ελληνικά": "el", "filipino": "fil", "ไทย": "th",
}  # fmt: skip
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)  # fixed member times: the same work, the same bytes

_CONTAINER = """<?xml version="1.0" encoding="utf-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>
"""


def language_code(language: str | None) -> str:
    """A BCP 47 code for the book ("und" when the language is unknown)."""
    if not language:
        return "und"
    value = language.strip()
    if _CODE_RE.match(value):
        return value
    return _LANGUAGE_CODES.get(value.casefold(), "und")


def book_id(stored: StoredWork) -> str:
    """A stable identifier: from the work's identity (its AO3 id or URL) where known."""
    doc = stored.document
    key = doc.source.work_key or doc.source.url
    if not key:
        key = f"ficsift:{doc.title}:{'|'.join(doc.authors)}:{stored.added_at}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}"


def build_epub(stored: StoredWork, reading: ReadingState | None = None) -> bytes:
    """The work as EPUB bytes; ``reading`` adds the reader's own rating and notes."""
    doc = stored.document
    url = pages.story_url(stored)
    lang = language_code(doc.language)
    title = doc.title or "Untitled"
    # (file, table-of-contents label, body)
    parts: list[tuple[str, str, str]] = [
        ("title.xhtml", "Title page", pages.preface(doc, url, reading))
    ]
    for n, chapter in enumerate(doc.chapters):
        parts.append(
            (f"chapter{n + 1:04d}.xhtml", pages.chapter_label(chapter, n), pages.chapter(doc, n))
        )
    if (after := pages.afterword(doc)) is not None:
        parts.append(("afterword.xhtml", "End notes", after))

    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        # The mimetype comes first and uncompressed: that is how readers recognise an EPUB.
        _write(book, "mimetype", "application/epub+zip", zipfile.ZIP_STORED)
        _write(book, "META-INF/container.xml", _CONTAINER)
        _write(book, "OEBPS/content.opf", _package(stored, doc, url, lang, parts, reading))
        _write(book, "OEBPS/nav.xhtml", _nav(title, lang, parts))
        _write(book, "OEBPS/toc.ncx", _ncx(stored, title, parts))
        _write(book, "OEBPS/style.css", pages.STYLESHEET)
        for name, label, body in parts:
            _write(
                book, f"OEBPS/{name}", page(label if name != "title.xhtml" else title, lang, body)
            )
    return buffer.getvalue()


def page(
    title: str,
    lang: str,
    body: str,
    stylesheet: str = '<link rel="stylesheet" type="text/css" href="style.css"/>',
) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
        f'xml:lang="{text(lang)}" lang="{text(lang)}">\n<head><meta charset="utf-8"/>'
        f"<title>{text(title)}</title>{stylesheet}</head>\n<body>{body}</body>\n</html>\n"
    )


def _write(
    book: zipfile.ZipFile, name: str, data: str, compress: int = zipfile.ZIP_DEFLATED
) -> None:
    info = zipfile.ZipInfo(name, _ZIP_TIME)
    info.compress_type = compress
    book.writestr(info, data.encode("utf-8"))


def _package(
    stored: StoredWork, doc: Document, url: str | None, lang: str,
    parts: list[tuple[str, str, str]], reading: ReadingState | None,
) -> str:  # fmt: skip
    meta = [
        f'<dc:identifier id="bookid">{book_id(stored)}</dc:identifier>',
        f"<dc:title>{text(doc.title or 'Untitled')}</dc:title>",
        *(f'<dc:creator id="author{n}">{text(a)}</dc:creator>' for n, a in enumerate(doc.authors)),
        f"<dc:language>{text(lang)}</dc:language>",
        '<dc:contributor id="tool">ficsift</dc:contributor>',
    ]
    if url:
        meta.append(f"<dc:source>{text(url)}</dc:source>")
    if doc.summary:
        meta.append(f"<dc:description>{text(doc.summary)}</dc:description>")
    if doc.published and _DATE_RE.match(doc.published):
        meta.append(f"<dc:date>{text(doc.published[:10])}</dc:date>")
    tags = dict.fromkeys(t.name for t in doc.tags if t.origin is TagOrigin.AUTHOR)
    meta += [f"<dc:subject>{text(name)}</dc:subject>" for name in tags]
    meta.append(f'<meta property="dcterms:modified">{_modified(stored)}</meta>')
    if doc.series:
        series = doc.series[0]
        meta.append(
            f'<meta property="belongs-to-collection" id="series">{text(series.name)}</meta>'
        )
        meta.append('<meta refines="#series" property="collection-type">series</meta>')
        meta.append(f'<meta name="calibre:series" content="{text(series.name)}"/>')
        if series.part:
            meta.append(f'<meta refines="#series" property="group-position">{series.part}</meta>')
            meta.append(f'<meta name="calibre:series_index" content="{series.part}"/>')
    if reading is not None and reading.rating:
        meta.append(f'<meta name="calibre:rating" content="{reading.rating * 2}"/>')
    items = [
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
        '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>',
        '<item id="css" href="style.css" media-type="text/css"/>',
        *(f'<item id="p{n}" href="{name}" media-type="application/xhtml+xml"/>'
          for n, (name, _label, _body) in enumerate(parts)),
    ]  # fmt: skip
    spine = "".join(f'<itemref idref="p{n}"/>' for n in range(len(parts)))
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="bookid" '
        f'xml:lang="{text(lang)}">\n'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        + "\n".join(meta)
        + "\n</metadata>\n"
        "<manifest>\n" + "\n".join(items) + "\n</manifest>\n"
        f'<spine toc="ncx">{spine}</spine>\n<guide><reference type="title-page" title="Title page" '
        'href="title.xhtml"/></guide>\n</package>\n'
    )


def _modified(stored: StoredWork) -> str:
    """When the work last changed in the library, as EPUB 3 wants it (UTC, seconds)."""
    value = stored.modified_at or stored.added_at
    if re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", value or ""):
        return value
    return "2000-01-01T00:00:00Z"


def _nav(title: str, lang: str, parts: list[tuple[str, str, str]]) -> str:
    entries = "".join(f'<li><a href="{name}">{text(label)}</a></li>' for name, label, _ in parts)
    body = (
        f'<nav epub:type="toc" id="toc"><h1>{text(title)}</h1><ol>{entries}</ol></nav>'
        '<nav epub:type="landmarks" hidden="hidden"><ol>'
        '<li><a epub:type="titlepage" href="title.xhtml">Title page</a></li>'
        + (
            f'<li><a epub:type="bodymatter" href="{parts[1][0]}">Start</a></li>'
            if len(parts) > 1
            else ""
        )
        + "</ol></nav>"
    )
    return page("Contents", lang, body, stylesheet="")


def _ncx(stored: StoredWork, title: str, parts: list[tuple[str, str, str]]) -> str:
    points = "".join(
        f'<navPoint id="np{n}" playOrder="{n + 1}"><navLabel><text>{text(label)}</text></navLabel>'
        f'<content src="{name}"/></navPoint>'
        for n, (name, label, _body) in enumerate(parts)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">\n'
        f'<head><meta name="dtb:uid" content="{book_id(stored)}"/><meta name="dtb:depth" content="1"/>'
        '<meta name="dtb:totalPageCount" content="0"/><meta name="dtb:maxPageNumber" content="0"/></head>\n'
        f"<docTitle><text>{text(title)}</text></docTitle>\n<navMap>{points}</navMap>\n</ncx>\n"
    )
