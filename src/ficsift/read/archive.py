"""Zip files of fics: each member is read as a file of its own.

An EPUB is a zip too, but it is one work and has its own reader; a plain zip is a folder.
A member that fails (unsafe name, bomb, unreadable format) is one :class:`Failure` and the
rest of the archive goes on.
"""

from __future__ import annotations

from collections.abc import Iterator

from ficsift.read.base import Failure, RawFile, ReadError
from ficsift.read.formats import unsupported_reason
from ficsift.read.safezip import SafeZip, check_member_name

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_EPUB_MIMETYPE = b"mimetypeapplication/epub+zip"


def is_zip(data: bytes) -> bool:
    return data[:4] in _ZIP_MAGIC


def is_epub(raw: RawFile) -> bool:
    return is_zip(raw.data) and (raw.suffix == ".epub" or _EPUB_MIMETYPE in raw.data[:100])


def expand(raw: RawFile) -> Iterator[RawFile | Failure]:
    """``raw`` itself, or — for a plain zip — every member (recursively), failures inline."""
    if (reason := unsupported_reason(raw)) is not None:  # a .docx is a zip, not a folder
        yield Failure(raw.path, reason)
        return
    if not is_zip(raw.data) or is_epub(raw):
        yield raw
        return
    if raw.depth >= raw.limits.max_archive_depth:
        yield Failure(raw.path, "zip nested too deeply (refused)")
        return
    try:
        archive = SafeZip(raw.data, raw.limits, "zip", raw.budget)
    except ReadError as exc:
        yield Failure(raw.path, str(exc))
        return
    try:
        for member in sorted(archive.members(), key=lambda m: m.name):
            if member.is_dir:
                continue
            path = f"{raw.path}!{member.name}"
            try:
                check_member_name(member.name)  # before skipping: a hostile name is reported
                if member.name.startswith("__MACOSX/") or member.name.rsplit("/", 1)[-1].startswith(
                    "."
                ):
                    continue  # Finder metadata and hidden files are no fics
                data = archive.read(member.name)
            except ReadError as exc:
                yield Failure(path, str(exc))
                continue
            yield from expand(RawFile(path, data, raw.limits, raw.depth + 1, raw.budget))
    finally:
        archive.close()
