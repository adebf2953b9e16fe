"""Formats ficsift knows by name but cannot read: they fail with that name, never as text.

Without this, every file no reader claimed fell to the plain-text reader's last resort: MOBI
and AZW3 books became works of garbled text, a PDF 11,762 "words" of compressed bytes, a
text file named ``junk.epub`` a work.  A file is recognised by its content first (magic
bytes), then by its extension; the failure names the format.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
CALIBRE_BOOK_MAGIC = b"FICSIFT-CALIBRE-BOOK 1\n"


class _Named(Protocol):
    """What is looked at: a RawFile, without importing it (base imports this module)."""

    @property
    def data(self) -> bytes: ...

    @property
    def suffix(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    suffixes: tuple[str, ...] = ()
    magic: tuple[tuple[int, bytes], ...] = ()  # (offset, bytes) any of which marks the format

    def has_magic(self, data: bytes) -> bool:
        return any(data[at : at + len(sig)] == sig for at, sig in self.magic)


# Formats a reader reads (read/mobi.py, read/pdf.py): a file named so without the format's
# magic bytes is refused by name, as a mislabelled EPUB or zip is.
READABLE = (
    Format("MOBI/AZW3", (".mobi", ".azw", ".azw3", ".prc"), ((60, b"BOOKMOBI"),)),
    Format("PDF", (".pdf",), ((0, b"%PDF-"),)),
)

UNSUPPORTED = (
    Format("Kindle KFX", (".kfx", ".azw4")),
    Format("PalmDOC", (".pdb",), ((60, b"TEXtREAd"),)),
    Format("DjVu", (".djvu", ".djv"), ((0, b"AT&TFORM"),)),
    Format(
        "Microsoft Word (.doc)",
        (".doc", ".xls", ".ppt", ".msg"),
        ((0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),),
    ),
    Format("RTF", (".rtf",), ((0, b"{\\rtf"),)),
    Format("CHM help", (".chm",), ((0, b"ITSF"),)),
    Format("Microsoft Reader (.lit)", (".lit",), ((0, b"ITOLITLS"),)),
    Format("PNG image", (".png",), ((0, b"\x89PNG\r\n\x1a\n"),)),
    Format("JPEG image", (".jpg", ".jpeg"), ((0, b"\xff\xd8\xff"),)),
    Format("GIF image", (".gif",), ((0, b"GIF87a"), (0, b"GIF89a"))),
    Format("WebP image", (".webp",), ((8, b"WEBPVP8"),)),
    Format("TIFF image", (".tif", ".tiff"), ((0, b"II*\x00"), (0, b"MM\x00*"))),
    Format("image", (".bmp", ".ico", ".heic", ".avif", ".svg")),
    Format("SQLite database", (".sqlite", ".sqlite3", ".db"), ((0, b"SQLite format 3\x00"),)),
    Format("gzip archive", (".gz", ".tgz"), ((0, b"\x1f\x8b\x08"),)),
    Format("bzip2 archive", (".bz2",), ((4, b"1AY&SY"),)),
    Format("xz archive", (".xz",), ((0, b"\xfd7zXZ\x00"),)),
    Format("7-Zip archive", (".7z",), ((0, b"7z\xbc\xaf\x27\x1c"),)),
    Format("RAR archive", (".rar", ".cbr"), ((0, b"Rar!\x1a\x07"),)),
    Format("tar archive", (".tar",), ((257, b"ustar"),)),
    Format(
        "audio or video",
        (".mp3", ".m4a", ".mp4", ".m4v", ".ogg", ".oga", ".wav", ".flac", ".avi", ".mkv", ".mov"),
        ((0, b"ID3"), (0, b"OggS"), (0, b"fLaC"), (4, b"ftyp"), (0, b"\x1aE\xdf\xa3")),
    ),
    Format("program", (".exe", ".dll", ".so", ".dylib", ".class", ".pyc"), ((0, b"\x7fELF"),)),
    Format("font", (".ttf", ".otf", ".woff", ".woff2"), ((0, b"wOFF"), (0, b"wOF2"))),
    # Zips that are documents, not folders of fics (their first member names them).
    Format("Word document (.docx)", (".docx", ".xlsx", ".pptx"), ((30, b"[Content_Types].xml"),)),
    Format(
        "OpenDocument file",
        (".odt", ".ods", ".odp"),
        ((30, b"mimetypeapplication/vnd.oasis.opendocument"),),
    ),
    Format("comic book archive (images)", (".cbz",)),
)


def unsupported_reason(raw: _Named) -> str | None:
    """Why ``raw`` is refused before any reader sees it (a format named above, or an EPUB or
    zip by name that is none); None for anything a reader may try."""
    data = raw.data
    if data.startswith(CALIBRE_BOOK_MAGIC):  # a book with its library's metadata: read/calibre.py
        return None
    for fmt in UNSUPPORTED:
        if fmt.has_magic(data):
            return f"{fmt.name} is not supported yet"
    for fmt in READABLE:
        if fmt.has_magic(data):
            return None
        if raw.suffix in fmt.suffixes:
            return f"not a {fmt.name} file: no {fmt.name} header (damaged or mislabelled)"
    is_zip = data[:4] in ZIP_MAGIC
    if raw.suffix == ".epub" and not is_zip:
        return "not an EPUB: no zip header (the file is not a zip archive: damaged or mislabelled)"
    if raw.suffix == ".zip" and not is_zip:
        return "not a zip: no zip header (damaged or mislabelled)"
    for fmt in UNSUPPORTED:
        if raw.suffix in fmt.suffixes:
            return f"{fmt.name} is not supported yet (by its name, {raw.suffix})"
    return None
