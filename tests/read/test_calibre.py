"""Calibre library folders: one work per book, with the library's metadata (tags, series,
rating, comments, custom columns), metadata.db opened read-only.  The library is made here
with calibre's own calibredb (the Makefile's test target installs calibre)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from ficsift.model import TagType
from ficsift.read import DEFAULT_LIMITS, ReadError, read_bytes
from ficsift.read.calibre import MAGIC
from ficsift.read.discover import CalibreBookFile, Skipped, discover
from tests.read.epub_fixtures import paragraphs, simple_epub


def calibredb(library: Path, *args: str) -> None:
    subprocess.run(
        ["calibredb", *args, "--library-path", str(library)],
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert shutil.which("calibredb"), "calibre is needed: make test installs it"
    folder = tmp_path_factory.mktemp("calibre")
    book = folder / "The Lamp.epub"
    book.write_bytes(
        simple_epub(
            [("One", paragraphs("The lamp burned all night over the grey water. " * 30)),
             ("Two", paragraphs("In the morning the ferry came across the sound. " * 30))],
            title="The Lamp",
            authors=["Wick Wright"],
        )
    )  # fmt: skip
    lib = folder / "Library"
    calibredb(lib, "add", str(book))
    calibredb(lib, "add_custom_column", "shelf", "Shelf", "text", "--is-multiple")
    calibredb(lib, "set_custom", "shelf", "1", "Favourites,Reread")
    calibredb(
        lib, "set_metadata", "1",
        "--field", "rating:4", "--field", "tags:Doctor Who,Ten/Rose,Fluff",
        "--field", "series:Lamp Stories", "--field", "series_index:2",
        "--field", "comments:<p>A keeper and a lamp.</p>",
    )  # fmt: skip
    txt = folder / "The Lamp.txt"
    txt.write_text("The lamp burned all night over the grey water.\n" * 40, "utf-8")
    calibredb(lib, "add_format", "1", str(txt))  # a second format of the same book
    return lib


def test_a_library_is_one_work_per_book_with_its_metadata(library: Path) -> None:
    found = list(discover([library], DEFAULT_LIMITS))
    books = [f for f in found if isinstance(f, CalibreBookFile)]
    assert len(books) == 1 and books[0].path.endswith(".epub")  # not one work per format
    assert any(isinstance(f, Skipped) and f.path.endswith(".txt") for f in found)
    db = library / "metadata.db"
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    doc = read_bytes(books[0].path, books[0].load())[0]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before  # read-only
    assert doc.title == "The Lamp" and doc.authors == ["Wick Wright"]
    assert len(doc.chapters) == 2
    typed = {(t.name, t.type, t.label) for t in doc.tags}
    assert ("Doctor Who", TagType.FANDOM, None) in typed
    assert ("Ten/Rose", TagType.RELATIONSHIP, None) in typed
    assert ("Favourites", TagType.FREEFORM, "Shelf") in typed
    assert ("Reread", TagType.FREEFORM, "Shelf") in typed
    assert doc.extra["calibre_rating"] == 4  # stored as 8 of 10
    assert [(s.name, s.part) for s in doc.series] == [("Lamp Stories", 2)]
    assert doc.summary == "A keeper and a lamp."
    assert doc.source.work_key and doc.source.work_key.startswith("calibre:")


def test_a_book_folder_on_its_own_reads_its_metadata_opf(library: Path, tmp_path: Path) -> None:
    folder = next(p.parent for p in library.rglob("metadata.opf"))
    alone = tmp_path / folder.name
    shutil.copytree(folder, alone)
    (book,) = [f for f in discover([alone], DEFAULT_LIMITS) if isinstance(f, CalibreBookFile)]
    doc = read_bytes(book.path, book.load())[0]
    assert doc.title == "The Lamp" and len(doc.chapters) == 2


@pytest.mark.parametrize("data", [MAGIC + b"12\n{not json", MAGIC + b"2\n{}" + MAGIC + b"2\n{}"])
def test_a_damaged_or_nested_bundle_fails_in_one_line(data: bytes) -> None:
    with pytest.raises(ReadError, match="calibre book"):
        read_bytes("book.epub", data)
