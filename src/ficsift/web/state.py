"""What one server process holds while it runs: the library (one connection behind a lock),
its caches, and the door to imports.

Requests share one :class:`~ficsift.library.Library`; SQLite connections are not safe for
concurrent use, so every request takes :meth:`AppState.library` as a context manager.  Real
concurrency comes from several server processes (see :mod:`ficsift.web.serve`), each with its
own ``AppState`` on the same library: SQLite's WAL lets them all read while one writes.

So every cache here is keyed on :meth:`AppState.stamp`, which moves when the library's
generation moves (any stored file, whoever stored it: an import, a CLI ``ficsift add``) or
when any other connection commits (reading state or blacklist changed by another server
process or the CLI), as well as on this process's own changes.  Imports run in processes of
their own (:mod:`ficsift.web.jobs`), never in a process that answers requests.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ficsift.library import Library, open_library
from ficsift.search.engine import warm_up
from ficsift.web.jobs import ImportJob, JobStore
from ficsift.web.security import ImportRoots

log = logging.getLogger("ficsift.web")

FacetList = list[tuple[str, list[tuple[str, int]]]]  # [(tag type, [(tag, works)])]
FACET_CACHE = 256
Stamp = tuple[str, int, int]  # (library generation, SQLite data_version, local changes)


class AppState:
    def __init__(self, library_dir: Path, import_roots: ImportRoots) -> None:
        self.library_dir = Path(library_dir)
        self.import_roots = import_roots
        self.jobs = JobStore(self.library_dir)
        self._lib = open_library(self.library_dir)
        self._lock = threading.RLock()
        self._local = 0  # bumped by this process's own changes (SQLite hides them from it)
        self._facets: OrderedDict[tuple[object, ...], FacetList] = OrderedDict()

    def stamp(self) -> Stamp:
        """What cached results were computed from; any change anywhere moves it."""
        with self._lock:
            # Both are the SQLite backend's; another backend's caches live per change here.
            generation = getattr(self._lib, "generation", None)
            db = getattr(self._lib, "db", None)
            return (
                str(generation()) if generation else "",
                int(db.execute("PRAGMA data_version").fetchone()[0]) if db else 0,
                self._local,
            )

    def changed(self) -> None:
        """This process changed the library (reading status, blacklist): forget cached counts."""
        with self._lock:
            self._local += 1
            self._facets.clear()

    def facet_key(self, key: tuple[object, ...]) -> tuple[object, ...]:
        """``key`` tied to the library as it is now: take it *before* searching, so counts
        computed while the library moves are filed under the older stamp."""
        return (*self.stamp(), *key)

    def cached_facets(self, key: tuple[object, ...]) -> FacetList | None:
        with self._lock:
            found = self._facets.get(key)
            if found is not None:
                self._facets.move_to_end(key)
            return found

    def store_facets(self, key: tuple[object, ...], facets: FacetList) -> None:
        with self._lock:
            self._facets[key] = facets
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
        self.jobs.stop_all()
        with self._lock:
            self._lib.close()

    # -- imports -------------------------------------------------------------------------

    def start_import(
        self, paths: list[Path], label: str, upload_failures: list[tuple[str, str]] | None = None
    ) -> ImportJob:
        """Start reading ``paths`` in an import process of its own; poll :meth:`job`."""
        return self.jobs.start(paths, label, upload_failures or [])

    def job(self, job_id: int) -> ImportJob | None:
        return self.jobs.get(job_id)

    def recent_jobs(self, limit: int = 5) -> list[ImportJob]:
        return self.jobs.recent(limit)
