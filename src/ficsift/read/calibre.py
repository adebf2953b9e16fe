"""Calibre library folders: each book folder is one work, with the library's metadata.

A calibre library is a folder holding ``metadata.db`` (SQLite) and ``Author/Title (id)/``
book folders, each with the book in one or more formats and a ``metadata.opf`` of what the
reader curated: tags, series, a star rating, comments and their own custom columns.  Read as
loose files, a library gives one work per format and loses all of that.

:func:`ficsift.read.discover.discover` finds book folders and yields one
:class:`CalibreBookFile` per book (its best format; the others are the same work), whose
bytes are a small bundle: a magic line, the library's metadata as JSON (from the book's
``metadata.opf``, and its custom columns from ``metadata.db`` opened read-only and
immutable), then the book file.  :class:`CalibreBookReader` reads the book with the reader
its format needs and lays the metadata over it: typed tags (through the tag ontology, as
EPUB subjects are), series, comments as the summary when the book has none, the rating and
custom columns as labelled tags, and ``calibre:<uuid>`` as the work's identity.  Readers
never touch the file system: the folder is read in discover.
"""

from __future__ import annotations

import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as DET

from ficsift.model import Document, SeriesRef, TagType
from ficsift.read.base import RawFile, Reader, ReadError, register
from ficsift.read.formats import CALIBRE_BOOK_MAGIC
from ficsift.read.html import node_text, parse_html

MAGIC = CALIBRE_BOOK_MAGIC
# The format read for a book kept in several: the one that keeps the most structure.
FORMAT_ORDER = (".epub", ".azw3", ".kepub", ".mobi", ".azw", ".html", ".htm", ".txt", ".pdf")
MAX_OPF = 4 << 20
_DC = "{http://purl.org/dc/elements/1.1/}"
_OPF = "{http://www.idpf.org/2007/opf}"


@dataclass(slots=True)
class CalibreBook:
    """What a library says about one book (JSON-ready)."""

    book_id: int | None
    uuid: str | None
    title: str | None
    authors: list[str]
    tags: list[str]
    series: str | None
    series_index: float | None
    rating: int | None  # stars, 1-5
    comments: str | None
    columns: dict[str, list[str]]  # custom column name -> values


def is_library(folder: Path) -> bool:
    return (folder / "metadata.db").is_file()


def book_file(folder: Path) -> Path | None:
    """The format to read from a book folder (one holding ``metadata.opf``)."""
    if not (folder / "metadata.opf").is_file():
        return None
    files = {p.suffix.lower(): p for p in sorted(folder.iterdir()) if p.is_file()}
    return next((files[s] for s in FORMAT_ORDER if s in files), None)


_BOOK_ID_RE = re.compile(r"\((\d+)\)$")


def read_book_metadata(folder: Path, library: Path | None) -> CalibreBook:
    """The library's record of the book in ``folder``: ``metadata.db`` is calibre's truth
    (``metadata.opf`` is a backup it rewrites later), the OPF serves a folder on its own."""
    opf = (folder / "metadata.opf").read_bytes()[:MAX_OPF]
    book = book_from_opf(opf)
    found = _BOOK_ID_RE.search(folder.name)
    book_id = int(found.group(1)) if found else book.book_id
    if library is not None and book_id is not None:
        book = book_from_db(library / "metadata.db", book_id) or book
    return book


def _connect(db: Path) -> sqlite3.Connection:
    """``metadata.db`` read-only and immutable: a library calibre has open is never
    written or locked by us."""
    return sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)


def book_from_db(db: Path, book_id: int) -> CalibreBook | None:
    try:
        con = _connect(db)
    except sqlite3.Error:
        return None
    try:
        row = con.execute(
            "SELECT title, uuid, series_index FROM books WHERE id = ?", (book_id,)
        ).fetchone()
        if row is None:
            return None
        title, uuid, series_index = row

        def names(sql: str) -> list[str]:
            return [str(v) for (v,) in con.execute(sql, (book_id,)).fetchall() if v]

        authors = names(
            "SELECT a.name FROM books_authors_link l JOIN authors a ON a.id = l.author "
            "WHERE l.book = ? ORDER BY l.id"
        )
        tags = names(
            "SELECT t.name FROM books_tags_link l JOIN tags t ON t.id = l.tag WHERE l.book = ? "
            "ORDER BY l.id"
        )
        series = names(
            "SELECT s.name FROM books_series_link l JOIN series s ON s.id = l.series "
            "WHERE l.book = ?"
        )
        ratings = names(
            "SELECT r.rating FROM books_ratings_link l JOIN ratings r ON r.id = l.rating "
            "WHERE l.book = ?"
        )
        comments = names("SELECT text FROM comments WHERE book = ?")
    except sqlite3.Error:
        return None  # not a calibre database after all: the OPF serves
    finally:
        con.close()
    rating = int(float(ratings[0])) if ratings else 0
    return CalibreBook(
        book_id=book_id,
        uuid=uuid,
        title=title,
        authors=authors,
        tags=tags,
        series=series[0] if series else None,
        series_index=series_index if series else None,
        rating=round(rating / 2) or None,  # calibre keeps 0-10
        comments=comments[0] if comments else None,
        columns=custom_columns(db, book_id),
    )


def book_from_opf(data: bytes) -> CalibreBook:
    try:
        root = DET.fromstring(data)
    except (ET.ParseError, ValueError) as exc:
        raise ReadError(f"calibre metadata.opf is not XML: {exc}") from None
    meta = root.find(f"{_OPF}metadata")
    if meta is None:
        meta = root
    named = {m.get("name"): m.get("content") for m in meta.iter(f"{_OPF}meta")}
    book_id = uuid = None
    for ident in meta.iter(f"{_DC}identifier"):
        scheme = (ident.get(f"{_OPF}scheme") or ident.get("scheme") or "").lower()
        if scheme == "calibre" and (ident.text or "").strip().isdigit():
            book_id = int((ident.text or "").strip())
        elif scheme == "uuid":
            uuid = (ident.text or "").strip() or None
    columns: dict[str, list[str]] = {}
    for name, content in named.items():
        if name and name.startswith("calibre:user_metadata:") and content:
            try:
                column = json.loads(content)
            except ValueError:
                continue
            values = column.get("#value#")
            if values in (None, "", []):
                continue
            label = column.get("name") or name.rsplit(":", 1)[-1].lstrip("#")
            columns[label] = [str(v) for v in (values if isinstance(values, list) else [values])]
    rating = _number(named.get("calibre:rating"))
    return CalibreBook(
        book_id=book_id,
        uuid=uuid,
        title=_text(meta, "title"),
        authors=[
            (e.text or "").strip() for e in meta.iter(f"{_DC}creator") if (e.text or "").strip()
        ],
        tags=[(e.text or "").strip() for e in meta.iter(f"{_DC}subject") if (e.text or "").strip()],
        series=named.get("calibre:series") or None,
        series_index=_number(named.get("calibre:series_index")),
        rating=round(rating / 2) if rating else None,  # calibre keeps 0-10
        comments=_text(meta, "description"),
        columns=columns,
    )


def custom_columns(db: Path, book_id: int) -> dict[str, list[str]]:
    """The book's custom columns from ``metadata.db``, by their display names."""
    out: dict[str, list[str]] = {}
    try:
        con = _connect(db)
    except sqlite3.Error:
        return out
    try:
        columns = con.execute(
            "SELECT id, name, datatype, normalized FROM custom_columns"
        ).fetchall()
        for col_id, name, datatype, normalized in columns:
            if datatype in {"composite", "series"} and not normalized:
                continue
            if normalized:
                rows = con.execute(
                    f"SELECT v.value FROM custom_column_{int(col_id)} v JOIN "
                    f"books_custom_column_{int(col_id)}_link l ON l.value = v.id WHERE l.book = ?",
                    (book_id,),
                ).fetchall()
            else:
                rows = con.execute(
                    f"SELECT value FROM custom_column_{int(col_id)} WHERE book = ?", (book_id,)
                ).fetchall()
            values = [str(v) for (v,) in rows if v not in (None, "")]
            if values:
                out[str(name)] = values
    except sqlite3.Error:
        pass  # an older or damaged library: the OPF still has the rest
    finally:
        con.close()
    return out


def bundle(book: CalibreBook, data: bytes) -> bytes:
    meta = json.dumps(asdict(book), ensure_ascii=False).encode()
    return MAGIC + str(len(meta)).encode() + b"\n" + meta + data


@register
class CalibreBookReader(Reader):
    format = "calibre"

    @classmethod
    def sniff(cls, raw: RawFile) -> int:
        return 100 if raw.data.startswith(MAGIC) else 0

    def read(self, raw: RawFile) -> list[Document]:
        from ficsift.read import read_file  # the package entry point picks the book's reader

        head, _, rest = raw.data[len(MAGIC) :].partition(b"\n")
        try:
            size = int(head)
            book = CalibreBook(**json.loads(rest[:size]))
        except (ValueError, TypeError) as exc:
            raise ReadError(f"calibre book: damaged metadata ({exc})") from None
        if rest[size:].startswith(MAGIC):
            raise ReadError("calibre book: a bundle inside a bundle (refused)")
        inner = RawFile(raw.path, rest[size:], raw.limits, raw.depth, raw.budget)
        docs = read_file(inner)
        for doc in docs:
            apply_book(doc, book)
        return docs


def apply_book(doc: Document, book: CalibreBook) -> None:
    """The library's metadata over what the book file says: it fills what the file lacks and
    adds what the reader curated (tags, rating, custom columns)."""
    from ficsift.read.epub_opf import subject_types

    doc.title = doc.title or book.title
    if not doc.authors or doc.authors == ["Anonymous"]:
        doc.authors = list(book.authors) or doc.authors
    if not doc.summary and book.comments:
        doc.summary = node_text(parse_html(book.comments).body) or None
    have = {t.name.lower() for t in doc.tags}
    new = [t for t in dict.fromkeys(book.tags) if t.lower() not in have and t.lower() != "fanworks"]
    for name, kind in subject_types(new):
        doc.add_tag(name, kind)
    if book.series and not any(s.name == book.series for s in doc.series):
        part = int(book.series_index) if book.series_index else None
        doc.series.append(SeriesRef(book.series, part))
    if book.rating:
        doc.extra["calibre_rating"] = book.rating
        doc.add_tag(f"{book.rating} stars", TagType.FREEFORM, label="Rating")
    for label, values in book.columns.items():
        for value in values:
            doc.add_tag(value, TagType.FREEFORM, label=label)
    if book.uuid and not doc.source.work_key:
        doc.source.work_key = f"calibre:{book.uuid}"
    doc.extra["calibre"] = {"book_id": book.book_id, "uuid": book.uuid}


def _text(meta: Any, name: str) -> str | None:
    elem = meta.find(f"{_DC}{name}")
    return (elem.text or "").strip() or None if elem is not None else None


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
