"""One story downloaded through FanFicFare, as EPUB bytes in memory.

FanFicFare is used as a library, the way its own command line uses it: the adapter for the
story's site reads the metadata and then each chapter (sleeping between requests as
FanFicFare's ``defaults.ini`` asks of that site), and its EPUB writer packs the story.  Given
the EPUB of an earlier download, FanFicFare's update mode fetches only the chapters that are
new and takes the others from that EPUB.

A download gives a whole EPUB or raises :class:`FetchError` with a short reason a reader
understands ("story does not exist", "chapter 2 failed"); nothing is written anywhere.
"""

from __future__ import annotations

import logging
import os
import re
from contextlib import suppress
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, NamedTuple

from fanficfare import adapters, exceptions, writers
from fanficfare.configurable import Configuration
from fanficfare.epubutils import get_dcsource_chaptercount, get_update_data

# Importing FanFicFare sets its logger to DEBUG with a stream handler of its own, so every
# request would be printed; a fetch reports one line per story instead (FanFicFare's own
# command line also turns it down).
logging.getLogger("fanficfare").setLevel(logging.CRITICAL)

_SAFE_NAME_RE = re.compile(r"[^\w.-]+")
_DEFAULTS_INI = Path(adapters.__file__).resolve().parent.parent / "defaults.ini"


class FetchError(Exception):
    """A story that could not be fetched; the message is the one-line reason."""


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """How downloads are made.

    ``config_files`` are FanFicFare ``personal.ini`` files (site logins, per-site options),
    read after FanFicFare's defaults and, with ``user_config``, after the reader's own
    FanFicFare settings in the places FanFicFare's command line reads them from.
    """

    adult: bool = False  # the reader confirms being an adult where a site asks
    config_files: tuple[Path, ...] = ()
    user_config: bool = True


class StoryRef(NamedTuple):
    """A story URL as FanFicFare normalises it, and the site it belongs to."""

    url: str
    site: str
    story_id: str
    first: str | None = None  # a chapter range asked with the URL ("…?sid=5[1-3]")
    last: str | None = None

    @property
    def file_name(self) -> str:
        """Where this story's EPUB is kept, relative to the fetched-stories folder."""
        site = _SAFE_NAME_RE.sub("_", self.site).strip("._") or "site"
        story = _SAFE_NAME_RE.sub("_", self.story_id).strip("._") or "story"
        return f"{site}/{story}.epub"


class Previous(NamedTuple):
    """The EPUB of an earlier download of the same story, and whether it was complete."""

    epub: bytes
    complete: bool | None = None


@dataclass(slots=True)
class Download:
    """A finished download; ``epub`` is None when an update found nothing new."""

    story: StoryRef
    epub: bytes | None
    chapters: int
    new_chapters: int
    complete: bool | None


@dataclass(slots=True)
class SiteSession:
    """What consecutive downloads from one site share: the cookies (one login) and
    FanFicFare's page cache, as its command line shares them between URLs."""

    cookiejar: Any = None
    basic_cache: Any = None

    def attach(self, configuration: Configuration) -> None:
        if self.basic_cache is None:
            self.basic_cache = configuration.get_basic_cache()
        else:
            configuration.set_basic_cache(self.basic_cache)
        if self.cookiejar is None:
            self.cookiejar = configuration.get_cookiejar()
        else:
            configuration.set_cookiejar(self.cookiejar)


_lightweight: Configuration | None = None


def locate(url: str) -> StoryRef:
    """The story a URL names, without touching the network; FetchError when no FanFicFare
    adapter takes it."""
    global _lightweight
    url = url.strip()
    try:
        bare, first, last = adapters.get_url_chapter_range(url)
    except Exception:  # FanFicFare's pattern fails on some strings (a line break inside)
        raise FetchError("not a web address") from None
    if not re.match(r"^https?://", bare, re.I):
        raise FetchError("not a web address")
    if _lightweight is None:
        _lightweight = Configuration(["test1.com"], "epub", lightweight=True)
    try:
        adapter = adapters.getAdapter(_lightweight, bare)
    except exceptions.UnknownSite:
        raise FetchError("site not supported by FanFicFare") from None
    except exceptions.InvalidStoryURL:
        raise FetchError("not a story address on this site") from None
    except Exception as exc:
        raise FetchError(f"not a story address ({_one_line(exc)})") from None
    story_id = str(adapter.story.getMetadata("storyId") or adapter.url)
    return StoryRef(adapter.url, adapter.getSiteDomain(), story_id, first, last)


def user_config_files() -> list[Path]:
    """The reader's own FanFicFare settings, where FanFicFare's command line looks."""
    home = Path.home()
    xdg = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config") / "fanficfare"
    folders = [home / ".fanficdownloader", home / ".fanficfare", xdg]
    return [folder / name for name in ("defaults.ini", "personal.ini") for folder in folders]


def configuration(story: StoryRef, settings: FetchSettings) -> Configuration:
    config = Configuration(adapters.getConfigSectionsFor(story.url), "epub")
    files: list[Path] = [_DEFAULTS_INI]
    if settings.user_config:
        files += user_config_files()
    files += settings.config_files
    config.read([str(f) for f in files])
    with suppress(Exception):  # defaults.ini usually has it already
        config.add_section("overrides")
    overrides = {
        # a failed chapter must fail the story: never store FanFicFare's "(CHAPTER ERROR)" page
        "continue_on_chapter_error": "false",
        "zip_output": "false",  # the EPUB itself, not a zip holding it
    }
    if settings.adult:
        overrides["is_adult"] = "true"
    for key, value in overrides.items():
        config.set("overrides", key, value)
    return config


def download(
    story: StoryRef,
    settings: FetchSettings,
    previous: Previous | None = None,
    session: SiteSession | None = None,
) -> Download:
    """Download ``story`` (only its new chapters when ``previous`` is given)."""
    chapters_done = 0
    fetching_chapters = False
    try:
        config = configuration(story, settings)
        old_count = 0
        if previous is not None:
            old_count = _chapter_count(previous.epub)
            if old_count:
                # FanFicFare's own rule for updates: keep the old cover, never make a new one
                config.set("overrides", "never_make_cover", "true")
        (session or SiteSession()).attach(config)
        adapter = adapters.getAdapter(config, story.url)
        if story.first or story.last:
            adapter.setChaptersRange(story.first, story.last)
        meta = adapter.getStoryMetadataOnly()
        count = int(meta.getChapterCount())
        complete = _complete(meta.getMetadata("status"))
        if old_count and previous is not None:
            same_status = complete is None or complete == previous.complete
            if count <= old_count and same_status and not adapter.recheck_recent_chapters():
                # Nothing new (or the site lost chapters: keep what we have, as FanFicFare does)
                return Download(story, None, old_count, 0, complete)
            _load_previous(adapter, previous.epub)

        def notified(_fraction: float, _url: str) -> None:
            nonlocal chapters_done  # so a failure can name the chapter that failed
            chapters_done += 1

        fetching_chapters = True
        out = BytesIO()
        writers.getWriter("epub", config, adapter).writeStory(outstream=out, notification=notified)
        if adapter.story.chapter_error_count:
            raise FetchError(f"{adapter.story.chapter_error_count} chapters failed")
        new = int(adapter.story.chapter_added_count) if old_count else count
        return Download(story, out.getvalue(), count, new, complete)
    except FetchError:
        raise
    except Exception as exc:
        first = int(story.first or 1)
        where = first + chapters_done if fetching_chapters else None
        raise FetchError(reason(exc, where, story.site)) from exc


def reason(exc: BaseException, chapter: int | None = None, site: str = "the site") -> str:
    """The one-line reason a reader is shown for a failed download."""
    if isinstance(exc, exceptions.StoryDoesNotExist):
        return "story does not exist"
    if isinstance(exc, exceptions.AdultCheckRequired):
        return "adult check required (pass --adult to confirm you are an adult)"
    if isinstance(exc, exceptions.FailedToLogin):
        what = "password" if getattr(exc, "passwdonly", False) else "login"
        return f"{what} required (set it for this site in FanFicFare's personal.ini)"
    if isinstance(exc, exceptions.NeedTimedOneTimePassword):
        return "login required (the site asks for a one-time password)"
    if isinstance(exc, exceptions.AccessDenied):
        return f"access denied ({_one_line(exc)})"
    if isinstance(exc, exceptions.UnknownSite):
        return "site not supported by FanFicFare"
    if isinstance(exc, exceptions.InvalidStoryURL):
        return "not a story address on this site"
    detail = ""
    if isinstance(exc, exceptions.HTTPErrorFFF):
        detail = f"HTTP {exc.status_code}"
    elif isinstance(exc, OSError) or type(exc).__module__.startswith(("requests", "urllib3")):
        # requests' own text is a paragraph of pool and retry internals
        what = "did not answer in time" if "Timeout" in type(exc).__name__ else "unreachable"
        detail = f"network error: {site} {what}"
    elif not isinstance(exc, exceptions.FailedToDownload):
        detail = f"{type(exc).__name__}: {_one_line(exc)}"
    if chapter is not None:
        return f"chapter {chapter} failed" + (f" ({detail})" if detail else "")
    return detail or _one_line(exc) or type(exc).__name__


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] + ("…" if len(text) > 200 else "")


def _complete(status: object) -> bool | None:
    value = str(status or "").strip().lower()
    if value in {"completed", "complete"}:
        return True
    if value in {"in-progress", "in progress"}:
        return False
    return None


def _chapter_count(epub: bytes) -> int:
    """Chapters in an earlier FanFicFare EPUB; 0 when it cannot be updated from."""
    try:
        _url, count = get_dcsource_chaptercount(BytesIO(epub))
    except Exception:  # damaged or not FanFicFare's: download the story whole instead
        return 0
    return int(count or 0)


def _load_previous(adapter: Any, epub: bytes) -> None:
    """Hand FanFicFare the old chapters, images and log, as its command line does."""
    (
        _url,
        _count,
        adapter.oldchapters,
        adapter.oldimgs,
        adapter.oldcover,
        adapter.calibrebookmark,
        adapter.logfile,
        adapter.oldchaptersmap,
        adapter.oldchaptersdata,
    ) = get_update_data(BytesIO(epub))[0:9]
