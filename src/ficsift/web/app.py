"""The application factory: :func:`create_app` wires state, defences, pages and the JSON API."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ficsift import __version__
from ficsift.library import library_home
from ficsift.web.api import router as api_router
from ficsift.web.opds import router as opds_router
from ficsift.web.pages import router as pages_router
from ficsift.web.render import render
from ficsift.web.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SAFE_METHODS,
    ASGIApp,
    BodyLimitMiddleware,
    BodyTooLarge,
    HostGuardMiddleware,
    HostPolicy,
    ImportRoots,
    Message,
    Receive,
    Scope,
    Send,
    new_token,
    same_origin,
    tokens_match,
)
from ficsift.web.state import AppState

log = logging.getLogger("ficsift.web")

MAX_UPLOAD_BYTES = 256 * 2**20  # one request's body: several fics at once, zips included
MAX_FILE_BYTES = 64 * 2**20  # one uploaded file (the readers' own limit)
STATIC = Path(__file__).with_name("static")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data:; object-src 'none'; frame-src 'none'; frame-ancestors 'none'; "
        b"base-uri 'none'; form-action 'self'",
    ),
]

SIMPLE_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")


class SessionMiddleware:
    """Give every visitor a CSRF token cookie and every response the security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = None
        for key, value in scope.get("headers", []):
            if key == b"cookie":
                cookie: SimpleCookie = SimpleCookie()
                try:
                    cookie.load(value.decode("latin-1"))
                except Exception:
                    continue
                if CSRF_COOKIE in cookie and len(cookie[CSRF_COOKIE].value) >= 32:
                    token = cookie[CSRF_COOKIE].value
        fresh = token is None
        token = token or new_token()
        scope.setdefault("state", {})["csrf_token"] = token

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += SECURITY_HEADERS
                if fresh:
                    headers.append(
                        (
                            b"set-cookie",
                            f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict".encode(),
                        )
                    )
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def csrf_guard(request: Request) -> None:
    """Refuse cross-site state changes.

    Every unsafe request whose ``Origin``/``Referer`` names another site is refused.  Requests
    a browser would send cross-site without asking (POST with a form, multipart or text
    content type) must also carry the page's token in ``X-CSRF-Token`` or the ``csrf_token``
    field.  Other requests (JSON bodies, DELETE) are preflighted by browsers, and this app
    answers no CORS preflight, so other sites cannot send them.
    """
    if request.method in SAFE_METHODS:
        return
    if not same_origin(request.headers, request.app.state.hosts):
        raise HTTPException(403, "cross-site request refused")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    simple = request.method == "POST" and (not content_type or content_type in SIMPLE_CONTENT_TYPES)
    if not simple:
        return
    expected = request.state.csrf_token
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and content_type in SIMPLE_CONTENT_TYPES[:2]:
        form = await request.form(max_files=200, max_fields=200)
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if request.cookies.get(CSRF_COOKIE) != expected or not tokens_match(sent, expected):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


DEFAULT_PORT = 8000


def create_app(
    library: str | Path,
    *,
    port: int = DEFAULT_PORT,
    allowed_hosts: Sequence[str] = (),
    import_roots: Sequence[Path] | None = None,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    max_file_bytes: int = MAX_FILE_BYTES,
) -> FastAPI:
    """The web app on ``library`` (a folder, created when missing, or a ``postgresql://`` URL).

    It answers only requests whose ``Host`` is a loopback name with ``port`` or one of
    ``allowed_hosts`` (``name`` gets ``port``; ``name:port`` is taken as it is).  Folder
    imports read only under ``import_roots`` (default: the user's home and the library
    folder).  ``max_upload_bytes`` caps one request's body; ``max_file_bytes`` one uploaded
    file.
    """
    hosts = HostPolicy.for_server(port, allowed_hosts)
    roots = ImportRoots(
        list(import_roots) if import_roots is not None else [Path.home(), library_home(library)]
    )
    state = AppState(library, roots)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        threading.Thread(target=state.warm_up, name="ficsift-warm-up", daemon=True).start()
        yield
        state.close()

    app = FastAPI(
        lifespan=lifespan,
        title="ficsift",
        version=__version__,
        description="Search, read and curate a fan fiction library. Errors are "
        '`{"error": message}`; state-changing form posts need the `X-CSRF-Token` header '
        "(from `GET /api/csrf`).",
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(csrf_guard)],
    )
    app.state.ficsift = state
    app.state.hosts = hosts
    app.state.max_file_bytes = max_file_bytes

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = str(exc.detail)
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=exc.status_code)
        return render(
            request, "error.html", {"status": exc.status_code, "message": message},
            status_code=exc.status_code,
        )  # fmt: skip

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in {"body", "query"})
            problems.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
        message = "invalid request: " + "; ".join(problems)
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=422)
        return render(request, "error.html", {"status": 400, "message": message}, status_code=400)

    @app.exception_handler(BodyTooLarge)
    async def too_large(request: Request, exc: BodyTooLarge) -> Response:
        return JSONResponse({"error": str(exc)}, status_code=413)

    @app.exception_handler(OverflowError)
    async def overflow(request: Request, exc: OverflowError) -> Response:
        # A number no library row can hold (past 2^63) reached the database: the
        # request's fault, whichever route let it through.
        message = "a number in the request is too large"
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=400)
        return render(request, "error.html", {"status": 400, "message": message}, status_code=400)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("error serving %s", request.url.path)
        message = f"internal error ({type(exc).__name__})"
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=500)
        return HTMLResponse(f"<h1>500</h1><p>{type(exc).__name__}</p>", status_code=500)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api_router)
    app.include_router(opds_router)  # GET only: e-reader apps send no CSRF token
    app.include_router(pages_router)
    # Level 5: level 9 (the default) costs twice the CPU for a 4% smaller page.
    app.add_middleware(GZipMiddleware, minimum_size=2000, compresslevel=5)
    app.add_middleware(BodyLimitMiddleware, limit=max_upload_bytes)
    app.add_middleware(SessionMiddleware)
    app.add_middleware(HostGuardMiddleware, hosts=hosts)  # added last: runs first
    return app


def app_state(request: Request) -> Any:
    return request.app.state.ficsift
