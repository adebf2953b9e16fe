"""The packaged data file: a zip of members, each read on first use.

``names`` (every tag name with its type flags) and ``lookup`` (spelling key → tag ids) are read
when the file is opened; synonyms, meta tags, fandom links, counts and trigger warnings wait
until a query needs them, so opening the ontology stays fast.

The three big members are plain text and arrays, not JSON (format 2): names and spelling keys
one a line with the offsets where lines start, tag ids as little-endian 32-bit integers,
synonyms as tab-separated lines.  Nothing is parsed when the file is opened beyond decoding
the text: a name or a key is a slice of it, found by binary search (see
:func:`encode_compact` for the layout).
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, cast, overload

from ficsift.ontology import _names as N

DATA_FILE = "ontology.zip"
SUPPORTED_FORMAT = 2
COMPACT = ("names", "lookup", "synonyms")  # members stored as text and arrays (format 2)
Ints = array | memoryview  # integers read from a member (see _image for the in-place ones)


def packaged_data() -> bytes:
    return (resources.files("ficsift.ontology") / "data" / DATA_FILE).read_bytes()


class Store:
    """Typed access to the members of one data file."""

    def __init__(self, data: bytes | Path) -> None:
        if isinstance(data, Path):
            data = data.read_bytes()
        self._zip = zipfile.ZipFile(io.BytesIO(data))
        self.header: dict[str, Any] = self._member("header")
        if self.header.get("format") != SUPPORTED_FORMAT:
            raise ValueError(f"unsupported ontology data format {self.header.get('format')!r}")
        self.names: Sequence[str] = self._lines("names")
        self.flags: Sequence[int] = self._array("names.flags", "B").tolist()
        self._keys: Sequence[str] = self._lines("lookup.keys")
        self._ids: Ints = self._array("lookup.ids", "i")
        self._offsets: Ints = self._array("lookup.offsets", "i")

    def _member(self, name: str) -> Any:
        return json.loads(self._zip.read(f"{name}.json"))

    def _lines(self, member: str) -> Lines:
        return Lines(
            self._zip.read(f"{member}.txt").decode("utf-8"), self._array(f"{member}.starts", "i")
        )

    def _array(self, member: str, code: str) -> Ints:
        out = array(code)
        out.frombytes(self._zip.read(member))
        if sys.byteorder != "little":
            out.byteswap()
        return out

    def member(self, name: str) -> Any:
        """A member parsed on demand; ``None`` when this data file has no such member."""
        if f"{name}.json" not in self._zip.namelist():
            return None
        return self._member(name)

    # -- spelling keys -------------------------------------------------------------------------

    def ids(self, k: str) -> list[int]:
        """Tag ids whose name or a known spelling has the key ``k`` (own names first)."""
        i = bisect_left(self._keys, k)
        if i == len(self._keys) or self._keys[i] != k:
            return []
        return self._ids[self._offsets[i] : self._offsets[i + 1]].tolist()

    def id_of(self, name: str) -> int | None:
        """The id of an exact canonical name."""
        for i in self.ids(N.key(name)):
            if self.names[i] == name:
                return i
        return None

    @staticmethod
    def _table_get(table: list[list[Any]], k: str) -> list[int]:
        keys, values = table
        i = bisect_left(keys, k)
        return list(values[i]) if i < len(keys) and keys[i] == k else []

    def base_ids(self, k: str) -> list[int]:
        """Characters whose name without its disambiguator has the key ``k``."""
        return self._table_get(self._characters["base"], k)

    def part_ids(self, k: str) -> list[int]:
        """Characters with ``k`` as a given name, surname, nickname or name meta tag."""
        return self._table_get(self._characters["parts"], k)

    # -- lazily parsed members -----------------------------------------------------------------

    @cached_property
    def _characters(self) -> dict[str, Any]:
        data: dict[str, Any] = self._member("characters")
        return data

    @cached_property
    def sort_words(self) -> dict[int, str]:
        return {int(k): v for k, v in self._characters["sort_words"].items()}

    @cached_property
    def disambiguators(self) -> dict[str, int]:
        data: dict[str, int] = self._characters["disambiguators"]
        return data

    @cached_property
    def synonyms(self) -> Synonyms:
        """Tag id (as text) → its synonyms' spellings."""
        return Synonyms(self._array("synonyms.ids", "i"), self._lines("synonyms"))

    @cached_property
    def _meta(self) -> dict[str, dict[str, list[int]]]:
        data: dict[str, dict[str, list[int]]] = self._member("meta")
        return data

    def parents(self, i: int, inferred: bool = True) -> list[int]:
        out = list(self._meta["explicit"].get(str(i), ()))
        if inferred:
            out += [p for p in self._meta["inferred"].get(str(i), ()) if p not in out]
        return out

    @cached_property
    def _children(self) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
        explicit: dict[int, list[int]] = defaultdict(list)
        inferred: dict[int, list[int]] = defaultdict(list)
        for kind, target in (("explicit", explicit), ("inferred", inferred)):
            for child, ps in self._meta[kind].items():
                for p in ps:
                    target[p].append(int(child))
        return explicit, inferred

    def children(self, i: int, inferred: bool = True) -> list[int]:
        explicit, inf = self._children
        return explicit.get(i, []) + (inf.get(i, []) if inferred else [])

    @cached_property
    def _links(self) -> dict[str, Any]:
        data: dict[str, Any] = self._member("links")
        return data

    def franchise(self, i: int) -> int:
        return int(self._links["franchise"].get(str(i), i))

    @cached_property
    def franchise_members(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for f, m in self._links["franchise"].items():
            out[m].append(int(f))
        return out

    def links(self, i: int, kind: str) -> dict[int, int]:
        """Fandom id → evidence count, for a character or relationship id."""
        flat = self._links[f"{kind}_fandoms"].get(str(i), ())
        return {flat[j]: flat[j + 1] for j in range(0, len(flat), 2)}

    @cached_property
    def fandom_index(self) -> dict[str, dict[int, dict[int, int]]]:
        """kind → fandom id → {character or relationship id: count}."""
        out: dict[str, dict[int, dict[int, int]]] = {}
        for kind in ("character", "relationship"):
            idx: dict[int, dict[int, int]] = defaultdict(dict)
            for x, flat in self._links[f"{kind}_fandoms"].items():
                for j in range(0, len(flat), 2):
                    idx[flat[j]][int(x)] = flat[j + 1]
            out[kind] = idx
        return out

    def relationship_sides(self, i: int) -> tuple[str, list[int]] | None:
        v = self._links["relationship_sides"].get(str(i))
        if not v:
            return None
        return ("/" if v[0] == 0 else "&"), list(v[1:])

    @cached_property
    def relationships_by_character(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for r, v in self._links["relationship_sides"].items():
            for c in v[1:]:
                out[c].append(int(r))
        return out

    @cached_property
    def _freeforms(self) -> dict[str, Any]:
        data: dict[str, Any] = self._member("freeforms")
        return data

    def freeform_count(self, i: int) -> int | None:
        n = self._freeforms["counts"].get(str(i))
        return None if n is None else int(n)

    def genre(self, k: str) -> str | None:
        g = self._freeforms["genres"].get(k)
        return None if g is None else str(g)

    @cached_property
    def triggers(self) -> dict[str, Any]:
        data: dict[str, Any] = self._member("triggers")
        return data


class Lines(Sequence[str]):
    """Lines of one text, by number, without splitting it: ``starts`` are the character
    offsets where each line starts, and where the text ends."""

    def __init__(self, text: str | memoryview, starts: Ints) -> None:
        self._text = text
        self._starts = starts
        self._seen: dict[int, str] = {}  # lines asked for before (names are asked again and again)

    def __len__(self) -> int:
        return len(self._starts) - 1

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[str]: ...
    def __getitem__(self, i: int | slice) -> str | Sequence[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        got = self._seen.get(i)
        if got is not None:
            return got
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        got = self._seen[i] = self._slice(self._starts[i], self._starts[i + 1] - 1)
        return got

    def _slice(self, start: int, end: int) -> str:
        return cast(str, self._text)[start:end]


class Synonyms:
    """Tag id → synonyms, read from sorted ids and their tab-separated lines."""

    def __init__(self, ids: Ints, lines: Lines) -> None:
        self._ids = ids
        self._lines = lines

    def get(self, key: str, default: Sequence[str] = ()) -> Sequence[str]:
        i = int(key)
        j = bisect_left(self._ids, i)
        if j == len(self._ids) or self._ids[j] != i:
            return default
        return self._lines[j].split("\t")


def _starts(lines: list[str]) -> list[int]:
    """Where each line starts in "\n".join(lines) + "\n", and where that text ends."""
    out = [0]
    for line in lines:
        out.append(out[-1] + len(line) + 1)
    return out


def encode_compact(name: str, data: Any) -> dict[str, bytes]:
    """The format-2 members for a compiled section ("names", "lookup" or "synonyms").

    * ``names``: ``[names, flags]`` → ``names.txt`` (one a line), ``names.flags`` (a byte each);
    * ``lookup``: ``[keys, ids]`` (an id or a list per key) → ``lookup.keys.txt``,
      ``lookup.ids`` (every id, key after key) and ``lookup.offsets`` (where each key's start,
      and the end): 32-bit little-endian integers;
    * ``synonyms``: ``{id: [spelling, …]}`` → ``synonyms.txt``, "id<TAB>spelling<TAB>…" lines.

    Names, keys and spellings never hold a newline or a tab (``_names.clean``).
    """

    def ints(values: list[int], code: str) -> bytes:
        arr = array(code, values)
        if sys.byteorder != "little":
            arr.byteswap()
        return arr.tobytes()

    def lines(member: str, rows: list[str]) -> dict[str, bytes]:
        return {
            f"{member}.txt": ("\n".join(rows) + "\n").encode(),
            f"{member}.starts": ints(_starts(rows), "i"),
        }

    if name == "names":
        names, flags = data
        return {**lines("names", names), "names.flags": ints(flags, "B")}
    if name == "lookup":
        keys, values = data
        flat: list[int] = []
        offsets = [0]
        for v in values:
            flat.extend([v] if isinstance(v, int) else v)
            offsets.append(len(flat))
        return {
            **lines("lookup.keys", keys),
            "lookup.ids": ints(flat, "i"),
            "lookup.offsets": ints(offsets, "i"),
        }
    if name == "synonyms":
        ids = sorted(data, key=int)
        return {
            **lines("synonyms", ["\t".join(data[i]) for i in ids]),
            "synonyms.ids": ints([int(i) for i in ids], "i"),
        }
    raise ValueError(f"{name} is not a compact member")
