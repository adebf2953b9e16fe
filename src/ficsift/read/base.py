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
from dataclasses import InitVar, dataclass, field
from functools import cached_property
from typing import ClassVar, TypeVar

from ficsift.model import Document, Source
from ficsift.read.formats import unsupported_reason


class ReadError(Exception):
    """A file could not be read; the message is one line a reader can act on."""


@dataclass(slots=True)
class Limits:
    """Safety limits for reading untrusted files (all sizes in bytes)."""

    max_file_size: int = 64 * 1024 * 1024  # the longest fics are ~30 MB of text
    # The archive limits hold for the whole expansion of one file the user gave: every zip
    # and EPUB in it, nested ones included, share one ExpansionBudget.
    max_archive_total: int = 512 * 1024 * 1024  # total uncompressed size
    max_archive_member: int = 64 * 1024 * 1024
    # Compression ratio that marks a zip bomb, for one member and for the whole expansion:
    # the most compressible real fics (saved AO3 listing pages) deflate about 6:1.
    max_archive_ratio: float = 50.0
    max_archive_members: int = 20_000
    max_archive_depth: int = 2  # zips inside zips
    # Below this much unpacked data the ratio is not checked: tiny zips have odd ratios.
    min_archive_ratio_floor: int = 1 << 20


DEFAULT_LIMITS = Limits()


@dataclass(slots=True)
class ExpansionBudget:
    """What unpacking one file the user gave may cost, nested archives included.

    Every archive opened while reading the file draws on it: the sizes its directory declares
    (checked before a byte is inflated, so a 65 KB zip of forty 1 MiB members is refused at
    once rather than read member by member), the bytes actually inflated (a zip can lie
    about sizes), and the number of entries.  The total may not pass ``max_archive_total``
    nor ``max_archive_ratio`` times the file's own size.
    """

    limits: Limits
    file_size: int
    declared: int = 0
    inflated: int = 0
    entries: int = 0

    @property
    def allowed(self) -> int:
        """Bytes the whole expansion may unpack to."""
        by_ratio = max(int(self.limits.max_archive_ratio * self.file_size),
                       self.limits.min_archive_ratio_floor)  # fmt: skip
        return min(self.limits.max_archive_total, by_ratio)

    def open_archive(self, label: str, entries: int, declared: int) -> None:
        """Account for an archive's directory; ReadError when it breaks the budget."""
        limits = self.limits
        if self.entries + entries > limits.max_archive_members:
            around = f" ({self.entries:,} more in the archives around it)" if self.entries else ""
            raise ReadError(
                f"{label} has {entries:,} entries{around} (limit {limits.max_archive_members:,})"
            )
        total = self.declared + declared
        if total > self.allowed:
            raise ReadError(f"{label} would unpack to {_mb(declared)}{self._why(total)}")
        self.entries += entries
        self.declared = total

    def inflate(self, label: str, name: str, size: int) -> None:
        """Account for ``size`` more bytes really inflated; ReadError past the budget."""
        self.inflated += size
        if self.inflated > self.allowed:
            raise ReadError(
                f"{label} entry {name!r} inflates past the size limit{self._why(self.inflated)}"
            )

    def _why(self, total: int) -> str:
        limits = self.limits
        if total > limits.max_archive_total:
            return f" (limit {_mb(limits.max_archive_total)} for one file; zip bomb?)"
        return (
            f" from a {_mb(self.file_size)} file (ratio {total / max(self.file_size, 1):,.0f}:1,"
            f" limit {limits.max_archive_ratio:,.0f}:1; zip bomb?)"
        )


def _mb(size: int) -> str:
    if size < 2**20:
        return f"{max(size, 1) / 1024:,.0f} KB"
    return f"{size / 2**20:,.1f} MB" if size < 10 * 2**20 else f"{size / 2**20:,.0f} MB"


@dataclass
class RawFile:
    """Bytes to read, with the name a person knows them by."""

    path: str
    data: bytes
    limits: Limits = field(default_factory=Limits)
    depth: int = 0  # how many archives deep this file sits
    # The budget of the file the user gave, for members of archives (see ExpansionBudget);
    # a file given by the user starts its own.
    within: InitVar[ExpansionBudget | None] = None
    budget: ExpansionBudget = field(init=False, repr=False)

    def __post_init__(self, within: ExpansionBudget | None) -> None:
        self.budget = within if within is not None else ExpansionBudget(self.limits, len(self.data))

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
    """The reader that is surest it handles ``raw``; ReadError when none is (or when ``raw``
    is a format ficsift knows it cannot read: see :mod:`ficsift.read.formats`)."""
    if (reason := unsupported_reason(raw)) is not None:
        raise ReadError(reason)
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

    Judged on the first 8 KiB and on windows through the rest, so a text header before
    binary data (a PDF's, an ebook's) does not pass for text.  UTF-16 text has NUL bytes,
    so a BOM or a NUL pattern that decodes to clean UTF-16 is text; otherwise a NUL or
    more than 5% control bytes mean binary.
    """
    sample = _sample(data)
    if not sample:
        return False
    if sample.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return False
    if b"\x00" in sample:
        return not _clean_utf16(sample)
    return _control_share(sample) > 0.05


def _sample(data: bytes) -> bytes:
    """The first 8 KiB and six 4 KiB windows spread through the rest (at even offsets, so
    UTF-16 stays aligned)."""
    if len(data) <= 32768:
        return data
    step = (len(data) - 8192) // 7 & ~1
    return data[:8192] + b"".join(
        data[8192 + k * step : 8192 + k * step + 4096] for k in range(1, 7)
    )


def _clean_utf16(sample: bytes) -> bool:
    """Whether NUL-bearing ``sample`` is UTF-16 text: NULs on one side, decoding cleanly."""
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd):
        encoding = "utf-16-le"
    elif even.count(0) > 0.4 * len(even):
        encoding = "utf-16-be"
    else:
        return False
    text = sample[: len(sample) & ~1].decode(encoding, errors="replace")
    bad = sum(1 for ch in text if ch == "\ufffd" or (ch < " " and ch not in "\t\n\r\f\v"))
    return bad <= 0.05 * len(text)


def _control_share(sample: bytes) -> float:
    return len(sample.translate(None, _NON_CONTROL_BYTES)) / len(sample)


# Every byte but the C0 controls a text file never has (tab, newlines, form feed are fine).
_NON_CONTROL_BYTES = bytes(b for b in range(256) if not (b < 9 or 13 < b < 32))


@dataclass(slots=True, frozen=True)
class Failure:
    """A file (or archive member) that could not be read, and why, in one line."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"
