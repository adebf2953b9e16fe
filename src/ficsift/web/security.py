"""The web app's defences: story HTML sanitising, CSRF, upload names and body size limits.

* Story HTML is hostile until proven otherwise: readers already sanitise with nh3 when they
  store a work, and :func:`clean_story_html` sanitises again when a page shows it, with a
  reading allowlist (paragraphs, emphasis, rules, lists, alignment; no scripts, event
  handlers, iframes, forms, images or ``javascript:`` URLs).
* CSRF: every request gets a random token in a ``SameSite=Strict`` cookie; state-changing
  requests must echo it in the ``csrf_token`` form field or the ``X-CSRF-Token`` header, and
  are refused when their ``Origin`` (or ``Referer``) names another site.
* Uploads: names are reduced to a safe base name and files are written only under the
  library's ``uploads/`` folder, never over an existing file; request bodies are capped.
"""

from __future__ import annotations

import hmac
import re
import secrets
import unicodedata
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import nh3

CSRF_COOKIE = "ficsift_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

STORY_TAGS = {
    "p", "br", "hr", "div", "span", "blockquote", "center", "pre",
    "i", "b", "em", "strong", "u", "s", "strike", "del", "ins", "sub", "sup", "small", "big",
    "cite", "q", "abbr", "code", "tt",
    "ul", "ol", "li", "dl", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "a",
}  # fmt: skip
_ALIGN = {"align", "style"}
STORY_ATTRIBUTES = {
    "p": _ALIGN, "div": _ALIGN, "span": {"style"}, "td": _ALIGN, "th": _ALIGN,
    "h1": _ALIGN, "h2": _ALIGN, "h3": _ALIGN, "h4": _ALIGN, "h5": _ALIGN, "h6": _ALIGN,
    "blockquote": _ALIGN, "center": set(), "ol": {"start", "type"}, "li": {"value"},
    "a": {"href", "title"}, "abbr": {"title"},
}  # fmt: skip
STORY_STYLES = {"text-align", "font-style", "font-weight", "text-decoration"}


def clean_story_html(html: str) -> str:
    """Story HTML made safe to show: formatting and alignment kept, anything active removed."""
    return nh3.clean(
        html,
        tags=STORY_TAGS,
        attributes=STORY_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        filter_style_properties=STORY_STYLES,
    )


# -- CSRF -------------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def same_origin(headers: Any, scheme: str, host: str | None) -> bool:
    """False when the request says it comes from another site (Origin, else Referer)."""
    origin = headers.get("origin")
    if origin is None or origin == "":
        referer = headers.get("referer")
        if not referer:
            return True  # neither header: not a browser's cross-site request
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    if origin == "null":
        return False
    parts = urlsplit(origin)
    return bool(host) and parts.netloc.lower() == str(host).lower() and parts.scheme == scheme


# -- uploads ----------------------------------------------------------------------------------

_UNSAFE_CHARS = re.compile(r"[^\w.\- ()\[\]+,&']+")
MAX_NAME = 120


def safe_filename(name: str) -> str:
    """A base name that is safe on any filesystem: no folders, no ``..``, no control chars.

    >>> safe_filename("../../etc/passwd")
    'passwd'
    >>> safe_filename("C:\\\\Users\\\\me\\\\fic.epub")
    'fic.epub'
    >>> safe_filename("..")
    'upload'
    """
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE_CHARS.sub("_", name).strip(" .")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (
            (stem[: MAX_NAME - len(ext) - 1] + dot + ext)
            if dot and len(ext) <= 10
            else name[:MAX_NAME]
        )
    return name or "upload"


def unique_path(folder: Path, name: str) -> Path:
    """A path for ``name`` inside ``folder`` that does not exist yet (``fic (2).epub``)."""
    folder = folder.resolve()
    candidate = (folder / name).resolve()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    n = 2
    while candidate.exists():
        candidate = (folder / (f"{stem} ({n}).{ext}" if dot else f"{stem} ({n})")).resolve()
        n += 1
    if candidate.parent != folder:  # cannot happen with safe_filename; refuse if it ever does
        raise ValueError(f"refusing to write outside {folder}: {name!r}")
    return candidate


# -- request body limit ----------------------------------------------------------------------

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"request body over the limit of {limit // 2**20} MB")
        self.limit = limit


class BodyLimitMiddleware:
    """Refuse request bodies over ``limit`` bytes, by Content-Length or while they stream."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    too_big = int(value) > self.limit
                except ValueError:
                    too_big = True
                if too_big:
                    await _send_json(send, 413, str(BodyTooLarge(self.limit)))
                    return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, limited, send)


async def _send_json(send: Send, status: int, message: str) -> None:
    import json

    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
