"""The HTML pages: search, a work with its reader, import, library.  All work without JS."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from ficsift.library.query import BlacklistEntry, BlacklistKind, Query, ReadingStatus, Sort
from ficsift.understand.abandonment import abandonment, wip_state
from ficsift.web import searching, views
from ficsift.web.forms import (
    CATEGORIES,
    GUESS_LEVELS,
    PAGE_SIZE,
    RATINGS,
    SORTS,
    WARNINGS,
    SearchForm,
    pages,
)
from ficsift.web.jobs import story_urls
from ficsift.web.render import render
from ficsift.web.state import AppState

router = APIRouter(include_in_schema=False)


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.ficsift
    return state


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def local_path(back: str, default: str) -> str:
    """``back`` when it is a path on this site, else ``default``: never a redirect elsewhere
    (``//evil.example`` and ``/\\evil.example`` both leave the site in a browser)."""
    if back.startswith("/") and back[1:2] not in {"/", "\\"} and back.isprintable():
        return back
    return default


@router.get("/")
def home(request: Request) -> Response:
    with _state(request).library() as lib:
        empty = not lib.rows(limit=1)
    return _see_other("/import?welcome=1" if empty else "/search")


@router.get("/search")
def search_page(request: Request) -> Response:
    """Results first; the sidebar's tag counts come inline when cached or asked for
    (``facets=1``), else the page fetches them from ``/search/facets`` after it shows."""
    form = SearchForm.from_params(request.query_params)
    state = _state(request)
    key = state.facet_key(form.facet_key())
    cached = state.cached_facets(key)
    inline = cached is None and request.query_params.get("facets") == "1"
    with state.library() as lib:
        result = views.run_search(lib, form, facets=inline)
    facets = cached
    if inline and result.page is not None:
        facets = views.facet_list(result.page.facets)
        state.store_facets(key, facets)
    base = form.url()
    context = {
        "form": form,
        "result": result,
        "shown": result.shown(),
        "facets": facets,
        "facets_url": "/search/facets" + base[len("/search") :],
        "facets_inline_url": base + ("&" if "?" in base else "?") + "facets=1",
        "pages": list(pages(form.page, result.last_page)),
        "ratings": RATINGS,
        "warnings": WARNINGS,
        "categories": CATEGORIES,
        "sorts": SORTS,
        "guess_levels": GUESS_LEVELS,
        "page_size": PAGE_SIZE,
    }
    fragment = request.headers.get("x-fragment") == "search"
    status = 400 if result.error else 200
    return render(request, "_search.html" if fragment else "search.html", context, status)


@router.get("/search/facets")
def search_facets(request: Request) -> Response:
    """The sidebar's tag counts for a search, as an HTML fragment."""
    form = SearchForm.from_params(request.query_params)
    state = _state(request)
    key = state.facet_key(form.facet_key())
    facets = state.cached_facets(key)
    if facets is None:
        with state.library() as lib:
            result = views.run_search(lib, replace(form, page=1), facets=True)
        if result.page is None:
            raise HTTPException(400, result.error or "bad query")
        facets = views.facet_list(result.page.facets)
        state.store_facets(key, facets)
    return render(request, "_facets.html", {"form": form, "facets": facets})


@router.get("/works/{work_ref}")
def work_page(request: Request, work_ref: str, chapter: int | None = None) -> Response:
    with _state(request).library() as lib:
        work = views.get_work(lib, work_ref)  # "/works/abc": the friendly not-found page
        work_id = work.id
        reading = views.reading_of(lib, work_id)
        similar = searching.more_like(lib, work_id)
        quality = searching.quality_lines(lib, work_id)
    doc = work.document
    chapters = doc.chapters if doc.has_text else []
    saved = views.parse_position(reading.position if reading else None)
    if chapter is None:
        chapter = saved[0] if saved else 1
    if chapters and not 1 <= chapter <= len(chapters):
        raise HTTPException(404, f"work {work_id} has no chapter {chapter}")
    current = chapters[chapter - 1] if chapters else None
    # Abandoned or not depends on today: computed as the page is made, never stored.  The
    # library records when it *noticed* new chapters, which may be long after they were
    # posted (test1.com's sid 13 gains chapters from 1975): the work's own dates say when,
    # where it has them.
    noticed = [] if doc.updated or doc.published else [u.at for u in work.updates]
    stalled = abandonment(doc, noticed)
    context = {
        "work": work,
        "doc": doc,
        "head": searching.hit_from_work(work),
        "groups": views.tag_groups(work),
        "reading": reading,
        "statuses": [s.value for s in ReadingStatus],
        "similar": similar,
        "quality": quality,
        "chapters": chapters,
        "chapter_no": chapter,
        "chapter": current,
        "chapter_html": views.chapter_html(current) if current else "",
        "resume": saved,
        "fetchable": _state(request).fetchable(work),
        "wip": wip_state(stalled, date.today()),
        "stalled": stalled,
    }
    return render(request, "work.html", context)


@router.post("/works/{work_id}/fetch")
def work_fetch(request: Request, work_id: int) -> Response:
    """ "Get the text" of a metadata-only work from its story URL (network, on request)."""
    return _fetch_work(request, work_id, "fetch")


@router.post("/works/{work_id}/update")
def work_update(request: Request, work_id: int) -> Response:
    """ "Check for new chapters" of a work in progress (network, on request)."""
    return _fetch_work(request, work_id, "update")


def _fetch_work(request: Request, work_id: int, kind: str) -> Response:
    state = _state(request)
    with state.library() as lib:
        work = views.get_work(lib, work_id)
    title = work.document.title or f"work {work_id}"
    label = f"{'Getting the text of' if kind == 'fetch' else 'Checking'} {title}"
    job = state.start_fetch(kind, label, work_ids=[work_id])
    return _see_other(f"/import?job={job.id}")


@router.post("/import/fetch")
async def import_fetch(request: Request) -> Response:
    """Story URLs from the import page's box, one a line: fetched in a job (network)."""
    form = await request.form()
    try:
        urls = story_urls(str(form.get("urls") or "").splitlines())
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    label = f"{len(urls)} story URL{'s' if len(urls) != 1 else ''}"
    job = _state(request).start_fetch("fetch", label, urls=urls, adult=bool(form.get("adult")))
    return _see_other(f"/import?job={job.id}")


@router.post("/import/update")
def import_update(request: Request) -> Response:
    """Check every work in progress that has text for new chapters (network)."""
    job = _state(request).start_fetch("update", "all works in progress")
    return _see_other(f"/import?job={job.id}")


@router.post("/works/{work_id}/mark")
async def mark_form(request: Request, work_id: int) -> Response:
    form = await request.form()
    status = str(form.get("status") or "") or None
    rating_text = str(form.get("rating") or "")
    notes = form.get("notes")
    try:
        rating = int(rating_text) if rating_text else None
        if status is not None:
            ReadingStatus(status)
    except ValueError:
        raise HTTPException(
            422, "status must be want, reading, read or dropped; rating 1–5"
        ) from None
    with _state(request).library() as lib:
        views.mark(lib, work_id, status, rating, str(notes) if notes is not None else None)
    _state(request).changed()
    return _see_other(f"/works/{work_id}?saved=1#reading")


@router.get("/import")
def import_page(request: Request, job: int | None = None, welcome: int = 0) -> Response:
    state = _state(request)
    current = state.job(job) if job else None
    if job and current is None:
        raise HTTPException(404, f"no import {job} (only the last imports are remembered)")
    context = {
        "job": current,
        "jobs": state.recent_jobs(5),
        "welcome": bool(welcome),
        "max_mb": request.app.state.max_file_bytes // 2**20,
        "folder_error": None,
        "folder_text": "",
    }
    return render(request, "import.html", context)


@router.post("/import")
async def import_post(request: Request) -> Response:
    state = _state(request)
    form = await request.form(max_files=200, max_fields=200)
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    folder_text = str(form.get("folder") or "").strip()
    try:
        folder = views.folder_path(state, folder_text) if folder_text else None
    except HTTPException as exc:  # the form again, with the reason and the path as typed
        context = {
            "job": None,
            "jobs": state.recent_jobs(5),
            "welcome": False,
            "max_mb": request.app.state.max_file_bytes // 2**20,
            "folder_error": str(exc.detail),
            "folder_text": folder_text,
        }
        return render(request, "import.html", context, status_code=exc.status_code)
    saved, refused = await views.save_uploads(state, files, request.app.state.max_file_bytes)
    job = views.start_import(state, saved, refused, folder)
    return _see_other(f"/import?job={job.id}")


@router.get("/library")
def library_page(request: Request) -> Response:
    with _state(request).library() as lib:
        stats = lib.stats()
        blacklist = lib.blacklist()
        titles = {
            e.value: views.title_of(lib, e.value) for e in blacklist if e.kind is BlacklistKind.WORK
        }
        lists: list[tuple[str, object]] = []
        for status in ReadingStatus:
            query = Query(reading=[status], use_blacklist=False, sort=Sort.UPDATED)
            lists.append((status.value, searching.run_search(lib, query, 0, 50)))
    context = {
        "stats": stats,
        "blacklist": blacklist,
        "titles": titles,
        "note": request.query_params.get("note", "")[:300],
        "lists": lists,
        "kinds": [k.value for k in BlacklistKind],
    }
    return render(request, "library.html", context)


@router.post("/library/blacklist")
async def blacklist_add(request: Request) -> Response:
    form = await request.form()
    try:
        kind = BlacklistKind(str(form.get("kind") or ""))
    except ValueError:
        raise HTTPException(422, "kind must be tag, author or work") from None
    value = " ".join(str(form.get("value") or "").split())[:300]
    fandom = " ".join(str(form.get("fandom") or "").split())[:300] or None
    if not value:
        raise HTTPException(422, "say what to blacklist")
    with _state(request).library() as lib:
        lib.blacklist_add(BlacklistEntry(kind, value, fandom))
        hidden = views.blacklist_reach(lib, kind, value)
    _state(request).changed()
    back = local_path(str(form.get("back") or ""), "/library")
    if kind is BlacklistKind.WORK:
        note = "This work is now hidden from your searches. Undo it in Library → Blacklist."
    elif hidden:
        note = f"Blacklisted {kind.value} “{value}”: {hidden:,} work{'s' if hidden != 1 else ''} hidden."
    else:
        note = f"Blacklisted {kind.value} “{value}”, but no work in your library has it (yet)."
    path, _, fragment = back.partition("#")
    joiner = "&" if "?" in path else "?"
    anchor = fragment or ("blacklist" if path == "/library" else "")
    return _see_other(
        f"{path}{joiner}{urlencode({'note': note})}" + (f"#{anchor}" if anchor else "")
    )


@router.post("/library/blacklist/{entry_id}/remove")
def blacklist_remove(request: Request, entry_id: int) -> Response:
    with _state(request).library() as lib:
        if 0 < entry_id <= views.MAX_ID:
            lib.blacklist_remove(entry_id)
    _state(request).changed()
    return _see_other("/library#blacklist")
