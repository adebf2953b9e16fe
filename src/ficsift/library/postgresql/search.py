"""The PostgreSQL library's query side: the shared finding (:mod:`ficsift.library.sql.finding`)
said in PostgreSQL's SQL (:mod:`ficsift.library.postgresql.compile`), and text scores from
the term postings (:mod:`ficsift.library.sql.text_scoring`), as SQLite's."""

from __future__ import annotations

import numpy as np

from ficsift.library.compile import Compiled
from ficsift.library.conditions import HasTag
from ficsift.library.postgresql.compile import PostgresQuery, frequency_sql, posting_sql
from ficsift.library.ships import ShipSides
from ficsift.library.sql.text_scoring import PostingsSearch

# A word of every side of a ship, found in the stored, case-folded key (’ read as ').
_SIDE_WORD = (
    "EXISTS (SELECT 1 FROM unnest(?::text[]) w(word) "
    "WHERE strpos(replace(n.key, chr(8217), chr(39)), w.word) > 0)"
)


class PostgresSearch(PostingsSearch):
    text_fields = "work_fields"  # (work_text holds tsvectors here)

    def _said(self, compiled: Compiled) -> PostgresQuery:
        return PostgresQuery(compiled)

    def _postings(self, condition: HasTag) -> np.ndarray:
        sql, params = posting_sql(condition)
        listed = self.db.execute(sql, params).fetchone()[0]
        return np.array(listed or [], dtype=np.int64)

    def _ship_candidates(self, ship: ShipSides) -> list[tuple[str, str]]:
        rows = self.db.execute(
            "SELECT n.key, n.display FROM tag_names n WHERE n.type = 'relationship' AND "
            + " AND ".join([_SIDE_WORD] * len(ship.words)),
            list(ship.words),
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def term_frequencies(self, terms: list[str]) -> dict[str, int]:
        """How many works hold each term: from the term postings, as SQLite counts them;
        before they are built, counted up to a cap (enough to rank rarity)."""
        counted = self._postings_frequencies(terms)
        if counted is not None:
            return counted
        sql = frequency_sql()
        return {t: int(self.db.execute(sql, (t,)).fetchone()[0]) for t in terms}
