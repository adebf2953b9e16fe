"""The SQLite library's query side: the shared finding (:mod:`ficsift.library.sql.finding`) said
in SQLite's SQL (:mod:`ficsift.library.sqlite.compile`), FTS5's own stemmer for term
frequencies, and the in-memory facet cache that keeps facets fast on one file; text scores
from the term postings come from :mod:`ficsift.library.sql.text_scoring`.

A mixin of :class:`~ficsift.library.sqlite.SqliteLibrary` (it shares its connection ``db``);
blurbs, the reader's state and derived data come from the mixins both backends share.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from typing import Any, cast

import numpy as np

from ficsift.library.compile import Compiled
from ficsift.library.conditions import HasTag
from ficsift.library.ships import ShipSides
from ficsift.library.sql.derived_data import VECTOR_ROWS
from ficsift.library.sql.facet_counts import plain_cursor
from ficsift.library.sql.term_postings import Tokenizer
from ficsift.library.sql.text_scoring import PostingsSearch
from ficsift.library.sqlite.compile import SqliteQuery, posting_sql
from ficsift.library.work_columns import COLUMNS


class SqliteSearch(PostingsSearch):
    text_fields = "work_text"  # the view work_fts and head_fts read

    @property
    def _sqlite(self) -> sqlite3.Connection:
        """The connection as what it is here (the shared mixins know it as a Connection)."""
        return cast(sqlite3.Connection, self.db)

    def _said(self, compiled: Compiled) -> SqliteQuery:
        return SqliteQuery(compiled)

    def _ship_candidates(self, ship: ShipSides) -> list[tuple[str, str]]:
        # a word of every side, found with instr on the stored, case-folded key
        clause = (
            "EXISTS (SELECT 1 FROM json_each(?) w WHERE "
            "instr(replace(n.key, char(8217), char(39)), w.value) > 0)"
        )
        rows = self.db.execute(
            "SELECT n.key, n.display FROM tag_names n WHERE n.type = 'relationship' AND "
            + " AND ".join([clause] * len(ship.words)),
            [json.dumps(words) for words in ship.words],
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def _search_rows(self) -> list[Any]:
        return (
            plain_cursor(self._sqlite)
            .execute(f"SELECT {', '.join(COLUMNS)} FROM search_rows ORDER BY id")
            .fetchall()
        )

    # -- finding -------------------------------------------------------------------------

    _stemmer: Tokenizer | None = None
    _stems_lock = threading.Lock()

    def term_frequencies(self, terms: list[str]) -> dict[str, int]:
        """How many works hold each term (quoted FTS5 strings; a phrase: its rarest word).

        The terms are stemmed by FTS5 itself (the term postings' scratch tokenizer, never in
        the library file) and looked up in the index's vocabulary.
        """
        if not terms:
            return {}
        with self._stems_lock:
            if self._stemmer is None:
                self.db.execute(
                    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.work_terms "
                    "USING fts5vocab(main, work_fts, row)"
                )
                self._stemmer = Tokenizer()
            stems = [set(self._stemmer.terms(t.strip('"'))) for t in terms]
            wanted = sorted({s for group in stems for s in group})
            counts = dict(
                self.db.execute(
                    "SELECT term, doc FROM temp.work_terms WHERE term IN "
                    "(SELECT value FROM json_each(?))",
                    (json.dumps(wanted),),
                ).fetchall()
            )
        return {
            t: min((int(counts.get(s, 0)) for s in group), default=0)
            for t, group in zip(terms, stems, strict=True)
        }

    def _facet_rows(self, statement: str) -> Iterable[Sequence[Any]]:
        return plain_cursor(self._sqlite).execute(statement)

    def _vector_rows(self, model: str) -> Iterable[Sequence[Any]]:
        return plain_cursor(self._sqlite).execute(VECTOR_ROWS, (model,))

    def _postings(self, condition: HasTag) -> np.ndarray:
        sql, params = posting_sql(condition)
        listed = self.db.execute(sql, params).fetchone()[0]
        # parsed in C: a tenth of the time of split() and int() per id
        return np.fromstring(listed or "", dtype=np.int64, sep=",")
