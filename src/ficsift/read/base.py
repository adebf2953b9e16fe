"""The reader contract: one reader per format, chosen by sniffing the bytes.

A reader gets a :class:`RawFile` (a display path and the bytes, so zip members and plain
files are read the same way) and returns :class:`~ficsift.model.Document` records.  A reader
never touches the file system and never prints; it raises :class:`ReadError` with a one-line,
human reason when the input is not what it handles or is broken.

Readers register themselves with :func:`register`; :func:`pick_reader` asks each one how sure
it is (``sniff``) and takes the surest.  This mirrors FanFicFare's one-adapter-per-site, with
an explicit contract instead of comments.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar, TypeVar

from ficsift.model import Document, Source


class ReadError(Exception):
    """A file could not be read; the message is one line a reader can act on."""


@dataclass(slots=True)
class Limits:
    """Safety limits for reading untrusted files (all sizes in bytes)."""

    max_file_size: int = 64 * 1024 * 1024  # the longest fics are ~30 MB of text
    max_archive_total: int = 512 * 1024 * 1024  # total uncompressed size of a zip/EPUB
    max_archive_member: int = 64 * 1024 * 1024
    max_archive_ratio: float = 200.0  # compression ratio that marks a zip bomb
    max_archive_members: int = 20_000
    max_archive_depth: int = 2  # zips inside zips


DEFAULT_LIMITS = Limits()


@dataclass
class RawFile:
    """Bytes to read, with the name a person knows them by."""

    path: str
    data: bytes
    limits: Limits = field(default_factory=Limits)
    depth: int = 0  # how many archives deep this file sits

    @property
    def name(self) -> str:
        return self.path.rsplit("!", 1)[-1].rsplit("/", 1)[-1]

    @property
    def suffix(self) -> str:
        name = self.name.lower()
        return name[name.rfind(".") :] if "." in name else ""

    @property
    def title_guess(self) -> str:
        """A title from the file name, for sources that state none."""
        stem = self.name.rsplit(".", 1)[0] if "." in self.name else self.name
        return " ".join(stem.replace("_", " ").replace("-", " ").split()) or self.name

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @cached_property
    def head(self) -> bytes:
        """The first 64 KiB, lower-cased: enough for every reader's sniff."""
        return self.data[:65536].lower()

    def source(self, fmt: str, url: str | None = None, work_key: str | None = None) -> Source:
        return Source(
            path=self.path,
            format=fmt,
            url=url,
            work_key=work_key,
            sha256=self.sha256,
            size=len(self.data),
        )


class Reader(ABC):
    """One file format.  Subclasses set ``format`` and implement ``sniff`` and ``read``."""

    format: ClassVar[str]

    @classmethod
    @abstractmethod
    def sniff(cls, raw: RawFile) -> int:
        """How sure this reader is that it handles ``raw``: 0 (no) to 100 (certain)."""

    @abstractmethod
    def read(self, raw: RawFile) -> list[Document]:
        """Read ``raw`` into documents, or raise :class:`ReadError`."""


_READERS: list[type[Reader]] = []
R = TypeVar("R", bound=type[Reader])


def register(cls: R) -> R:
    """Class decorator: make a reader available to :func:`pick_reader`."""
    if cls not in _READERS:
        _READERS.append(cls)
    return cls


def registered_readers() -> list[type[Reader]]:
    return list(_READERS)


def pick_reader(raw: RawFile) -> type[Reader]:
    """The reader that is surest it handles ``raw``; ReadError when none is."""
    best: tuple[int, type[Reader]] | None = None
    for cls in _READERS:
        score = cls.sniff(raw)
        if score > 0 and (best is None or score > best[0]):
            best = (score, cls)
    if best is None:
        raise ReadError(describe_unknown(raw))
    return best[1]


def describe_unknown(raw: RawFile) -> str:
    if not raw.data.strip():
        return "empty file"
    if looks_binary(raw.data):
        return "not a fic: binary data of an unknown format"
    return "not a fic: no reader recognises this file"


def looks_binary(data: bytes) -> bool:
    """True for data that is no text in any encoding a fic uses.

    UTF-16 text has NUL bytes, so a BOM or a regular NUL pattern is text; otherwise a NUL or
    many control bytes in the first 8 KiB mean binary.
    """
    sample = data[:8192]
    if not sample:
        return False
    if sample.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return False
    if b"\x00" in sample:
        even, odd = sample[0::2], sample[1::2]
        # Mostly-NUL even or odd bytes are UTF-16 without a BOM; any other NUL means binary.
        return not (even.count(0) > 0.4 * len(even) or odd.count(0) > 0.4 * len(odd))
    controls = len(sample.translate(None, _NON_CONTROL_BYTES))
    return controls > 0.05 * len(sample)


# Every byte but the C0 controls a text file never has (tab, newlines, form feed are fine).
_NON_CONTROL_BYTES = bytes(b for b in range(256) if not (b < 9 or 13 < b < 32))


@dataclass(slots=True, frozen=True)
class Failure:
    """A file (or archive member) that could not be read, and why, in one line."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"
