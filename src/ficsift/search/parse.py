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
  ``reading:want|reading|read|dropped``, ``blacklist:off``, ``semantic:off``, ``sort:KEY``;
* ``guesses:show`` (exclusions and the blacklist act on the author's tags alone) and
  ``guesses:only`` (just the works that guessed tags alone hide); by default a guessed tag
  hides a work from its type's measured bar (``guesses:hide``).

:func:`parse_query` turns a line into a :class:`~ficsift.library.query.Query` or raises
:class:`QuerySyntaxError` pointing at the problem; :func:`query_to_text` writes a query back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ficsift.library.filters import BY_KEY, FILTERS, Tags
from ficsift.library.query import Query, TagFilter, TagGroup
from ficsift.model import TagType

TAG_KEYS: dict[str, TagType | None] = {
    key: f.type for f in FILTERS if isinstance(f, Tags) for key in f.keys
}
FILTER_KEYS = frozenset(BY_KEY)
PROSE_WORDS = 8  # plain words from which a query is prose (a pasted summary), not filters
_TOKEN_RE = re.compile(
    r"""(?P<neg>-)?(?:(?P<key>[A-Za-z]+)(?P<op>:|>=|<=|>|<|=))?(?P<value>(?:"[^"]*"|[^\s"])+|"[^"]*)?"""
)


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

    found = BY_KEY.get(key)
    if found is None:
        raise fail(f"unknown filter {key!r}")
    values = [v for v in _alternatives(raw, key, fail) if v]
    if not values:
        raise fail(f"{key}: needs a value")
    if tok.negate and not found.negatable:
        raise fail(f"{key} cannot be negated")
    if op != ":" and not found.comparisons and not found.negatable:
        raise fail(f"{key} takes {key}:value, not {op}")
    found.apply(query, op, values, tok.negate, fail)


def _known_tag(phrase: str) -> bool:
    from ficsift.understand.canonical import CATEGORIES, RATINGS, WARNINGS
    from ficsift.understand.primer import load_primer

    lowered = phrase.lower()
    if lowered in WARNINGS or lowered in RATINGS or lowered in CATEGORIES:
        return True
    onto = load_primer().ontology
    return onto is not None and onto.canonical(phrase) is not None
