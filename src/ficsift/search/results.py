"""What a search returns: a page of hits, each with the reasons it matched, and facet counts.

The CLI prints these, the web app renders them and the JSON API serialises them with
:meth:`SearchPage.to_json` — one shape for all three.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ficsift.library.views import Blurb, ReadingState, TagView

__all__ = ["Hit", "ReadingState", "SearchPage", "TagView"]


@dataclass(slots=True)
class Hit(Blurb):
    """A work's blurb as one search found it: its score, why it matched, a passage."""

    score: float = 0.0  # the ranking score of this search (higher is better)
    why: list[str] = field(default_factory=list)  # one short phrase per reason it matched
    snippet: str | None = None  # a passage of the story matching the free text

    @classmethod
    def of(cls, blurb: Blurb, score: float, why: list[str], snippet: str | None = None) -> Hit:
        values = {name: getattr(blurb, name) for name in Blurb.__slots__}
        return cls(**values, score=score, why=why, snippet=snippet)

    def to_json(self) -> dict[str, Any]:
        def tags(views: list[TagView]) -> list[dict[str, Any]]:
            return [v.to_json() for v in views]

        return {
            "id": self.id,
            "title": self.title,
            "authors": self.authors,
            "score": round(self.score, 4),
            "quality": None if self.quality is None else round(self.quality, 4),
            "source": self.source,
            "why": self.why,
            "snippet": self.snippet,
            "fandoms": tags(self.fandoms),
            "rating": self.rating,
            "warnings": tags(self.warnings),
            "content_warnings": tags(self.content_warnings),
            "category": tags(self.category),
            "relationships": tags(self.relationships),
            "characters": tags(self.characters),
            "tags": tags(self.freeforms),
            "status": self.status,
            "words": self.words,
            "chapters": self.chapters,
            "chapters_total": self.chapters_total,
            "published": self.published,
            "updated": self.updated,
            "summary": self.summary,
            "language": self.language,
            "stats": {
                "kudos": self.kudos,
                "hits": self.hits,
                "bookmarks": self.bookmarks,
                "comments": self.comments,
            },
            "has_text": self.has_text,
            "reading": self.reading.to_json() if self.reading else None,
        }


@dataclass(slots=True)
class SearchPage:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]  # tag type → [(tag, works)], most first
    described: list[str]  # what the query asked, in English
    offset: int = 0
    limit: int = 20
    hidden_by_guesses: int = 0  # matching works that guessed tags alone hide (guesses:only)
    took_ms: float = 0.0
    facets_from: int = 0  # facets count the best this-many matches (all but for huge results)

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "results": [h.to_json() for h in self.hits],
            "facets": {k: [{"name": n, "count": c} for n, c in v] for k, v in self.facets.items()},
            "query": self.described,
            "facets_from": self.facets_from,
            "hidden_by_guesses": self.hidden_by_guesses,
            "took_ms": round(self.took_ms, 1),
        }
