"""What the web app holds while it runs: the library (one connection behind a lock) and imports.

Requests share one :class:`~ficsift.library.Library`; SQLite connections are not safe for
concurrent use, so every request takes :meth:`AppState.library` as a context manager.  An
import runs in a background thread with its own connection, and reports progress through an
:class:`ImportJob` that the import page polls.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ficsift.importer import ImportReport, import_paths
from ficsift.library import Library, open_library
from ficsift.search import refresh
from ficsift.search.engine import warm_up

log = logging.getLogger("ficsift.web")

FacetList = list[tuple[str, list[tuple[str, int]]]]  # [(tag type, [(tag, works)])]
FACET_CACHE = 256


@dataclass(slots=True)
class ImportJob:
    """One import: what it reads, how far it is, and its report when done."""

    id: int
    label: str  # "3 uploaded files" / the folder path
    paths: list[Path]
    started: float = field(default_factory=time.time)
    done_bytes: int = 0
    total_bytes: int = 0
    current: str = ""
    finished: bool = False
    error: str | None = None
    report: ImportReport | None = None
    upload_failures: list[tuple[str, str]] = field(default_factory=list)  # refused uploads

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        if not self.total_bytes:
            return 0
        return min(99, int(100 * self.done_bytes / self.total_bytes))

    def to_json(self) -> dict[str, Any]:
        report = self.report.to_json() if self.report else None
        if report is not None:
            refused = [{"path": name, "reason": reason} for name, reason in self.upload_failures]
            failures = refused + [
                {"path": f.path, "reason": f.reason}
                for f in self.report.failures  # type: ignore[union-attr]
            ]
            report["failures"] = failures
            report["failed"] = len(failures)
        return {
            "id": self.id,
            "label": self.label,
            "state": "failed" if self.error else "done" if self.finished else "running",
            "percent": self.percent,
            "done_bytes": self.done_bytes,
            "total_bytes": self.total_bytes,
            "current": Path(self.current).name if self.current else "",
            "error": self.error,
            "report": report,
        }


class AppState:
    def __init__(self, library_dir: Path) -> None:
        self.library_dir = Path(library_dir)
        self._lib = open_library(self.library_dir)
        self._lock = threading.RLock()
        self._jobs: dict[int, ImportJob] = {}
        self._job_ids = itertools.count(1)
        self._import_lock = threading.Lock()  # one import at a time: they share the disk
        self.generation = 0  # bumped whenever what a search finds may change
        self._facets: OrderedDict[tuple[object, ...], FacetList] = OrderedDict()

    def changed(self) -> None:
        """The library changed (import, reading status, blacklist): forget cached counts."""
        with self._lock:
            self.generation += 1
            self._facets.clear()

    def cached_facets(self, key: tuple[object, ...]) -> FacetList | None:
        with self._lock:
            found = self._facets.get((self.generation, *key))
            if found is not None:
                self._facets.move_to_end((self.generation, *key))
            return found

    def store_facets(self, key: tuple[object, ...], facets: FacetList) -> None:
        with self._lock:
            self._facets[(self.generation, *key)] = facets
            while len(self._facets) > FACET_CACHE:
                self._facets.popitem(last=False)

    def warm_up(self) -> None:
        """Load the ontology, vectors and facet counts before the first reader needs them."""
        try:
            with self.library() as lib:
                warm_up(lib)
        except Exception as exc:  # a cold first search is slower, not broken
            log.warning("warm-up failed: %s", exc)

    @property
    def uploads_dir(self) -> Path:
        return self.library_dir / "uploads"

    @contextmanager
    def library(self) -> Iterator[Library]:
        with self._lock:
            yield self._lib

    def close(self) -> None:
        with self._lock:
            self._lib.close()

    # -- imports -------------------------------------------------------------------------

    def start_import(
        self,
        paths: list[Path],
        label: str,
        upload_failures: list[tuple[str, str]] | None = None,
        wait: bool = False,
    ) -> ImportJob:
        job = ImportJob(next(self._job_ids), label, paths, upload_failures=upload_failures or [])
        self._jobs[job.id] = job
        thread = threading.Thread(target=self._run_import, args=(job,), daemon=True)
        thread.start()
        if wait:
            thread.join()
        return job

    def job(self, job_id: int) -> ImportJob | None:
        return self._jobs.get(job_id)

    def jobs(self) -> list[ImportJob]:
        return sorted(self._jobs.values(), key=lambda j: -j.id)

    def _run_import(self, job: ImportJob) -> None:
        def progress(done: int, total: int, current: str) -> None:
            job.done_bytes, job.total_bytes, job.current = done, total, current

        with self._import_lock:
            try:
                if job.paths:
                    with open_library(self.library_dir) as lib:
                        job.report = import_paths(lib, job.paths, progress=progress)
                        job.current = "indexing for search"
                        _refresh_search(lib)
                else:
                    job.report = ImportReport()
            except Exception as exc:  # the page shows it; the server keeps running
                job.error = f"{type(exc).__name__}: {exc}"
                traceback.print_exc()
            finally:
                job.finished = True
                self.changed()
        self.warm_up()  # the library moved on: reload what searches read from memory


def _refresh_search(lib: Library) -> None:
    """Score and embed what the import added."""
    refresh(lib)
