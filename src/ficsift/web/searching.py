"""The web app's door to :mod:`ficsift.search`, and what it shows when a part is missing.

The web app calls search only through here, so the pages keep working — with a plain
listing instead of ranked results — on a library or build whose search functions are absent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ficsift.library import Library, StoredWork
from ficsift.library.query import Query
from ficsift.model import Tag, TagOrigin, TagType
from ficsift.search.results import Hit, ReadingState, SearchPage, TagView


class SearchUnavailable(Exception):
    """The search module (or one of its functions) is not there in this build."""


def _search_module() -> Any:
    try:
        import ficsift.search as module
    except ImportError as exc:  # pragma: no cover - the package itself is always there
        raise SearchUnavailable(str(exc)) from exc
    return module


def _function(name: str) -> Callable[..., Any] | None:
    module = _search_module()
    found = getattr(module, name, None)
    return found if callable(found) else None


class QueryError(Exception):
    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def parse(text: str) -> Query:
    """The inline query language → Query; :class:`QueryError` for bad syntax."""
    parser = _function("parse_query")
    if parser is None:
        return Query(text=text)
    error_type = getattr(_search_module(), "QuerySyntaxError", None)
    try:
        result: Query = parser(text)
    except Exception as exc:
        if error_type is not None and isinstance(exc, error_type):
            raise QueryError(
                str(getattr(exc, "message", exc)), getattr(exc, "position", None)
            ) from exc
        raise
    return result


def query_text(query: Query) -> str | None:
    to_text = _function("query_to_text")
    return to_text(query) if to_text else None


def run_search(lib: Library, query: Query, offset: int, limit: int, facets: int = 10) -> SearchPage:
    search = _function("search")
    if search is None:
        return _listing(lib, query, offset, limit)
    page: SearchPage = search(lib, query, offset=offset, limit=limit, facets=facets)
    return page


def more_like(lib: Library, work_id: int, limit: int = 8) -> list[Hit]:
    similar = _function("similar")
    if similar is None:
        return []
    try:
        hits: list[Hit] = similar(lib, work_id, limit=limit)
    except (KeyError, LookupError, ValueError):
        return []
    return hits


def quality_lines(lib: Library, work_id: int) -> list[str]:
    report = _function("quality_report")
    if report is None:
        return []
    try:
        lines: list[str] = report(lib, work_id)
    except (KeyError, LookupError, ValueError):
        return []
    return lines


def reading_state(lib: Library, work_id: int) -> ReadingState | None:
    method = getattr(lib, "reading", None)
    return method(work_id) if callable(method) else None


def has_reading(lib: Library) -> bool:
    return callable(getattr(lib, "set_reading", None))


def has_blacklist(lib: Library) -> bool:
    return callable(getattr(lib, "blacklist", None))


# -- the fallback listing -------------------------------------------------------------------


def _listing(lib: Library, query: Query, offset: int, limit: int) -> SearchPage:
    """Works in library order, the title filtered by the free text: no ranking, no facets."""
    started = time.perf_counter()
    text = query.text.casefold().strip()
    rows = lib.rows(limit=10**9)
    if text:
        rows = [r for r in rows if text in r.title.casefold()]
    hits = [hit_from_work(w) for r in rows[offset : offset + limit] if (w := lib.get(r.id))]
    return SearchPage(
        total=len(rows),
        hits=hits,
        facets={},
        described=query.describe(),
        offset=offset,
        limit=limit,
        took_ms=(time.perf_counter() - started) * 1000,
    )


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
