"""Every filter a reader can type, once: the query language's parser, its writer and the
English description of a query are all made from :data:`FILTERS` (as datasette makes its
filters from one table).  What a filter means for storage is :mod:`ficsift.library.compile`'s.

Each :class:`Filter` names its keys (the first is the one written back), whether ``-key:``
may exclude, how a typed value sets the :class:`~ficsift.library.query.Query`
(:meth:`Filter.apply`), how the query says it again (:meth:`Filter.to_text`) and in English
(:meth:`Filter.describe`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from ficsift.library.query import (
    INT64_MAX,
    Crossover,
    GuessHiding,
    Query,
    Range,
    ReadingStatus,
    Sort,
    TagFilter,
    TagGroup,
)
from ficsift.model import TagType

Fail = Callable[[str], Exception]
"""Makes the error for a bad value (the parser's: it knows where the value was)."""

YES = frozenset({"yes", "y", "true", "on", "1"})
NO = frozenset({"no", "n", "false", "off", "0"})
# The largest number a query takes: one more (words>N means N+1 and up) still fits 64 bits.
MAX_NUMBER = INT64_MAX - 1
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def quote(value: str) -> str:
    return f'"{value}"' if re.search(r'[\s|:"<>=]', value) or not value else value


def yes_no(value: str, fail: Fail) -> bool:
    lowered = value.lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise fail(f"expected yes or no, not {value!r}")


def number(v: str, fail: Fail) -> int:
    """``5000``, ``5,000``, ``5k``, ``2.5k``, ``1e4`` as a whole number, exactly when written
    as one; one past 64-bit integers ("words>99999999999999999999", "kudos>=1e400") is a
    syntax error, not an OverflowError further on."""
    cleaned = v.replace(",", "").replace("_", "").lower()
    scale = 1000 if cleaned.endswith("k") else 1
    digits = cleaned.removesuffix("k")
    shown = v if len(v) <= 30 else v[:29] + "…"
    try:
        value = int(digits) * scale  # exact, however long (a float rounds past 2^53)
    except ValueError:  # not an integer (or thousands of digits: Python refuses those)
        try:
            real = float(digits) * scale
        except ValueError:
            raise fail(f"{shown!r} is not a number") from None
        if math.isnan(real):
            raise fail(f"{shown!r} is not a number") from None
        if math.isinf(real):
            raise fail(f"{shown!r} is too large (at most {MAX_NUMBER})") from None
        value = int(real)
    if abs(value) > MAX_NUMBER:
        raise fail(f"{shown!r} is too large (at most {MAX_NUMBER})")
    return value


def date_end(date: str) -> str:
    """``2020`` as an upper bound means the end of 2020 (dates compare as text)."""
    return {4: date + "-12-31", 7: date + "-31"}.get(len(date), date)


def parse_range(op: str, value: str, fail: Fail, *, numeric: bool) -> Range:
    def convert(v: str) -> int | str | None:
        v = v.strip()
        if not v:
            return None
        if numeric:
            return number(v, fail)
        if not _DATE_RE.match(v):
            raise fail(f"{v!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
        return v

    if op == ":" and ".." in value:
        low, high = value.split("..", 1)
        upper = convert(high)
        return Range(convert(low), date_end(upper) if isinstance(upper, str) else upper)
    one = convert(value)
    if one is None:
        raise fail("a value is missing")
    if op in (">", ">="):
        if op == ">" and isinstance(one, int):
            one += 1
        return Range(one, None)
    if op in ("<", "<="):
        if op == "<" and isinstance(one, int):
            one -= 1
        return Range(None, date_end(one) if isinstance(one, str) and op == "<=" else one)
    return Range(one, one if numeric else date_end(str(one)))


class Filter:
    """One filter of the query language."""

    keys: tuple[str, ...]
    negatable: ClassVar[bool] = False
    comparisons: ClassVar[bool] = False  # takes > >= < <= = as well as ":"

    def apply(self, query: Query, op: str, values: list[str], negate: bool, fail: Fail) -> None:
        raise NotImplementedError

    def to_text(self, query: Query) -> list[str]:
        raise NotImplementedError

    def describe(self, query: Query) -> list[str]:
        raise NotImplementedError


@dataclass(frozen=True)
class Tags(Filter):
    """``fandom:X``, ``-ship:"A/B"``, ``tag:X|Y`` (an OR group)."""

    keys: tuple[str, ...]
    type: TagType | None
    negatable: ClassVar[bool] = True

    def apply(self, query: Query, op: str, values: list[str], negate: bool, fail: Fail) -> None:
        if op != ":":
            raise fail(f"use {self.keys[0]}:value")
        filters = tuple(TagFilter(v, self.type) for v in values)
        if negate:
            query.exclude.extend(filters)
        else:
            query.include.append(TagGroup(filters))

    def to_text(self, query: Query) -> list[str]:
        key = self.keys[0]
        out = [
            f"{key}:" + "|".join(quote(f.text) for f in group.any_of)
            for group in query.include
            if group.any_of[0].type == self.type
        ]
        return out + [f"-{key}:{quote(f.text)}" for f in query.exclude if f.type == self.type]

    def describe(self, query: Query) -> list[str]:
        has = [f"has {g.describe()}" for g in query.include if g.any_of[0].type == self.type]
        return has + [f"not {t.describe()}" for t in query.exclude if t.type == self.type]


@dataclass(frozen=True)
class Names(Filter):
    """``rating:Explicit|Mature``: any of these names (a list field of the query)."""

    keys: tuple[str, ...]
    field: str
    said: str  # the English: "rated", "by", "in series"…
    quoted: bool = False  # described in quotes (series names)

    def apply(self, query: Query, op: str, values: list[str], negate: bool, fail: Fail) -> None:
        getattr(query, self.field).extend(values)

    def to_text(self, query: Query) -> list[str]:
        values = getattr(query, self.field)
        return [f"{self.keys[0]}:" + "|".join(quote(v) for v in values)] if values else []

    def describe(self, query: Query) -> list[str]:
        values = getattr(query, self.field)
        if not values:
            return []
        shown = [f"“{v}”" if self.quoted else v for v in values]
        return [f"{self.said} " + " or ".join(shown)]


@dataclass(frozen=True)
class Bounds(Filter):
    """``words>5000``, ``published:2010..2012``: a range of a number or a date."""

    keys: tuple[str, ...]
    field: str
    numeric: bool
    comparisons: ClassVar[bool] = True

    def apply(self, query: Query, op: str, values: list[str], negate: bool, fail: Fail) -> None:
        setattr(query, self.field, parse_range(op, values[0], fail, numeric=self.numeric))

    def to_text(self, query: Query) -> list[str]:
        rng: Range = getattr(query, self.field)
        if rng.is_open:
            return []
        low = "" if rng.low is None else rng.low
        high = "" if rng.high is None else rng.high
        return [f"{self.keys[0]}:{low}..{high}"]

    def describe(self, query: Query) -> list[str]:
        rng: Range = getattr(query, self.field)
        return [] if rng.is_open else [rng.describe(self.keys[0])]


@dataclass(frozen=True)
class Switch(Filter):
    """A yes/no switch of the query: ``main:yes``, ``text:no``, ``blacklist:off``."""

    keys: tuple[str, ...]
    field: str
    default: bool | None  # what the query holds when the switch is not given
    said: tuple[str, str] = ("", "")  # English when on, when off ("" says nothing)

    def apply(self, query: Query, op: str, values: list[str], negate: bool, fail: Fail) -> None:
        setattr(query, self.field, yes_no(values[0], fail))

    def to_text(self, query: Query) -> list[str]:
        value = getattr(query, self.field)
        if value is None or value == self.default:
            return []
        on, off = ("on", "off") if self.default is True else ("yes", "no")
        return [f"{self.keys[0]}:{on if value else off}"]

    def describe(self, query: Query) -> list[str]:
        value = getattr(query, self.field)
        if value is None or value == self.default:
            return []
        shown = self.said[0] if value else self.said[1]
        return [shown] if shown else []


@dataclass(frozen=True)
class Choice(Filter):
    """A filter whose value is one of a few words, each setting the query its own way."""

    keys: tuple[str, ...]
    choices: dict[str, Callable[[Query], None]]
    wrong: str  # the error for any other word ({value}: the word)
    written: Callable[[Query], str | None]  # the query's value, written back
    said: Callable[[Query], str | None]  # and in English

    def apply(self, query: Query, op: str, values: list[str], negate: bool, fail: Fail) -> None:
        choose = self.choices.get(values[0].lower())
        if choose is None:
            raise fail(self.wrong.format(value=values[0]))
        choose(query)

    def to_text(self, query: Query) -> list[str]:
        value = self.written(query)
        return [f"{self.keys[0]}:{value}"] if value else []

    def describe(self, query: Query) -> list[str]:
        shown = self.said(query)
        return [shown] if shown else []


@dataclass(frozen=True)
class Ships(Filter):
    """``ships<=2``: at most N relationships."""

    keys: tuple[str, ...] = ("ships",)
    comparisons: ClassVar[bool] = True

    def apply(self, query: Query, op: str, values: list[str], negate: bool, fail: Fail) -> None:
        bounds = parse_range(op, values[0], fail, numeric=True)
        if bounds.high is None or bounds.low is not None:
            raise fail("use ships<=N (at most N relationships)")
        query.max_relationships = int(bounds.high)

    def to_text(self, query: Query) -> list[str]:
        n = query.max_relationships
        return [] if n is None else [f"ships<={n}"]

    def describe(self, query: Query) -> list[str]:
        n = query.max_relationships
        return [] if n is None else [f"at most {n} relationships"]


@dataclass(frozen=True)
class Reading(Filter):
    """``reading:want|reading``: the reader's own reading status, any of."""

    keys: tuple[str, ...] = ("reading",)

    def apply(self, query: Query, op: str, values: list[str], negate: bool, fail: Fail) -> None:
        try:
            query.reading.extend(ReadingStatus(v.lower()) for v in values)
        except ValueError:
            raise fail("reading is want, reading, read or dropped") from None

    def to_text(self, query: Query) -> list[str]:
        return ["reading:" + "|".join(s.value for s in query.reading)] if query.reading else []

    def describe(self, query: Query) -> list[str]:
        if not query.reading:
            return []
        return ["reading status " + " or ".join(s.value for s in query.reading)]


def _set(**values: Any) -> Callable[[Query], None]:
    def apply(query: Query) -> None:
        for name, value in values.items():
            setattr(query, name, value)

    return apply


def _completion(query: Query) -> str | None:
    if query.abandoned is not None:
        return None  # wip: says it
    return None if query.complete is None else "yes" if query.complete else "no"


def _completion_said(query: Query) -> str | None:
    return None if query.complete is None else "complete" if query.complete else "in progress"


def _wip(query: Query) -> str | None:
    return None if query.abandoned is None else "abandoned" if query.abandoned else "active"


def _wip_said(query: Query) -> str | None:
    return None if query.abandoned is None else "abandoned" if query.abandoned else "not abandoned"


_CROSSOVER_WORDS = {Crossover.ONLY: "only", Crossover.EXCLUDE: "no"}
_CROSSOVER_SAID = {Crossover.ONLY: "crossovers only", Crossover.EXCLUDE: "no crossovers"}


@dataclass(frozen=True)
class Guesses(Filter):
    """How ficsift's guessed tags act in exclusions and the blacklist: ``guesses:show`` (not
    at all), ``guesses:only`` (just the works they alone hide), ``guesses:0.8`` (a guess at
    least that sure hides; ``guesses:hide``, the default, is each type's measured bar)."""

    keys: tuple[str, ...]

    def apply(self, query: Query, op: str, values: list[str], negate: bool, fail: Fail) -> None:
        word = values[0].lower()
        if word in {g.value for g in GuessHiding}:
            query.guesses = GuessHiding(word)
            query.guess_bar = None if query.guesses is GuessHiding.HIDE else query.guess_bar
            return
        try:
            bar = float(word)
        except ValueError:
            bar = math.nan
        if not 0.0 <= bar <= 1.0:  # also NaN
            raise fail("guesses is hide, show, only or a confidence from 0 to 1")
        query.guesses, query.guess_bar = GuessHiding.HIDE, bar

    def to_text(self, query: Query) -> list[str]:
        out = [] if query.guess_bar is None else [f"{self.keys[0]}:{query.guess_bar:g}"]
        if query.guesses is not GuessHiding.HIDE:
            out.append(f"{self.keys[0]}:{query.guesses.value}")
        return out

    def describe(self, query: Query) -> list[str]:
        said = _GUESSES_SAID.get(query.guesses)
        if query.guess_bar is not None:
            said = (said + ", " if said else "") + (
                f"a guessed tag hides a work from confidence {query.guess_bar:g}"
            )
        return [said] if said else []


_GUESSES_SAID = {
    GuessHiding.SHOW: "guessed tags hide nothing (only the author's tags do)",
    GuessHiding.ONLY: "only works that guessed tags alone hide",
}
_SORTS = {s.value: _set(sort=s) for s in Sort}

FILTERS: tuple[Filter, ...] = (
    Tags(("tag", "t"), None),
    Tags(("fandom", "f"), TagType.FANDOM),
    Tags(("character", "char", "c"), TagType.CHARACTER),
    Tags(("ship", "relationship", "rel", "p"), TagType.RELATIONSHIP),
    Tags(("freeform", "trope"), TagType.FREEFORM),
    Tags(("warning", "w"), TagType.WARNING),
    Names(("rating",), "ratings", "rated"),
    Names(("category", "cat"), "categories", "category"),
    Choice(
        ("complete",),
        {**dict.fromkeys(YES, _set(complete=True)), **dict.fromkeys(NO, _set(complete=False))},
        "expected yes or no, not {value!r}",
        _completion,
        _completion_said,
    ),
    Choice(
        ("wip",),
        {
            "abandoned": _set(complete=False, abandoned=True),
            "active": _set(complete=False, abandoned=False),
            **dict.fromkeys(YES, _set(complete=False)),
            **dict.fromkeys(NO, _set(complete=True)),
        },
        "wip is yes, no, abandoned or active",
        _wip,
        _wip_said,
    ),
    Choice(
        ("status",),
        {
            "complete": _set(complete=True),
            "wip": _set(complete=False),
            "in-progress": _set(complete=False),
        },
        "status is complete or wip",
        lambda q: None,  # complete: writes it
        lambda q: None,
    ),
    Names(("series",), "series", "in series", quoted=True),
    Bounds(("words",), "words", numeric=True),
    Bounds(("chapters",), "chapters", numeric=True),
    Bounds(("kudos",), "kudos", numeric=True),
    Bounds(("published",), "published", numeric=False),
    Bounds(("updated",), "updated", numeric=False),
    Names(("lang", "language"), "languages", "in"),
    Choice(
        ("crossover",),
        {
            "only": _set(crossover=Crossover.ONLY),
            "any": _set(crossover=Crossover.ANY),
            "exclude": _set(crossover=Crossover.EXCLUDE),
            **dict.fromkeys(YES, _set(crossover=Crossover.ANY)),
            **dict.fromkeys(NO, _set(crossover=Crossover.EXCLUDE)),
        },
        "crossover is yes, no or only",
        lambda q: _CROSSOVER_WORDS.get(q.crossover),
        lambda q: _CROSSOVER_SAID.get(q.crossover),
    ),
    Switch(("main",), "main_pairing", False, ("relationships must be the main pairing", "")),
    Ships(),
    Switch(("text",), "has_text", None, ("with story text", "metadata only")),
    Choice(
        ("tags",),
        {"author": _set(author_tags_only=True), "all": _set(author_tags_only=False)},
        "tags is author or all",
        lambda q: "author" if q.author_tags_only else None,
        lambda q: "author tags only" if q.author_tags_only else None,
    ),
    Guesses(("guesses",)),
    Choice(
        ("hide",),
        {"read": _set(hide_read=True)},
        "hide takes read",
        lambda q: "read" if q.hide_read else None,
        lambda q: "hiding works you have read" if q.hide_read else None,
    ),
    Reading(),
    Names(("author", "by"), "authors", "by"),
    Switch(("blacklist",), "use_blacklist", True),
    Switch(("semantic",), "semantic", True),
    Choice(
        ("sort",),
        _SORTS,
        "sort is one of " + ", ".join(s.value for s in Sort),
        lambda q: None if q.sort is Sort.RELEVANCE else q.sort.value,
        lambda q: None,
    ),
)
BY_KEY: dict[str, Filter] = {key: f for f in FILTERS for key in f.keys}


def apply_filter(query: Query, key: str, value: str, op: str = ":") -> None:
    """Set one filter on ``query`` as the query language's ``key{op}value`` would (the web
    form's controls say their values through this, so they mean what the box means)."""

    def fail(message: str) -> ValueError:
        return ValueError(f"{key}{op}{value}: {message}")

    BY_KEY[key].apply(query, op, [value], False, fail)


def query_to_text(query: Query) -> str:
    """The query in the inline language (what the search box shows)."""
    parts = [query.text] if query.text else []
    return " ".join(parts + [p for f in FILTERS for p in f.to_text(query)])


def describe(query: Query) -> list[str]:
    """What this query asks, one English phrase per part."""
    parts = [f"text matches {query.text!r}"] if query.text else []
    parts += [p for f in FILTERS for p in f.describe(query)]
    if query.use_blacklist and query.blacklist:
        parts.append(f"blacklist applied ({len(query.blacklist)} entries)")
    return parts
