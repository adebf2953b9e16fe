"""The ontology as an *image*: its members uncompressed, laid out to be read in place.

The packaged ``ontology.zip`` is small (6 MB), but every run inflated its names and spelling
keys (~10 MB) and, for a tag filter, parsed the characters' and meta tags' JSON (~0.25 s
before the first answer).  An image holds the same data uncompressed in the derived cache
(:mod:`ficsift.derived_cache`): text members with the *byte* offsets of their lines, and the
tables tag resolution reads (the characters' name tables, the meta tags both ways) as sorted
arrays.  Opening one maps the file; a question decodes only the lines it looks at.

The zip stays the source.  The image is built from it when missing or stale (its key is the
zip's own CRC-32 of every member, read from the zip's directory without reading the data,
with ficsift's version) and, when no image can be had, the zip is read as before.
``tests/ontology/test_image.py`` checks that both give the same answers.
"""

from __future__ import annotations

import json
import struct
import sys
import zipfile
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property
from importlib import resources
from typing import Any, cast

from ficsift import derived_cache
from ficsift.ontology._store import DATA_FILE, Lines, Store, packaged_data
from ficsift.ontology.gazetteer import TOTALS_MEMBER, Gazetteer

CACHE_NAME = "ontology"
# What an image holds and how it is laid out (the gazetteer: the totals it keeps there).
SOURCES = ("ficsift.ontology._store", "ficsift.ontology._image", "ficsift.ontology.gazetteer")
_LINES = ("names", "lookup.keys", "synonyms")  # zip text members kept as text and offsets
_TABLES = ("base", "parts")  # the characters' name tables: sorted key → tag ids
_RAW_SKIPPED = {"header.json", "characters.json", "meta.json"}  # rewritten, not copied
_ALIGN = 8


def packaged_fingerprint() -> str:
    """What identifies the packaged data: each member's name, size and CRC-32, from the
    zip's directory (reading and hashing the 6 MB would cost each run ~10 ms)."""
    source = resources.files("ficsift.ontology").joinpath("data", DATA_FILE)
    with source.open("rb") as f:
        members = [(i.filename, i.file_size, i.CRC) for i in zipfile.ZipFile(f).infolist()]
    return json.dumps(members)


def open_packaged() -> Store:
    """The packaged ontology: its image when the cache has one (built and stored when it has
    not and can), else the zip itself.  Never fails for a cache's sake."""
    key = derived_cache.make_key(
        "ontology image", sys.byteorder, packaged_fingerprint(), derived_cache.sources(*SOURCES)
    )
    image = derived_cache.read(CACHE_NAME, key)
    if image is not None:
        try:
            return ImageStore(image)
        except Exception:  # an entry that passed its CRC but not its own checks: rebuilt
            pass
    store = Store(packaged_data())
    if derived_cache.writable():
        try:
            payload = build_image(store)
        except Exception:
            pass
        else:
            derived_cache.write(CACHE_NAME, key, payload)
    return store


# -- building -------------------------------------------------------------------------------


def _ints(values: Sequence[int], code: str = "i") -> bytes:
    from array import array

    return array(code, values).tobytes()  # native order: an image is this machine's


def _text(rows: Sequence[str]) -> dict[str, bytes]:
    """Lines as UTF-8 with the byte offset where each starts, and where the text ends."""
    starts = [0]
    encoded = []
    for row in rows:
        data = row.encode()
        encoded.append(data)
        starts.append(starts[-1] + len(data) + 1)
    return {"txt": b"\n".join(encoded) + (b"\n" if encoded else b""), "bstarts": _ints(starts)}


def _csr(rows: Sequence[Sequence[int]]) -> dict[str, bytes]:
    """Row i's values are ``ids[offsets[i]:offsets[i + 1]]``."""
    offsets = [0]
    flat: list[int] = []
    for row in rows:
        flat.extend(row)
        offsets.append(len(flat))
    return {"offsets": _ints(offsets), "ids": _ints(flat)}


def build_image(store: Store) -> bytes:
    """The image of a zip-backed store (see the module docstring)."""
    members: dict[str, bytes] = {"header.json": json.dumps(store.header).encode()}

    def add(prefix: str, parts: dict[str, bytes]) -> None:
        members.update({f"{prefix}.{k}": v for k, v in parts.items()})

    for name in _LINES:
        lines = store._lines(name)
        add(name, _text(lines[: len(lines)]))
    members["names.flags"] = _ints(store.flags, "B")
    members["lookup.ids"] = _ints(store._ids)
    members["lookup.offsets"] = _ints(store._offsets)
    members["synonyms.ids"] = _ints(store._array("synonyms.ids", "i"))
    characters = store._member("characters")
    for table in _TABLES:
        keys, values = characters[table]
        add(f"characters.{table}.keys", _text(keys))
        add(f"characters.{table}", _csr([[v] if isinstance(v, int) else v for v in values]))
    rest = {k: v for k, v in characters.items() if k not in _TABLES}
    members["characters.rest.json"] = json.dumps(rest).encode()
    n = len(store.names)
    meta = store._member("meta")
    for kind in ("explicit", "inferred"):
        parents = meta[kind]
        add(f"meta.{kind}", _csr([parents.get(str(i), ()) for i in range(n)]))
        children: dict[int, list[int]] = defaultdict(list)
        for child, ps in parents.items():  # the zip store's own order (Store._children)
            for p in ps:
                children[p].append(int(child))
        add(f"children.{kind}", _csr([children.get(i, ()) for i in range(n)]))
    for info in store._zip.infolist():
        if info.filename.endswith(".json") and info.filename not in _RAW_SKIPPED:
            members[info.filename] = store._zip.read(info.filename)
    if store.member("gazetteer") is not None:
        totals = Gazetteer(store).count_totals()
        members[f"{TOTALS_MEMBER}.json"] = json.dumps(totals).encode()
    return _pack(members)


def _pack(members: dict[str, bytes]) -> bytes:
    """A directory (JSON: name → [offset, length], after the directory) and the members,
    each aligned for reading as integers in place."""
    directory: dict[str, list[int]] = {}
    at = 0
    for name, data in members.items():
        at += -at % _ALIGN
        directory[name] = [at, len(data)]
        at += len(data)
    head = json.dumps(directory).encode()
    head += b" " * (-(len(head) + 4) % _ALIGN)
    out = bytearray(struct.pack("<I", len(head)) + head)
    base = len(out)
    for name, data in members.items():
        out += b"\0" * (base + directory[name][0] - len(out))
        out += data
    return bytes(out)


# -- reading --------------------------------------------------------------------------------


class ByteLines(Lines):
    """Lines of UTF-8 text read in place: ``starts`` are byte offsets; a line is decoded
    when asked for."""

    def _slice(self, start: int, end: int) -> str:
        return str(cast(memoryview, self._text)[start:end], "utf-8")


class ImageStore(Store):
    """A :class:`Store` over an image: the same answers, without inflating or parsing."""

    def __init__(self, image: memoryview) -> None:
        (size,) = struct.unpack_from("<I", image)
        directory = json.loads(bytes(image[4 : 4 + size]))
        base = 4 + size
        self._image = image
        self._members: dict[str, memoryview] = {}
        for name, (at, length) in directory.items():
            if at < 0 or length < 0 or base + at + length > len(image):
                raise ValueError(f"image member {name} lies outside the image")
            self._members[name] = image[base + at : base + at + length]
        self.header = json.loads(bytes(self._members["header.json"]))
        self.names = self._lines("names")
        self.flags = self._array("names.flags", "B")
        self._keys = self._lines("lookup.keys")
        self._ids = self._array("lookup.ids", "i")
        self._offsets = self._array("lookup.offsets", "i")
        if len(self.flags) != len(self.names) or len(self._offsets) != len(self._keys) + 1:
            raise ValueError("an image whose tables disagree in length")

    def _member(self, name: str) -> Any:
        return json.loads(bytes(self._members[f"{name}.json"]))

    def member(self, name: str) -> Any:
        return self._member(name) if f"{name}.json" in self._members else None

    def _lines(self, member: str) -> ByteLines:
        return ByteLines(self._members[f"{member}.txt"], self._array(f"{member}.bstarts", "i"))

    def _array(self, member: str, code: str) -> memoryview:
        return self._members[member].cast(code)  # type: ignore[call-overload]  # "i" or "B"

    # -- the characters' name tables and the meta tags, as arrays -------------------------------

    @cached_property
    def _characters(self) -> dict[str, Any]:
        return self._member("characters.rest")

    @cached_property
    def _tables(self) -> dict[str, tuple[ByteLines, memoryview, memoryview]]:
        return {
            t: (
                self._lines(f"characters.{t}.keys"),
                self._array(f"characters.{t}.offsets", "i"),
                self._array(f"characters.{t}.ids", "i"),
            )
            for t in _TABLES
        }

    def _table_ids(self, table: str, k: str) -> list[int]:
        keys, offsets, ids = self._tables[table]
        i = bisect_left(keys, k)
        if i == len(keys) or keys[i] != k:
            return []
        return ids[offsets[i] : offsets[i + 1]].tolist()

    def base_ids(self, k: str) -> list[int]:
        return self._table_ids("base", k)

    def part_ids(self, k: str) -> list[int]:
        return self._table_ids("parts", k)

    @cached_property
    def _rows(self) -> dict[str, tuple[memoryview, memoryview]]:
        return {
            table: (self._array(f"{table}.offsets", "i"), self._array(f"{table}.ids", "i"))
            for table in (
                "meta.explicit",
                "meta.inferred",
                "children.explicit",
                "children.inferred",
            )
        }

    def _row(self, table: str, i: int) -> list[int]:
        offsets, ids = self._rows[table]
        if not 0 <= i < len(offsets) - 1:
            return []
        return ids[offsets[i] : offsets[i + 1]].tolist()

    def parents(self, i: int, inferred: bool = True) -> list[int]:
        out = self._row("meta.explicit", i)
        if inferred:
            out += [p for p in self._row("meta.inferred", i) if p not in out]
        return out

    def children(self, i: int, inferred: bool = True) -> list[int]:
        out = self._row("children.explicit", i)
        return out + self._row("children.inferred", i) if inferred else out
