"""The web app's defences: hosts, story HTML and links, CSRF, import folders, uploads, limits.

* Hosts: the server answers only the ``Host`` names it was started for (loopback names with
  its port, plus ``--allowed-host``), so a DNS-rebinding page (whose own name resolves to
  127.0.0.1) reaches nothing: :class:`HostPolicy`, enforced by :class:`HostGuardMiddleware`
  before any route runs.

* Story HTML is hostile until proven otherwise: readers already sanitise with nh3 when they
  store a work, and :func:`clean_story_html` sanitises again when a page shows it, with a
  reading allowlist (paragraphs, emphasis, rules, lists, alignment; no scripts, event
  handlers, iframes, forms, images or ``javascript:`` URLs).
* Links from story data (a source's or series' URL) are shown only when they are http(s):
  :func:`safe_link`.
* CSRF: every request gets a random token in a ``SameSite=Strict`` cookie; state-changing
  requests must echo it in the ``csrf_token`` form field or the ``X-CSRF-Token`` header, and
  are refused when their ``Origin`` (or ``Referer``) is not one of the allowed hosts.
* Folder imports read only inside the configured import roots, never system folders, and
  say the same thing whether a refused path exists or not: :class:`ImportRoots`.
* Uploads: names are reduced to a safe base name and files are written only under the
  library's ``uploads/`` folder, never over an existing file; request bodies are capped.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import re
import secrets
import unicodedata
from collections.abc import Awaitable, Callable, Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

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


def same_origin(headers: Any, hosts: HostPolicy) -> bool:
    """False when the request says it comes from a page not served under an allowed host
    (by ``Origin``, else ``Referer``).  Never compared with the request's own ``Host``: a
    rebinding page controls both."""
    origin = headers.get("origin")
    if origin is None or origin == "":
        referer = headers.get("referer")
        if not referer:
            return True  # neither header: not a browser's cross-site request
        try:
            parts = urlsplit(referer)
        except ValueError:
            return False
        origin = f"{parts.scheme}://{parts.netloc}"
    if origin == "null":
        return False
    return hosts.allows_origin(origin)


# -- hosts ------------------------------------------------------------------------------------

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
_HOST_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62})(?:\.[a-z0-9](?:[a-z0-9-]{0,62}))*")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _authority(text: str | None, default_port: int | None) -> tuple[str, int | None] | None:
    """``"Name:8000"`` → ("name", 8000); IPv6 in brackets; None for anything malformed."""
    if not text or len(text) > 300:
        return None
    text = text.strip().lower()
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            return None
        host, rest = text[: end + 1], text[end + 1 :]
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return None
    else:
        host, sep, port_text = text.partition(":")
        rest = sep + port_text
        if not _HOST_NAME.fullmatch(host):
            return None
    if not rest:
        return host, default_port
    if not rest.startswith(":") or not rest[1:].isdigit() or len(rest) > 6:
        return None
    port = int(rest[1:])
    return (host, port) if 0 < port < 65536 else None


def parse_allowed_host(text: str) -> str:
    """One ``--allowed-host`` value as given (``name``, ``name:port``, an IP); ValueError if bad.

    >>> parse_allowed_host("Fics.Lan")
    'fics.lan'
    >>> parse_allowed_host("::1")
    '[::1]'
    """
    text = text.strip()
    if text.count(":") > 1 and not text.startswith("["):
        text = f"[{text}]"  # a bare IPv6 address
    found = _authority(text, None)
    if found is None:
        raise ValueError(f"not a host name (or name:port): {text!r}")
    host, port = found
    return f"{host}:{port}" if port is not None else host


@dataclass(frozen=True, slots=True)
class HostPolicy:
    """The ``host:port`` authorities a browser may use to reach this server."""

    allowed: frozenset[str]

    @classmethod
    def for_server(cls, port: int, extra: Iterable[str] = ()) -> HostPolicy:
        """Loopback names on ``port`` plus ``extra`` (a name without a port gets ``port``)."""
        allowed = set()
        for text in (*LOOPBACK_NAMES, *extra):
            name = parse_allowed_host(text)
            has_port = name.rpartition("]")[2].count(":") == 1
            allowed.add(name if has_port else f"{name}:{port}")
        return cls(frozenset(allowed))

    def allows_host(self, header: str | None) -> bool:
        """Is this ``Host`` header one of ours (no port means HTTP's 80)?"""
        found = _authority(header, 80)
        return found is not None and f"{found[0]}:{found[1]}" in self.allowed

    def allows_origin(self, origin: str) -> bool:
        """Is this ``Origin`` (``scheme://host[:port]``) a page served under an allowed host?"""
        try:
            parts = urlsplit(origin)
        except ValueError:
            return False
        if parts.scheme not in _DEFAULT_PORTS or parts.path not in {"", "/"}:
            return False
        if "@" in parts.netloc:
            return False
        found = _authority(parts.netloc, _DEFAULT_PORTS[parts.scheme])
        return found is not None and f"{found[0]}:{found[1]}" in self.allowed

    def describe(self) -> str:
        return ", ".join(sorted(self.allowed))


def is_loopback(host: str) -> bool:
    """Does binding ``host`` keep the server on this machine?"""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# -- links from story data -----------------------------------------------------------------------

LINK_SCHEMES = frozenset({"http", "https"})


def safe_link(value: object) -> str | None:
    """``value`` as a link target when it is a plain http(s) URL, else None (shown as no link).

    >>> safe_link("https://archiveofourown.org/works/1")
    'https://archiveofourown.org/works/1'
    >>> safe_link("javascript:alert(document.cookie)//archiveofourown.org/works/1") is None
    True
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 4096 or any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in text):
        return None  # browsers drop tabs and newlines inside a scheme: refuse, do not guess
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return None
    return urlunsplit(parts)


# -- folder imports ------------------------------------------------------------------------------

# Never read, whatever the roots say: the system's own folders (and what holds them).
SYSTEM_FOLDERS = tuple(
    Path(p)
    for p in (
        "/etc", "/proc", "/sys", "/dev", "/boot", "/run", "/var", "/usr", "/bin", "/sbin",
        "/lib", "/lib32", "/lib64", "/libx32", "/root", "/snap", "/private", "/System",
    )
)  # fmt: skip


class ImportRoots:
    """The folders a folder import may read: the user's choice (default: home and library).

    :meth:`check` resolves a path (symlinks followed) and returns it only when it exists
    inside a root and outside every system folder; every refusal is one message, the same
    for a path that exists and one that does not.
    """

    def __init__(self, roots: Sequence[Path], home: Path | None = None) -> None:
        self.home = _resolved(home or Path.home())
        self.roots = [r for r in (_resolved(Path(p).expanduser()) for p in roots) if r]
        self.system = [
            s
            for s in (_resolved(p) or p for p in SYSTEM_FOLDERS)
            if not (self.home and self.home.is_relative_to(s))
        ]

    def describe(self) -> str:
        return ", ".join(str(r) for r in self.roots) or "none"

    def refusal(self, text: str) -> str:
        return (
            f"not a folder or file inside an allowed import folder: {text!r} "
            f"(allowed: {self.describe()})"
        )

    def check(self, text: str) -> Path:
        """The real path to read for ``text``; ValueError (one message) when it may not be."""
        text = text.strip()
        if not text:
            raise ValueError("give a folder path")
        try:
            path = Path(text).expanduser()
            if not path.is_absolute():
                raise ValueError(f"give an absolute path (starting with /), not {text!r}")
            real = path.resolve(strict=True)
            allowed = any(real.is_relative_to(r) for r in self.roots) and not any(
                real.is_relative_to(s) or s.is_relative_to(real) for s in self.system
            )
            if allowed and (real.is_dir() or real.is_file()):
                return real
        except (OSError, RuntimeError):
            pass  # missing, unreadable, a loop: refused like a forbidden path
        except ValueError as exc:
            if "absolute" in str(exc):
                raise
        raise ValueError(self.refusal(text))


def _resolved(path: Path | None) -> Path | None:
    if path is None:
        return None
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


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


class HostGuardMiddleware:
    """Answer 421 to any request whose ``Host`` is not allowed, before anything else runs."""

    def __init__(self, app: ASGIApp, hosts: HostPolicy) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in {"http", "websocket"}:
            given = [v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"]
            if len(given) != 1 or not self.hosts.allows_host(given[0]):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                shown = given[0][:100] if given else "(none)"
                await _send_json(
                    send,
                    421,
                    f"this server does not answer for Host {shown!r}; start it with "
                    "`ficsift serve --allowed-host NAME` to reach it by another name",
                )
                return
        await self.app(scope, receive, send)


async def _send_json(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"x-content-type-options", b"nosniff"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
