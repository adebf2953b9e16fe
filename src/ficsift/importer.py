"""Import as a pipeline of small stages: discover → skip unchanged → read → understand → store.

No front end owns this: the CLI and the web app both call :func:`import_paths` and show its
:class:`ImportReport` their own way; progress comes back through a callback.

Reading is CPU-bound, so files are read in a process pool (``workers``) while this process
stores what they read, in a fixed order that mixes the files found (see import_paths): each
file all-or-nothing, committed in batches of about a second.  Reading and understanding
cost three times what storing does, so there is a reader process per core beside the
storing process.  A file that fails costs one line in the report and nothing else.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

from ficsift.library import BatchLost, FileRecord, Outcome, WorkStorage
from ficsift.library.storable import StorableDocument, storable
from ficsift.model import Chapter, Document, Source
from ficsift.read import DEFAULT_LIMITS, Limits, RawFile, ReadError, read_file
from ficsift.read.archive import expand
from ficsift.read.base import Failure
from ficsift.read.discover import FoundFile, Skipped, discover
from ficsift.understand import understand
from ficsift.understand.learned import learn_from_counts, with_learned
from ficsift.understand.primer import Primer, load_primer


@dataclass(slots=True)
class ReadPart:
    """One file or zip member, read and understood, ready to store (its bytes left behind:
    they would only cost pickling between processes)."""

    path: str
    sha256: str
    size: int
    documents: list[StorableDocument]


@dataclass(slots=True)
class ReadResult:
    """What one found file turned into: stored-ready documents per file or member, failures."""

    found: FoundFile
    sha256: str = ""
    parts: list[ReadPart] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


@dataclass(slots=True)
class ImportReport:
    counts: dict[str, int] = field(default_factory=lambda: {o.value: 0 for o in Outcome})
    failures: list[Failure] = field(default_factory=list)
    files: int = 0
    skipped: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    updates: list[tuple[int, str]] = field(default_factory=list)

    @property
    def works(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> dict[str, object]:
        return {
            **self.counts,
            "failed": len(self.failures),
            "failures": [{"path": f.path, "reason": f.reason} for f in self.failures],
            "files": self.files,
            "skipped": self.skipped,
            "bytes": self.bytes_read,
            "seconds": round(self.seconds, 3),
            "updates": [{"work": w, "detail": d} for w, d in self.updates],
        }


# Stored files become durable together at most this often (seconds): a kill -9 costs at most
# this much reading, which the same import run again redoes.
COMMIT_EVERY = 1.0

_T = TypeVar("_T")
ProgressCallback = Callable[[int, int, str], None]  # (bytes done, bytes total, current path)
# Reads the files to import (in any process, on any machine) and yields their results in the
# order given; import_paths stores them.  The default is a local process pool (_read_all);
# ficsift.bulk passes one that reads on a Ray cluster.
Reader = Callable[[list[FoundFile], Limits], Iterator[ReadResult]]


# What the library's own tagged works teach (understand.learned), for this import's readers:
# set by import_paths before the reader processes fork, so each starts with it.
_LIBRARY_PRIMER: Primer | None = None


def library_primer(library: WorkStorage) -> Primer | None:
    """The primer with what ``library``'s author-tagged works teach (None: they teach
    nothing, or the library is empty)."""
    characters, ships = library.author_tag_counts()
    learned = learn_from_counts(characters, ships)
    return with_learned(load_primer(), learned) if learned else None


def read_found(found: FoundFile, limits: Limits = DEFAULT_LIMITS) -> ReadResult:
    """Read one file (expanding zips) into documents; never raises for bad input."""
    result = ReadResult(found)
    try:
        data = found.load()
    except OSError as exc:
        result.failures.append(Failure(found.path, f"cannot read: {exc.strerror or exc}"))
        return result
    top = RawFile(found.path, data, limits)
    result.sha256 = top.sha256
    for item in expand(top):
        if isinstance(item, Failure):
            result.failures.append(item)
            continue
        try:
            docs = read_file(item)
            ready = [storable(understand(doc, _LIBRARY_PRIMER)) for doc in docs]
        except ReadError as exc:
            result.failures.append(Failure(item.path, str(exc)))
            continue
        except Exception as exc:
            # A bug a file provokes costs that file alone: raised in a reader process, it
            # would end the pool's map, and the import with it.
            result.failures.append(Failure(item.path, f"cannot read: {_one_line(exc)}"))
            continue
        result.parts.append(ReadPart(item.path, item.sha256, len(item.data), ready))
    return result


def _one_line(exc: BaseException) -> str:
    """An exception as a report's reason: its type and message on one line, not too long."""
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= 300 else text[:299] + "…"


def import_paths(
    library: WorkStorage,
    paths: Iterable[str | Path],
    limits: Limits = DEFAULT_LIMITS,
    progress: ProgressCallback | None = None,
    workers: int | None = None,
    reader: Reader | None = None,
) -> ImportReport:
    started = time.perf_counter()
    report = ImportReport()
    found: list[FoundFile] = []
    for item in discover(paths, limits):
        if isinstance(item, Failure):
            report.failures.append(item)
        elif isinstance(item, Skipped):
            report.skipped += 1
        else:
            found.append(item)
    total = sum(f.size for f in found)
    done = 0
    todo: list[FoundFile] = []
    for f in found:
        record = library.file_record(f.path)
        if record is not None and record.size == f.size and record.mtime == f.mtime:
            report.counts[Outcome.UNCHANGED] += record.documents
            report.files += 1
            done += f.size
        else:
            todo.append(f)
    if progress:
        progress(done, total, "")

    # Stories cost the readers most and the writer little; listing pages the other way
    # round.  Found in folder order, all the listings came last and the writer worked
    # mostly at the end, while the readers had finished; a fixed mix (a hash of the path,
    # so the same import stores in the same order) keeps both busy throughout (10% faster
    # on the shared corpus).
    todo.sort(key=lambda f: zlib.crc32(f.path.encode("utf-8", "surrogateescape")))
    global _LIBRARY_PRIMER
    _LIBRARY_PRIMER = library_primer(library) if todo else None
    try:
        with _few_collections():
            results = reader(todo, limits) if reader else _read_all(todo, limits, workers)
            _store_all(library, results, report, progress, done, total)
    finally:
        _LIBRARY_PRIMER = None
    report.seconds = time.perf_counter() - started
    return report


def _store_all(
    library: WorkStorage,
    results: Iterator[ReadResult],
    report: ImportReport,
    progress: ProgressCallback | None,
    done: int,
    total: int,
) -> None:
    finished = False
    while not finished:
        finished = True
        with library.batch():
            deadline = time.monotonic() + COMMIT_EVERY
            for result in results:
                # (each write is guarded in _store; this guards the rest, such as a path
                # SQLite cannot take)
                _attempt(report, result.found.path, partial(_store, library, result, report))
                report.files += 1
                report.bytes_read += result.found.size
                done += result.found.size
                if progress:
                    progress(done, total, result.found.path)
                if time.monotonic() >= deadline:
                    finished = False
                    break


@contextmanager
def _few_collections() -> Iterator[None]:
    """Run the cyclic garbage collector seldom while importing.

    An import allocates millions of short-lived objects that reference counting frees, yet
    each 700 allocations started a collection that walked the young objects (and, every
    so often, the primer's hundreds of thousands): 0.5 CPU-s per reader process on the
    shared corpus, 0.07 s with these thresholds.
    """
    previous = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def default_workers() -> int:
    """Reader processes: one per core, up to four (measured in `make bench`)."""
    return max(1, min(4, os.cpu_count() or 1))


def _read_all(todo: list[FoundFile], limits: Limits, workers: int | None) -> Iterator[ReadResult]:
    """Read results in the order found; ``workers`` reader processes (0: in this process)."""
    workers = default_workers() if workers is None else workers
    if workers <= 0 or len(todo) < 4:
        for f in todo:
            yield read_found(f, limits)
        return
    _warm_up()
    # What exists now (the primer above all) is shared with the forked readers and lives
    # as long as they do: out of the collector's sight, no collection walks it.
    gc.collect()
    gc.freeze()
    try:
        with ProcessPoolExecutor(
            max_workers=workers, initializer=die_with_parent, initargs=(os.getpid(),)
        ) as pool:
            # One file at a time: a few big files (a 300k-word novel) must not queue behind
            # one reader while the other idles, and memory stays flat.
            yield from pool.map(read_found, todo, [limits] * len(todo), chunksize=1)
    finally:
        gc.unfreeze()


def die_with_parent(parent: int) -> None:
    """End this process (a reader) as soon as ``parent``, the process that started it, ends.

    A reader waits for work from a pipe its siblings also hold open, so a ``kill -9`` of the
    import left the readers waiting for ever (~210 MB each).  Linux kills this process when
    its parent dies (``PR_SET_PDEATHSIG``); elsewhere a thread watches for the parent.
    """
    if not _ask_kernel_to_kill_orphan():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # it died before the request above: nothing would come
        os._exit(1)


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _ask_kernel_to_kill_orphan() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _warm_up() -> None:
    """Build understanding's tables (primer, lexicons, cue automata: ~1.5 s) here, once, so
    reader processes forked from this one start with them instead of each building its own."""
    words = "Willow smiled at Tara in the library. The vampire waited outside. " * 20
    understand(Document(Source("warm-up", "text"), chapters=[Chapter(None, words)]))


def _store(library: WorkStorage, result: ReadResult, report: ImportReport) -> None:
    report.failures.extend(result.failures)
    found = result.found
    previous = library.file_record(found.path)
    if previous is not None and previous.sha256 == result.sha256 and not result.failures:
        known = previous

        def touch() -> int:
            library.touch_file(
                FileRecord(found.path, result.sha256, found.size, found.mtime, known.documents)
            )
            return known.documents

        report.counts[Outcome.UNCHANGED] += _attempt(report, found.path, touch) or 0
        return
    complete = not result.failures
    for part in result.parts:
        record = FileRecord(part.path, part.sha256, part.size, found.mtime, len(part.documents))
        stored = _attempt(report, part.path, partial(library.store_file, record, part.documents))
        complete = complete and stored is not None
        for one in stored or []:
            report.counts[one.outcome] += 1
            if one.detail:
                report.updates.append((one.work_id, one.detail))
        if part.path == found.path:  # the file itself, not a zip's member
            return
    if complete:
        # A zip is remembered as read only when every member was, so a re-run retries failures.
        documents = sum(len(part.documents) for part in result.parts)
        whole = FileRecord(found.path, result.sha256, found.size, found.mtime, documents)
        _attempt(report, found.path, partial(library.store_file, whole, []))


def _attempt(report: ImportReport, path: str, write: Callable[[], _T]) -> _T | None:
    """One file's write to the library; if it fails, that file alone fails (the library
    undid just that write, see Library.batch): a line in the report, and the import goes on
    with its neighbours.  A lost batch (the disk failed) still ends the import."""
    try:
        return write()
    except BatchLost:
        raise
    except Exception as exc:  # whatever a file provokes costs that file
        report.failures.append(Failure(path, f"cannot store: {_one_line(exc)}"))
        return None
