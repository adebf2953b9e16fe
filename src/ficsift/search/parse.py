"""The inline query language, shared by the CLI and the web search box.

    vampire willow -"Major Character Death" words>5000 complete:yes sort:quality

* bare words and "quoted phrases" search the story text; ``-word`` excludes a word;
* a quoted phrase that names a known AO3 tag (``"Vampire Willow Rosenberg"``) filters on the
  tag instead, and ``-"Major Character Death"`` excludes it;
* ``key:value`` filters: ``tag: fandom: character: ship: freeform: warning: rating:
  category: author: lang:`` (values may be "quoted"; ``a|b`` is an OR group; ``*`` a
  wildcard), a leading ``-`` excludes (``-ship:"Buffy/Spike"``);
* numbers and dates: ``words>5000 words<=20000 words:1000..5000 chapters>1 kudos>=100
  published>=2010 updated:2020-01-01..2021-12-31``;
* ``series:"Name"`` (any letter case; ``*`` a wildcard);
* switches: ``complete:yes|no``, ``wip:yes|abandoned|active``, ``crossover:yes|no|only``, ``main:yes``
  (relationships must be the main pairing), ``ships<=2`` (at most two relationships),
  ``text:yes|no``, ``tags:author`` (ignore inferred tags), ``hide:read``,
  ``reading:want|reading|read|dropped``, ``blacklist:off``, ``semantic:off``, ``sort:KEY``.

:func:`parse_query` turns a line into a :class:`~ficsift.library.query.Query` or raises
:class:`QuerySyntaxError` pointing at the problem; :func:`query_to_text` writes a query back.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from ficsift.library.query import (
    INT64_MAX,
    Crossover,
    Query,
    Range,
    ReadingStatus,
    Sort,
    TagFilter,
    TagGroup,
)
from ficsift.model import TagType

TAG_KEYS: dict[str, TagType | None] = {
    "tag": None, "t": None, "fandom": TagType.FANDOM, "f": TagType.FANDOM,
    "character": TagType.CHARACTER, "char": TagType.CHARACTER, "c": TagType.CHARACTER,
    "ship": TagType.RELATIONSHIP, "relationship": TagType.RELATIONSHIP, "rel": TagType.RELATIONSHIP,
    "p": TagType.RELATIONSHIP, "freeform": TagType.FREEFORM, "trope": TagType.FREEFORM,
    "warning": TagType.WARNING, "w": TagType.WARNING,
}  # fmt: skip
NUMBER_KEYS = {"words": "words", "chapters": "chapters", "kudos": "kudos"}
DATE_KEYS = {"published": "published", "updated": "updated"}
SWITCH_KEYS = (
    "rating", "category", "cat", "lang", "language", "author", "by", "complete", "wip",
    "status", "crossover", "main", "text", "tags", "hide", "reading", "blacklist", "semantic",
    "sort", "ships", "series",
)  # fmt: skip
FILTER_KEYS = frozenset([*TAG_KEYS, *NUMBER_KEYS, *DATE_KEYS, *SWITCH_KEYS])
PROSE_WORDS = 8  # plain words from which a query is prose (a pasted summary), not filters
YES = {"yes", "y", "true", "on", "1"}
NO = {"no", "n", "false", "off", "0"}
_TOKEN_RE = re.compile(
    r"""(?P<neg>-)?(?:(?P<key>[A-Za-z]+)(?P<op>:|>=|<=|>|<|=))?(?P<value>(?:"[^"]*"|[^\s"])+|"[^"]*)?"""
)
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class QuerySyntaxError(ValueError):
    """A query that cannot be understood; ``position`` is the offending character's index."""

    def __init__(self, message: str, position: int, text: str) -> None:
        super().__init__(
            f"{message} (at character {position + 1}: {text[position : position + 20]!r})"
        )
        self.message = message
        self.position = position
        self.text = text

    def pointer(self) -> str:
        """The query with a caret under the problem, for terminals."""
        return f"{self.text}\n{' ' * self.position}^ {self.message}"


@dataclass(slots=True)
class _Token:
    negate: bool
    key: str | None
    op: str | None
    value: str
    start: int
    quoted: bool
    value_start: int = -1  # where the value begins (a bad value's caret points there)


def _tokens(text: str) -> list[_Token]:
    out = []
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise QuerySyntaxError("cannot read this", pos, text)
        value = m.group("value") or ""
        if not value and not m.group("key"):
            if m.group("neg"):  # a dash between words ("ready - he's not") is punctuation
                pos = m.end()
                continue
            raise QuerySyntaxError("cannot read this", pos, text)
        if value.count('"') % 2:
            raise QuerySyntaxError("a quote is not closed", pos, text)
        out.append(
            _Token(
                bool(m.group("neg")),
                (m.group("key") or "").lower() or None,
                m.group("op"),
                value,
                pos,
                value.startswith('"'),
                m.start("value") if m.group("value") is not None else m.end(),
            )
        )
        pos = m.end()
    return out


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


_REPEATED_KEY_RE = re.compile(r"^(?P<neg>-?)(?P<key>[A-Za-z]+):")


def _alternatives(
    value: str, key: str | None = None, fail: Callable[[str], QuerySyntaxError] | None = None
) -> list[str]:
    """``"a b"|c`` → ["a b", "c"]: ``|`` separates outside quotes.

    An alternative may repeat its filter (``ship:"A"|ship:"B"``, as readers write an OR);
    one naming another filter (``ship:A|fandom:B``) is an error, never a tag named
    ``fandom:B``.
    """
    parts, current, quoted = [], "", False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        if ch == "|" and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    out = []
    for n, part in enumerate(parts):
        repeated = _REPEATED_KEY_RE.match(part) if n and key is not None else None
        if repeated:
            other = repeated.group("key").lower()
            if repeated.group("neg") or _key_kind(other) != _key_kind(key or ""):
                message = f"an OR group takes one filter: write {key}:A|B, not {key}:A|{part}"
                raise (fail(message) if fail else ValueError(message))
            part = part[repeated.end() :]
        out.append(" ".join(_unquote(part).split()))
    return out


def _key_kind(key: str) -> object:
    """What a filter key filters: its tag type for tag keys (ship and p are one), else
    the key itself."""
    return TAG_KEYS.get(key, key)


def parse_query(
    text: str, *, is_tag: Callable[[str], bool] | None = None, base: Query | None = None
) -> Query:
    """Parse one line of the query language (into ``base`` if given).

    ``is_tag`` decides whether a bare "quoted phrase" names a tag (default: the AO3 ontology
    knows it); without it such phrases are text.
    """
    query = base if base is not None else Query()
    words: list[str] = []
    try:
        tokens = _tokens(text)
    except QuerySyntaxError:
        # Pasted prose may hold a stray quote ("Leigh said. “So…"): its words are searched
        # as words.  A short query is told where its quote is unclosed.
        if len(text.split()) < PROSE_WORDS or text.count('"') % 2 == 0:
            raise
        tokens = _tokens(text.replace('"', " "))
    prose = sum(1 for t in tokens if t.key is None) >= PROSE_WORDS
    if not prose:
        _no_brackets(tokens, text)
    for tok in tokens:
        if tok.key is not None and (
            (not tok.value and tok.op == ":" and (prose or tok.key not in FILTER_KEYS))
            or (prose and tok.key not in FILTER_KEYS)
        ):
            # "Leader: someone who…" or a link in a pasted summary is words, not a filter
            # (a known filter alone, "ship:", still says what it needs; a short query with
            # an unknown filter is told so).
            tok = _Token(tok.negate, None, None, f"{tok.key} {tok.value}", tok.start, False)
        if prose and tok.negate and tok.key is None:
            tok.negate = False  # "-Set right after" in pasted prose is a dash, not a NOT
        if tok.key is None:
            phrase = _unquote(tok.value)
            if not phrase.strip():
                continue
            if tok.quoted and (is_tag or _known_tag)(phrase):
                (query.exclude.append(TagFilter(phrase)) if tok.negate
                 else query.include.append(TagGroup((TagFilter(phrase),))))  # fmt: skip
            else:
                words.append(("-" if tok.negate else "") + tok.value)
            continue
        _apply(query, tok, text)
    if words:
        query.text = " ".join(filter(None, [query.text, *words]))
    return query


_BRACKETED_FILTER_RE = re.compile(r"^\(+-?(?P<key>[A-Za-z]+)(?::|>=|<=|>|<|=)")


def _no_brackets(tokens: list[_Token], text: str) -> None:
    """``(words>5000 complete:yes)``: brackets do not group filters, and a filter inside one
    must not silently become words to search; say so, at the bracket."""
    for tok in tokens:
        found = _BRACKETED_FILTER_RE.match(tok.value) if tok.key is None else None
        if found and found.group("key").lower() in FILTER_KEYS:
            closed = ")" in text[tok.start :]
            raise QuerySyntaxError(
                "brackets do not group filters: remove the ( and )"
                if closed
                else "a ( is not closed (and brackets do not group filters: remove it)",
                tok.start,
                text,
            )


# Errors about the filter itself (its name, its operator, a NOT) point at the filter; any
# other (a bad or missing value) at the value.
_AT_FILTER = ("unknown filter", "cannot be negated", "use ", " takes ", "an OR group")


def _apply(query: Query, tok: _Token, text: str) -> None:
    key, op, raw = tok.key or "", tok.op or ":", tok.value

    def fail(message: str) -> QuerySyntaxError:
        at_value = tok.value_start >= 0 and not any(m in message for m in _AT_FILTER)
        return QuerySyntaxError(message, tok.value_start if at_value else tok.start, text)

    values = [v for v in _alternatives(raw, key, fail) if v]
    if not values:
        raise fail(f"{key}: needs a value")
    if key in TAG_KEYS:
        if op != ":":
            raise fail(f"use {key}:value")
        filters = tuple(TagFilter(v, TAG_KEYS[key]) for v in values)
        if tok.negate:
            query.exclude.extend(filters)
        else:
            query.include.append(TagGroup(filters))
        return
    if tok.negate:
        raise fail(f"{key} cannot be negated")
    value = values[0]
    if key in NUMBER_KEYS or key == "ships":
        bounds = _range(op, value, fail, number=True)
        if key == "ships":
            if bounds.high is None or bounds.low is not None:
                raise fail("use ships<=N (at most N relationships)")
            query.max_relationships = int(bounds.high)
        else:
            setattr(query, NUMBER_KEYS[key], bounds)
    elif key in DATE_KEYS:
        setattr(query, DATE_KEYS[key], _range(op, value, fail, number=False))
    elif op != ":":
        raise fail(f"{key} takes {key}:value, not {op}")
    elif key == "rating":
        query.ratings.extend(values)
    elif key in ("category", "cat"):
        query.categories.extend(values)
    elif key in ("lang", "language"):
        query.languages.extend(values)
    elif key in ("author", "by"):
        query.authors.extend(values)
    elif key == "complete":
        query.complete = _yes_no(value, fail)
    elif key == "wip":
        if value.lower() in ("abandoned", "active"):
            query.complete, query.abandoned = False, value.lower() == "abandoned"
        else:
            query.complete = not _yes_no(value, fail)
    elif key == "series":
        query.series.extend(values)
    elif key == "status":
        if value.lower() not in ("complete", "wip", "in-progress"):
            raise fail("status is complete or wip")
        query.complete = value.lower() == "complete"
    elif key == "crossover":
        lowered = value.lower()
        query.crossover = (Crossover.ONLY if lowered == "only" else Crossover.ANY
                           if lowered in YES | {"any"} else Crossover.EXCLUDE
                           if lowered in NO else _bad(fail, "crossover is yes, no or only"))  # fmt: skip
    elif key == "main":
        query.main_pairing = _yes_no(value, fail)
    elif key == "text":
        query.has_text = _yes_no(value, fail)
    elif key == "tags":
        if value.lower() not in ("author", "all"):
            raise fail("tags is author or all")
        query.author_tags_only = value.lower() == "author"
    elif key == "hide":
        if value.lower() != "read":
            raise fail("hide takes read")
        query.hide_read = True
    elif key == "reading":
        try:
            query.reading.extend(ReadingStatus(v.lower()) for v in values)
        except ValueError:
            raise fail("reading is want, reading, read or dropped") from None
    elif key == "blacklist":
        query.use_blacklist = _yes_no(value, fail)
    elif key == "semantic":
        query.semantic = _yes_no(value, fail)
    elif key == "sort":
        try:
            query.sort = Sort(value.lower())
        except ValueError:
            raise fail("sort is one of " + ", ".join(s.value for s in Sort)) from None
    else:
        raise fail(f"unknown filter {key!r}")


def _bad(fail: Callable[[str], QuerySyntaxError], message: str) -> Crossover:
    raise fail(message)


def _yes_no(value: str, fail: Callable[[str], QuerySyntaxError]) -> bool:
    lowered = value.lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise fail(f"expected yes or no, not {value!r}")


def _range(op: str, value: str, fail: Callable[[str], QuerySyntaxError], number: bool) -> Range:
    def convert(v: str) -> int | str | None:
        v = v.strip()
        if not v:
            return None
        if number:
            return _number(v, fail)
        if not _DATE_RE.match(v):
            raise fail(f"{v!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
        return v

    if op == ":" and ".." in value:
        low, high = value.split("..", 1)
        upper = convert(high)
        return Range(convert(low), _date_end(upper) if isinstance(upper, str) else upper)
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
        return Range(None, _date_end(one) if isinstance(one, str) and op == "<=" else one)
    return Range(one, one if number else _date_end(str(one)))


# The largest number a query takes: one more (words>N means N+1 and up) still fits SQLite.
MAX_NUMBER = INT64_MAX - 1


def _number(v: str, fail: Callable[[str], QuerySyntaxError]) -> int:
    """``5000``, ``5,000``, ``5k``, ``2.5k``, ``1e4`` as a whole number, exactly when written
    as one; one past SQLite's integers ("words>99999999999999999999", "kudos>=1e400") is a
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


def _date_end(date: str) -> str:
    """``2020`` as an upper bound means the end of 2020 (dates compare as text)."""
    return {4: date + "-12-31", 7: date + "-31"}.get(len(date), date)


def _known_tag(phrase: str) -> bool:
    from ficsift.understand.canonical import CATEGORIES, RATINGS, WARNINGS
    from ficsift.understand.primer import load_primer

    lowered = phrase.lower()
    if lowered in WARNINGS or lowered in RATINGS or lowered in CATEGORIES:
        return True
    onto = load_primer().ontology
    return onto is not None and onto.canonical(phrase) is not None


def _quote(value: str) -> str:
    return f'"{value}"' if re.search(r'[\s|:"<>=]', value) or not value else value


def query_to_text(query: Query) -> str:
    """The query in the inline language (what the search box shows)."""
    parts: list[str] = [query.text] if query.text else []
    names = {v: k for k, v in reversed(list(TAG_KEYS.items()))}

    def tag(f: TagFilter) -> str:
        return _quote(f.text)

    for group in query.include:
        kind = group.any_of[0].type
        parts.append(f"{names[kind]}:" + "|".join(tag(f) for f in group.any_of))
    for f in query.exclude:
        parts.append(f"-{names[f.type]}:{tag(f)}")
    for key, values in (("rating", query.ratings), ("category", query.categories),
                        ("lang", query.languages), ("author", query.authors),
                        ("series", query.series)):  # fmt: skip
        if values:
            parts.append(f"{key}:" + "|".join(_quote(v) for v in values))
    for key, rng in (("words", query.words), ("chapters", query.chapters),
                     ("kudos", query.kudos), ("published", query.published),
                     ("updated", query.updated)):  # fmt: skip
        if not rng.is_open:
            low = "" if rng.low is None else rng.low
            high = "" if rng.high is None else rng.high
            parts.append(f"{key}:{low}..{high}")
    if query.abandoned is not None:
        parts.append(f"wip:{'abandoned' if query.abandoned else 'active'}")
    elif query.complete is not None:
        parts.append(f"complete:{'yes' if query.complete else 'no'}")
    if query.crossover is not Crossover.ANY:
        parts.append(f"crossover:{'only' if query.crossover is Crossover.ONLY else 'no'}")
    if query.main_pairing:
        parts.append("main:yes")
    if query.max_relationships is not None:
        parts.append(f"ships<={query.max_relationships}")
    if query.has_text is not None:
        parts.append(f"text:{'yes' if query.has_text else 'no'}")
    if query.author_tags_only:
        parts.append("tags:author")
    if query.hide_read:
        parts.append("hide:read")
    if query.reading:
        parts.append("reading:" + "|".join(s.value for s in query.reading))
    if not query.use_blacklist:
        parts.append("blacklist:off")
    if not query.semantic:
        parts.append("semantic:off")
    if query.sort is not Sort.RELEVANCE:
        parts.append(f"sort:{query.sort.value}")
    return " ".join(parts)
