"""Filter-only queries answered in memory, the way search engines cache filter bitsets.

A database answers a broad filter ("Fluff, not Angst, General or Teen" over 100,000 works) by
building each tag's set of works as a temporary B-tree and probing every candidate row: ~40 ms
for the page and as much again for the count.  Here the library's ``search_rows`` are numpy
columns and each tag condition's works a boolean mask, fetched from ``tag_index`` on first use
and kept (like Lucene's filter cache) until the library's *generation* moves; a query is then
a few vector operations, its count a sum and its page a partial sort.

The conditions are the compiler's own (:mod:`ficsift.library.conditions`), so what a query
means is decided in one place; a query with a condition only the database can evaluate
(reading state, authors, series) or with words goes to the backend.  Loading costs ~0.1 s per
100,000 works, so only a long-lived process (the web app, ``warm_up``) loads it.  The backend
gives the rows and each tag condition's works; nothing here speaks SQL.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ficsift.library.compile import sort_key
from ficsift.library.conditions import AllOf, Compare, Condition, HasTag, Not, Nothing, OneOf
from ficsift.library.query import Sort

NUMERIC = ("id", "words", "chapters", "kudos", "hits", "bookmarks", "comments", "has_text",
           "fandoms", "relationships", "quality", "franchises")  # fmt: skip
TEXT = ("status", "language", "rating", "published", "updated", "title_key", "abandoned_since")
COLUMNS = NUMERIC + TEXT  # what the backend's rows give, in this order, ordered by id
Postings = Callable[[HasTag], np.ndarray]
"""A tag condition → the ids of the works it finds (repeats allowed), from the backend."""
POSTINGS_KEPT = 256  # tag conditions remembered (100,000 works: 100 KB each)
FEW_VALUES = 8  # a numeric one-of with at most this many values compares each in turn


class WorkColumns:
    def __init__(self, rows: Sequence[Sequence[Any]], postings: Postings, generation: str) -> None:
        """``rows``: every search row's :data:`COLUMNS`, ordered by id."""
        self.generation = generation
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in NUMERIC + TEXT]
        self.size = len(rows)
        self.numbers: dict[str, np.ndarray] = {
            name: np.array(values, dtype=np.float64)  # None becomes NaN
            for name, values in zip(NUMERIC, columns[: len(NUMERIC)], strict=True)
        }
        # Text columns as codes into their sorted distinct values (-1: NULL): a test against
        # a value is made once per distinct value, and code order is text order.
        self.vocab: dict[str, list[str]] = {}
        self.codes: dict[str, np.ndarray] = {}
        for name, values in zip(TEXT, columns[len(NUMERIC) :], strict=True):
            vocab = sorted({v for v in values if v is not None})
            number = {v: i for i, v in enumerate(vocab)}
            self.vocab[name] = vocab
            self.codes[name] = np.array(
                [-1 if v is None else number[v] for v in values], dtype=np.int64
            )
        self.ids = self.numbers["id"].astype(np.int64)
        top = int(self.ids.max()) if self.size else 0
        self.row_of = np.full(top + 1, -1, dtype=np.int64)
        self.row_of[self.ids] = np.arange(self.size)
        self._ranks: dict[str, np.ndarray] = {}
        self._postings: OrderedDict[HasTag, np.ndarray] = OrderedDict()
        self._fetch = postings

    # -- conditions ----------------------------------------------------------------------

    @staticmethod
    def supports(conditions: list[Condition]) -> bool:
        def ok(c: Condition) -> bool:
            if isinstance(c, Not):
                return ok(c.inner)
            if isinstance(c, AllOf):
                return all(ok(p) for p in c.parts)
            if isinstance(c, Compare | OneOf):
                return c.column in NUMERIC or c.column in TEXT
            return isinstance(c, HasTag | Nothing)

        return all(ok(c) for c in conditions)

    def mask(self, condition: Condition) -> np.ndarray:
        if isinstance(condition, Nothing):
            return np.zeros(self.size, dtype=bool)
        if isinstance(condition, Not):
            return ~self.mask(condition.inner)
        if isinstance(condition, AllOf):
            out = np.ones(self.size, dtype=bool)
            for part in condition.parts:
                out &= self.mask(part)
            return out
        if isinstance(condition, HasTag):
            return self._has_tag(condition)
        if isinstance(condition, OneOf):
            return self._one_of(condition)
        if isinstance(condition, Compare):
            return self._compare(condition)
        raise TypeError(f"only the backend evaluates {condition!r}")

    def _has_tag(self, condition: HasTag) -> np.ndarray:
        key = condition
        found = self._postings.get(key)
        if found is None:
            ids = self._fetch(condition)
            found = np.zeros(self.size, dtype=bool)
            ids = ids[(ids >= 0) & (ids < len(self.row_of))]
            rows = self.row_of[ids]
            found[rows[rows >= 0]] = True
            found.flags.writeable = False
            self._postings[key] = found
            while len(self._postings) > POSTINGS_KEPT:
                self._postings.popitem(last=False)
        else:
            self._postings.move_to_end(key)
        return found

    def _one_of(self, condition: OneOf) -> np.ndarray:
        if condition.column in NUMERIC:
            wanted = [v for v in condition.values if isinstance(v, int | float)]
            if condition.column == "id":  # (a hybrid search's candidates): their rows
                # (bounds first: a value past 2**63, or not whole, is no work's id)
                top = len(self.row_of)
                ids = [int(v) for v in wanted if 0 <= v < top and float(v).is_integer()]
                rows = self.row_of[np.array(ids, dtype=np.int64)]
                out = np.zeros(self.size, dtype=bool)
                out[rows[rows >= 0]] = True
                return out
            values = self.numbers[condition.column]
            if len(wanted) > FEW_VALUES:
                return np.isin(values, np.array(wanted))
            # a few values: a comparison each (isin sorts the column: ~6 ms at 1M works)
            out = np.zeros(self.size, dtype=bool)
            for value in wanted:
                out |= values == value
            return out
        wanted_text = set(condition.values)
        return self._by_value(condition.column, lambda v: v in wanted_text)

    def _compare(self, c: Compare) -> np.ndarray:
        if c.column in NUMERIC:
            values = self.numbers[c.column]
            if not isinstance(c.value, int | float):
                return np.zeros(self.size, dtype=bool)
            with np.errstate(invalid="ignore"):
                out = _OPS[c.op](values, c.value)
            return out & ~np.isnan(values)  # NULL matches nothing, "!=" included
        value, op = str(c.value), _TEXT_OPS[c.op]
        return self._by_value(c.column, lambda v: op(v, value))

    def _by_value(self, column: str, test: Any) -> np.ndarray:
        """Works whose text ``column`` passes ``test`` (NULL never does)."""
        vocab, codes = self.vocab[column], self.codes[column]
        passing = np.array([bool(test(v)) for v in vocab] + [False], dtype=bool)
        return passing[codes]  # code -1 picks the trailing False

    # -- answering -----------------------------------------------------------------------

    def find(
        self, conditions: list[Condition], sort: Sort, offset: int, limit: int, depth: int
    ) -> tuple[list[tuple[int, float]], int, list[int]]:
        """(page of (id, score), total, the ids of the best ``depth`` matches)."""
        rows = np.nonzero(self.matching(conditions))[0]
        keys = self._sort_key(sort)[rows]
        best = rows[_top(keys, self.ids[rows], offset + limit)][offset:]
        quality = np.nan_to_num(self.numbers["quality"][best], nan=0.0)
        page = [(int(i), float(q)) for i, q in zip(self.ids[best], quality, strict=True)]
        total = int(rows.size)
        if total > depth:  # facets count the best ``depth`` matches, in order
            rows = rows[_top(keys, self.ids[rows], depth)]
        return page, total, self.ids[rows].tolist()

    def matching(self, conditions: list[Condition]) -> np.ndarray:
        """Which rows pass every condition (a boolean mask)."""
        matched = np.ones(self.size, dtype=bool)
        for condition in conditions:
            matched &= self.mask(condition)
        return matched

    def _sort_key(self, sort: Sort) -> np.ndarray:
        """A number per work, smaller first; NULLs last."""
        column, descending = sort_key(sort).column, sort_key(sort).descending
        cached = self._ranks.get(column)
        if cached is not None:
            return cached
        if column in NUMERIC:
            values = self.numbers[column]
            key = -values if descending else values.copy()
        else:
            codes = self.codes[column].astype(np.float64)
            ranks = np.where(codes < 0, np.nan, codes)
            key = -ranks if descending else ranks
        key = np.where(np.isnan(key), np.inf, key)
        self._ranks[column] = key
        return key


def _top(keys: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` smallest keys, ties by id, in order (a partial sort)."""
    if k <= 0 or keys.size == 0:
        return np.zeros(0, dtype=np.int64)
    candidates = np.arange(keys.size)
    if k < keys.size:
        kth = np.partition(keys, k - 1)[k - 1]
        candidates = np.nonzero(keys <= kth)[0]
    order = candidates[np.lexsort((ids[candidates], keys[candidates]))]
    return order[:k]


_OPS = {
    "=": np.equal, "!=": np.not_equal, ">=": np.greater_equal, "<=": np.less_equal,
    ">": np.greater, "<": np.less,
}  # fmt: skip
_TEXT_OPS = {
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b, ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b,
}  # fmt: skip
