"""Which files a path names: files, folders (recursively) and zips, safely.

Folders are walked following symlinks, but each real folder is visited once, so a symlink
loop costs one line instead of an endless walk.  Only regular files are opened (a FIFO
would block forever), and a file's size is checked before its bytes are read.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ficsift.read import calibre
from ficsift.read.base import Failure, Limits

SKIP_NAMES = frozenset({".git", ".svn", "__pycache__", ".DS_Store", "Thumbs.db", "desktop.ini"})
# Inside a folder these are never fics (site metadata, images, code), so they are skipped
# rather than failed; a file named on the command line is always tried.
NOT_FIC_SUFFIXES = frozenset({
    ".json", ".csv", ".tsv", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".xml", ".opf", ".ncx",
    ".css", ".js", ".py", ".sh", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".bmp",
    ".mp3", ".mp4", ".ogg", ".wav", ".exe", ".dll", ".so", ".db", ".sqlite", ".sqlite3",
    ".pyc", ".woff", ".woff2", ".ttf", ".otf", ".lock", ".log",
})  # fmt: skip


# A browser's "Web Page, complete" saves a page's images, scripts and frames beside it in
# "<page>_files" (Firefox, Chrome; "-Dateien", "_fichiers"… in other languages): the page is
# the fic, its resource folder — whose frames are ads and widgets — is not.
_PAGE_RESOURCES_RE = re.compile(
    r"^(?P<stem>.+?)(?:_files|-Dateien|_fichiers|_archivos|_arquivos|_bestanden|_file|-filer|_pliki)$"
)


def _is_page_resources(folder: str, siblings: set[str]) -> bool:
    match = _PAGE_RESOURCES_RE.match(folder)
    stem = match.group("stem") if match else None
    return stem is not None and any(
        f"{stem}{ext}" in siblings for ext in (".html", ".htm", ".xhtml")
    )


@dataclass(slots=True, frozen=True)
class Skipped:
    """A file in a folder that is not a fic format (counted, not failed)."""

    path: str


@dataclass(slots=True, frozen=True)
class FoundFile:
    """A regular file to read; its bytes are loaded only when needed."""

    path: str
    size: int
    mtime: float

    def load(self) -> bytes:
        with open(self.path, "rb") as f:
            return f.read()


@dataclass(slots=True, frozen=True)
class CalibreBookFile(FoundFile):
    """A calibre library's book: its best format, loaded with the library's metadata for it
    (see :mod:`ficsift.read.calibre`); the path and size are the book file's."""

    library: str | None = None

    def load(self) -> bytes:
        folder = Path(self.path).parent
        book = calibre.read_book_metadata(folder, Path(self.library) if self.library else None)
        return calibre.bundle(book, FoundFile.load(self))


def discover(
    paths: Iterable[str | Path], limits: Limits
) -> Iterator[FoundFile | Failure | Skipped]:
    seen_dirs: set[tuple[int, int]] = set()
    for path in paths:
        yield from _walk(Path(path), limits, seen_dirs, top=True)


def _calibre_book(folder: Path, library: Path | None) -> Iterator[FoundFile | Failure | Skipped]:
    """A calibre book folder: one work from its best format; its other formats and its
    cover and metadata files are the same book (skipped)."""
    chosen = calibre.book_file(folder)
    for entry in sorted(folder.iterdir()):
        if chosen is None or entry != chosen:
            yield Skipped(str(entry))
    if chosen is not None:
        st = chosen.stat()
        lib = str(library) if library is not None else None
        yield CalibreBookFile(str(chosen), st.st_size, st.st_mtime, lib)


def _walk(
    path: Path,
    limits: Limits,
    seen: set[tuple[int, int]],
    top: bool,
    library: Path | None = None,
) -> Iterator[FoundFile | Failure | Skipped]:
    name = str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        yield Failure(name, "no such file (or a broken link)")
        return
    except OSError as exc:
        yield Failure(name, f"cannot read: {exc.strerror or exc}")
        return
    if stat.S_ISDIR(st.st_mode):
        key = (st.st_dev, st.st_ino)
        if key in seen:
            if path.is_symlink() or not top:
                yield Failure(name, "symlink loop: this folder was already read (skipped)")
            return
        seen.add(key)
        if calibre.is_library(path):
            library = path
        # A book folder: inside a library, or one folder of one copied out on its own.
        if (path / "metadata.opf").is_file() and (library or calibre.book_file(path)):
            yield from _calibre_book(path, library)
            return
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError as exc:
            yield Failure(name, f"cannot list folder: {exc.strerror or exc}")
            return
        names = {entry.name for entry in entries}
        for entry in entries:
            if entry.name in SKIP_NAMES or entry.name.startswith("."):
                continue
            if entry.is_dir() and _is_page_resources(entry.name, names):
                yield Skipped(str(Path(entry.path)))
                continue
            yield from _walk(Path(entry.path), limits, seen, top=False, library=library)
        return
    if not top and path.suffix.lower() in NOT_FIC_SUFFIXES:
        yield Skipped(name)
        return
    if not stat.S_ISREG(st.st_mode):
        yield Failure(name, "not a regular file (device, socket or pipe; skipped)")
        return
    if st.st_size > limits.max_file_size:
        yield Failure(
            name,
            f"file too large ({st.st_size / 2**20:,.0f} MB; limit {limits.max_file_size / 2**20:,.0f} MB)",
        )
        return
    yield FoundFile(name, st.st_size, st.st_mtime)
