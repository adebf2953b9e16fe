"""The JSON API under ``/api/``: the pages' capabilities for scripts and other front ends.

Errors are ``{"error": message}`` with a fitting status (see :func:`ficsift.web.app.create_app`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from ficsift.library.query import BlacklistEntry, BlacklistKind, ReadingStatus
from ficsift.library.query import Query as DbQuery
from ficsift.web import searching, views
from ficsift.web.forms import MAX_PAGE, PAGE_SIZE, SearchForm
from ficsift.web.jobs import story_urls
from ficsift.web.state import AppState

router = APIRouter(prefix="/api", tags=["api"])
MAX_LIMIT = 100  # results a page of /api/search may ask for
TAG_DEPTH = 2000  # tag names per type that autocomplete knows (the most used)


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.ficsift
    return state


class MarkIn(BaseModel):
    status: ReadingStatus | None = None
    rating: int | None = Field(None, ge=1, le=5)
    notes: str | None = Field(None, max_length=20_000)
    position: str | None = Field(None, max_length=64, description="chapter:fraction, e.g. 3:0.42")


class BlacklistIn(BaseModel):
    kind: BlacklistKind
    value: str = Field(min_length=1, max_length=300)
    fandom: str | None = Field(None, max_length=300)


class FolderIn(BaseModel):
    path: str = Field(min_length=1, max_length=4096, description="a folder or file to read")


class FetchIn(BaseModel):
    urls: list[str] = Field(min_length=1, max_length=200, description="story URLs")
    adult: bool = Field(False, description="confirm being an adult where a site asks")


class UpdateIn(BaseModel):
    works: list[int] = Field(default_factory=list, max_length=10_000,
                             description="work ids; none: every work in progress with text")  # fmt: skip


@router.get("/csrf")
def csrf(request: Request) -> dict[str, str]:
    """The token form posts must send back (as ``X-CSRF-Token``) with this cookie."""
    return {"token": request.state.csrf_token}


class TagOut(BaseModel):
    name: str
    type: str
    source: str = Field(description="author | inferred")
    main: bool = False
    confidence: float | None = None


class StatsOut(BaseModel):
    kudos: int | None = None
    hits: int | None = None
    bookmarks: int | None = None
    comments: int | None = None


class HitOut(BaseModel):
    id: int
    title: str
    authors: list[str]
    score: float
    quality: float | None = None
    source: str
    why: list[str] = Field(description="one short phrase per reason the work matched")
    snippet: str | None = Field(None, description="a matching passage, matches marked «so»")
    fandoms: list[TagOut]
    rating: str | None = None
    warnings: list[TagOut]
    content_warnings: list[TagOut]
    category: list[TagOut]
    relationships: list[TagOut]
    characters: list[TagOut]
    tags: list[TagOut]
    status: str
    words: int
    chapters: int
    chapters_total: int | None = None
    published: str | None = None
    updated: str | None = None
    summary: str | None = None
    language: str | None = None
    stats: StatsOut
    has_text: bool
    reading: dict[str, Any] | None = None


class FacetOut(BaseModel):
    name: str
    count: int


class SearchOut(BaseModel):
    total: int = Field(description="works matching, over all pages")
    offset: int
    limit: int
    page: int
    page_size: int
    results: list[HitOut]
    facets: dict[str, list[FacetOut]] = Field(description="tag type → most common tags")
    query: list[str] = Field(description="what the query asked, in English")
    facets_from: int
    hidden_by_guesses: int = Field(
        0,
        description="works matching that guessed tags alone hide (an exclusion or the "
        "blacklist acting on ficsift's guess, not the author's tag): add guesses:only to list them",
    )
    took_ms: float


class TagNameOut(BaseModel):
    name: str
    type: str
    count: int = Field(description="works in the library with this tag")


class TagNamesOut(BaseModel):
    tags: list[TagNameOut]


@router.get("/search", response_model=SearchOut)
def search(
    request: Request,
    q: str = Query(
        "",
        max_length=2000,
        description="the inline query language, e.g. "
        '`vampire willow -"Major Character Death" words>5000 sort:quality`',
    ),
    tag: Annotated[
        list[str] | None, Query(description="tags to include, `type:name` or a name")
    ] = None,
    xtag: Annotated[
        list[str] | None, Query(description="tags to exclude, `type:name` or a name")
    ] = None,
    rating: Annotated[list[str] | None, Query(description="AO3 ratings, any of")] = None,
    category: Annotated[list[str] | None, Query(description="AO3 categories, any of")] = None,
    xwarning: Annotated[
        list[str] | None, Query(description="archive warnings to leave out")
    ] = None,
    complete: str = Query("", pattern="^(|yes|no)$", description="yes | no"),
    words_min: int | None = Query(None, description="at least this many words"),
    words_max: int | None = Query(None, description="at most this many words"),
    lang: Annotated[list[str] | None, Query(description="languages, any of")] = None,
    crossover: str = Query("any", pattern="^(any|exclude|only)$"),
    main: bool = Query(False, description="included ships must be the main pairing"),
    sort: str = Query(
        "",
        description="relevance (empty), quality, kudos, hits, bookmarks, "
        "comments, words, updated, published, title",
    ),
    hide_read: bool = False,
    author_only: bool = Query(False, description="ignore inferred tags when filtering"),
    no_blacklist: bool = False,
    page: int = Query(1, description=f"1-based; kept within 1–{MAX_PAGE}"),
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_LIMIT, description="results per page"),
) -> dict[str, Any]:
    """Search with the same parameters as ``/search`` (``q`` in the inline query language)."""
    form = SearchForm.from_params(request.query_params)
    with _state(request).library() as lib:
        result = views.run_search(lib, form, limit=limit)
    if result.error:
        raise HTTPException(400, f"query syntax: {result.error}"
                            + (f" (at {result.error_position})" if result.error_position is not None else ""))  # fmt: skip
    data: dict[str, Any] = result.page.to_json()
    data["page"] = form.page
    data["page_size"] = limit
    return data


@router.get("/tags", response_model=TagNamesOut)
def tag_names(
    request: Request,
    prefix: str = Query("", max_length=100, description="the start of a tag's name or a word"),
    limit: int = Query(12, ge=1, le=50),
) -> dict[str, Any]:
    """Tag names for autocomplete: names starting with ``prefix`` (every tag of the library,
    however rare), then names with a word starting with it (among the commonest), most used
    first."""
    state = _state(request)
    if not prefix.strip():
        return {"tags": []}
    with state.library() as lib:
        found = [
            {"name": n, "type": k, "count": c} for k, n, c in lib.tag_names(prefix, None, limit)
        ]
    if len(found) < limit:
        key = state.facet_key(("all tag names",))
        names = state.cached_facets(key)
        if names is None:
            with state.library() as lib:
                page = searching.run_search(lib, DbQuery(use_blacklist=False), 0, 1, TAG_DEPTH)
            names = views.facet_list(page.facets)
            state.store_facets(key, names)
        seen = {(t["type"], t["name"]) for t in found}
        more = [
            t
            for t in views.complete_tags(names, prefix, limit)
            if (t["type"], t["name"]) not in seen
        ]
        found += more[: limit - len(found)]
    return {"tags": found}


@router.get("/works/{work_id}")
def work(request: Request, work_id: int) -> dict[str, Any]:
    with _state(request).library() as lib:
        stored = views.get_work(lib, work_id)
        reading = views.reading_of(lib, work_id)
        quality = searching.quality_lines(lib, work_id)
    data = stored.to_json()
    data["reading"] = reading.to_json() if reading else None
    data["quality"] = quality
    return data


@router.get("/works/{work_id}/similar")
def similar(request: Request, work_id: int, limit: int = 10) -> list[dict[str, Any]]:
    with _state(request).library() as lib:
        views.get_work(lib, work_id)
        hits = searching.more_like(lib, work_id, limit=max(1, min(limit, 50)))
    return [h.to_json() for h in hits]


@router.post("/works/{work_id}/mark")
def mark(request: Request, work_id: int, body: MarkIn) -> dict[str, Any]:
    """Set reading status, rating, notes or position; fields left out are unchanged."""
    with _state(request).library() as lib:
        state = views.mark(
            lib, work_id,
            body.status.value if body.status else None, body.rating, body.notes, body.position,
        )  # fmt: skip
    if body.status is not None or body.rating is not None:
        _state(request).changed()  # hide-read and reading filters may now find other works
    return state.to_json()


@router.get("/blacklist")
def blacklist(request: Request) -> list[dict[str, Any]]:
    with _state(request).library() as lib:
        entries = lib.blacklist()
    return [_entry(e) for e in entries]


@router.post("/blacklist", status_code=201)
def blacklist_add(request: Request, body: BlacklistIn) -> dict[str, Any]:
    entry = BlacklistEntry(body.kind, " ".join(body.value.split()), body.fandom or None)
    with _state(request).library() as lib:
        entry_id = lib.blacklist_add(entry)
    _state(request).changed()
    return _entry(BlacklistEntry(entry.kind, entry.value, entry.fandom, entry_id))


@router.delete("/blacklist/{entry_id}")
def blacklist_remove(request: Request, entry_id: int) -> dict[str, Any]:
    with _state(request).library() as lib:
        removed = 0 < entry_id <= views.MAX_ID and lib.blacklist_remove(entry_id)
    _state(request).changed()
    if not removed:
        raise HTTPException(404, f"no blacklist entry {entry_id}")
    return {"removed": entry_id}


@router.post("/import", status_code=202)
async def import_files(request: Request) -> dict[str, Any]:
    """Upload files (multipart ``files``) or give ``{"path": folder}`` as JSON; poll the job."""
    state = _state(request)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            body = FolderIn.model_validate(await request.json())
        except Exception as exc:
            raise HTTPException(422, f'expected {{"path": folder}}: {exc}') from None
        job = views.start_import(state, [], [], views.folder_path(state, body.path))
    elif content_type.startswith("multipart/form-data"):
        form = await request.form(max_files=200, max_fields=200)
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        folder_text = str(form.get("folder") or "").strip()
        folder = views.folder_path(state, folder_text) if folder_text else None
        saved, refused = await views.save_uploads(state, files, request.app.state.max_file_bytes)
        job = views.start_import(state, saved, refused, folder)
    else:
        raise HTTPException(415, 'send multipart/form-data files or a JSON {"path": folder}')
    return job.to_json()


@router.post("/fetch", status_code=202)
def fetch(request: Request, body: FetchIn) -> dict[str, Any]:
    """Download stories by URL with FanFicFare (network) in a job; poll ``/api/import/{id}``."""
    try:
        urls = story_urls(body.urls)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    label = f"{len(urls)} story URL{'s' if len(urls) != 1 else ''}"
    return _state(request).start_fetch("fetch", label, urls=urls, adult=body.adult).to_json()


@router.post("/works/{work_id}/fetch", status_code=202)
def work_fetch(request: Request, work_id: int) -> dict[str, Any]:
    """Get the text of a work from the story URL one of its sources carries (network)."""
    with _state(request).library() as lib:
        views.get_work(lib, work_id)
    return _state(request).start_fetch("fetch", f"work {work_id}", work_ids=[work_id]).to_json()


@router.post("/update", status_code=202)
def update(request: Request, body: UpdateIn) -> dict[str, Any]:
    """Check works in progress for new chapters (network) in a job; poll ``/api/import/{id}``."""
    label = f"{len(body.works)} works" if body.works else "all works in progress"
    ids = [w for w in dict.fromkeys(body.works) if 0 < w <= views.MAX_ID]
    if body.works and not ids:
        raise HTTPException(422, "no such works")
    return _state(request).start_fetch("update", label, work_ids=ids).to_json()


@router.get("/import/{job_id}")
def import_status(request: Request, job_id: int) -> dict[str, Any]:
    job = _state(request).job(job_id)
    if job is None:
        raise HTTPException(404, f"no import {job_id}")
    return job.to_json()


@router.get("/stats")
def stats(request: Request) -> dict[str, Any]:
    with _state(request).library() as lib:
        return lib.stats().to_json()


def _entry(e: BlacklistEntry) -> dict[str, Any]:
    return {"id": e.id, "kind": e.kind.value, "value": e.value, "fandom": e.fandom}
