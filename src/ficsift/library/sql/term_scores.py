"""A text query's matches and scores from the term postings, every match at once.

The same answer as SQLite's FTS5 statement ``compile.SqliteQuery.ranked_sql`` gives — what a work
must hold, FTS5's ``bm25()`` of the head and of the body (its formula, its IDF and average
lengths, its order of additions), the coverage of a long query's rarest terms — computed
with numpy over each term's postings (:mod:`ficsift.library.sql.term_postings`) instead of
row by row.  ``tests/library/test_term_postings.py`` holds the two equal.  A query this cannot
say exactly (a phrase, a word FTS5 splits in two) returns None and the backend's own full text
answers it.  PostgreSQL keeps the same postings, so its word queries rank as SQLite's do.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from ficsift.library.compile import BODY_SHARE, COVERAGE, Compiled
from ficsift.library.sql.term_postings import DocSegments, Postings, Tokenizer

K1 = 1.2  # FTS5's bm25() constants
B = 0.75
KEPT_BYTES = 256 * 2**20  # postings remembered, by size (a common word at 100k works: ~1 MB)


@dataclass(slots=True)
class TermRows:
    """One term's postings as rows of the caller's row space."""

    rows: np.ndarray
    head: np.ndarray
    body: np.ndarray
    head_hits: int  # works holding it in the head fields (head_fts's nHit)
    hits: int  # works holding it anywhere (work_fts's nHit)


class TermScorer:
    """Scores over one state of the postings (``stamp``), for works given as rows."""

    def __init__(self, postings: Postings, stamp: str, generation: str = "") -> None:
        self.postings = postings
        self.stamp = stamp
        self.generation = generation  # the library's when it was made
        self.live: DocSegments = postings.doc_segments()
        alive = self.live.segment >= 0
        self.works = int(alive.sum())
        # FTS5: avgdl = total tokens / rows, as doubles
        self.avg_head = float(int(self.live.head_len[alive].sum())) / max(self.works, 1)
        self.avg_work = float(int(self.live.work_len[alive].sum())) / max(self.works, 1)
        self._tokenizer = Tokenizer()
        self._kept: OrderedDict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = OrderedDict()
        self._kept_bytes = 0

    def close(self) -> None:
        self._tokenizer.close()

    def _postings(self, word: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """A query word's postings (None: FTS5 reads it as more than one term)."""
        terms = self._tokenizer.terms(word)
        return self._term_postings(terms[0]) if len(terms) == 1 else None

    def _term_postings(self, term: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """An indexed term's live postings, the most recently read kept (by size)."""
        found = self._kept.get(term)
        if found is not None:
            self._kept.move_to_end(term)
            return found
        found = self._kept[term] = self.postings.read(term, self.live)
        self._kept_bytes += _size(found)
        while self._kept_bytes > KEPT_BYTES and len(self._kept) > 1:
            _, dropped = self._kept.popitem(last=False)
            self._kept_bytes -= _size(dropped)
        return found

    def document_counts(self, terms: list[str]) -> dict[str, int]:
        """How many works hold each query term (a quoted phrase: its rarest word), as FTS5's
        vocabulary counts them, from the postings ranking reads next anyway (PostgreSQL
        counted with a statement per term: half of a hybrid search at a million works)."""
        return {
            term: min(
                (len(self._term_postings(t)[0]) for t in self._tokenizer.terms(term.strip('"'))),
                default=0,
            )
            for term in terms
        }

    def rank(
        self, compiled: Compiled, row_of: np.ndarray, size: int
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """(rows, scores) of every work the words match, unordered; None: FTS5 must answer.

        ``row_of`` maps a work id to its row (-1: not listed), ``size`` rows in all.
        """
        match = compiled.match
        if match is None or compiled.text is None:
            return None
        words = dict.fromkeys(
            [
                *compiled.scored,
                *compiled.covered,
                *match.excluded,
                *(t for g in match.groups for t in g),
            ]
        )
        terms: dict[str, TermRows] = {}
        for word in words:
            found = self._postings(word)
            if found is None:
                return None
            ids, head, body = found
            inside = ids < len(row_of)
            rows = np.full(len(ids), -1, dtype=np.int64)
            rows[inside] = row_of[ids[inside]]
            listed = rows >= 0
            terms[word] = TermRows(
                rows[listed], head[listed], body[listed], int(np.count_nonzero(head)), len(ids)
            )
        holds = {w: _mask(t.rows, size) for w, t in terms.items()}
        matched = np.zeros(size, dtype=bool)
        for group in match.groups:
            every = np.ones(size, dtype=bool)
            for word in group:
                every &= holds[word]
            matched |= every
        for word in match.excluded:
            matched &= ~holds[word]
        if compiled.covered:  # a long query: it must also hold a term it scores
            some = np.zeros(size, dtype=bool)
            for word in compiled.scored:
                some |= holds[word]
            matched &= some
        rows = np.nonzero(matched)[0]
        if rows.size == 0:
            return rows, np.zeros(0)
        head_len, work_len = self._lengths(row_of, size)
        # the phrases of the statement's MATCH expressions, in their order: bm25() adds
        # each phrase's part in turn (a phrase a work lacks adds 0.0).  Summed over the
        # matched rows only (``place``: a row's place among them): at a million works an
        # array of every row per phrase was most of a long query's time.
        place = np.full(size, -1, dtype=np.int64)
        place[rows] = np.arange(rows.size)
        head = np.zeros(rows.size)
        body = np.zeros(rows.size)
        for word in compiled.scored:
            t = terms[word]
            head += self._part(
                t.rows, t.head, t.head_hits, place, rows.size, head_len, self.avg_head
            )
        for word in _body_phrases(compiled):
            t = terms[word]
            body += self._part(t.rows, t.body, t.hits, place, rows.size, work_len, self.avg_work)
        score = head + BODY_SHARE * body
        if compiled.covered:
            held = np.zeros(rows.size, dtype=np.int64)
            for word in compiled.covered:
                held += holds[word][rows]
            score = score + COVERAGE * held / float(len(compiled.covered))
        return rows, score

    def _part(
        self, rows: np.ndarray, freq: np.ndarray, hits: int, place: np.ndarray,
        matched: int, length: np.ndarray, avgdl: float,
    ) -> np.ndarray:  # fmt: skip
        """One phrase's bm25() part for each of the ``matched`` rows (by its place; 0.0
        where the phrase is not held)."""
        idf = math.log((self.works - hits + 0.5) / (hits + 0.5))
        if idf <= 0.0:
            idf = 1e-6
        at = place[rows]
        held = at >= 0
        out = np.zeros(matched)
        f = freq[held]
        d = length[rows[held]]
        out[at[held]] = idf * (f * (K1 + 1.0)) / (f + K1 * (1 - B + B * d / avgdl))
        return out

    _lengths_of: np.ndarray | None = None  # the row map the lengths were made for (kept alive)
    _lengths_cache: tuple[np.ndarray, np.ndarray] = (np.zeros(0), np.zeros(0))

    def _lengths(self, row_of: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Each row's head and work lengths (its work's token counts)."""
        if self._lengths_of is not row_of or len(self._lengths_cache[0]) != size:
            ids = np.full(size, -1, dtype=np.int64)
            listed = np.nonzero(row_of >= 0)[0]
            ids[row_of[listed]] = listed
            ok = (ids >= 0) & (ids < len(self.live.segment))
            head = np.zeros(size)
            work = np.zeros(size)
            head[ok] = self.live.head_len[ids[ok]]
            work[ok] = self.live.work_len[ids[ok]]
            self._lengths_cache = (head, work)
            self._lengths_of = row_of
        return self._lengths_cache


def _body_phrases(compiled: Compiled) -> list[str]:
    """The phrases of the body's MATCH expression, in order (``SqliteQuery.fts``): a short
    query's terms, or a long query's scored terms; then the excluded (each adds 0.0)."""
    assert compiled.match is not None
    if compiled.covered:
        return list(compiled.scored)
    return [t for g in compiled.match.groups for t in g]


def _size(postings: tuple[np.ndarray, np.ndarray, np.ndarray]) -> int:
    return sum(a.nbytes for a in postings)


def _mask(rows: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size, dtype=bool)
    out[rows] = True
    return out
