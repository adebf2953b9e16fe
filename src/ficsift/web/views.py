"""What pages show, built from library records: shared by the HTML pages and the JSON API."""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import HTTPException
from starlette.datastructures import UploadFile

from ficsift.library import Library, StoredWork
from ficsift.library.query import BlacklistKind, Query, ReadingStatus, TagFilter, TagGroup
from ficsift.model import Chapter, Tag, TagOrigin, TagType
from ficsift.search.results import ReadingState
from ficsift.understand.content_lexicon import CONTENT_LABEL
from ficsift.web import searching
from ficsift.web.forms import PAGE_SIZE, SearchForm
from ficsift.web.jobs import ImportJob
from ficsift.web.security import clean_story_html, safe_filename, unique_path
from ficsift.web.state import AppState

TYPE_ORDER = [
    TagType.RATING, TagType.WARNING, TagType.CATEGORY, TagType.FANDOM,
    TagType.RELATIONSHIP, TagType.CHARACTER, TagType.FREEFORM,
]  # fmt: skip
FIC_SUFFIXES = {".epub", ".html", ".htm", ".xhtml", ".txt", ".md", ".markdown", ".zip"}
MAX_ID = 2**63 - 1  # the largest id a library row can have (SQLite's INTEGER)


# -- search -----------------------------------------------------------------------------------


@dataclass(slots=True)
class SearchResult:
    form: SearchForm
    query: Query | None
    page: Any  # SearchPage
    error: str | None = None
    error_position: int | None = None
    took_ms: float = 0.0

    @property
    def last_page(self) -> int:
        return max(1, -(-self.page.total // PAGE_SIZE)) if self.page else 1

    @property
    def past_the_end(self) -> bool:
        """A page number past the last page of results (``page=999``)."""
        return self.page is not None and not self.page.hits and self.page.total > 0

    def shown(self) -> dict[str, Any]:
        """What the sidebar shows for the box and the sidebar together (the parsed query)."""
        q = self.query
        if q is None:
            return {"sort": self.form.sort, "complete": self.form.complete, "main": self.form.main}
        sort = "" if q.sort.value == "relevance" else q.sort.value
        complete = "" if q.complete is None else ("yes" if q.complete else "no")
        return {"sort": sort, "complete": complete, "main": q.main_pairing}


FACETS_SHOWN = 10  # per tag type, before "more"
FACETS_MORE = 40  # counted per tag type, behind "more"
_QUOTED = re.compile(r"'([^']+)'")


def error_position(text: str, message: str, position: int | None) -> int | None:
    """Where the caret goes: the parser gives the start of the bad token (``words>abc`` → 0);
    when its message quotes the bad value, point at that value within the token."""
    if position is None:
        return None
    found = _QUOTED.search(message)
    if found:
        at = text.find(found.group(1), position)
        if at >= 0:
            return at
    return min(position, len(text))


def run_search(
    lib: Library, form: SearchForm, facets: bool = True, limit: int = PAGE_SIZE
) -> SearchResult:
    started = time.perf_counter()
    try:
        query = form.to_query(searching.parse)
    except searching.QueryError as exc:
        where = error_position(form.q, exc.message, exc.position)
        return SearchResult(form, None, None, exc.message, where)
    offset = (form.page - 1) * limit
    page = searching.run_search(lib, query, offset, limit, facets=FACETS_MORE if facets else 0)
    return SearchResult(form, query, page, took_ms=(time.perf_counter() - started) * 1000)


FACET_ORDER = ["fandom", "rating", "warning", "category", "relationship", "character",
               "freeform", "language"]  # fmt: skip


def facet_list(facets: dict[str, list[tuple[str, int]]]) -> list[tuple[str, list[tuple[str, int]]]]:
    """Facets in AO3's sidebar order."""
    out = [(k, facets[k]) for k in FACET_ORDER if facets.get(k)]
    return out + [(k, v) for k, v in facets.items() if k not in FACET_ORDER and v]


def complete_tags(
    facets: list[tuple[str, list[tuple[str, int]]]], prefix: str, limit: int
) -> list[dict[str, Any]]:
    """Tag names for autocomplete: those starting with ``prefix`` first, then those with a
    word starting with it; the most used first within each."""
    wanted = " ".join(prefix.split()).casefold()
    if not wanted:
        return []
    starts: list[tuple[int, str, str]] = []
    words: list[tuple[int, str, str]] = []
    for kind, items in facets:
        for name, count in items:
            folded = name.casefold()
            if folded.startswith(wanted):
                starts.append((count, name, kind))
            elif any(w.startswith(wanted) for w in re.split(r"[\s/&(]+", folded)):
                words.append((count, name, kind))
    ranked = sorted(starts, key=lambda t: -t[0]) + sorted(words, key=lambda t: -t[0])
    return [{"name": n, "type": k, "count": c} for c, n, k in ranked[:limit]]


# -- work page -------------------------------------------------------------------------------


@dataclass(slots=True)
class TagItem:
    """One tag on the work page: author tags as links, inferred ones with their evidence."""

    name: str  # what to show
    type: str
    origin: str  # author | inferred
    confidence: float | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    confirmed: bool = False  # an author tag ficsift also found in the text
    spelled: str | None = None  # the author's spelling when it differs from ``name``

    @property
    def expandable(self) -> bool:
        return bool(self.evidence or self.reasons)


def _evidence(tag: Tag) -> list[dict[str, Any]]:
    return [
        {"chapter": e.chapter, "text": e.text, "reason": e.reason}
        for e in tag.evidence[:8]
        if e.text.strip()
    ]


def _reasons(tag: Tag) -> list[str]:
    reasons = tag.extra.get("reasons")
    return [str(r) for r in reasons][:6] if isinstance(reasons, list) else []


def tag_groups(work: StoredWork) -> list[tuple[str, list[TagItem]]]:
    """Tags by type in AO3's order; an inferred tag that repeats an author tag confirms it."""
    groups: list[tuple[str, list[TagItem]]] = []
    for kind in TYPE_ORDER:
        items: list[TagItem] = []
        by_key: dict[str, TagItem] = {}
        tags = work.document.tags_of(kind)
        for t in tags:
            if t.origin is not TagOrigin.AUTHOR:
                continue
            shown = t.canonical or t.name
            key = shown.casefold()
            if key in by_key:
                continue
            item = TagItem(shown, kind.value, "author",
                           spelled=t.name if t.name.casefold() != key else None)  # fmt: skip
            by_key[key] = item
            items.append(item)
        for t in tags:
            if t.origin is not TagOrigin.INFERRED:
                continue
            shown = t.canonical or t.name
            key = shown.casefold()
            if key in by_key:
                known = by_key[key]
                if known.origin == "author" and not known.confirmed:
                    known.confirmed = True
                    known.confidence = t.confidence
                    known.evidence = _evidence(t)
                    known.reasons = _reasons(t)
                continue
            item = TagItem(shown, kind.value, "inferred", t.confidence, _evidence(t), _reasons(t))
            by_key[key] = item
            items.append(item)
        if kind is TagType.WARNING:
            # ficsift's fine trigger labels are not AO3 archive warnings: their own row
            triggers = {t.name.casefold() for t in tags if t.label == CONTENT_LABEL}
            content = [i for i in items if i.origin == "inferred" and i.name.casefold() in triggers]
            items = [i for i in items if i not in content]
            if items:
                groups.append((kind.value, items))
            if content:
                groups.append(("content", content))
            continue
        if items:
            groups.append((kind.value, items))
    return groups


_BLANK_LINES = re.compile(r"\n\s*\n")


def chapter_html(chapter: Chapter) -> str:
    """The chapter as safe HTML: its stored HTML sanitised again, else its text as paragraphs."""
    if chapter.html.strip():
        return clean_story_html(chapter.html)
    paragraphs = [p.strip() for p in _BLANK_LINES.split(chapter.text) if p.strip()]
    return "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def parse_position(position: str | None) -> tuple[int, float] | None:
    """``"3:0.42"`` → (3, 0.42): chapter number (1-based) and how far down it."""
    if not position:
        return None
    chapter, _, fraction = position.partition(":")
    try:
        return max(1, int(chapter)), min(1.0, max(0.0, float(fraction or 0)))
    except ValueError:
        return None


def reading_of(lib: Library, work_id: int) -> ReadingState | None:
    return lib.reading(work_id)


def get_work(lib: Library, work_id: int | str) -> StoredWork:
    number = int(work_id) if str(work_id).isdigit() else 0
    work = lib.get(number) if 0 < number <= MAX_ID else None
    if work is None:
        shown = str(work_id)[:40]
        raise HTTPException(404, f"There is no work “{shown}” in your library.")
    return work


def blacklist_reach(lib: Library, kind: BlacklistKind, value: str) -> int:
    """How many works a new blacklist entry hides (0: it matches nothing, say so)."""
    if kind is BlacklistKind.WORK:
        return 1 if title_of(lib, value) else 0
    query = Query(use_blacklist=False)
    if kind is BlacklistKind.AUTHOR:
        query.authors = [value]
    else:
        query.include = [TagGroup((TagFilter(value),))]
    page = searching.run_search(lib, query, 0, 1, facets=0)
    return int(page.total)


def title_of(lib: Library, value: str) -> str | None:
    """A blacklisted work's title (the entry stores its id)."""
    work = lib.get(int(value)) if value.isdigit() and 0 < int(value) <= MAX_ID else None
    return (work.document.title or "(untitled)") if work else None


def mark(
    lib: Library,
    work_id: int,
    status: str | None = None,
    rating: int | None = None,
    notes: str | None = None,
    position: str | None = None,
) -> ReadingState:
    get_work(lib, work_id)
    if status is not None:
        status = ReadingStatus(status).value
    if rating is not None and not 1 <= rating <= 5:
        raise HTTPException(422, "rating must be 1 to 5")
    if position is not None and parse_position(position) is None:
        raise HTTPException(422, "position must look like 'chapter:fraction', e.g. '3:0.42'")
    state: ReadingState = lib.set_reading(
        work_id, status=status, rating=rating, notes=notes, position=position
    )
    return state


# -- imports ---------------------------------------------------------------------------------


async def save_uploads(
    state: AppState, files: list[UploadFile], max_file_bytes: int
) -> tuple[list[Path], list[tuple[str, str]]]:
    """Write uploaded files under the library's ``uploads/`` folder; refuse what cannot be fics."""
    saved: list[Path] = []
    refused: list[tuple[str, str]] = []
    folder = state.uploads_dir / time.strftime("%Y-%m-%d")
    for upload in files:
        original = upload.filename or ""
        if not original:
            continue
        name = safe_filename(original)
        if Path(name).suffix.lower() not in FIC_SUFFIXES:
            refused.append((original, "not a fic file type (EPUB, HTML, TXT, MD or ZIP)"))
            continue
        folder.mkdir(parents=True, exist_ok=True)
        target = unique_path(folder, name)
        size = 0
        too_big = False
        with target.open("xb") as out:
            while chunk := await upload.read(1 << 20):
                size += len(chunk)
                if size > max_file_bytes:
                    too_big = True
                    break
                out.write(chunk)
        if too_big:
            target.unlink(missing_ok=True)
            refused.append((original, f"over the upload limit of {max_file_bytes // 2**20} MB"))
        elif size == 0:
            target.unlink(missing_ok=True)
            refused.append((original, "empty file"))
        else:
            saved.append(target)
    return saved, refused


def folder_path(state: AppState, text: str) -> Path:
    """A folder (or file) that the reader asked to import, inside the import roots: it is
    only read.  Refused alike whether it exists or not (a page learns nothing of the disk)."""
    try:
        return state.import_roots.check(text)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None


def start_import(
    state: AppState,
    saved: list[Path],
    refused: list[tuple[str, str]],
    folder: Path | None,
) -> ImportJob:
    paths = [*saved, *([folder] if folder else [])]
    if not paths and not refused:
        raise HTTPException(400, "choose files to upload or give a folder path")
    parts = []
    if saved or refused:
        n = len(saved) + len(refused)
        parts.append(f"{n} uploaded file{'s' if n != 1 else ''}")
    if folder:
        parts.append(str(folder))
    return state.start_import(paths, " and ".join(parts), refused)
