"""Fetch stories by URL, get the text of works the library knows, re-check works in progress.

Three doors, one path: ``fetch_urls`` (URLs a reader pasted), ``fetch_works`` (works of the
library, by the story URL one of their sources carries: "get the text" of a listing blurb,
"update" of a work in progress).  Each story is downloaded by FanFicFare (only its new
chapters when the library already holds an earlier download), read by ficsift's EPUB
reader and stored as a source of its work (see :mod:`ficsift.fetch.shelf`).  The library
records what changed, as for any re-read file ("9 → 10 chapters").

Downloads run in worker threads, one per site (:mod:`ficsift.fetch.sites`); this thread does
all the reading and storing.  Front ends get a :class:`FetchReport` and show it their way.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ficsift.fetch.download import (
    Download,
    FetchError,
    FetchSettings,
    Previous,
    SiteSession,
    StoryRef,
    download,
    locate,
)
from ficsift.fetch.shelf import Shelf, keep, prepare
from ficsift.fetch.sites import per_site
from ficsift.library import Library, Outcome, StoredWork
from ficsift.model import Status
from ficsift.read.base import Failure

ProgressCallback = Callable[[int, int, str], None]  # (stories done, stories, latest URL)


@dataclass(slots=True)
class FetchReport:
    counts: dict[str, int] = field(default_factory=lambda: {o.value: 0 for o in Outcome})
    failures: list[Failure] = field(default_factory=list)
    works: list[tuple[str, int | None]] = field(default_factory=list)  # (story URL, work id)
    updates: list[tuple[int, str]] = field(default_factory=list)  # (work id, "5 → 9 chapters")
    skipped: int = 0  # works in progress without text: `fetch` gets theirs, not `update`
    seconds: float = 0.0

    @property
    def changed(self) -> int:
        """Works that gained something new: an update's "updated"."""
        return self.counts[Outcome.ADDED] + self.counts[Outcome.UPDATED]

    @property
    def unchanged(self) -> int:
        # a new copy with no more than the work had (a second download of the same text)
        return self.counts[Outcome.UNCHANGED] + self.counts[Outcome.MERGED]

    def to_json(self) -> dict[str, object]:
        return {
            **self.counts,
            "failed": len(self.failures),
            "failures": [{"url": f.path, "reason": f.reason} for f in self.failures],
            "works": [{"url": url, "work": work} for url, work in self.works],
            "updates": [{"work": w, "detail": d} for w, d in self.updates],
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True, slots=True)
class _Job:
    story: StoryRef
    given: str  # what the reader named: a URL, or "work 12"
    work_id: int | None = None
    complete: bool | None = None  # the work's status in the library (an update notices a change)
    has_previous: bool = False  # the library holds the shelf's EPUB of this story


def fetch_urls(
    library: Library,
    shelf: Shelf,
    urls: Iterable[str],
    settings: FetchSettings | None = None,
    progress: ProgressCallback | None = None,
) -> FetchReport:
    """Download each story URL and store it; a URL named twice is fetched once."""
    report = FetchReport()
    found: list[_Job] = []
    for url in dict.fromkeys(u.strip() for u in urls if u.strip()):
        try:
            found.append(_Job(locate(url), url))
        except FetchError as exc:
            report.failures.append(Failure(url, str(exc)))
    return _run(library, shelf, found, settings or FetchSettings(), progress, report)


def fetch_works(
    library: Library,
    shelf: Shelf,
    work_ids: Iterable[int],
    settings: FetchSettings | None = None,
    progress: ProgressCallback | None = None,
) -> FetchReport:
    """Download the story of each work from the URL its sources carry, and store it."""
    report = FetchReport()
    found: list[_Job] = []
    for work_id in dict.fromkeys(work_ids):
        stored = library.get(work_id)
        if stored is None:
            report.failures.append(Failure(f"work {work_id}", "no such work in the library"))
            continue
        story = story_of(stored, shelf)
        if story is None:
            report.failures.append(
                Failure(f"work {work_id}", "no story URL that FanFicFare can fetch from")
            )
            continue
        status = stored.document.status
        complete = None if status == Status.UNKNOWN else status == Status.COMPLETE
        found.append(_Job(story, f"work {work_id}", work_id, complete))
    return _run(library, shelf, found, settings or FetchSettings(), progress, report)


def works_in_progress(library: Library, page: int = 1000) -> tuple[list[int], int]:
    """Works in progress that have text (an update re-checks those), and how many have
    none (listing blurbs: `fetch` gets their text)."""
    with_text: list[int] = []
    without = 0
    offset = 0
    while rows := library.rows(limit=page, offset=offset):
        offset += len(rows)
        for row in rows:
            if row.status == Status.IN_PROGRESS:
                if row.has_text:
                    with_text.append(row.id)
                else:
                    without += 1
    return with_text, without


def story_of(stored: StoredWork, shelf: Shelf) -> StoryRef | None:
    """The story a work can be fetched from: the URL of its fetched EPUB first, else of any
    source whose site FanFicFare supports (the text source first)."""
    sources = sorted(stored.sources, key=lambda s: not shelf.holds(s.path))
    for source in sources:
        if source.url:
            try:
                return locate(source.url)
            except FetchError:
                continue
    return None


def _run(
    library: Library,
    shelf: Shelf,
    found: list[_Job],
    settings: FetchSettings,
    progress: ProgressCallback | None,
    report: FetchReport,
) -> FetchReport:
    started = time.perf_counter()
    jobs: list[_Job] = []
    seen: set[str] = set()
    for job in found:
        if job.story.url in seen:  # two spellings of one story's URL
            continue
        seen.add(job.story.url)
        # An earlier download is used only if the library stored it (a shelf file left
        # from another library must not make an update look like "nothing new").
        record = library.file_record(str(shelf.path(job.story)))
        jobs.append(dataclasses.replace(job, has_previous=record is not None))

    def work(job: _Job, session: SiteSession) -> Download:
        epub = shelf.previous(job.story) if job.has_previous else None
        previous = Previous(epub, job.complete) if epub else None
        return download(job.story, settings, previous, session)

    done = 0
    if progress:
        progress(done, len(jobs), "")
    for finished in per_site(jobs, lambda job: job.story.site, work):
        job = finished.job
        if finished.result is None:
            report.failures.append(Failure(_name(job), finished.error or "failed"))
        else:
            _store(library, shelf, job, finished.result, report)
        done += 1
        if progress:
            progress(done, len(jobs), job.story.url)
    report.seconds = time.perf_counter() - started
    return report


def _store(
    library: Library, shelf: Shelf, job: _Job, result: Download, report: FetchReport
) -> None:
    if result.epub is None:
        report.counts[Outcome.UNCHANGED] += 1
        report.works.append((job.story.url, job.work_id))
        return
    try:
        ready = prepare(shelf.path(job.story), result.epub)
        stored = keep(library, shelf, job.story, result.epub, ready)
    except FetchError as exc:
        report.failures.append(Failure(_name(job), str(exc)))
        return
    except Exception as exc:  # a full disk, a locked library: this story is not stored
        report.failures.append(Failure(_name(job), f"not stored: {type(exc).__name__}: {exc}"))
        return
    for outcome in stored:
        report.counts[outcome.outcome] += 1
        report.works.append((job.story.url, outcome.work_id))
        if outcome.detail:
            report.updates.append((outcome.work_id, outcome.detail))


def _name(job: _Job) -> str:
    return job.given if job.work_id is None else f"{job.given} ({job.story.url})"
