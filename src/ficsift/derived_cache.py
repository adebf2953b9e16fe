"""Data derived from ficsift's own package data, kept on disk between runs.

A one-shot command (``ficsift search tag:Vampires``) would otherwise rebuild the fandom
primer and inflate and parse the ontology on every run, most of a second.  Each entry is
named by a *key*: a hash of ficsift's version, this module's format and the content of what
the entry is derived from.  Edited data or a new release is another key, so a stale entry is
never read, only replaced.

Nothing here fails: a missing, unreadable, truncated or corrupt entry (its CRC-32 is checked
on every read, over the whole entry; an entry written ``sampled`` — numbers whose damage
costs ranking, never a crash: the text vectors and their model, which a one-shot search maps
and mostly never touches — is checked over its two ends and a 4 KiB block of every MiB) reads as ``None`` and the caller builds the data itself; a cache folder that
cannot be written means the next run builds it again.  Entries are written to a temporary
file and renamed into place, so a reader never sees half an entry, and two processes writing
the same one both leave a whole one.

The folder is ``$FICSIFT_CACHE`` when set (``off`` turns the cache off), else the user's
cache folder for ficsift.  Entries are trusted as the package is: the folder is the user's
own, like Python's bytecode caches.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import struct
import sys
import tempfile
import zlib
from pathlib import Path

from ficsift import __version__

CACHE_ENV = "FICSIFT_CACHE"
FORMAT = 2
_WHOLE_CHECK = 1 << 20  # entries up to this size are checked whole
_END_CHECK = 1 << 16  # a larger one: its first and last 64 KiB ...
_BLOCK_CHECK = 1 << 12  # ... and this much at the start of every MiB
_MAGIC = b"FSCACHE1"
_HEAD = struct.Struct("<8s32sIQ")  # magic, key, CRC-32 of the payload, payload length


def folder() -> Path | None:
    """Where entries live; ``None`` when the cache is turned off."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no") else Path(chosen)
    if sys.platform.startswith("linux"):  # the XDG rule platformdirs applies, without its import
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        return (Path(xdg) if xdg else Path.home() / ".cache") / "ficsift"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("ficsift", appauthor=False))


def make_key(*parts: bytes | str) -> str:
    """The key of an entry derived from ``parts`` (by this version of ficsift)."""
    digest = hashlib.sha256(f"ficsift {__version__} cache {FORMAT}".encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(struct.pack("<Q", len(data)))
        digest.update(data)
    return digest.hexdigest()[:32]


def sources(*modules: str) -> bytes:
    """The source of ficsift's own modules that shape an entry, to be part of its key: a
    development checkout changes them without changing the version.  (An installation
    without sources is keyed on its version alone.)"""
    from importlib.util import find_spec

    out = []
    for module in modules:
        spec = find_spec(module)
        origin = spec.origin if spec is not None else None
        try:
            out.append(Path(origin).read_bytes() if origin else b"")
        except OSError:
            out.append(b"")
    return b"\0".join(out)


def _checksum(payload: bytes | memoryview, sampled: bool) -> int:
    size = len(payload)
    if not sampled or size <= _WHOLE_CHECK:
        return zlib.crc32(payload)
    crc = zlib.crc32(payload[:_END_CHECK])
    for start in range(_WHOLE_CHECK, size - _END_CHECK, _WHOLE_CHECK):
        crc = zlib.crc32(payload[start : start + _BLOCK_CHECK], crc)
    return zlib.crc32(payload[size - _END_CHECK :], crc)


def _path(name: str, key: str) -> Path | None:
    where = folder()
    return None if where is None else where / f"{name}-{key}.bin"


def read(name: str, key: str, *, sampled: bool = False) -> memoryview | None:
    """The payload stored as ``name`` under ``key``, or ``None``.  The file is mapped, not
    read: pages the caller never touches beyond the check stay on disk."""
    path = _path(name, key)
    if path is None:
        return None
    try:
        with open(path, "rb") as f:
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # missing, unreadable, empty
        return None
    view = memoryview(mapped)
    try:
        magic, stored_key, crc, length = _HEAD.unpack_from(view)
    except struct.error:
        return None
    payload = view[_HEAD.size :]
    if (
        magic != _MAGIC
        or stored_key != key.encode()
        or length != len(payload)
        or _checksum(payload, sampled) != crc
    ):
        return None
    return payload


def writable() -> bool:
    """Whether an entry may be written (checked before building one only to store it)."""
    where = folder()
    if where is None:
        return False
    try:
        where.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(where, os.W_OK | os.X_OK)


def write(name: str, key: str, payload: bytes, *, sampled: bool = False) -> bool:
    """Store ``payload`` as ``name`` under ``key``, replacing ``name``'s entries under other
    keys (stale data).  ``False`` when it could not be written; nothing is raised."""
    path = _path(name, key)
    if path is None or not writable():
        return False
    head = _HEAD.pack(_MAGIC, key.encode(), _checksum(payload, sampled), len(payload))
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{name}-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(head)
                f.write(payload)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return False
    try:
        for old in path.parent.glob(f"{name}-*.bin"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # another process's entry, or a folder we may only add to: harmless
    return True
