"""The fetched-stories folder: each downloaded EPUB kept in the library's folder, and stored.

The EPUB is kept so the next update can hand it to FanFicFare's update mode (only new
chapters are downloaded) and so the library can be rebuilt from files like any other.  It
is read by ficsift's own EPUB reader, understood and stored exactly as ``ficsift add``
stores a file, under the file's path; its ``dc:source`` gives the source its URL, and the
URL's work key (``ao3:123``) merges it with the work's listing blurb.

All or nothing: the story is read and understood before anything is written, the new EPUB
is written beside the old one, and it replaces the old one only once the library has stored
it (one transaction).  A failure at any step leaves both as they were.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ficsift.fetch.download import FetchError, StoryRef
from ficsift.library import FileRecord, Library, StoreResult
from ficsift.library.storable import StorableDocument, storable
from ficsift.read import RawFile, ReadError, read_file
from ficsift.understand import understand

FOLDER = "fetched"


@dataclass(frozen=True, slots=True)
class Shelf:
    """Where fetched EPUBs live: ``<library folder>/fetched/<site>/<story id>.epub``."""

    root: Path

    @classmethod
    def of_library(cls, library_dir: Path) -> Shelf:
        # Absolute, so a source's path names the same file whatever folder `ficsift` runs in
        # (an update finds the earlier download by it).
        return cls(library_dir.expanduser().resolve() / FOLDER)

    def path(self, story: StoryRef) -> Path:
        return self.root / story.file_name

    def holds(self, path: str) -> bool:
        """Whether ``path`` (a source's path) is one of this shelf's EPUBs."""
        try:
            return Path(path).resolve().is_relative_to(self.root.resolve())
        except (OSError, ValueError):
            return False

    def previous(self, story: StoryRef) -> bytes | None:
        """The EPUB of the last download of ``story``, if there is one."""
        try:
            return self.path(story).read_bytes()
        except OSError:
            return None


def prepare(path: Path, epub: bytes) -> list[StorableDocument]:
    """The downloaded EPUB read and understood, ready to store; FetchError if unreadable."""
    try:
        documents = read_file(RawFile(str(path), epub))
    except ReadError as exc:
        raise FetchError(f"downloaded EPUB unreadable: {exc}") from None
    return [storable(understand(doc)) for doc in documents]


def keep(
    library: Library, shelf: Shelf, story: StoryRef, epub: bytes, ready: list[StorableDocument]
) -> list[StoreResult]:
    """Write the EPUB to the shelf and store its documents, both or neither."""
    final = shelf.path(story)
    final.parent.mkdir(parents=True, exist_ok=True)
    part = final.with_name(final.name + ".part")
    part.write_bytes(epub)
    try:
        st = part.stat()
        record = FileRecord(
            str(final), hashlib.sha256(epub).hexdigest(), st.st_size, st.st_mtime, len(ready)
        )
        results = library.store_file(record, ready)
        # The rename keeps the mtime recorded above, so `ficsift add` of the library folder
        # sees the file as already read.
        os.replace(part, final)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return results
