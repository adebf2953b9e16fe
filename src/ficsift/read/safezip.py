"""Reading zip archives (plain zips and EPUBs) without trusting them.

Nothing is extracted to disk: members are read into memory, one at a time, after checks
against :class:`~ficsift.read.base.Limits`:

- member names that are absolute or climb out with ``..`` are refused (path traversal);
- the declared sizes must stay under the per-member limit and the
  :class:`~ficsift.read.base.ExpansionBudget` of the file the user gave (total size, overall
  ratio and entry count over every archive in it, nested ones included), and so must the
  bytes actually inflated (a zip can lie about sizes), so a zip bomb stops early;
- a member's compression ratio past the limit marks a bomb even under the size limits.
"""

from __future__ import annotations

import io
import lzma
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from ficsift.read.base import ExpansionBudget, Limits, ReadError

_CHUNK = 1 << 16


@dataclass(slots=True)
class Member:
    name: str
    size: int
    compressed: int
    is_dir: bool


class SafeZip:
    """A zip opened from bytes, read member by member within limits."""

    def __init__(
        self,
        data: bytes,
        limits: Limits,
        label: str = "zip",
        budget: ExpansionBudget | None = None,
    ) -> None:
        self.limits = limits
        self.label = label
        self.budget = budget if budget is not None else ExpansionBudget(limits, len(data))
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            OSError,
            ValueError,
            EOFError,
            NotImplementedError,
        ) as exc:
            # NotImplementedError: a damaged header claims an unknown zip version/method.
            raise ReadError(f"corrupt {label}: {exc}") from None
        # Members refused on their own (too large, or a bomb by their own ratio) are never
        # inflated, so they cost the budget nothing and leave their neighbours readable.
        readable = sum(i.file_size for i in infos if self._refusal(i) is None)
        self.budget.open_archive(label, len(infos), readable)
        self._infos = {i.filename: i for i in infos}

    def members(self) -> list[Member]:
        return [
            Member(i.filename, i.file_size, i.compress_size, i.is_dir())
            for i in self._infos.values()
        ]

    def names(self) -> list[str]:
        return list(self._infos)

    def __contains__(self, name: str) -> bool:
        return name in self._infos

    def read(self, name: str) -> bytes:
        """The bytes of one member; ReadError for unsafe names, bombs and corrupt data."""
        check_member_name(name, self.label)
        info = self._infos.get(name)
        if info is None:
            raise ReadError(f"{self.label} has no entry {name!r}")
        limits = self.limits
        if (refusal := self._refusal(info)) is not None:
            raise ReadError(f"{self.label} entry {name!r} {refusal}")
        out = io.BytesIO()
        try:
            with self._zip.open(info) as stream:
                for chunk in iter(lambda: stream.read(_CHUNK), b""):
                    out.write(chunk)
                    self.budget.inflate(self.label, name, len(chunk))
                    if out.tell() > limits.max_archive_member:
                        raise ReadError(
                            f"{self.label} entry {name!r} inflates past the size limit (zip bomb?)"
                        )
        except ReadError:
            raise
        except (
            zipfile.BadZipFile,
            OSError,
            EOFError,
            ValueError,
            RuntimeError,
            NotImplementedError,
            zlib.error,  # damaged deflate data
            lzma.LZMAError,
        ) as exc:
            raise ReadError(f"corrupt {self.label} entry {name!r}: {exc}") from None
        return out.getvalue()

    def _refusal(self, info: zipfile.ZipInfo) -> str | None:
        """Why a member is refused from its directory entry alone; None when it may be read."""
        limits = self.limits
        if info.file_size > limits.max_archive_member:
            return f"is too large ({info.file_size / 2**20:,.0f} MB)"
        if (
            info.compress_size
            and info.file_size / info.compress_size > limits.max_archive_ratio
            and info.file_size > 1 << 20
        ):
            return f"looks like a zip bomb (ratio {info.file_size / info.compress_size:,.0f}:1)"
        return None

    def read_text(self, name: str) -> str:
        from ficsift.read.decode import decode_bytes

        return decode_bytes(self.read(name))

    def close(self) -> None:
        self._zip.close()


def check_member_name(name: str, label: str = "zip") -> None:
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or "\x00" in name:
        raise ReadError(f"{label} entry {name!r} has an absolute path (refused)")
    if ".." in name.replace("\\", "/").split("/"):
        raise ReadError(f"{label} entry {name!r} climbs out of the archive with '..' (refused)")


def resolve_href(base: str, href: str) -> str | None:
    """A member name for ``href`` relative to member ``base``; None if it leaves the archive."""
    href = unquote(href.split("#", 1)[0].split("?", 1)[0])
    if not href or "://" in href or href.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), href))
    if joined.startswith("../") or joined == "..":
        return None
    return joined


def iter_files(archive: SafeZip) -> Iterator[Member]:
    for member in archive.members():
        if not member.is_dir:
            yield member
