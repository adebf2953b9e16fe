"""Keeping the search stage's derived data fresh: quality scores, text vectors and the
library's term postings.

Run after every import (``ficsift add`` and the web import call :func:`refresh`).  The
library drops a work's score and vector whenever the work changes, so only missing ones are
computed — unless the library grew enough since the last fit that the fandom priors or the
semantic model should be refitted, in which case everything is redone once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from ficsift.library import Library
from ficsift.library.views import QualityRow
from ficsift.search.quality import FandomPriors, QualityInput, score
from ficsift.search.semantic import DEFAULT_METHOD, SemanticModel, document_text, vector_to_blob

PRIORS_MODEL = "quality-priors"
SEMANTIC_MODEL = f"semantic-{DEFAULT_METHOD}"
REFIT_GROWTH = 1.25  # refit when the library has grown by a quarter since the last fit
EMBED_BATCH = 128
ProgressCallback = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(slots=True)
class RefreshReport:
    scored: int = 0
    embedded: int = 0
    refitted_priors: bool = False
    refitted_model: bool = False
    tokenized: int = 0  # works brought into the term postings


def _input(row: QualityRow, text: str | None) -> QualityInput:
    return QualityInput(
        kudos=row.kudos, hits=row.hits, bookmarks=row.bookmarks, comments=row.comments,
        words=row.words, chapters=row.chapters, complete=row.complete, fandom=row.fandom,
        published=row.published, text=text,
    )  # fmt: skip


def load_priors(lib: Library) -> FandomPriors | None:
    stored = lib.model(PRIORS_MODEL)
    return FandomPriors.from_json(json.loads(stored[0])) if stored else None


def refresh_quality(lib: Library, progress: ProgressCallback | None = None) -> tuple[int, bool]:
    works = lib.work_count()
    stored = lib.model(PRIORS_MODEL)
    refit = stored is None or works > stored[1] * REFIT_GROWTH or works < stored[1] / REFIT_GROWTH
    if refit:
        all_rows = lib.quality_rows()
        priors = FandomPriors.fit(_input(r, None) for r in all_rows)
        lib.put_model(PRIORS_MODEL, json.dumps(priors.to_json()).encode(), works)
        rows = all_rows
    else:
        assert stored is not None
        priors = FandomPriors.from_json(json.loads(stored[0]))
        rows = lib.quality_rows(missing_only=True)
    batch: list[tuple[int, float, str, str]] = []
    for n, row in enumerate(rows, 1):
        text = lib.story_text(row.id) if row.has_text else None
        quality = score(_input(row, text), priors)
        detail = {"parts": [[p.name, p.value, p.weight, p.detail] for p in quality.parts]}
        batch.append((row.id, quality.score, quality.basis, json.dumps(detail)))
        if len(batch) >= 2000:
            lib.put_scores(batch)
            batch.clear()
        if progress and (n % 500 == 0 or n == len(rows)):
            progress("quality", n, len(rows))
    lib.put_scores(batch)
    return len(rows), refit


def load_model(lib: Library) -> SemanticModel | None:
    stored = lib.model(SEMANTIC_MODEL)
    return SemanticModel.from_bytes(stored[0]) if stored else None


def refresh_vectors(lib: Library, progress: ProgressCallback | None = None) -> tuple[int, bool]:
    texts = lib.text_work_count()
    if texts == 0:
        return 0, False
    stored = lib.model(SEMANTIC_MODEL)
    refit = stored is None or texts > stored[1] * REFIT_GROWTH
    if refit:
        corpus = (document_text(*text) for _, *text in lib.texts_for_vectors("", False))
        model = SemanticModel.fit(corpus)
        lib.put_model(SEMANTIC_MODEL, model.to_bytes(), texts)
    else:
        assert stored is not None
        model = SemanticModel.from_bytes(stored[0])
    missing = sum(1 for _ in lib.texts_for_vectors(SEMANTIC_MODEL, True)) if progress else texts
    done = 0
    batch_ids: list[int] = []
    batch_texts: list[str] = []

    def flush() -> None:
        nonlocal done
        if not batch_ids:
            return
        vectors = model.embed_documents(batch_texts)
        lib.put_vectors(
            SEMANTIC_MODEL,
            [(i, vector_to_blob(v)) for i, v in zip(batch_ids, vectors, strict=True)],
        )
        done += len(batch_ids)
        batch_ids.clear()
        batch_texts.clear()
        if progress:
            progress("vectors", done, missing)

    for work_id, title, summary, body, tags in lib.texts_for_vectors(SEMANTIC_MODEL, True):
        batch_ids.append(work_id)
        batch_texts.append(document_text(title, summary, body, tags))
        if len(batch_ids) >= EMBED_BATCH:
            flush()
    flush()
    return done, refit


def refresh(lib: Library, progress: ProgressCallback | None = None) -> RefreshReport:
    """Score, embed and tokenize whatever lacks it (everything, after a refit)."""
    scored, refit_priors = refresh_quality(lib, progress)
    embedded, refit_model = refresh_vectors(lib, progress)

    def tokenizing(done: int, total: int) -> None:
        if progress is not None:
            progress("full text", done, total)

    tokenized = lib.refresh_text_index(tokenizing)
    return RefreshReport(scored, embedded, refit_priors, refit_model, tokenized)
