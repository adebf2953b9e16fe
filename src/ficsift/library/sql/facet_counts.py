"""Facet counts for big result sets: every work's tag ids in memory, counted with numpy.

Counting a 10,000-work result set's tags in SQL (a group-by over ~200k rows) costs ~150 ms.
Here each work's effective tags are small integers in one flat array (CSR: ``starts[i]`` to
``starts[i+1]`` for the i-th work), so counting is a gather and a ``bincount``: a few ms.
The cache is rebuilt when the library's *generation* (bumped by every stored file) moves, so
a web server sees another process's import on its next search.
"""

from __future__ import annotations

import sqlite3
import struct
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

_HEAD = struct.Struct("<6Q")  # names, works' rows, starts, tags, names' text, kinds' text
FACET_FORMAT = "2"  # of the rows read and the cache's layout: a change makes kept caches stale
SQL_BELOW = 1500  # result sets smaller than this are counted in SQL (no cache needed)
# A row per work, its own effective tags' numbers as text "3,17,42" (written as it is
# indexed), and a row per tag name: at a million works the per-tag index has 20 million rows,
# and reading those as strings was most of a server's first start.
FACET_WORKS = "SELECT id, facet_tags FROM search_rows ORDER BY id"
FACET_NAMES = "SELECT number, type, display FROM tag_names WHERE number IS NOT NULL"


class FacetCache:
    def __init__(self) -> None:
        self.generation: str | None = None
        self.names: list[tuple[str, str]] = []  # tag number → (type, display)
        self.kinds = np.zeros(0, dtype=np.int32)  # tag number → type number
        self.kind_names: list[str] = []
        self.row_of = np.zeros(0, dtype=np.int64)  # work id → row (-1: none)
        self.starts = np.zeros(1, dtype=np.int64)
        self.tags = np.zeros(0, dtype=np.int32)

    def load(
        self,
        works: Iterable[Sequence[Any]],
        names: Iterable[Sequence[Any]],
        generation: str,
    ) -> None:
        """From (work id, its tags' numbers as "3,17,42") by work id (:data:`FACET_WORKS`)
        and (number, type, display) of the tag names (:data:`FACET_NAMES`).

        The works are read first: names are never removed, so every number a work read
        lists is among the names read after it, even while another process imports.  A
        number without a name (a damaged row) is left out, never counted as another tag."""
        ids: list[int] = []
        listed: list[str] = []
        for work_id, tags in works:
            ids.append(int(work_id))
            listed.append(tags or "")
        named = sorted((int(n), str(kind), str(shown)) for n, kind, shown in names)
        numbers = np.array([n for n, _, _ in named], dtype=np.int64)
        self.kind_names = sorted({kind for _, kind, _ in named})
        kind_number = {k: i for i, k in enumerate(self.kind_names)}
        self.kinds = np.array([kind_number[kind] for _, kind, _ in named], dtype=np.int32)
        self.names = [(kind, shown) for _, kind, shown in named]
        lengths = np.array([t.count(",") + 1 if t else 0 for t in listed], dtype=np.int64)
        joined = ",".join(t for t in listed if t)
        # parsed in C: splitting made a Python string per tag row (20M at 1M works, the
        # server's peak memory at first start)
        flat = _numbers(joined)
        if flat is None or flat.size != int(lengths.sum()):  # a damaged row: its bad
            # numbers count as none
            flat = np.array([_number_or_none(n) for n in joined.split(",")], dtype=np.int64)
        # tag number → its place among the names (-1: none); then each work's places
        place = np.full(int(numbers[-1]) + 1 if len(numbers) else 0, -1, dtype=np.int64)
        place[numbers] = np.arange(len(numbers))
        known = (flat >= 0) & (flat < len(place))
        found = np.full(len(flat), -1, dtype=np.int64)
        found[known] = place[flat[known]]
        owner = np.repeat(np.arange(len(ids)), lengths)
        kept = found >= 0
        per_work = np.bincount(owner[kept], minlength=len(ids))
        self.starts = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(per_work, out=self.starts[1:])
        self.tags = found[kept].astype(np.int32)
        work_ids = np.array(ids, dtype=np.int64)
        self.row_of = np.full(int(work_ids.max()) + 1 if len(ids) else 1, -1, dtype=np.int64)
        self.row_of[work_ids] = np.arange(len(ids))
        self.generation = generation

    def to_bytes(self) -> bytes | None:
        """The cache as one buffer for :meth:`from_bytes` (None: a name holds a separator)."""
        text = "\x1e".join(f"{kind}\x1f{shown}" for kind, shown in self.names)
        kinds = "\x1e".join(self.kind_names)
        n = len(self.names)
        if (  # a separator inside a name (story data may hold one): not kept
            text.count("\x1e") != max(n - 1, 0)
            or text.count("\x1f") != n
            or kinds.count("\x1e") != max(len(self.kind_names) - 1, 0)
            or "\x1f" in kinds
        ):
            return None
        sizes = (len(self.names), len(self.row_of), len(self.starts), len(self.tags))
        text_bytes, kinds_bytes = text.encode(), kinds.encode()
        return b"".join([
            _HEAD.pack(*sizes, len(text_bytes), len(kinds_bytes)),
            self.kinds.astype("<i4").tobytes(), self.row_of.astype("<i8").tobytes(),
            self.starts.astype("<i8").tobytes(), self.tags.astype("<i4").tobytes(),
            text_bytes, kinds_bytes,
        ])  # fmt: skip

    @classmethod
    def from_bytes(cls, data: bytes | memoryview, generation: str) -> FacetCache:
        """A cache from :meth:`to_bytes`, its arrays read in place; ValueError when the
        buffer is not one (counting from a damaged one could index past its arrays)."""
        try:
            n_names, n_rows, n_starts, n_tags, n_text, n_kinds = _HEAD.unpack_from(data)
        except struct.error as bad:
            raise ValueError("facet cache too short") from bad
        spans = [n_names * 4, n_rows * 8, n_starts * 8, n_tags * 4, n_text, n_kinds]
        if len(data) != _HEAD.size + sum(spans) or n_starts < 1:
            raise ValueError("facet cache of the wrong size")
        at = _HEAD.size
        parts = []
        for span in spans:
            parts.append(data[at : at + span])
            at += span
        cache = cls()
        cache.kinds = np.frombuffer(parts[0], dtype="<i4")
        cache.row_of = np.frombuffer(parts[1], dtype="<i8")
        cache.starts = np.frombuffer(parts[2], dtype="<i8")
        cache.tags = np.frombuffer(parts[3], dtype="<i4")
        text, kinds = bytes(parts[4]).decode(), bytes(parts[5]).decode()
        pairs = [n.split("\x1f") for n in text.split("\x1e")] if n_names else []
        cache.kind_names = kinds.split("\x1e") if kinds else []
        starts, tags = cache.starts, cache.tags
        if (
            len(pairs) != n_names
            or any(len(p) != 2 for p in pairs)
            or starts[0] != 0 or starts[-1] != n_tags or bool(np.any(np.diff(starts) < 0))
            or (n_tags and not 0 <= int(tags.min()) <= int(tags.max()) < n_names)
            or (n_names and not 0 <= int(cache.kinds.min()) <= int(cache.kinds.max())
                < len(cache.kind_names))
            or (n_rows and int(cache.row_of.max()) >= n_starts - 1)
        ):  # fmt: skip
            raise ValueError("facet cache out of its bounds")
        cache.names = [(p[0], p[1]) for p in pairs]
        cache.generation = generation
        return cache

    def count(self, work_ids: Sequence[int], top: int) -> dict[str, list[tuple[str, int]]]:
        ids = np.asarray(work_ids, dtype=np.int64)
        ids = ids[(ids >= 0) & (ids < len(self.row_of))]
        rows = self.row_of[ids]
        rows = rows[rows >= 0]
        if rows.size == 0:
            return {}
        begin, end = self.starts[rows], self.starts[rows + 1]
        lengths = end - begin
        # positions begin[i] .. end[i]-1 of every matched work, without a Python loop
        offsets = np.repeat(begin - np.cumsum(lengths) + lengths, lengths)
        picked = self.tags[offsets + np.arange(int(lengths.sum()))]
        counts = np.bincount(picked, minlength=len(self.names))
        out: dict[str, list[tuple[str, int]]] = {}
        for k, kind in enumerate(self.kind_names):
            numbers = np.nonzero((self.kinds == k) & (counts > 0))[0]
            if numbers.size == 0:
                continue
            best = numbers[np.argsort(-counts[numbers], kind="stable")][: top * 3]
            pairs = [(self.names[n][1], int(counts[n])) for n in best]
            out[kind] = sorted(pairs, key=lambda x: (-x[1], x[0]))[:top]
        return out

    def widely_used(self, share: float, most: int) -> list[tuple[str, str]]:
        """(type, display) of the tags at least ``share`` of the works carry as their own,
        the most used first, at most ``most`` of them."""
        works = len(self.starts) - 1
        if works <= 0 or len(self.names) == 0:
            return []
        counts = np.bincount(self.tags, minlength=len(self.names))
        numbers = np.nonzero(counts >= max(1.0, share * works))[0]
        best = numbers[np.argsort(-counts[numbers], kind="stable")][:most]
        return [self.names[n] for n in best]


_NONE = np.zeros(0, dtype=np.int64)


def _numbers(joined: str) -> np.ndarray | None:
    """ "3,17,42" parsed in C; None where a part is not a number."""
    if not joined:
        return _NONE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)  # older numpy only warns
            return np.fromstring(joined, dtype=np.int64, sep=",")
    except (ValueError, DeprecationWarning):
        return None


def _number_or_none(text: str) -> int:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else -1


def plain_cursor(db: sqlite3.Connection) -> sqlite3.Cursor:
    """A cursor giving plain tuples: millions of ``sqlite3.Row`` objects cost seconds."""
    cursor = db.cursor()
    cursor.row_factory = None
    return cursor
