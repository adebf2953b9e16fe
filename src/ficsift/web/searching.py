"""The web app's door to :mod:`ficsift.search`: query language errors as one type, and a
work's head blurb built from the stored work."""

from __future__ import annotations

from ficsift.library import Library, StoredWork
from ficsift.library.query import Query
from ficsift.model import Tag, TagOrigin, TagType
from ficsift.search import (
    QuerySyntaxError,
    parse_query,
    quality_report,
    query_to_text,
    search,
    similar,
)
from ficsift.search.results import Hit, SearchPage, TagView


class QueryError(Exception):
    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def parse(text: str) -> Query:
    """The inline query language → Query; :class:`QueryError` for bad syntax."""
    try:
        return parse_query(text)
    except QuerySyntaxError as exc:
        raise QueryError(exc.message, exc.position) from exc


def query_text(query: Query) -> str:
    return query_to_text(query)


def run_search(lib: Library, query: Query, offset: int, limit: int, facets: int = 10) -> SearchPage:
    return search(lib, query, offset=offset, limit=limit, facets=facets)


def more_like(lib: Library, work_id: int, limit: int = 8) -> list[Hit]:
    return similar(lib, work_id, limit=limit)


def quality_lines(lib: Library, work_id: int) -> list[str]:
    return quality_report(lib, work_id)


def _view(tag: Tag) -> TagView:
    return TagView(
        name=tag.canonical or tag.name,
        type=tag.type.value,
        origin=tag.origin.value,
        confidence=tag.confidence if tag.origin is TagOrigin.INFERRED else None,
    )


def hit_from_work(work: StoredWork) -> Hit:
    doc = work.document

    def views(kind: TagType) -> list[TagView]:
        seen: set[str] = set()
        out = []
        for t in doc.tags_of(kind):
            v = _view(t)
            if v.name.casefold() not in seen:
                seen.add(v.name.casefold())
                out.append(v)
        return out

    ratings = views(TagType.RATING)
    return Hit(
        id=work.id,
        title=doc.title or "(untitled)",
        authors=list(doc.authors),
        fandoms=views(TagType.FANDOM),
        rating=ratings[0].name if ratings else None,
        warnings=views(TagType.WARNING),
        category=views(TagType.CATEGORY),
        relationships=views(TagType.RELATIONSHIP),
        characters=views(TagType.CHARACTER),
        freeforms=views(TagType.FREEFORM),
        status=doc.status.value,
        words=doc.words,
        chapters=len(doc.chapters) or (doc.stats.chapters_posted or 0),
        chapters_total=doc.stats.chapters_total,
        published=doc.published,
        updated=doc.updated,
        summary=doc.summary,
        language=doc.language,
        kudos=doc.stats.kudos,
        hits=doc.stats.hits,
        bookmarks=doc.stats.bookmarks,
        comments=doc.stats.comments,
        has_text=doc.has_text,
        source=work.sources[0].path if work.sources else doc.source.path,
        score=0.0,
        quality=None,
    )
