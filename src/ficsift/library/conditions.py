"""A compiled query's conditions: plain data about one work, said by each backend its own way.

:class:`~ficsift.library.compile.QueryCompiler` decides *what* a query means (which tag keys,
which columns, which bounds) once, as these objects.  Each backend renders them
(``sqlite/compile.py``, ``postgresql/compile.py``), :mod:`ficsift.library.work_columns`
evaluates them over in-memory columns for filter-only queries on a warm library, and
:func:`matches` tests one work in Python — readings of the same objects, so they cannot drift
apart (``tests/library/test_work_columns.py`` and the backends' differential test check it).

The column names are those of the backend-neutral search row
(:data:`ficsift.library.index_rows.SEARCH_COLUMNS`, plus ``id`` and ``quality``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ficsift.library.query import clamp_int64
from ficsift.library.tag_keys import KeyMatch

OPERATORS = ("=", "!=", ">=", "<=", ">", "<")


@dataclass(frozen=True, slots=True)
class Compare:
    """``column op value``; a NULL column never matches (as in SQL)."""

    column: str
    op: str  # one of OPERATORS
    value: Any

    def __post_init__(self) -> None:
        if self.op not in OPERATORS:
            raise ValueError(f"unknown operator {self.op!r}")
        # Whatever front end built the query, a bound past 64-bit integers ("words>10^20")
        # must not raise OverflowError when bound (nor in numpy): clamped, it means the same.
        if isinstance(self.value, int) and not isinstance(self.value, bool):
            object.__setattr__(self, "value", clamp_int64(self.value))


@dataclass(frozen=True, slots=True)
class OneOf:
    """``column`` is one of ``values``."""

    column: str
    values: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class TagTest:
    """A tag row of the work that a filter finds: its key is one of ``match``, of ``type``
    (any type when None), given by the author (``author_only``) or else one filters read
    (effective), and — ``main_only`` — a relationship only if it is the main pairing.
    ``hiding``: the test hides works (an exclusion, the blacklist), so it reads only rows
    that may hide one — the author's tags, and guesses as sure as their type's measured bar
    (:func:`ficsift.understand.calibration.acts_on`, decided when the work is indexed) —
    or, with ``hide_from``, guesses at least that sure (the reader's own level)."""

    match: KeyMatch
    type: str | None
    author_only: bool
    main_only: bool
    hiding: bool = False
    hide_from: float | None = None


@dataclass(frozen=True, slots=True)
class HasTag:
    """The work has a tag one of ``any_of`` finds."""

    any_of: tuple[TagTest, ...]


@dataclass(frozen=True, slots=True)
class InSeries:
    """The work is part of a series whose case-folded name is one of ``keys`` or matches
    one of ``patterns`` (``*`` a wildcard, as in :class:`KeyMatch`)."""

    keys: tuple[str, ...]
    patterns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReadingIs:
    """The reader marked the work with one of these reading statuses."""

    statuses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ByAuthor:
    """One of the work's authors is one of ``names`` (case-folded)."""

    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TextHolds:
    """The work's full text holds one of these terms (a term: a word or a phrase)."""

    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Not:
    inner: Condition


@dataclass(frozen=True, slots=True)
class AllOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Nothing:
    """Matches no work (a tag nothing could mean)."""


Condition = (
    Compare | OneOf | HasTag | InSeries | ReadingIs | ByAuthor | TextHolds | Not | AllOf | Nothing
)


@dataclass(slots=True)
class WorkFacts:
    """What :func:`matches` reads of one work: its search-row values and its rows elsewhere."""

    row: dict[str, Any]  # search-row column → value (None: NULL)
    # type, key, origin, effective, main, hides, confidence
    tags: list[tuple[str, str, str, bool, bool, bool, float | None]]
    series: list[str]  # series keys
    reading: str | None
    authors: list[str]  # case-folded
    text_holds: Callable[[str], bool]  # whether the work's full text holds a term


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b, ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b,
}  # fmt: skip


def matches(condition: Condition, work: WorkFacts) -> bool:
    """Whether one work meets a condition, in Python (the meaning every backend renders)."""
    if isinstance(condition, Compare):
        value = work.row.get(condition.column)
        if value is None:
            return False
        try:
            return _COMPARE[condition.op](value, condition.value)
        except TypeError:  # a number compared with text: no match, as a typed column gives
            return False
    if isinstance(condition, OneOf):
        return work.row.get(condition.column) in condition.values
    if isinstance(condition, HasTag):
        return any(_tag_hit(test, work) for test in condition.any_of)
    if isinstance(condition, InSeries):
        found = KeyMatch(frozenset(condition.keys), tuple((p,) for p in condition.patterns))
        return any(found.hits(key) for key in work.series)
    if isinstance(condition, ReadingIs):
        return work.reading in condition.statuses
    if isinstance(condition, ByAuthor):
        return any(a in condition.names for a in work.authors)
    if isinstance(condition, TextHolds):
        return any(work.text_holds(t) for t in condition.terms)
    if isinstance(condition, Not):
        return not matches(condition.inner, work)
    if isinstance(condition, AllOf):
        return all(matches(p, work) for p in condition.parts)
    return False  # Nothing


def _tag_hit(test: TagTest, work: WorkFacts) -> bool:
    for kind, key, origin, effective, main, hides, confidence in work.tags:
        if test.type is not None and kind != test.type:
            continue
        if (origin != "author") if test.author_only else not effective:
            continue
        if test.hiding and not _may_hide(test, origin, hides, confidence):
            continue
        if test.main_only and kind == "relationship" and not main:
            continue
        if test.match.hits(key):
            return True
    return False


def _may_hide(test: TagTest, origin: str, hides: bool, confidence: float | None) -> bool:
    if test.hide_from is None:
        return hides
    return origin == "author" or (confidence is not None and confidence >= test.hide_from)
