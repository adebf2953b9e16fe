"""What a :class:`~ficsift.library.query.Query` means, decided once for every backend.

Like AO3's ``WorkQuery``, the query is built from tiny clause methods, each returning
:mod:`~ficsift.library.conditions` (plain data) or nothing.  Tag filters become
:class:`~ficsift.library.conditions.HasTag` with the keys
:class:`~ficsift.library.tag_keys.TagResolver` expands them to; free text becomes
:class:`TextTerms` and a :class:`TextMatch` (what a work must hold).  Each backend renders the
result in its own dialect (``sqlite/compile.py``: FTS5 and fielded BM25;
``postgresql/compile.py``: tsquery and weighted ranks); nothing else decides what a query
means.

Free text, as AO3's ``general_query`` weighs it: title and authors most, then summary and
tags, then notes and body.  Up to three words must all occur (anywhere in the work); from four
words on a work must hold "most of them" — at least ``MOST_WORDS`` of the query's rarest
``RAREST`` terms that some work holds — and ranks by its coverage of those terms, then its
score over the ``SCORED`` rarest, so a pasted summary or a remembered sentence finds its story
even though some of its words are in no work (tuned on half the shared corpus's fandoms by
``scripts/eval_relevance.py``; the other half reports).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations

from ficsift.library.conditions import (
    AllOf,
    ByAuthor,
    Compare,
    Condition,
    HasTag,
    InSeries,
    Not,
    Nothing,
    OneOf,
    ReadingIs,
    TagTest,
    TextHolds,
)
from ficsift.library.index_rows import title_norm
from ficsift.library.passages import STOPWORDS
from ficsift.library.query import (
    BlacklistEntry,
    BlacklistKind,
    Crossover,
    GuessHiding,
    Query,
    ReadingStatus,
    Sort,
    TagFilter,
)
from ficsift.library.tag_keys import KeyMatch, TagResolver, language_key, normalise
from ficsift.model import TagType

BODY_SHARE = 0.5  # a text score: the body's part beside the head's
COVERAGE = 60.0  # a long query holding all its rarest terms: above any score difference
LONG_QUERY = 4  # terms from which a query asks for "most of these words"
MOST_WORDS = 0.34  # the share of the rarest terms a long query's match must hold
RAREST = 6  # terms a long query's match is made of (the rarest: they decide; and cost least)
SCORED = 12  # terms a long query's score sums over (the rarest)
_TOKEN_RE = re.compile(r'-?"[^"]*"?|\S+')
_WORD_RE = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class SortKey:
    column: str
    descending: bool


# Every sort, once: the backends' ORDER BY and the in-memory columns' partial sort are made
# from it; every order ends with the work id.
SORTS: dict[Sort, SortKey] = {
    Sort.QUALITY: SortKey("quality", True), Sort.KUDOS: SortKey("kudos", True),
    Sort.HITS: SortKey("hits", True), Sort.BOOKMARKS: SortKey("bookmarks", True),
    Sort.COMMENTS: SortKey("comments", True), Sort.WORDS: SortKey("words", True),
    Sort.UPDATED: SortKey("updated", True), Sort.PUBLISHED: SortKey("published", True),
    Sort.TITLE: SortKey("title_key", False),
}  # fmt: skip


def sort_key(sort: Sort) -> SortKey:
    """A filter-only search's order (relevance without words: quality)."""
    return SORTS.get(sort, SORTS[Sort.QUALITY])


def _terms(text: str) -> tuple[list[str], list[str]]:
    positive: list[str] = []
    negative: list[str] = []
    for token in _TOKEN_RE.findall(text):
        negate = token.startswith("-") and len(token) > 1
        words = _WORD_RE.findall(token)
        if not words:
            continue
        term = " ".join(words)
        target = negative if negate else positive
        if term not in target:
            target.append(term)
    content = [t for t in positive if t.lower() not in STOPWORDS]
    return content or positive, negative


def excluded_only(text: str) -> tuple[str, ...]:
    """The excluded terms of text that has nothing to find (``-angst -"dark willow"``)."""
    positive, negative = _terms(text)
    return tuple(negative) if negative and not positive else ()


Frequencies = Callable[[list[str]], dict[str, int]]
"""Terms → how many works hold each (the library's index knows)."""


@dataclass(frozen=True, slots=True)
class TextMatch:
    """What a work must hold: every term of one of ``groups``, and none of ``excluded``."""

    groups: tuple[tuple[str, ...], ...]
    excluded: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TextTerms:
    """The free text of a query: its terms (a word or a phrase each), and the title it is."""

    positive: tuple[str, ...]  # 'vampire', 'dark willow'
    negative: tuple[str, ...]
    title: str  # the words as a title (index_rows.title_norm): an exact title ranks first

    @classmethod
    def of(cls, text: str) -> TextTerms | None:
        """Words and "phrases", ``-word`` excluded.  Lone stopwords are dropped when other
        words remain ("a soldier comes home from the war"): every story has them, and
        intersecting their posting lists is most of a query's cost.

        >>> TextTerms.of('the vampire "dark willow" -angst').positive
        ('vampire', 'dark willow')
        """
        positive, negative = _terms(text)
        if not positive:
            return None
        plain = " ".join(t for t in _TOKEN_RE.findall(text) if not t.startswith("-"))
        return cls(tuple(positive), tuple(negative), title_norm(plain))

    @property
    def long(self) -> bool:
        return len(self.positive) >= LONG_QUERY

    def match(self, frequencies: Frequencies | None = None) -> TextMatch:
        """What a work must hold: every term, or (a long query) most of the rarest."""
        if not self.long:
            return TextMatch((self.positive,), self.negative)
        rarest = self.rarest(frequencies)[:RAREST]
        need = math.ceil(MOST_WORDS * len(rarest))
        return TextMatch(tuple(combinations(rarest, need)), self.negative)

    def rarest(self, frequencies: Frequencies | None) -> list[str]:
        """The terms, rarest first (without counts: longest first, a rough stand-in)."""
        counts = frequencies(list(self.positive)) if frequencies else {}
        order = {t: i for i, t in enumerate(self.positive)}
        # a word no work holds cannot help a work match ("most words" of the others)
        held = [t for t in self.positive if counts.get(t, 1) > 0] or list(self.positive)
        return sorted(held, key=lambda t: (counts.get(t, -len(t)), order[t]))


@dataclass(slots=True)
class Compiled:
    """What a query matches and how to order it: plain data each backend renders."""

    conditions: list[Condition] = field(default_factory=list)
    text: TextTerms | None = None
    match: TextMatch | None = None  # what a work must hold, if the query has words
    scored: tuple[str, ...] = ()  # the terms a work's text score sums over
    covered: tuple[str, ...] = ()  # a long query's rarest terms: its coverage is ranked first
    sort: Sort = Sort.RELEVANCE
    series: InSeries | None = None  # a series' works are listed by their part in it


TagMatcher = Callable[[TagFilter], KeyMatch]
"""A tag filter → the index keys it finds (the library's: it also knows its own tags)."""


class QueryCompiler:
    def __init__(
        self,
        resolver: TagResolver,
        frequencies: Frequencies | None = None,
        matcher: TagMatcher | None = None,
        today: date | None = None,
    ) -> None:
        self.resolver = resolver
        self.today = today  # what wip:abandoned compares with (None: the day it runs)
        self.frequencies = frequencies
        self.matcher = matcher

    def compile(self, query: Query) -> Compiled:
        text = TextTerms.of(query.text) if query.text else None
        out = Compiled(text=text, sort=query.sort)
        if text is not None:
            frequencies = self.frequencies
            if text.long and frequencies is not None:
                counts = frequencies(list(text.positive))  # asked once: match and score read it

                def frequencies(_terms: list[str]) -> dict[str, int]:
                    return counts

            out.match = text.match(frequencies)
            out.scored = text.positive
            if text.long:
                # The score sums over the rarer terms a work holds ("said" in a few hundred
                # story bodies among ten thousand blurbs looks rare to a library-wide IDF, and
                # would let any long story win); "most words" decides which works match.
                rarest = text.rarest(frequencies)
                out.scored, out.covered = tuple(rarest[:SCORED]), tuple(rarest[:RAREST])
        if query.series:
            out.series = _in_series(query.series)
        excluded = excluded_only(query.text) if query.text else ()
        if excluded:
            out.conditions.append(Not(TextHolds(excluded)))
        for clause in (
            self._includes, self._hiding, self._ratings, self._categories, self._complete,
            self._abandoned, self._series,
            self._ranges, self._languages, self._crossover, self._max_relationships,
            self._has_text, self._reading, self._hide_read, self._authors, self._work_ids,
        ):  # fmt: skip
            out.conditions.extend(clause(query))
        return out

    # -- tags ----------------------------------------------------------------------------

    def tag_test(
        self, f: TagFilter, query: Query, *, hiding: bool = False, guesses: bool = True
    ) -> TagTest | None:
        """The tag rows this filter finds (None: nothing it could mean); ``hiding``: rows
        trusted to hide a work (see :class:`TagTest`), guesses among them unless not
        ``guesses`` (the author's tags alone)."""
        # the index stores every tag's meta tags: the meta tag itself is enough
        match: KeyMatch = (
            self.matcher(f) if self.matcher else self.resolver.match(f.text, f.type, sub_tags=False)
        )
        if match.empty:
            return None
        main = f.main or (query.main_pairing and f.type in (None, TagType.RELATIONSHIP))
        kind = f.type.value if f.type is not None else None
        author_only = query.author_tags_only or (hiding and not guesses)
        hide_from = query.guess_bar if hiding else None
        return TagTest(match, kind, author_only, bool(main), hiding, hide_from)

    def _has_tag(
        self,
        filters: tuple[TagFilter, ...],
        query: Query,
        *,
        hiding: bool = False,
        guesses: bool = True,
    ) -> HasTag | Nothing:
        tests = tuple(
            t for f in filters if (t := self.tag_test(f, query, hiding=hiding, guesses=guesses))
        )
        return HasTag(tests) if tests else Nothing()  # nothing it could mean: no work has it

    def _includes(self, q: Query) -> list[Condition]:
        return [self._has_tag(group.any_of, q) for group in q.include]

    def _hiding(self, q: Query) -> list[Condition]:
        """The exclusions and the blacklist.  Guessed tags act in them as ``q.guesses`` says:
        from their type's measured bar (HIDE), not at all (SHOW: the author's tags alone
        hide), or ONLY — the works the author's tags keep and the guesses hide, which HIDE
        kept from the reader (a search counts them and links to them)."""
        if q.guesses is GuessHiding.HIDE:
            return self._hidden_by(q, guesses=True)
        by_author = self._hidden_by(q, guesses=False)
        if q.guesses is GuessHiding.SHOW:
            return by_author
        by_guesses = self._hidden_by(q, guesses=True)
        return [*by_author, Not(AllOf(tuple(by_guesses)))] if by_guesses else [Nothing()]

    def _hidden_by(self, q: Query, *, guesses: bool) -> list[Condition]:
        out: list[Condition] = []
        for f in q.exclude:
            has = self._has_tag((f,), q, hiding=True, guesses=guesses)
            if isinstance(has, HasTag):
                out.append(Not(has))
        if q.use_blacklist:
            out += [c for c in (self._blacklisted(e, q, guesses) for e in q.blacklist) if c]
        return out

    def _fixed(self, values: list[str], tag_type: TagType, q: Query) -> list[Condition]:
        if not values:
            return []
        return [self._has_tag(tuple(TagFilter(v, tag_type) for v in values), q)]

    def _ratings(self, q: Query) -> list[Condition]:
        if not q.ratings or q.author_tags_only:
            return self._fixed(q.ratings, TagType.RATING, q)
        # the effective rating is a column: no tag lookups for the commonest filter
        keys: set[str] = set()
        for rating in q.ratings:
            keys |= self.resolver.match(rating, TagType.RATING).keys
        return [OneOf("rating", tuple(sorted(keys)))]

    def _categories(self, q: Query) -> list[Condition]:
        return self._fixed(q.categories, TagType.CATEGORY, q)

    # -- work fields ---------------------------------------------------------------------

    def _complete(self, q: Query) -> list[Condition]:
        if q.complete is None:
            return []
        return [Compare("status", "=", "complete" if q.complete else "in-progress")]

    def _abandoned(self, q: Query) -> list[Condition]:
        """An abandoned work in progress: its abandoned-since day (stored, index_rows) has
        come; an active one has no such day or has not reached it."""
        if q.abandoned is None:
            return []
        reached = Compare("abandoned_since", "<=", (self.today or date.today()).isoformat())
        return [Compare("status", "=", "in-progress"), reached if q.abandoned else Not(reached)]

    def _series(self, q: Query) -> list[Condition]:
        return [_in_series(q.series)] if q.series else []

    def _ranges(self, q: Query) -> list[Condition]:
        out: list[Condition] = []
        for column, rng in (
            ("words", q.words), ("chapters", q.chapters), ("kudos", q.kudos),
            ("published", q.published), ("updated", q.updated),
        ):  # fmt: skip
            if rng.low is not None:
                out.append(Compare(column, ">=", rng.low))
            if rng.high is not None:
                out.append(Compare(column, "<=", rng.high))
        return out

    def _languages(self, q: Query) -> list[Condition]:
        keys = sorted({k for k in (language_key(x) for x in q.languages) if k})
        return [OneOf("language", tuple(keys))] if keys else []

    def _crossover(self, q: Query) -> list[Condition]:
        # fandoms of one franchise ("Star Trek" and "Star Trek: Deep Space Nine") are no crossover
        if q.crossover is Crossover.EXCLUDE:
            return [Compare("franchises", "<=", 1)]
        if q.crossover is Crossover.ONLY:
            return [Compare("franchises", ">", 1)]
        return []

    def _max_relationships(self, q: Query) -> list[Condition]:
        if q.max_relationships is None:
            return []
        return [Compare("relationships", "<=", q.max_relationships)]

    def _has_text(self, q: Query) -> list[Condition]:
        if q.has_text is None:
            return []
        return [Compare("has_text", "=", int(q.has_text))]

    def _reading(self, q: Query) -> list[Condition]:
        if not q.reading:
            return []
        return [ReadingIs(tuple(s.value for s in q.reading))]

    def _hide_read(self, q: Query) -> list[Condition]:
        return [Not(ReadingIs((ReadingStatus.READ.value,)))] if q.hide_read else []

    def _authors(self, q: Query) -> list[Condition]:
        if not q.authors:
            return []
        return [ByAuthor(tuple(sorted({normalise(a) for a in q.authors})))]

    def _work_ids(self, q: Query) -> list[Condition]:
        if q.work_ids is None:
            return []
        return [OneOf("id", tuple(q.work_ids))]

    def _blacklisted(self, entry: BlacklistEntry, q: Query, guesses: bool) -> Condition | None:
        hidden: Condition
        if entry.kind is BlacklistKind.WORK:
            try:
                return Compare("id", "!=", int(entry.value))
            except ValueError:
                return None
        if entry.kind is BlacklistKind.AUTHOR:
            hidden = ByAuthor((normalise(entry.value),))
        else:
            # A blacklist reads every tag the work has that may hide it: the author's, and
            # guesses as sure as their type's measured bar (a noisy guess hides nothing).
            has = self._has_tag(
                (TagFilter(entry.value),),
                Query(guess_bar=q.guess_bar),
                hiding=True,
                guesses=guesses,
            )
            if isinstance(has, Nothing):
                return None
            hidden = has
        if entry.fandom:
            scope = self._has_tag((TagFilter(entry.fandom, TagType.FANDOM),), q)
            return Not(AllOf((hidden, scope)))
        return Not(hidden)


def _in_series(names: list[str]) -> InSeries:
    """A series named in any letter case; ``*`` a wildcard."""
    exact = tuple(normalise(n) for n in names if "*" not in n)
    patterns = tuple(normalise(n) for n in names if "*" in n)
    return InSeries(exact, patterns)
