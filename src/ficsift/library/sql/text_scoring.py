"""Text scores from the term postings, for a long-lived process that holds the in-memory
columns: the search side of :mod:`ficsift.library.sql.term_postings`, shared by both backends.

A mixin of the backends' search classes (it shares their connection ``db`` and ``dialect``);
``text_fields`` names the view that gives a work's full-text fields.
"""

from __future__ import annotations

import threading
from typing import ClassVar

import numpy as np

from ficsift.library.compile import Compiled
from ficsift.library.sql.finding import Finding
from ficsift.library.sql.store_core import Dialect
from ficsift.library.sql.term_postings import Postings, same_weights
from ficsift.library.sql.term_scores import TermScorer
from ficsift.library.work_columns import WorkColumns


class PostingsSearch(Finding):
    text_fields: ClassVar[str]
    dialect: ClassVar[Dialect]

    _term_scorer: TermScorer | None = None
    _term_lock = threading.Lock()

    @property
    def term_postings(self) -> Postings:
        return Postings(self.db, self.dialect, self.text_fields)

    def _text_scores(
        self, compiled: Compiled, columns: WorkColumns
    ) -> tuple[np.ndarray, np.ndarray] | None:
        scorer = self._current_term_scorer()
        if scorer is None:
            return None
        with self._term_lock:
            return scorer.rank(compiled, columns.row_of, columns.size)

    def _postings_frequencies(self, terms: list[str]) -> dict[str, int] | None:
        """:meth:`term_frequencies` from the term postings (None: not current, the backend's
        full text must count)."""
        scorer = self._current_term_scorer()
        if scorer is None:
            return None
        with self._term_lock:
            return scorer.document_counts(terms)

    def _current_term_scorer(self) -> TermScorer | None:
        """The scorer over the postings as they are; None while a work waits for them (the
        backend's full text answers), unless the scorer before may answer as a snapshot
        (see ``snapshot_lag``)."""
        postings = self.term_postings
        stamp, waiting = postings.state()
        if stamp is None:
            return None
        with self._term_lock:
            scorer = self._term_scorer
            if scorer is not None and scorer.stamp == stamp and not waiting:
                return scorer
            if (
                scorer is not None
                and same_weights(scorer.stamp, stamp)
                and self.current_enough(scorer.generation, self.generation())
            ):
                # While an import stores works, the postings as the scorer knew them: a
                # later segment's entries are not live in its map (new works are found at
                # the next reload; a merged-away work, until then, by its other words).
                return scorer
            if waiting:
                return None
            if scorer is not None:
                scorer.close()
            scorer = self._term_scorer = TermScorer(postings, stamp, self.generation())
        return scorer

    def load_search_caches(self) -> None:
        super().load_search_caches()
        self._current_term_scorer()
