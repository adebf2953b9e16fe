"""What the search stage derives from works — quality scores, text vectors, fitted models —
in SQL both backends take.  A work's scores and vectors are dropped whenever it changes (the
store does it), so "stale" is simply "missing"."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from ficsift.library.sql.store_core import Connection, in_valid_range, now_text
from ficsift.library.views import QualityRow

# A work has text to embed: its story, or a listing blurb's title or summary.
HAS_ANY_TEXT = "(w.has_text = 1 OR w.title != '' OR coalesce(w.summary, '') != '')"


VECTOR_ROWS = "SELECT work_id, vector FROM work_vectors WHERE model = ? ORDER BY work_id"
VECTOR_PAGE = (
    "SELECT work_id, vector FROM work_vectors WHERE model = ? AND work_id > ? "
    "ORDER BY work_id LIMIT ?"
)
# Rows read at a time by vector_pages: PostgreSQL hands a statement's whole result over at
# once, and a 1M library's vectors read in one went past 4 GB at a server's first start.
VECTORS_PER_PAGE = 20_000


class DerivedData:
    db: Connection

    if TYPE_CHECKING:  # the backend's (and the store's)

        def _transaction(self) -> AbstractContextManager[None]: ...

        def _bump_generation(self) -> None: ...

    def quality_rows(self, missing_only: bool = False) -> list[QualityRow]:
        where = "WHERE w.id NOT IN (SELECT work_id FROM work_scores)" if missing_only else ""
        rows = self.db.execute(
            "SELECT w.id, w.kudos, w.hits, w.bookmarks, w.comments, w.words, w.chapters, "
            # a work's age for quality is from its most recent known date
            "w.status, coalesce(w.updated, w.completed, w.published), w.has_text, "
            # a crossover's fandom for its prior: the author's before a guessed one, then the
            # first by name (the index keeps no tag order; every backend must pick the same)
            "(SELECT display FROM tag_index t WHERE "
            "t.work_id = w.id AND t.type = 'fandom' AND t.effective = 1 AND t.inherited = 0 "
            f"ORDER BY t.origin, t.key LIMIT 1) FROM works w {where}"
        )
        return [
            QualityRow(
                int(r[0]), r[1], r[2], r[3], r[4], int(r[5]), int(r[6]),
                None if r[7] == "unknown" else r[7] == "complete", r[10], r[8], bool(r[9]),
            )
            for r in rows
        ]  # fmt: skip

    def put_scores(self, scores: Iterable[tuple[int, float, str, str]]) -> None:
        """(work id, quality, basis, detail JSON) for each work (of those it still has)."""
        rows = [s for s in scores if in_valid_range(s[0])]
        with self._transaction():
            self._bump_generation()  # search rows change
            self.db.executemany(
                "INSERT INTO work_scores(work_id, quality, basis, detail) "
                "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM works WHERE id = ?) "
                "ON CONFLICT(work_id) DO UPDATE SET quality = excluded.quality, "
                "basis = excluded.basis, detail = excluded.detail",
                [(i, q, b, d, i) for i, q, b, d in rows],
            )
            self.db.executemany(
                "UPDATE search_rows SET quality = ? WHERE id = ?", [(q, i) for i, q, _, _ in rows]
            )

    def score_detail(self, work_id: int) -> tuple[float, str, dict[str, Any]] | None:
        if not in_valid_range(work_id):
            return None
        r = self.db.execute(
            "SELECT quality, basis, detail FROM work_scores WHERE work_id = ?", (work_id,)
        ).fetchone()
        return (float(r[0]), r[1], json.loads(r[2])) if r else None

    def story_text(self, work_id: int) -> str:
        """The work's story: its text source's chapters, joined by newlines."""
        if not in_valid_range(work_id):
            return ""
        return "\n".join(
            r[0]
            for r in self.db.execute(
                "SELECT c.text FROM chapters c JOIN works w ON c.source_id = w.text_source_id "
                "WHERE w.id = ? ORDER BY c.idx",
                (work_id,),
            )
        )

    def texts_for_vectors(
        self, model: str, missing_only: bool
    ) -> Iterator[tuple[int, str, str, str, str]]:
        """(id, title, summary, body, tags) of works with any text — a listing blurb's title,
        summary and tags are text too — lacking a vector of ``model``."""
        where = (
            "AND w.id NOT IN (SELECT work_id FROM work_vectors WHERE model = ?)"
            if missing_only
            else ""
        )
        ids = [
            int(r[0])
            for r in self.db.execute(
                f"SELECT w.id FROM works w WHERE {HAS_ANY_TEXT} {where} ORDER BY w.id",
                (model,) if missing_only else (),
            )
        ]
        for work_id in ids:
            r = self.db.execute(
                "SELECT w.title, w.summary, f.tags FROM works w "
                "LEFT JOIN work_facts f ON f.work_id = w.id WHERE w.id = ?",
                (work_id,),
            ).fetchone()
            if r:
                yield work_id, r[0] or "", r[1] or "", self.story_text(work_id), r[2] or ""

    def put_vectors(self, model: str, vectors: Iterable[tuple[int, bytes]]) -> None:
        with self._transaction():
            self.db.executemany(
                "INSERT INTO work_vectors(work_id, model, vector) "
                "SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM works WHERE id = ?) "
                "ON CONFLICT(work_id) DO UPDATE SET model = excluded.model, "
                "vector = excluded.vector",
                [(i, model, v, i) for i, v in vectors if in_valid_range(i)],
            )
            self._bump_vectors(model)

    def _vector_rows(self, model: str) -> Iterable[Sequence[Any]]:
        """:data:`VECTOR_ROWS` as rows (a backend may give plain tuples, cheaper to make)."""
        return self.db.execute(VECTOR_ROWS, (model,))

    def vectors(self, model: str) -> list[tuple[int, bytes]]:
        return [(int(r[0]), bytes(r[1])) for r in self._vector_rows(model)]

    def vector_pages(self, model: str) -> Iterator[list[tuple[int, bytes]]]:
        after = -(2**63)  # by id, from the first (ids are SQL integers: none lower)
        while True:
            rows = self.db.execute(VECTOR_PAGE, (model, after, VECTORS_PER_PAGE)).fetchall()
            if not rows:
                return
            yield [(int(r[0]), bytes(r[1])) for r in rows]
            after = int(rows[-1][0])

    def vectors_stamp(self, model: str) -> str:
        """Changes whenever vectors of ``model`` change (a cheap cache key): every write and
        delete of them moves it.  Not the library's generation: an import moves that with
        every file, and the web app would reload its vectors each time."""
        row = self.db.execute(
            "SELECT value FROM meta WHERE key = ?", (f"vectors:{model}",)
        ).fetchone()
        return f"{row[0] if row else 0}:{self.model_stamp(model)}"

    def _bump_vectors(self, model: str) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES (?, '1') ON CONFLICT(key) "
            "DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)",
            (f"vectors:{model}",),
        )

    def vector_count(self, model: str) -> int:
        return int(
            self.db.execute(
                "SELECT count(*) FROM work_vectors WHERE model = ?", (model,)
            ).fetchone()[0]
        )

    def put_model(self, name: str, data: bytes, works: int) -> None:
        with self._transaction():
            self.db.execute("DELETE FROM work_vectors WHERE model = ?", (name,))
            self._bump_vectors(name)
            self.db.execute(
                "INSERT INTO models(name, data, works, fitted_at) VALUES (?,?,?,?) "
                "ON CONFLICT(name) DO UPDATE SET data = excluded.data, works = excluded.works, "
                "fitted_at = excluded.fitted_at",
                (name, data, works, now_text()),
            )
            fitted = self.db.execute(
                "SELECT fitted_at FROM models WHERE name = ?", (name,)
            ).fetchone()[0]
            # the stamp kept apart: reading it from ``models`` walks the model's whole blob
            # (its columns after ``data`` sit at the end of the blob's page chain)
            self.db.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) "
                "DO UPDATE SET value = excluded.value",
                (f"model:{name}", f"{fitted}:{works}:{len(data)}"),
            )

    def model_stamp(self, name: str) -> str | None:
        """Changes whenever the model is refitted (for caches of what it produced)."""
        kept = self.db.execute("SELECT value FROM meta WHERE key = ?", (f"model:{name}",))
        row = kept.fetchone()
        if row:
            return str(row[0])
        r = self.db.execute(
            "SELECT fitted_at, works, length(data) FROM models WHERE name = ?", (name,)
        ).fetchone()
        return f"{r[0]}:{r[1]}:{r[2]}" if r else None

    def model(self, name: str) -> tuple[bytes, int] | None:
        r = self.db.execute("SELECT data, works FROM models WHERE name = ?", (name,)).fetchone()
        return (bytes(r[0]), int(r[1])) if r else None

    def text_work_count(self) -> int:
        """Works with any text to embed (see texts_for_vectors)."""
        return int(
            self.db.execute(f"SELECT count(*) FROM works w WHERE {HAS_ANY_TEXT}").fetchone()[0]
        )
