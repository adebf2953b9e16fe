"""The one place a :class:`~ficsift.library.query.Query` becomes SQL (SQLite dialect).

Like AO3's ``WorkQuery``, the query is built from tiny clause methods, each returning
:mod:`~ficsift.library.conditions` (which say themselves as ``WHERE`` fragments with bound
parameters) or nothing.  Tag filters compile to ``IN`` sets over ``tag_index`` with the keys :class:`~ficsift.library.tag_keys.TagResolver` expands them
to; free text compiles to an FTS5 ``MATCH`` ranked by fielded BM25 (:class:`TextTerms`).
Nothing else in ficsift writes SQL against these tables for searching.

Free text, as AO3's ``general_query`` weighs it: title and authors most, then summary and
tags, then notes and body.  Each group is scored by BM25 over its own FTS5 table
(``head_fts``: the short fields; ``work_fts``: notes and body), so a title word is not
discounted by the length of the novel under it, and a two-line listing blurb does not outrank
a full story that holds the words in its text too.  A work whose title *is* the query comes
first.  Up to three words must all occur (anywhere in the work); from four words on a work
must hold "most of them" — at least ``MOST_WORDS`` of the query's rarest ``RAREST`` terms
that some work holds — and ranks by its coverage of those terms, then BM25 over the
``SCORED`` rarest, so a pasted summary or a remembered sentence finds its story even though
some of its words are in no work (weights tuned on half the shared corpus's fandoms by
``scripts/eval_relevance.py``; the other half reports).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import combinations
from typing import Any

from ficsift.library.conditions import (
    AllOf,
    Compare,
    Condition,
    HasTag,
    Not,
    Nothing,
    OneOf,
    RawSql,
)
from ficsift.library.index_rows import title_norm
from ficsift.library.passages import STOPWORDS
from ficsift.library.query import (
    BlacklistEntry,
    BlacklistKind,
    Crossover,
    Query,
    ReadingStatus,
    Sort,
    TagFilter,
)
from ficsift.library.tag_keys import KeyMatch, TagResolver, language_key, normalise
from ficsift.model import TagType

# Fielded BM25 (tuned on half the shared corpus's fandoms, scripts/eval_relevance.py):
# head_fts columns title, authors, summary, tags; work_fts columns (title, authors, summary,
# tags,) notes, body — the head columns weigh 0 there, head_fts has scored them.
HEAD_WEIGHTS = (7.0, 5.0, 2.0, 2.0)
BODY_WEIGHTS = (0.0, 0.0, 0.0, 0.0, 1.0, 1.0)
BODY_SHARE = 0.5  # the body's BM25 beside the head's
LONG_QUERY = 4  # terms from which a query asks for "most of these words"
MOST_WORDS = 0.34  # the share of the rarest terms a long query's match must hold
RAREST = 6  # terms a long query's match is made of (the rarest: they decide; and cost least)
SCORED = 12  # terms a long query's body score sums over (the rarest)
COVERAGE = 60.0  # a long query holding all its rarest terms: above any BM25 difference
_TOKEN_RE = re.compile(r'-?"[^"]*"?|\S+')
_WORD_RE = re.compile(r"\w+", re.UNICODE)

SORT_COLUMNS: dict[Sort, str] = {
    Sort.QUALITY: "w.quality DESC NULLS LAST",
    Sort.KUDOS: "w.kudos DESC NULLS LAST",
    Sort.HITS: "w.hits DESC NULLS LAST",
    Sort.BOOKMARKS: "w.bookmarks DESC NULLS LAST",
    Sort.COMMENTS: "w.comments DESC NULLS LAST",
    Sort.WORDS: "w.words DESC",
    Sort.UPDATED: "w.updated DESC NULLS LAST",
    Sort.PUBLISHED: "w.published DESC NULLS LAST",
    Sort.TITLE: "w.title_key ASC",
}


def fts_expression(text: str) -> str | None:
    """Free text → an FTS5 expression: words and "phrases" ANDed, ``-word`` excluded.

    Every term is quoted, so FTS5 operators typed by a reader are just words.  Lone stopwords
    are dropped when other words remain ("a soldier comes home from the war"): every story
    has them, and intersecting their posting lists is most of a query's cost.  (What a search
    matches is :meth:`TextTerms.match`; this is the plain form, for passages.)

    >>> fts_expression('the vampire "dark willow" -angst')
    '("vampire" AND "dark willow") NOT "angst"'
    """
    terms = TextTerms.of(text)
    return None if terms is None else terms.all_of(terms.positive)


def excluded_only(text: str) -> str | None:
    """For text with only excluded words (``-angst -"dark willow"``): an FTS5 expression
    matching the works to leave out; None when the text has a word to find.

    >>> excluded_only('-angst -"dark willow"')
    '"angst" OR "dark willow"'
    """
    positive, negative = _terms(text)
    return " OR ".join(negative) if negative and not positive else None


def _terms(text: str) -> tuple[list[str], list[str]]:
    positive: list[str] = []
    negative: list[str] = []
    for token in _TOKEN_RE.findall(text):
        negate = token.startswith("-") and len(token) > 1
        words = _WORD_RE.findall(token)
        if not words:
            continue
        term = '"' + " ".join(words) + '"'
        target = negative if negate else positive
        if term not in target:
            target.append(term)
    content = [t for t in positive if t.strip('"').lower() not in STOPWORDS]
    return content or positive, negative


Frequencies = Callable[[list[str]], dict[str, int]]
"""Terms (quoted FTS5 strings) → how many works hold each (the library's index knows)."""


@dataclass(frozen=True, slots=True)
class TextTerms:
    """The free text of a query as FTS5 terms, and the expressions a search runs."""

    positive: tuple[str, ...]  # quoted: '"vampire"', '"dark willow"'
    negative: tuple[str, ...]
    title: str  # the words as a title (index_rows.title_norm): an exact title ranks first

    @classmethod
    def of(cls, text: str) -> TextTerms | None:
        positive, negative = _terms(text)
        if not positive:
            return None
        plain = " ".join(t for t in _TOKEN_RE.findall(text) if not t.startswith("-"))
        return cls(tuple(positive), tuple(negative), title_norm(plain))

    @property
    def long(self) -> bool:
        return len(self.positive) >= LONG_QUERY

    def all_of(self, terms: tuple[str, ...] | list[str]) -> str:
        return self.without(" AND ".join(terms))

    def without(self, expression: str) -> str:
        """The expression less the excluded terms."""
        if not self.negative:
            return expression
        return f"({expression})" + "".join(f" NOT {t}" for t in self.negative)

    def match(self, frequencies: Frequencies | None = None) -> str:
        """What a work must hold: every term, or (a long query) most of the rarest."""
        if not self.long:
            return self.all_of(self.positive)
        rarest = self.rarest(frequencies)[:RAREST]
        need = math.ceil(MOST_WORDS * len(rarest))
        groups = [" AND ".join(group) for group in combinations(rarest, need)]
        return self.without(" OR ".join(f"({g})" for g in groups))

    def rarest(self, frequencies: Frequencies | None) -> list[str]:
        """The terms, rarest first (without counts: longest first, a rough stand-in)."""
        counts = frequencies(list(self.positive)) if frequencies else {}
        order = {t: i for i, t in enumerate(self.positive)}
        # a word no work holds cannot help a work match ("most words" of the others)
        held = [t for t in self.positive if counts.get(t, 1) > 0] or list(self.positive)
        return sorted(held, key=lambda t: (counts.get(t, -len(t)), order[t]))

    def any_of(self) -> str:
        """Every term, any of them: what scores a work (BM25 sums over the terms it has)."""
        return " OR ".join(self.positive)


@dataclass(slots=True)
class Compiled:
    """What a query matches (its conditions) and how to order it, ready for SQL."""

    conditions: list[Condition] = field(default_factory=list)
    fts: str | None = None  # the work_fts MATCH expression, if the query has words
    text: TextTerms | None = None
    sort: Sort = Sort.RELEVANCE
    most: str | None = None  # a long query: what a work must hold (``fts`` scores all terms)
    covered: list[str] = field(default_factory=list)  # a long query's rarest terms: coverage
    scored: list[str] = field(default_factory=list)  # a long query's terms BM25 sums over
    # what orders a filter-only best-match list first (a series' works by part), with params
    first: tuple[str, tuple[Any, ...]] | None = None

    def _where(self) -> tuple[str, list[Any]]:
        where: list[str] = ["work_fts MATCH ?"] if self.fts else []
        params: list[Any] = [self.fts] if self.fts else []
        if self.fts and self.most:
            where.append("w.id IN (SELECT rowid FROM work_fts WHERE work_fts MATCH ?)")
            params.append(self.most)
        for c in self.conditions:
            sql, more = c.sql()
            where.append(sql)
            params.extend(more)
        return " AND ".join(where) or "1", params

    @property
    def _from(self) -> str:
        if self.fts:
            return "FROM work_fts JOIN search_rows w ON w.id = work_fts.rowid"
        return "FROM search_rows w"

    def matching_sql(self, columns: str = "w.id") -> tuple[str, list[Any]]:
        """SELECT ``columns`` of every matching work, unordered (for counts and sets)."""
        if self.fts and self.most:
            # A long query's works are those holding most of its rarest terms, and each of
            # them holds one of the terms ``fts`` scores (the rarest are among them): the
            # scoring expression's scan adds nothing to a count but its cost (a third of a
            # 100k-work hybrid search).
            counted = replace(self, fts=self.most, most=None)
            return counted.matching_sql(columns)
        where, params = self._where()
        return f"SELECT {columns} {self._from} WHERE {where}", params

    def ranked_sql(self) -> tuple[str, list[Any]]:
        """``SELECT id, score, exact`` in the query's order (the caller adds LIMIT): score is
        higher-better, exact 1 for a work whose title is the query's words."""
        where, params = self._where()
        if not self.fts or self.text is None:
            sql = f"SELECT w.id AS id, coalesce(w.quality, 0) AS score, 0 AS exact {self._from}"
            if self.first is not None and self.sort is Sort.RELEVANCE:
                first, more = self.first
                return f"{sql} WHERE {where} ORDER BY {first}, {self.order}", [*params, *more]
            return f"{sql} WHERE {where} ORDER BY {self.order}", params
        head = ", ".join(str(w) for w in HEAD_WEIGHTS)
        body = ", ".join(str(w) for w in BODY_WEIGHTS)
        # Coverage: the share of a long query's rarest terms the work holds (each term's
        # works are one small set, built once per query by SQLite).
        held = " + ".join(
            "(w.id IN (SELECT rowid FROM work_fts WHERE work_fts MATCH ?))" for _ in self.covered
        )
        coverage = f" + {COVERAGE} * ({held}) / {len(self.covered)}.0" if self.covered else ""
        sql = (
            "WITH head_hits(id, score) AS MATERIALIZED (SELECT rowid, "
            f"-bm25(head_fts, {head}) FROM head_fts WHERE head_fts MATCH ?) "
            f"SELECT w.id AS id, coalesce(h.score, 0) + {BODY_SHARE} * -bm25(work_fts, {body})"
            f"{coverage} AS score, (w.title_norm = ?) AS exact {self._from} "
            f"LEFT JOIN head_hits h ON h.id = w.id WHERE {where} ORDER BY {self.order}"
        )
        # a long query's head is scored on its rarer terms too (common words' head matches
        # are many, and add little)
        head_terms = " OR ".join(self.scored) if self.scored else self.text.any_of()
        return sql, [head_terms, *self.covered, self.text.title, *params]

    @property
    def order(self) -> str:
        if self.sort == Sort.RELEVANCE and not self.fts:
            return f"{SORT_COLUMNS[Sort.QUALITY]}, w.id"  # walks the quality index
        if self.sort == Sort.RELEVANCE or self.sort not in SORT_COLUMNS:
            return "exact DESC, score DESC, w.id"
        return f"{SORT_COLUMNS[self.sort]}, w.id"


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
            out.fts = text.match(self.frequencies)
            if text.long:
                # BM25 sums over the rarer terms a work holds ("said" in a few hundred story
                # bodies among ten thousand blurbs looks rare to a library-wide IDF, and would
                # let any long story win); "most words" decides which works match.
                rarest = text.rarest(self.frequencies)
                out.scored, out.covered = rarest[:SCORED], rarest[:RAREST]
                out.fts, out.most = text.without(" OR ".join(out.scored)), out.fts
        if query.series:
            # a series' works read in order: by their part in it (the best match has no order)
            tests, params = _series_match(query.series)
            out.first = (
                f"(SELECT min(s.part) FROM work_series s WHERE s.work_id = w.id AND {tests}) "
                "NULLS LAST",
                params,
            )
        excluded = excluded_only(query.text) if query.text else None
        if excluded:
            out.conditions.append(
                RawSql(
                    "w.id NOT IN (SELECT rowid FROM work_fts WHERE work_fts MATCH ?)", (excluded,)
                )
            )
        for clause in (
            self._includes, self._excludes, self._ratings, self._categories, self._complete,
            self._abandoned, self._series,
            self._ranges, self._languages, self._crossover, self._max_relationships,
            self._has_text, self._reading, self._hide_read, self._authors, self._work_ids,
            self._blacklist,
        ):  # fmt: skip
            out.conditions.extend(clause(query))
        return out

    # -- tags ----------------------------------------------------------------------------

    def tag_condition(
        self, f: TagFilter, query: Query, alias: str = "t"
    ) -> tuple[str, list[Any]] | None:
        """SQL true for a ``tag_index`` row (``alias``) that this filter finds."""
        # the index stores every tag's meta tags: the meta tag itself is enough
        match: KeyMatch = (
            self.matcher(f) if self.matcher else self.resolver.match(f.text, f.type, sub_tags=False)
        )
        if match.empty:
            return None
        options: list[str] = []
        params: list[Any] = []
        if match.keys:
            if len(match.keys) == 1:
                options.append(f"{alias}.key = ?")
                params.append(next(iter(match.keys)))
            else:
                options.append(f"{alias}.key IN (SELECT value FROM json_each(?))")
                params.append(json.dumps(sorted(match.keys)))
        for patterns in match.patterns:
            globs = " AND ".join("n.key GLOB ?" for _ in patterns)
            kind = "n.type = ? AND " if f.type is not None else ""
            options.append(f"{alias}.key IN (SELECT n.key FROM tag_names n WHERE {kind}{globs})")
            params.extend([f.type.value] if f.type is not None else [])
            params.extend(patterns)
        parts = ["(" + " OR ".join(options) + ")"]
        if f.type is not None:
            parts.append(f"{alias}.type = ?")
            params.append(f.type.value)
        if query.author_tags_only:
            parts.append(f"{alias}.origin = 'author'")
        else:
            parts.append(f"{alias}.effective = 1")
        if f.main or (query.main_pairing and f.type in (None, TagType.RELATIONSHIP)):
            # "main pairing only": a relationship filter must hit the main pairing; filters
            # on other types are unaffected.
            parts.append(f"({alias}.type != 'relationship' OR {alias}.main = 1)")
        return " AND ".join(parts), params

    def _has_tag(self, filters: tuple[TagFilter, ...], query: Query) -> HasTag | Nothing:
        conditions = [c for c in (self.tag_condition(f, query) for f in filters) if c]
        if not conditions:
            return Nothing()  # nothing it could mean: no work has it
        sql = " OR ".join(f"({c[0]})" for c in conditions)
        return HasTag(sql, tuple(p for c in conditions for p in c[1]))

    def _includes(self, q: Query) -> list[Condition]:
        return [self._has_tag(group.any_of, q) for group in q.include]

    def _excludes(self, q: Query) -> list[Condition]:
        out: list[Condition] = []
        for f in q.exclude:
            has = self._has_tag((f,), q)
            if isinstance(has, HasTag):
                out.append(Not(has))
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
        if not q.series:
            return []
        tests, params = _series_match(q.series)
        return [RawSql(f"w.id IN (SELECT s.work_id FROM work_series s WHERE {tests})", params)]

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
        statuses = json.dumps([s.value for s in q.reading])
        return [
            RawSql(
                "EXISTS (SELECT 1 FROM reading r WHERE r.work_id = w.id "
                "AND r.status IN (SELECT value FROM json_each(?)))",
                (statuses,),
            )
        ]

    def _hide_read(self, q: Query) -> list[Condition]:
        if not q.hide_read:
            return []
        return [
            RawSql(
                "NOT EXISTS (SELECT 1 FROM reading r WHERE r.work_id = w.id AND r.status = ?)",
                (ReadingStatus.READ.value,),
            )
        ]

    def _authors(self, q: Query) -> list[Condition]:
        if not q.authors:
            return []
        names = json.dumps(sorted({normalise(a) for a in q.authors}))
        return [RawSql(_AUTHOR_SQL, (names,))]

    def _work_ids(self, q: Query) -> list[Condition]:
        if q.work_ids is None:
            return []
        return [OneOf("id", tuple(q.work_ids))]

    def _blacklist(self, q: Query) -> list[Condition]:
        if not q.use_blacklist:
            return []
        return [c for c in (self._blacklisted(e, q) for e in q.blacklist) if c]

    def _blacklisted(self, entry: BlacklistEntry, q: Query) -> Condition | None:
        hidden: Condition
        if entry.kind is BlacklistKind.WORK:
            try:
                return Compare("id", "!=", int(entry.value))
            except ValueError:
                return None
        if entry.kind is BlacklistKind.AUTHOR:
            hidden = RawSql(_AUTHOR_SQL, (json.dumps([normalise(entry.value)]),))
        else:
            # A blacklist reads every tag the work has (inferred too): hiding is the point.
            has = self._has_tag((TagFilter(entry.value),), Query(author_tags_only=False))
            if isinstance(has, Nothing):
                return None
            hidden = has
        if entry.fandom:
            scope = self._has_tag((TagFilter(entry.fandom, TagType.FANDOM),), q)
            return Not(AllOf((hidden, scope)))
        return Not(hidden)


def _series_match(names: list[str]) -> tuple[str, tuple[Any, ...]]:
    """SQL true for a ``work_series`` row (alias ``s``) naming one of these series: the name
    in any letter case, ``*`` a wildcard (the name's own ``[`` and ``?`` are letters)."""
    exact = [normalise(n) for n in names if "*" not in n]
    globs = [re.sub(r"[\[?]", lambda m: f"[{m.group(0)}]", normalise(n)) for n in names if "*" in n]
    tests = ["s.key IN (SELECT value FROM json_each(?))"] * bool(exact)
    tests += ["s.key GLOB ?"] * len(globs)
    return "(" + " OR ".join(tests) + ")", (*[json.dumps(exact)] * bool(exact), *globs)


_AUTHOR_SQL = (
    "EXISTS (SELECT 1 FROM works x, json_each(x.authors) a WHERE x.id = w.id AND "
    "lower(a.value) IN (SELECT value FROM json_each(?)))"
)
