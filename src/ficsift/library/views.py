"""Read-only views the library gives search and front ends: blurbs, tags, reading state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class TagView:
    """A tag as a result shows it: its display name, and whether ficsift inferred it."""

    name: str  # canonical where known, else as the author spelled it
    type: str
    origin: str  # "author" | "inferred"
    main: bool = False  # the work's main pairing
    confidence: float | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type, "source": self.origin}
        if self.main:
            out["main"] = True
        if self.confidence is not None:
            out["confidence"] = round(self.confidence, 3)
        return out


@dataclass(slots=True)
class ReadingState:
    """The reader's own record of a work; imports never touch it."""

    status: str | None = None  # want | reading | read | dropped
    rating: int | None = None  # 1..5
    notes: str = ""
    position: str | None = None  # where the reader stopped, as the web reader records it
    updated_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "rating": self.rating,
            "notes": self.notes,
            "position": self.position,
            "updated": self.updated_at,
        }


@dataclass(slots=True)
class Blurb:
    """What a result list shows of a work (AO3's blurb), without its text."""

    id: int
    title: str
    authors: list[str]
    fandoms: list[TagView]
    rating: str | None
    warnings: list[TagView]
    category: list[TagView]
    relationships: list[TagView]
    characters: list[TagView]
    freeforms: list[TagView]
    status: str
    words: int
    chapters: int
    chapters_total: int | None
    published: str | None
    updated: str | None
    summary: str | None
    language: str | None
    kudos: int | None
    hits: int | None
    bookmarks: int | None
    comments: int | None
    has_text: bool
    source: str  # the path or URL the work was read from
    quality: float | None  # 0..1, see `ficsift why`
    reading: ReadingState | None = None
    # ficsift's fine trigger labels (violence, self-harm …), apart from AO3's archive warnings
    content_warnings: list[TagView] = field(default_factory=list)
    # a work in progress counts as abandoned from this day (whether it is depends on today)
    abandoned_since: str | None = None


FACET_DEPTH = 50_000  # matches facets count at most: the best ones, in the query's order


@dataclass(slots=True)
class Found:
    """Works a query matched: the total, one page of (id, score), facet counts."""

    total: int
    page: list[tuple[int, float]]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    facets_from: int = 0  # how many of the best matches the facets counted (≤ total)
    exact: set[int] = field(default_factory=set)  # works of the page titled as the words
    facet_ids: list[int] = field(default_factory=list)  # what facets count (count_facets=False)
    match_ids: frozenset[int] | None = None  # every match, when asked for (match_ids=True)


@dataclass(frozen=True, slots=True)
class QualityRow:
    """What the quality score reads of one work."""

    id: int
    kudos: int | None
    hits: int | None
    bookmarks: int | None
    comments: int | None
    words: int
    chapters: int
    complete: bool | None
    fandom: str | None
    published: str | None
    has_text: bool
