"""What one server process holds while it runs: the library (one connection behind a lock),
its caches, and the door to imports.

Requests share one :class:`~ficsift.library.Library`; SQLite connections are not safe for
concurrent use, so every request takes :meth:`AppState.library` as a context manager.  Its
lock is granted in arrival order (:class:`FifoLock`): under load a plain lock let some
requests wait many turns while later ones went first, and the slowest took seconds.  Real
concurrency comes from several server processes (see :mod:`ficsift.web.serve`), each with its
own ``AppState`` on the same library: SQLite's WAL lets them all read while one writes.

So every cache here is keyed on :meth:`AppState.stamp`, which moves when the library's
generation moves (any stored file, whoever stored it: an import, a CLI ``ficsift add``) or
when any other connection commits (reading state or blacklist changed by another server
process or the CLI), as well as on this process's own changes.  Imports run in processes of
their own (:mod:`ficsift.web.jobs`), never in a process that answers requests.

The library's in-memory search caches are reloaded in the background after a move, on a
fresh handle that then takes the old one's place (Lucene's searcher manager): while an
import's batches come in, searches answer from the caches before (see SNAPSHOT_LAG).
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ficsift.library import Library, StoredWork, library_home, open_library
from ficsift.search.engine import warm_up
from ficsift.web.jobs import ImportJob, JobStore
from ficsift.web.security import ImportRoots

log = logging.getLogger("ficsift.web")

FacetList = list[tuple[str, list[tuple[str, int]]]]  # [(tag type, [(tag, works)])]
FACET_CACHE = 256
# While another process stores works (an import), searches answer from the caches loaded
# last, reloaded in the background on a handle of their own, as a near-real-time searcher
# does: a search pays neither a reload nor the SQL path, and a stored work shows within
# SNAPSHOT_LAG seconds (past it, the exact SQL path answers until the next reload lands).
SNAPSHOT_LAG = 10.0
RELOAD_EVERY = 1.0  # seconds between background reloads while the library moves, at least
RELOAD_SHARE = 8  # ... and this many times a reload's own time (reloads stay ≤ 1/8 of a core)
Stamp = tuple[str, int, int]  # (library generation, SQLite data_version, local changes)


class FifoLock:
    """A re-entrant lock granted in the order it was asked for (``threading.RLock`` is not:
    a thread that just released it, or any waiter, may take it next)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiting: deque[threading.Lock] = deque()
        self._owner: int | None = None
        self._depth = 0

    def __enter__(self) -> None:
        me = threading.get_ident()
        with self._mutex:
            if self._owner == me:
                self._depth += 1
                return
            if self._owner is None and not self._waiting:
                self._owner, self._depth = me, 1
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by the holder before us, which hands the lock over
        self._owner, self._depth = me, 1

    def __exit__(self, *exc: object) -> None:
        with self._mutex:
            self._depth -= 1
            if self._depth:
                return
            self._owner = None
            if self._waiting:
                self._owner = -1  # handed over: nobody else may take it in between
                self._waiting.popleft().release()


class AppState:
    def __init__(self, library: str | Path, import_roots: ImportRoots) -> None:
        # the reader's files (uploads, downloads, import jobs) live in the library's folder,
        # or beside a database library in $FICSIFT_HOME
        self.library_dir = library_home(library)
        self.import_roots = import_roots
        self.jobs = JobStore(library, self.library_dir)
        self._spec = library
        self._lib = self._open()
        self._lock = FifoLock()  # the library connection
        self._cache_lock = threading.Lock()  # the caches below
        self._local = 0  # bumped by this process's own changes (SQLite hides them from it)
        self._facets: OrderedDict[tuple[object, ...], FacetList] = OrderedDict()
        self._warm: str | None = None  # the generation the search caches were loaded for
        self._warming = False
        self._reload_cost = 0.0  # CPU seconds the last load of the search caches took
        self._reloaded_at = 0.0  # when it ended (monotonic)
        self._closed = False

    def _open(self) -> Library:
        lib = open_library(self._spec)
        lib.snapshot_lag = SNAPSHOT_LAG
        return lib

    def stamp(self) -> Stamp:
        """What cached results were computed from; any change anywhere moves it."""
        with self._lock:
            db = getattr(self._lib, "db", None)  # the SQLite backend's: others have no such
            return (
                _generation(self._lib),
                int(db.execute("PRAGMA data_version").fetchone()[0]) if db else 0,
                self._local,
            )

    def _reload_when_due(self, generation: str) -> None:
        """Reload the search caches in the background once the library moved (an import,
        here or anywhere), at most every so often: a load costs a quarter second per 10k
        works, so not after every file an import stores (searches meanwhile: see
        SNAPSHOT_LAG)."""
        now = time.monotonic()
        with self._cache_lock:
            if self._warm is None or generation == self._warm or self._warming:
                return
            if now - self._reloaded_at < max(RELOAD_EVERY, RELOAD_SHARE * self._reload_cost):
                return
            self._warming = True
        threading.Thread(target=self._reload, name="ficsift-rewarm", daemon=True).start()

    def _reload(self) -> None:
        """Load the search caches on a fresh handle, then answer with it: searches go on
        with the handle before while it loads (a load under the library lock stalled every
        search of the process for its quarter second)."""
        started = time.thread_time()  # its own CPU: its wall time is shared with searches
        generation = ""
        fresh: Library | None = None
        try:
            fresh = self._open()
            generation = _generation(fresh)
            warm_up(fresh)
        except Exception as exc:  # searches go on with the caches before
            log.warning("reloading the search caches failed: %s", exc)
            if fresh is not None:
                fresh.close()
            fresh = None
        old = None
        if fresh is not None:
            with self._lock:
                if self._closed:  # the server stopped meanwhile
                    old = fresh
                else:
                    old, self._lib = self._lib, fresh
        if old is not None:
            old.close()
        with self._cache_lock:
            if fresh is not None:
                self._warm = generation
            self._warming = False
            self._reloaded_at = time.monotonic()
            self._reload_cost = time.thread_time() - started

    def changed(self) -> None:
        """This process changed the library (reading status, blacklist): forget cached counts."""
        with self._cache_lock:
            self._local += 1
            self._facets.clear()

    def facet_key(self, key: tuple[object, ...]) -> tuple[object, ...]:
        """``key`` tied to the library as it is now: take it *before* searching, so counts
        computed while the library moves are filed under the older stamp."""
        return (*self.stamp(), *key)

    def cached_facets(self, key: tuple[object, ...]) -> FacetList | None:
        with self._cache_lock:
            found = self._facets.get(key)
            if found is not None:
                self._facets.move_to_end(key)
            return found

    def store_facets(self, key: tuple[object, ...], facets: FacetList) -> None:
        with self._cache_lock:
            self._facets[key] = facets
            while len(self._facets) > FACET_CACHE:
                self._facets.popitem(last=False)

    def warm_up(self) -> None:
        """Load the ontology, vectors and facet counts before the first reader needs them."""
        first = self._warm is None
        generation = ""
        try:
            with self._lock:
                generation = _generation(self._lib)
                warm_up(self._lib)
        except Exception as exc:  # a cold first search is slower, not broken
            log.warning("warm-up failed: %s", exc)
        with self._cache_lock:
            self._warm, self._warming = generation, False
            self._reloaded_at = time.monotonic()  # (its cost is the ontology's, not a reload's)
        if first:
            # A work page asks FanFicFare whether it can fetch the work (1.4 s to import on
            # a busy machine): not on the first page a reader opens.
            try:
                import ficsift.fetch  # noqa: F401
            except Exception as exc:  # the work page then says nothing of fetching
                log.warning("FanFicFare did not load: %s", exc)
            # What is loaded now lives as long as the process: out of the collector's
            # sight, a full collection no longer walks it (170 ms each: a search's p99).
            gc.collect()
            gc.freeze()

    @property
    def uploads_dir(self) -> Path:
        return self.library_dir / "uploads"

    @contextmanager
    def library(self) -> Iterator[Library]:
        with self._lock:
            yield self._lib
            generation = _generation(self._lib) if self._warm is not None else None
        if generation is not None:
            self._reload_when_due(generation)

    def close(self) -> None:
        self.jobs.stop_all()
        with self._lock:
            self._closed = True
            self._lib.close()

    # -- imports -------------------------------------------------------------------------

    def start_import(
        self, paths: list[Path], label: str, upload_failures: list[tuple[str, str]] | None = None
    ) -> ImportJob:
        """Start reading ``paths`` in an import process of its own; poll :meth:`job`."""
        return self.jobs.start(paths, label, upload_failures or [])

    def start_fetch(
        self,
        kind: str,
        label: str,
        urls: list[str] | None = None,
        work_ids: list[int] | None = None,
        adult: bool = False,
    ) -> ImportJob:
        """Start a fetch (story URLs, or the text of works) or an update (works, or every work
        in progress) in a process of its own; poll :meth:`job` like an import."""
        return self.jobs.start_fetch(kind, label, urls or [], work_ids or [], adult)

    def fetchable(self, work: StoredWork) -> bool:
        """Whether FanFicFare can fetch ``work`` from a URL one of its sources carries."""
        if not any(s.url for s in work.sources):
            return False  # FanFicFare (a third of a second to import) only when it may help
        try:
            from ficsift.fetch import Shelf, story_of
        except ImportError:  # FanFicFare broken or missing: no fetch buttons
            return False
        return story_of(work, Shelf.of_library(self.library_dir)) is not None

    def job(self, job_id: int) -> ImportJob | None:
        return self.jobs.get(job_id)

    def recent_jobs(self, limit: int = 5) -> list[ImportJob]:
        return self.jobs.recent(limit)


def _generation(lib: Library) -> str:
    """The library's generation (moved by every stored file), where the backend has one."""
    generation = getattr(lib, "generation", None)
    return str(generation()) if generation else ""
