"""More like this: works that share what is rare and telling about a work, or read alike.

Shared tags are weighted by rarity (inverse document frequency over the library) and by type
— a shared relationship or trope says more than a shared fandom — and normalised by the
work's own total, so a heavily tagged work does not drown the rest.  Where the library has
text vectors, story-text cosine similarity is blended in.  The reader's blacklist holds here
as everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ficsift.library import Library
from ficsift.library.query import Query
from ficsift.search.engine import _semantic, resolver
from ficsift.search.results import Hit

TYPE_WEIGHTS = {"relationship": 1.6, "freeform": 1.3, "character": 1.0, "fandom": 0.4}
TEXT_WEIGHT = 0.4  # share of the score from text similarity when vectors exist
CANDIDATES = 500


@dataclass(slots=True)
class _Candidate:
    tag_score: float = 0.0
    cosine: float | None = None
    shared: tuple[str, ...] = ()


def similar(lib: Library, work_id: int, limit: int = 10) -> list[Hit]:
    """Works most like ``work_id``, best first, each saying what it shares."""
    own = [(t, k, d) for t, k, d in lib.tag_keys([work_id]).get(work_id, []) if t in TYPE_WEIGHTS]
    total_works = max(lib.work_count(), 1)
    frequencies = lib.key_frequencies([(t, k) for t, k, _ in own])
    weights = {
        (t, k): TYPE_WEIGHTS[t] * math.log(1 + total_works / max(frequencies.get((t, k), 1), 1))
        for t, k, _ in own
    }
    display = {(t, k): d for t, k, d in own}
    norm = sum(weights.values()) or 1.0
    candidates: dict[int, _Candidate] = {}
    for other, shared in lib.works_sharing(list(weights), exclude=work_id, limit=CANDIDATES):
        pairs = [tuple(s.split("\x1f", 1)) for s in shared]
        keys = sorted((p for p in pairs if p in weights), key=lambda p: -weights[p])
        candidates[other] = _Candidate(
            tag_score=sum(weights[p] for p in keys) / norm,
            shared=tuple(display[p] for p in keys if p[0] != "fandom"),
        )
    semantic = _semantic(lib)
    if semantic is not None:
        _, index = semantic
        for other, cosine in index.similar_to(work_id, CANDIDATES):
            if other != work_id:
                candidates.setdefault(other, _Candidate()).cosine = cosine
    if not candidates:
        return []
    allowed = {
        i for i, _ in lib.find(
            Query(work_ids=list(candidates), blacklist=lib.blacklist()), resolver(),
            limit=len(candidates),
        ).page
    }  # fmt: skip
    text_share = TEXT_WEIGHT if semantic is not None else 0.0
    scored = sorted(
        (
            ((1 - text_share) * c.tag_score + text_share * max(c.cosine or 0.0, 0.0), i)
            for i, c in candidates.items()
            if i in allowed
        ),
        key=lambda x: (-x[0], x[1]),
    )[:limit]
    blurbs = lib.blurbs([i for _, i in scored])
    hits = []
    for score, other in scored:
        c = candidates[other]
        why = []
        if c.shared:
            why.append("also " + ", ".join(c.shared[:4]))
        if c.cosine is not None and c.cosine > 0:
            why.append(f"similar text ({c.cosine:.2f})")
        if other in blurbs:
            hits.append(Hit.of(blurbs[other], score, why))
    return hits
