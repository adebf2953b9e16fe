"""An OPDS 1.2 catalog at ``/opds``: e-reader apps (KOReader, Moon+ Reader, calibre) browse
the library and download each work as EPUB.

* ``/opds`` — the navigation feed: the reader's lists (want to read, reading, read),
  recently added, and search (``/opds/opensearch.xml`` describes ``/opds/search?q=…``).
* acquisition feeds (``/opds/recent``, ``/opds/lists/{status}``, ``/opds/search``): one entry
  per work (title, authors, summary, tags as categories, dates) linking its EPUB at
  ``/opds/works/{id}.epub``, made by :func:`ficsift.export.export_work`; ``rel="next"`` pages.

Only GET: OPDS clients send no CSRF token, and nothing here changes the library.  The Host
allowlist applies as everywhere.  Every document is built with ElementTree, so story data is
escaped; characters XML cannot hold at all (control characters) are dropped first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from ficsift.export import Format, export_work, file_name
from ficsift.library import Library, StoredWork
from ficsift.library.query import Query, ReadingStatus, Sort
from ficsift.model import TagOrigin
from ficsift.web import searching, views
from ficsift.web.state import AppState

router = APIRouter(prefix="/opds", include_in_schema=False)

PAGE_SIZE = 25
ATOM = "http://www.w3.org/2005/Atom"
OPDS = "http://opds-spec.org/2010/catalog"
DC = "http://purl.org/dc/terms/"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
OPENSEARCH_TYPE = "application/opensearchdescription+xml"
EPUB = "application/epub+zip"
LISTS = {
    ReadingStatus.WANT: ("Want to read", "Works you marked to read."),
    ReadingStatus.READING: ("Reading", "Works you are reading."),
    ReadingStatus.READ: ("Read", "Works you have read."),
}
for prefix, uri in (("", ATOM), ("opds", OPDS), ("dc", DC), ("opensearch", OPENSEARCH)):
    ET.register_namespace(prefix, uri)

# Not allowed anywhere in an XML document, escaped or not.
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.ficsift
    return state


def _text(value: object) -> str:
    return _NOT_XML_RE.sub("", str(value))


def _sub(parent: ET.Element, tag: str, text: object = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _text(text)
    return element


def _atom_time(value: str | None) -> str | None:
    """An RFC 3339 time from a stored date ("2021-03-04" or an ISO datetime), else None."""
    if not value or not _DATE_RE.match(value):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _link(parent: ET.Element, rel: str, href: str, kind: str, title: str | None = None) -> None:
    attrs = {"rel": rel, "href": href, "type": kind}
    if title:
        attrs["title"] = title
    _sub(parent, f"{{{ATOM}}}link", **attrs)


def _feed(feed_id: str, title: str, self_href: str, kind: str) -> ET.Element:
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, f"{{{ATOM}}}id", f"urn:ficsift:{feed_id}")
    _sub(feed, f"{{{ATOM}}}title", title)
    _sub(feed, f"{{{ATOM}}}updated", _now())
    author = _sub(feed, f"{{{ATOM}}}author")
    _sub(author, f"{{{ATOM}}}name", "ficsift")
    _link(feed, "self", self_href, kind)
    _link(feed, "start", "/opds", NAVIGATION, "ficsift")
    _link(feed, "search", "/opds/opensearch.xml", OPENSEARCH_TYPE, "Search the library")
    return feed


def _respond(root: ET.Element, kind: str) -> Response:
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type=kind)


# -- navigation ------------------------------------------------------------------------------


@router.get("")
def root(request: Request) -> Response:
    feed = _feed("root", "ficsift library", "/opds", NAVIGATION)
    with _state(request).library() as lib:
        counts = {s: _reading_page(lib, s, 0, 0)[1] for s in LISTS}
        works = lib.work_count()
    entries = [
        ("recent", "Recently added", f"The {works} works of the library, newest first.",
         "/opds/recent", "http://opds-spec.org/sort/new"),
        *[(f"list:{s.value}", title, f"{about} ({counts[s]})", f"/opds/lists/{s.value}",
           "subsection") for s, (title, about) in LISTS.items()],
    ]  # fmt: skip
    for entry_id, title, content, href, rel in entries:
        entry = _sub(feed, f"{{{ATOM}}}entry")
        _sub(entry, f"{{{ATOM}}}title", title)
        _sub(entry, f"{{{ATOM}}}id", f"urn:ficsift:{entry_id}")
        _sub(entry, f"{{{ATOM}}}updated", _now())
        _sub(entry, f"{{{ATOM}}}content", content, type="text")
        _link(entry, rel, href, ACQUISITION)
    return _respond(feed, NAVIGATION)


@router.get("/opensearch.xml")
def opensearch(request: Request) -> Response:
    # Absolute: some clients do not resolve an OpenSearch template against the document's
    # address.  The Host it names has passed the allowlist.
    search_url = str(request.url_for("opds_search")) + "?q={searchTerms}"
    # the OpenSearch namespace as the default, unprefixed, as clients expect it
    doc = ET.Element("OpenSearchDescription", xmlns=OPENSEARCH)
    _sub(doc, "ShortName", "ficsift")
    _sub(doc, "Description", "Search your ficsift library")
    _sub(doc, "InputEncoding", "UTF-8")
    _sub(doc, "OutputEncoding", "UTF-8")
    _sub(doc, "Url", type=ACQUISITION, template=search_url)
    return _respond(doc, OPENSEARCH_TYPE)


# -- acquisition -----------------------------------------------------------------------------


@router.get("/recent")
def recent(request: Request, page: int = 1) -> Response:
    page = _page_number(page)
    with _state(request).library() as lib:
        total = lib.work_count()
        # work ids grow as works are added: the newest are the last rows
        end = max(0, total - (page - 1) * PAGE_SIZE)
        start = max(0, end - PAGE_SIZE)
        ids = [row.id for row in lib.rows(limit=end - start, offset=start)][::-1] if end else []
        works = _works(lib, ids)
    return _acquisition("recent", "Recently added", "/opds/recent", {}, page, total, works)


@router.get("/lists/{status}")
def reading_list(request: Request, status: str, page: int = 1) -> Response:
    try:
        wanted = ReadingStatus(status)
    except ValueError:
        raise HTTPException(404, f"no reading list {status!r}") from None
    if wanted not in LISTS:
        raise HTTPException(404, f"no reading list {status!r}")
    page = _page_number(page)
    with _state(request).library() as lib:
        ids, total = _reading_page(lib, wanted, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        works = _works(lib, ids)
    title = LISTS[wanted][0]
    href = f"/opds/lists/{wanted.value}"
    return _acquisition(f"list:{wanted.value}", title, href, {}, page, total, works)


@router.get("/search", name="opds_search")
def search(request: Request, q: str = "", page: int = 1) -> Response:
    q = q[:2000].strip()
    page = _page_number(page)
    try:
        query = searching.parse(q)
    except searching.QueryError as exc:
        raise HTTPException(400, f"query syntax: {exc.message}") from None
    with _state(request).library() as lib:
        found = searching.run_search(lib, query, (page - 1) * PAGE_SIZE, PAGE_SIZE, facets=0)
        works = _works(lib, [h.id for h in found.hits])
    return _acquisition(
        f"search:{q}", f"Search: {q}" if q else "All works", "/opds/search", {"q": q},
        page, found.total, works,
    )  # fmt: skip


@router.get("/works/{work_id}.epub")
def work_epub(request: Request, work_id: int) -> Response:
    with _state(request).library() as lib:
        stored = views.get_work(lib, work_id)
    if not stored.document.has_text:
        raise HTTPException(404, f"work {work_id} has no text to download")
    data = export_work(stored, Format.EPUB)
    name = file_name(stored, Format.EPUB)
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=EPUB, headers={"content-disposition": disposition})


def _page_number(page: int) -> int:
    if not 1 <= page <= 10_000:
        raise HTTPException(400, "page must be 1 to 10000")
    return page


def _reading_page(
    lib: Library, status: ReadingStatus, offset: int, limit: int
) -> tuple[list[int], int]:
    """The works of one reading list, most recently updated first, and how many there are."""
    query = Query(reading=[status], use_blacklist=False, sort=Sort.UPDATED)
    found = searching.run_search(lib, query, offset, limit, facets=0)
    return [h.id for h in found.hits], found.total


def _works(lib: Library, ids: list[int]) -> list[StoredWork]:
    return [w for w in (lib.get(i) for i in ids) if w is not None]


def _acquisition(
    feed_id: str,
    title: str,
    path: str,
    params: dict[str, str],
    page: int,
    total: int,
    works: list[StoredWork],
) -> Response:
    def href(number: int) -> str:
        query = {**params, **({"page": str(number)} if number > 1 else {})}
        return path + ("?" + urlencode(query) if query else "")

    feed = _feed(feed_id, title, href(page), ACQUISITION)
    _link(feed, "up", "/opds", NAVIGATION, "ficsift")
    _link(feed, "first", href(1), ACQUISITION)
    if page > 1:
        _link(feed, "previous", href(page - 1), ACQUISITION)
    if page * PAGE_SIZE < total:
        _link(feed, "next", href(page + 1), ACQUISITION)
    _sub(feed, f"{{{OPENSEARCH}}}totalResults", total)
    _sub(feed, f"{{{OPENSEARCH}}}itemsPerPage", PAGE_SIZE)
    _sub(feed, f"{{{OPENSEARCH}}}startIndex", (page - 1) * PAGE_SIZE + 1)
    for work in works:
        _entry(feed, work)
    return _respond(feed, ACQUISITION)


def _entry(feed: ET.Element, work: StoredWork) -> None:
    doc = work.document
    entry = _sub(feed, f"{{{ATOM}}}entry")
    _sub(entry, f"{{{ATOM}}}title", doc.title or "(untitled)")
    _sub(entry, f"{{{ATOM}}}id", f"urn:ficsift:work:{work.id}")
    updated = _atom_time(doc.updated) or _atom_time(doc.published)
    _sub(entry, f"{{{ATOM}}}updated", updated or _atom_time(work.added_at) or _now())
    if published := _atom_time(doc.published):
        _sub(entry, f"{{{ATOM}}}published", published)
    for name in doc.authors or ["Anonymous"]:
        author = _sub(entry, f"{{{ATOM}}}author")
        _sub(author, f"{{{ATOM}}}name", name)
    if doc.language:
        _sub(entry, f"{{{DC}}}language", doc.language)
    seen: set[tuple[str, str]] = set()
    for tag in doc.tags:
        if tag.origin is not TagOrigin.AUTHOR:
            continue  # the author's tags; ficsift's inferred ones are on the work's page
        name = tag.canonical or tag.name
        key = (tag.type.value, name.casefold())
        if key in seen:
            continue
        seen.add(key)
        scheme = f"urn:ficsift:tag:{tag.type.value}"
        _sub(entry, f"{{{ATOM}}}category", term=name, label=name, scheme=scheme)
    if doc.summary:
        _sub(entry, f"{{{ATOM}}}summary", doc.summary, type="text")
    _link(entry, "alternate", f"/works/{work.id}", "text/html", "Read on ficsift")
    if doc.has_text:
        _link(entry, "http://opds-spec.org/acquisition", f"/opds/works/{work.id}.epub", EPUB)
