"""A compiled query's conditions as small data objects.

:class:`~ficsift.library.sqlite.compile.QueryCompiler` decides *what* a query means (which tag
keys, which columns, which bounds) once, as these objects; each can then be said as SQL
(``sql()``) and, for filter-only queries on a warm library, evaluated over the in-memory
columns of :mod:`ficsift.library.work_columns`.  Both readings come from the same objects,
so they cannot drift apart (``tests/library/test_work_columns.py`` checks they agree).

Conditions are about one work row, aliased ``w`` (``search_rows``); a tag condition is SQL
over ``tag_index`` aliased ``t``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ficsift.library.query import clamp_int64


@dataclass(frozen=True, slots=True)
class Compare:
    """``w.column op value``; a NULL column never matches (as in SQL)."""

    column: str
    op: str  # one of = != >= <= > <
    value: Any

    def __post_init__(self) -> None:
        # Whatever front end built the query, a bound past SQLite's integers ("words>10^20")
        # must not raise OverflowError when bound (nor in numpy): clamped, it means the same.
        if isinstance(self.value, int) and not isinstance(self.value, bool):
            object.__setattr__(self, "value", clamp_int64(self.value))

    def sql(self) -> tuple[str, list[Any]]:
        return f"w.{self.column} {self.op} ?", [self.value]


@dataclass(frozen=True, slots=True)
class OneOf:
    """``w.column`` is one of ``values``."""

    column: str
    values: tuple[Any, ...]

    def sql(self) -> tuple[str, list[Any]]:
        return f"w.{self.column} IN (SELECT value FROM json_each(?))", [json.dumps(self.values)]


@dataclass(frozen=True, slots=True)
class HasTag:
    """The work has a ``tag_index`` row (alias ``t``) for which ``condition`` holds."""

    condition: str
    params: tuple[Any, ...]

    def sql(self) -> tuple[str, list[Any]]:
        # An uncorrelated IN: SQLite builds the set of works once, from the (key, type)
        # primary key, instead of probing every work's tags.
        return f"w.id IN (SELECT t.work_id FROM tag_index t WHERE {self.condition})", list(
            self.params
        )

    def works_sql(self) -> tuple[str, list[Any]]:
        """The matching works' ids as one comma-separated string, repeats and all (a posting
        list for a bit mask: no de-duplicating B-tree, and one row instead of one per work,
        which made fetching 35,000 ids 26 → 16 ms)."""
        return f"SELECT group_concat(t.work_id) FROM tag_index t WHERE {self.condition}", list(
            self.params
        )


@dataclass(frozen=True, slots=True)
class Not:
    inner: Condition

    def sql(self) -> tuple[str, list[Any]]:
        sql, params = self.inner.sql()
        if isinstance(self.inner, Compare):
            # a NULL column fails the comparison, so NOT of it holds (as in memory), not NULL
            return f"NOT coalesce({sql}, 0)", params
        return f"NOT ({sql})", params


@dataclass(frozen=True, slots=True)
class AllOf:
    parts: tuple[Condition, ...]

    def sql(self) -> tuple[str, list[Any]]:
        said = [p.sql() for p in self.parts]
        return "(" + " AND ".join(s for s, _ in said) + ")", [x for _, ps in said for x in ps]


@dataclass(frozen=True, slots=True)
class Nothing:
    """Matches no work (a tag nothing could mean)."""

    def sql(self) -> tuple[str, list[Any]]:
        return "0", []


@dataclass(frozen=True, slots=True)
class RawSql:
    """A condition only SQL evaluates (reading state, authors): filter-only queries that
    carry one are answered by SQLite."""

    text: str
    params: tuple[Any, ...]

    def sql(self) -> tuple[str, list[Any]]:
        return self.text, list(self.params)


Condition = Compare | OneOf | HasTag | Not | AllOf | Nothing | RawSql
