"""A compiled query said in PostgreSQL's SQL: conditions as ``WHERE`` fragments, words as tsquery.

What a query means is decided in :mod:`ficsift.library.compile`; this module only says it,
with ``?`` placeholders (:class:`~ficsift.library.postgresql.library.PgConnection` binds them)
and lists bound as arrays (``= ANY(?)``).

Full text is ``work_text``: ``body`` holds every field (title, authors, summary, tags, notes,
story) and decides what matches, as SQLite's ``work_fts`` does; ``head`` holds the short
fields weighted (title A, authors B, summary and tags C) and ranks them apart, so a title word
is not discounted by the length of the novel under it.  Terms are ``phraseto_tsquery`` under
the ``english`` configuration (Snowball stemming, as SQLite's Porter stemmer; PostgreSQL also
drops stopwords, which SQLite keeps — a query of stopwords alone finds nothing here).
"""

from __future__ import annotations

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

# ts_rank weights for the head's {D, C, B, A}: title 1, authors 5/7, summary and tags 2/7 (the
# proportions of SQLite's fielded BM25 weights 7, 5, 2, 2).
HEAD_WEIGHTS = "{0, 0.2857, 0.7143, 1}"
RANK_SCALE = 10.0  # ts_rank is about a tenth of BM25's range: the coverage bonus stays above
FREQUENCY_CAP = 10_000  # works counted per term: enough to tell rare from common


TERM = "phraseto_tsquery('english', ?)"  # one term (a word or a phrase), bound


def tsquery(match: TextMatch) -> tuple[str, list[Any]]:
    """A :class:`TextMatch` as a tsquery expression (``&&``, ``||``, ``!!``)."""
    groups = []
    params: list[Any] = []
    for group in match.groups:
        groups.append("(" + " && ".join(TERM for _ in group) + ")")
        params.extend(group)
    expression = "(" + " || ".join(groups) + ")"
    for term in match.excluded:
        expression += f" && !!{TERM}"
        params.append(term)
    return f"({expression})", params


def any_term(terms: tuple[str, ...]) -> tuple[str, list[Any]]:
    return "(" + " || ".join(TERM for _ in terms) + ")", list(terms)


def like(pattern: str) -> str:
    """A neutral wildcard pattern (``*`` any run) as a LIKE pattern (``\\`` escapes)."""
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


def tag_test_sql(test: TagTest, alias: str = "t") -> tuple[str, list[Any]]:
    """SQL true for a ``tag_index`` row (``alias``) that this test finds."""
    options: list[str] = []
    params: list[Any] = []
    if test.match.keys:
        options.append(f"{alias}.key = ANY(?)")
        params.append(sorted(test.match.keys))
    for patterns in test.match.patterns:
        likes = " AND ".join("n.key LIKE ?" for _ in patterns)
        kind = "n.type = ? AND " if test.type is not None else ""
        options.append(f"{alias}.key IN (SELECT n.key FROM tag_names n WHERE {kind}{likes})")
        params.extend([test.type] if test.type is not None else [])
        params.extend(like(p) for p in patterns)
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
    """The works a tag condition finds, as one array (repeats and all)."""
    where, params = has_tag_where(condition)
    return f"SELECT array_agg(t.work_id) FROM tag_index t WHERE {where}", params


def series_sql(condition: InSeries) -> tuple[str, list[Any]]:
    """SQL true for a ``work_series`` row (alias ``s``) the condition names."""
    tests = ["s.key = ANY(?)"] * bool(condition.keys)
    tests += ["s.key LIKE ?"] * len(condition.patterns)
    params: list[Any] = [list(condition.keys)] * bool(condition.keys)
    return "(" + " OR ".join(tests) + ")", [*params, *(like(p) for p in condition.patterns)]


def condition_sql(c: Condition) -> tuple[str, list[Any]]:
    """A condition about the search row aliased ``w``, as a ``WHERE`` fragment."""
    if isinstance(c, Compare):
        return f"w.{c.column} {c.op} ?", [c.value]
    if isinstance(c, OneOf):
        return f"w.{c.column} = ANY(?)", [list(c.values)]
    if isinstance(c, HasTag):
        where, params = has_tag_where(c)
        return f"w.id IN (SELECT t.work_id FROM tag_index t WHERE {where})", params
    if isinstance(c, InSeries):
        tests, params = series_sql(c)
        return f"w.id IN (SELECT s.work_id FROM work_series s WHERE {tests})", params
    if isinstance(c, ReadingIs):
        return (
            "EXISTS (SELECT 1 FROM reading r WHERE r.work_id = w.id AND r.status = ANY(?))",
            [list(c.statuses)],
        )
    if isinstance(c, ByAuthor):
        return (
            "EXISTS (SELECT 1 FROM works x, jsonb_array_elements_text(x.authors::jsonb) a(name) "
            "WHERE x.id = w.id AND lower(a.name) = ANY(?))",
            [list(c.names)],
        )
    if isinstance(c, TextHolds):
        query, params = any_term(c.terms)
        return f"w.id IN (SELECT work_id FROM work_text WHERE body @@ {query})", params
    if isinstance(c, Not):
        sql, params = condition_sql(c.inner)
        # a NULL comparison fails, so NOT of it holds (as in memory), not NULL
        return f"NOT coalesce(({sql}), false)", params
    if isinstance(c, AllOf):
        said = [condition_sql(p) for p in c.parts]
        return "(" + " AND ".join(s for s, _ in said) + ")", [x for _, ps in said for x in ps]
    if isinstance(c, Nothing):
        return "false", []
    raise TypeError(f"no SQL for {c!r}")


def order_by(key: SortKey) -> str:
    direction = "DESC NULLS LAST" if key.descending else "ASC"
    return f"w.{key.column} {direction}"


@dataclass(slots=True)
class PostgresQuery:
    """One compiled query as PostgreSQL statements."""

    compiled: Compiled

    def _where(self) -> tuple[str, list[Any]]:
        c = self.compiled
        where: list[str] = []
        params: list[Any] = []
        if c.match is not None:
            query, more = tsquery(c.match)
            where.append(f"x.body @@ {query}")
            params.extend(more)
        for condition in c.conditions:
            sql, more = condition_sql(condition)
            where.append(sql)
            params.extend(more)
        return " AND ".join(where) or "true", params

    def _from(self) -> str:
        if self.compiled.match is not None:
            return "FROM search_rows w JOIN work_text x ON x.work_id = w.id"
        return "FROM search_rows w"

    def matching_sql(self, columns: str = "w.id") -> tuple[str, list[Any]]:
        """SELECT ``columns`` of every matching work, unordered (for counts and sets)."""
        where, params = self._where()
        return f"SELECT {columns} {self._from()} WHERE {where}", params

    def ranked_sql(self) -> tuple[str, list[Any]]:
        """``SELECT id, score, exact`` in the query's order (the caller adds LIMIT)."""
        c = self.compiled
        where, params = self._where()
        if c.match is None or c.text is None:
            sql = (
                f"SELECT w.id AS id, coalesce(w.quality, 0) AS score, false AS exact {self._from()}"
            )
            if c.series is not None and c.sort is Sort.RELEVANCE:
                tests, more = series_sql(c.series)
                first = (
                    f"(SELECT min(s.part) FROM work_series s WHERE s.work_id = w.id AND {tests}) "
                    "NULLS LAST"
                )
                return f"{sql} WHERE {where} ORDER BY {first}, {self.order}", [*params, *more]
            return f"{sql} WHERE {where} ORDER BY {self.order}", params
        scored, scored_params = any_term(c.scored)
        held = [f"(x.body @@ {TERM})::int" for _ in c.covered]
        coverage = f" + {COVERAGE} * ({' + '.join(held)}) / {len(held)}.0" if held else ""
        # ts_rank normalisation 1: divided by 1 + the log of the field's length
        score = (
            f"{RANK_SCALE} * (ts_rank('{HEAD_WEIGHTS}', x.head, {scored}, 1) "
            f"+ {BODY_SHARE} * ts_rank(x.body, {scored}, 1)){coverage}"
        )
        sql = (
            f"SELECT w.id AS id, {score} AS score, (w.title_norm = ?) AS exact {self._from()} "
            f"WHERE {where} ORDER BY {self.order}"
        )
        return sql, [*scored_params, *scored_params, *c.covered, c.text.title, *params]

    @property
    def order(self) -> str:
        c = self.compiled
        if c.sort == Sort.RELEVANCE and c.match is None:
            return f"{order_by(sort_key(Sort.QUALITY))}, w.id"
        if c.sort == Sort.RELEVANCE:
            return "exact DESC, score DESC, w.id"
        return f"{order_by(sort_key(c.sort))}, w.id"


def frequency_sql() -> str:
    """How many works hold a term, counted up to :data:`FREQUENCY_CAP`."""
    return (
        f"SELECT count(*) FROM (SELECT 1 FROM work_text WHERE body @@ {TERM} "
        f"LIMIT {FREQUENCY_CAP}) held"
    )
