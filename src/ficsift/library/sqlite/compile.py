"""A compiled query said in SQLite's SQL: conditions as ``WHERE`` fragments, words as FTS5.

What a query means is decided in :mod:`ficsift.library.compile`; this module only says it.
Tag conditions become uncorrelated ``IN`` sets over ``tag_index`` (SQLite builds each set of
works once, from the (key, type) primary key, instead of probing every work's tags).

Free text is scored by fielded BM25 over two FTS5 tables (``head_fts``: the short fields;
``work_fts``: notes and body), so a title word is not discounted by the length of the novel
under it, and a two-line listing blurb does not outrank a full story that holds the words in
its text too.  A work whose title *is* the query comes first.  Weights tuned on half the
shared corpus's fandoms by ``scripts/eval_relevance.py``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ficsift.library.compile import BODY_SHARE, COVERAGE, Compiled, SortKey, TextMatch, sort_key
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
from ficsift.library.query import Sort

# head_fts columns title, authors, summary, tags; work_fts columns (title, authors, summary,
# tags,) notes, body — the head columns weigh 0 there, head_fts has scored them.
HEAD_WEIGHTS = (7.0, 5.0, 2.0, 2.0)
BODY_WEIGHTS = (0.0, 0.0, 0.0, 0.0, 1.0, 1.0)


def quoted(term: str) -> str:
    """An FTS5 string: operators a reader typed are just words."""
    return '"' + term.replace('"', " ") + '"'


def fts_match(match: TextMatch) -> str:
    """A :class:`TextMatch` as an FTS5 expression.

    >>> fts_match(TextMatch((("vampire", "dark willow"),), ("angst",)))
    '("vampire" AND "dark willow") NOT "angst"'
    """
    groups = [" AND ".join(quoted(t) for t in group) for group in match.groups]
    expression = groups[0] if len(groups) == 1 else " OR ".join(f"({g})" for g in groups)
    if not match.excluded:
        return expression
    return f"({expression})" + "".join(f" NOT {quoted(t)}" for t in match.excluded)


def _any(terms: tuple[str, ...]) -> str:
    return " OR ".join(quoted(t) for t in terms)


def glob(pattern: str) -> str:
    """A neutral wildcard pattern (``*`` any run) as a GLOB: the rest taken literally."""
    return "*".join(re.sub(r"([\[\]?])", r"[\1]", part) for part in pattern.split("*"))


def _ids(values: tuple[Any, ...] | list[Any]) -> str:
    return json.dumps(list(values))


_AUTHOR_SQL = (
    "EXISTS (SELECT 1 FROM works x, json_each(x.authors) a WHERE x.id = w.id AND "
    "lower(a.value) IN (SELECT value FROM json_each(?)))"
)


def tag_test_sql(test: TagTest, alias: str = "t") -> tuple[str, list[Any]]:
    """SQL true for a ``tag_index`` row (``alias``) that this test finds."""
    options: list[str] = []
    params: list[Any] = []
    keys = test.match.keys
    if len(keys) == 1:
        options.append(f"{alias}.key = ?")
        params.append(next(iter(keys)))
    elif keys:
        options.append(f"{alias}.key IN (SELECT value FROM json_each(?))")
        params.append(_ids(sorted(keys)))
    for patterns in test.match.patterns:
        globs = " AND ".join("n.key GLOB ?" for _ in patterns)
        kind = "n.type = ? AND " if test.type is not None else ""
        options.append(f"{alias}.key IN (SELECT n.key FROM tag_names n WHERE {kind}{globs})")
        params.extend([test.type] if test.type is not None else [])
        params.extend(glob(p) for p in patterns)
    parts = ["(" + " OR ".join(options) + ")"]
    if test.type is not None:
        parts.append(f"{alias}.type = ?")
        params.append(test.type)
    parts.append(f"{alias}.origin = 'author'" if test.author_only else f"{alias}.effective = 1")
    if test.hiding and test.hide_from is None:
        parts.append(f"{alias}.hides = 1")
    elif test.hiding:  # the reader's own level: the author's tags, and guesses that sure
        parts.append(f"({alias}.origin = 'author' OR {alias}.confidence >= ?)")
        params.append(test.hide_from)
    if test.main_only:
        parts.append(f"({alias}.type != 'relationship' OR {alias}.main = 1)")
    return " AND ".join(parts), params


def has_tag_where(condition: HasTag) -> tuple[str, list[Any]]:
    said = [tag_test_sql(t) for t in condition.any_of]
    return " OR ".join(f"({s})" for s, _ in said), [p for _, ps in said for p in ps]


def posting_sql(condition: HasTag) -> tuple[str, list[Any]]:
    """The works a tag condition finds as one comma-separated string, repeats and all (a
    posting list for a bit mask: no de-duplicating B-tree, and one row instead of one per
    work, which made fetching 35,000 ids 26 → 16 ms)."""
    where, params = has_tag_where(condition)
    return f"SELECT group_concat(t.work_id) FROM tag_index t WHERE {where}", params


def series_sql(condition: InSeries) -> tuple[str, list[Any]]:
    """SQL true for a ``work_series`` row (alias ``s``) the condition names."""
    tests = ["s.key IN (SELECT value FROM json_each(?))"] * bool(condition.keys)
    tests += ["s.key GLOB ?"] * len(condition.patterns)
    params: list[Any] = [_ids(condition.keys)] * bool(condition.keys)
    return "(" + " OR ".join(tests) + ")", [*params, *(glob(p) for p in condition.patterns)]


def condition_sql(c: Condition) -> tuple[str, list[Any]]:
    """A condition about the search row aliased ``w``, as a ``WHERE`` fragment."""
    if isinstance(c, Compare):
        return f"w.{c.column} {c.op} ?", [c.value]
    if isinstance(c, OneOf):
        return f"w.{c.column} IN (SELECT value FROM json_each(?))", [_ids(c.values)]
    if isinstance(c, HasTag):
        where, params = has_tag_where(c)
        return f"w.id IN (SELECT t.work_id FROM tag_index t WHERE {where})", params
    if isinstance(c, InSeries):
        tests, params = series_sql(c)
        return f"w.id IN (SELECT s.work_id FROM work_series s WHERE {tests})", params
    if isinstance(c, ReadingIs):
        return (
            "EXISTS (SELECT 1 FROM reading r WHERE r.work_id = w.id "
            "AND r.status IN (SELECT value FROM json_each(?)))",
            [_ids(c.statuses)],
        )
    if isinstance(c, ByAuthor):
        return _AUTHOR_SQL, [_ids(c.names)]
    if isinstance(c, TextHolds):
        return "w.id IN (SELECT rowid FROM work_fts WHERE work_fts MATCH ?)", [_any(c.terms)]
    if isinstance(c, Not):
        sql, params = condition_sql(c.inner)
        if isinstance(c.inner, Compare):
            # a NULL column fails the comparison, so NOT of it holds (as in memory), not NULL
            return f"NOT coalesce({sql}, 0)", params
        return f"NOT ({sql})", params
    if isinstance(c, AllOf):
        said = [condition_sql(p) for p in c.parts]
        return "(" + " AND ".join(s for s, _ in said) + ")", [x for _, ps in said for x in ps]
    if isinstance(c, Nothing):
        return "0", []
    raise TypeError(f"no SQL for {c!r}")


def order_by(key: SortKey) -> str:
    direction = "DESC NULLS LAST" if key.descending else "ASC"
    return f"w.{key.column} {direction}"


@dataclass(slots=True)
class SqliteQuery:
    """One compiled query as SQLite statements."""

    compiled: Compiled

    @property
    def fts(self) -> str | None:
        """The ``work_fts MATCH`` expression the body score comes from: every term a short
        query needs, or any of a long query's scored terms."""
        c = self.compiled
        if c.match is None:
            return None
        if not c.covered:
            return fts_match(c.match)
        return fts_match(TextMatch(tuple((t,) for t in c.scored), c.match.excluded))

    @property
    def most(self) -> str | None:
        """A long query: what a work must hold (``fts`` only scores)."""
        c = self.compiled
        return fts_match(c.match) if c.match is not None and c.covered else None

    def _where(self, fts: str | None, most: bool = False) -> tuple[str, list[Any]]:
        """``most``: a long query's works are also in the ``matched`` CTE (``ranked_sql``)."""
        where: list[str] = ["work_fts MATCH ?"] if fts else []
        params: list[Any] = [fts] if fts else []
        if fts and most:
            where.append("w.id IN (SELECT id FROM matched)")
        for c in self.compiled.conditions:
            sql, more = condition_sql(c)
            where.append(sql)
            params.extend(more)
        return " AND ".join(where) or "1", params

    @staticmethod
    def _from(fts: str | None) -> str:
        if fts:
            return "FROM work_fts JOIN search_rows w ON w.id = work_fts.rowid"
        return "FROM search_rows w"

    def matching_sql(self, columns: str = "w.id") -> tuple[str, list[Any]]:
        """SELECT ``columns`` of every matching work, unordered (for counts and sets)."""
        # A long query's works are those holding most of its rarest terms, and each of them
        # holds one of the terms ``fts`` scores (the rarest are among them): the scoring
        # expression's scan adds nothing to a count but its cost (a third of a 100k-work
        # hybrid search).
        fts = self.most or self.fts
        where, params = self._where(fts)
        return f"SELECT {columns} {self._from(fts)} WHERE {where}", params

    def ranked_sql(self) -> tuple[str, list[Any]]:
        """``SELECT id, score, exact`` in the query's order (the caller adds LIMIT): score is
        higher-better, exact 1 for a work whose title is the query's words."""
        c, fts, most = self.compiled, self.fts, self.most
        where, params = self._where(fts, most is not None)
        if not fts or c.text is None:
            sql = (
                f"SELECT w.id AS id, coalesce(w.quality, 0) AS score, 0 AS exact {self._from(fts)}"
            )
            if c.series is not None and c.sort is Sort.RELEVANCE:
                tests, more = series_sql(c.series)
                first = (
                    f"(SELECT min(s.part) FROM work_series s WHERE s.work_id = w.id AND {tests}) "
                    "NULLS LAST"
                )
                return f"{sql} WHERE {where} ORDER BY {first}, {self.order}", [*params, *more]
            return f"{sql} WHERE {where} ORDER BY {self.order}", params
        head = ", ".join(str(w) for w in HEAD_WEIGHTS)
        body = ", ".join(str(w) for w in BODY_WEIGHTS)
        # Coverage: the share of a long query's rarest terms the work holds (each term's
        # works are one small set, built once per query by SQLite).
        held = " + ".join(
            "(w.id IN (SELECT rowid FROM work_fts WHERE work_fts MATCH ?))" for _ in c.covered
        )
        coverage = f" + {COVERAGE} * ({held}) / {len(c.covered)}.0" if c.covered else ""
        # A long query's works (most of its rarest terms) are found once; the head's BM25 is
        # computed for them only: scoring every title, summary and tag list holding one of its
        # common words was a third of a long query's cost.
        matched = (
            "matched(id) AS MATERIALIZED (SELECT rowid FROM work_fts WHERE work_fts MATCH ?), "
            if most
            else ""
        )
        in_matched = " AND +rowid IN (SELECT id FROM matched)" if most else ""
        sql = (
            f"WITH {matched}head_hits(id, score) AS MATERIALIZED (SELECT rowid, "
            f"-bm25(head_fts, {head}) FROM head_fts WHERE head_fts MATCH ?{in_matched}) "
            f"SELECT w.id AS id, coalesce(h.score, 0) + {BODY_SHARE} * -bm25(work_fts, {body})"
            f"{coverage} AS score, (w.title_norm = ?) AS exact {self._from(fts)} "
            f"LEFT JOIN head_hits h ON h.id = w.id WHERE {where} ORDER BY {self.order}"
        )
        # a long query's head is scored on its rarer terms too (common words' head matches
        # are many, and add little)
        covered = [quoted(t) for t in c.covered]
        most_params = [most] if most else []
        return sql, [*most_params, _any(c.scored), *covered, c.text.title, *params]

    @property
    def order(self) -> str:
        c = self.compiled
        if c.sort == Sort.RELEVANCE and c.match is None:
            return f"{order_by(sort_key(Sort.QUALITY))}, w.id"  # walks the quality index
        if c.sort == Sort.RELEVANCE:
            return "exact DESC, score DESC, w.id"
        return f"{order_by(sort_key(c.sort))}, w.id"
