"""Web imports and fetches: each runs in a process of its own, its progress in a small JSON file.

A file that takes minutes to read (or never finishes) must not slow a search, so an import
never runs in a process that answers requests: :meth:`JobStore.start` launches
``python -m ficsift.web.jobs LIBRARY JOB_FILE``, which runs :func:`ficsift.importer.import_paths`
on its own library connection, at a lower CPU priority, and rewrites the job's file as it
goes.  The files live under the library's ``imports/`` folder, so every server worker
process answers a progress poll alike, whichever of them started the import.

The import process dies with the server: it reads its stdin (a pipe from the worker that
started it) and exits when that closes, and it leads a process group of its own, which the
worker ends at shutdown.  One import runs at a time (a lock file); others wait their turn.

A job has a kind: ``import`` reads files; ``fetch`` downloads stories by URL (or the text of
library works that carry one) and ``update`` re-checks works in progress, both through
:mod:`ficsift.fetch` (FanFicFare) — the only jobs that use the network, and only because the
reader asked on a page.  Their progress counts stories instead of bytes.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ficsift.library import Library

log = logging.getLogger("ficsift.web")

JOBS_FOLDER = "imports"  # under the library folder
KEEP_JOBS = 50  # finished jobs remembered
SAVE_EVERY = 0.25  # seconds between progress writes
STARTING_GRACE = 120.0  # a job whose process never reported is given up after this
IMPORT_NICENESS = 19  # searches come first; the import has the CPU they leave
KINDS = ("import", "fetch", "update")
MAX_URLS = 200  # story URLs in one fetch
MAX_URL_LENGTH = 2048


@dataclass(slots=True)
class ImportJob:
    """One import: what it reads, how far it is, and its report when done."""

    id: int
    label: str  # "3 uploaded files" / the folder path
    paths: list[str]
    started: float = field(default_factory=time.time)
    done_bytes: int = 0
    total_bytes: int = 0
    current: str = ""
    finished: bool = False
    error: str | None = None
    report: dict[str, Any] | None = None  # ImportReport.to_json()
    upload_failures: list[tuple[str, str]] = field(default_factory=list)  # refused uploads
    pid: int | None = None  # the import process, once it runs
    kind: str = "import"  # one of KINDS
    urls: list[str] = field(default_factory=list)  # fetch: story URLs
    work_ids: list[int] = field(default_factory=list)  # fetch/update: library works
    adult: bool = False  # fetch/update: the reader confirmed being an adult

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        if not self.total_bytes:
            return 0
        return min(99, int(100 * self.done_bytes / self.total_bytes))

    @property
    def state(self) -> str:
        return "failed" if self.error else "done" if self.finished else "running"

    def to_json(self) -> dict[str, Any]:
        report = dict(self.report) if self.report is not None else None
        if report is not None:
            refused = [{"path": name, "reason": reason} for name, reason in self.upload_failures]
            failures = refused + list(report.get("failures", []))
            report["failures"] = failures
            report["failed"] = len(failures)
        current = self.current
        if current and self.kind == "import":
            current = Path(current).name  # a file name; a story URL is shown whole
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "state": self.state,
            "percent": self.percent,
            "done_bytes": self.done_bytes,
            "total_bytes": self.total_bytes,
            "current": current,
            "error": self.error,
            "report": report,
        }

    @classmethod
    def from_file(cls, data: dict[str, Any]) -> ImportJob:
        data = dict(data)
        data["upload_failures"] = [tuple(p) for p in data.get("upload_failures", [])]
        return cls(**data)


class JobStore:
    """The import jobs of one library: files ``imports/<id>.json``, shared by all processes."""

    def __init__(self, library: str | Path, home: Path) -> None:
        self.library = str(library)  # the library spec the job processes open
        self.folder = home / JOBS_FOLDER
        self._processes: dict[int, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()

    def path(self, job_id: int) -> Path:
        return self.folder / f"{job_id}.json"

    # -- reading -------------------------------------------------------------------------

    def get(self, job_id: int) -> ImportJob | None:
        if not 0 < job_id < 2**63:
            return None
        return _load(self.path(job_id))

    def recent(self, limit: int = 5) -> list[ImportJob]:
        jobs = [j for j in (_load(self.path(i)) for i in self._ids()[::-1][:limit]) if j]
        return jobs

    def _ids(self) -> list[int]:
        if not self.folder.is_dir():
            return []
        return sorted(int(p.stem) for p in self.folder.glob("*.json") if p.stem.isdigit())

    # -- starting ------------------------------------------------------------------------

    def start(
        self, paths: list[Path], label: str, upload_failures: list[tuple[str, str]]
    ) -> ImportJob:
        """Record a new job and launch its process (or finish it at once when it reads nothing)."""
        job = self._new(
            ImportJob(0, label, [str(p) for p in paths], upload_failures=upload_failures)
        )
        if not paths:
            job.finished = True
            job.report = _empty_report()
            _save(self.path(job.id), job)
            return job
        return self._launch(job)

    def start_fetch(
        self,
        kind: str,
        label: str,
        urls: Sequence[str] = (),
        work_ids: Sequence[int] = (),
        adult: bool = False,
    ) -> ImportJob:
        """Record a fetch (story URLs, or works' text) or an update (``work_ids``, or with
        none every work in progress) and launch its process."""
        if kind not in KINDS[1:]:
            raise ValueError(f"not a fetch kind: {kind}")
        job = ImportJob(0, label, [], kind=kind, urls=list(urls), work_ids=list(work_ids),
                        adult=adult)  # fmt: skip
        return self._launch(self._new(job))

    def _launch(self, job: ImportJob) -> ImportJob:
        command = [sys.executable, "-m", "ficsift.web.jobs"]
        command += [self.library, str(self.path(job.id))]
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,  # closed when this process ends: the import then stops
                start_new_session=True,  # its own process group, readers included
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        except OSError as exc:
            job.finished, job.error = True, f"could not start the import: {exc}"
            _save(self.path(job.id), job)
            return job
        with self._lock:
            self._processes[job.id] = process
        threading.Thread(
            target=self._reap, args=(job.id, process), name=f"ficsift-import-{job.id}", daemon=True
        ).start()
        return job

    def _new(self, job: ImportJob) -> ImportJob:
        """``job`` recorded under the next free id."""
        self.folder.mkdir(parents=True, exist_ok=True)
        ids = self._ids()
        next_id = (ids[-1] if ids else 0) + 1
        for old in ids[: max(0, len(ids) - KEEP_JOBS)]:
            earlier = _load(self.path(old))
            if earlier is None or earlier.finished:
                self.path(old).unlink(missing_ok=True)
        while True:  # O_EXCL: two workers starting imports at once get different ids
            try:
                fd = os.open(self.path(next_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                next_id += 1
                continue
            os.close(fd)
            break
        job.id = next_id
        _save(self.path(job.id), job)
        return job

    def _reap(self, job_id: int, process: subprocess.Popen[bytes]) -> None:
        """Wait for an import process; if it ended without finishing its job, say so."""
        code = process.wait()
        with self._lock:
            self._processes.pop(job_id, None)
        job = _load(self.path(job_id), check_alive=False)
        if job is not None and not job.finished:
            how = f"signal {-code}" if code < 0 else f"exit status {code}"
            job.finished, job.error = True, f"the import process stopped ({how})"
            _save(self.path(job_id), job)

    def stop_all(self, timeout: float = 5.0) -> None:
        """End the imports this process started (server shutdown), readers included."""
        with self._lock:
            running = list(self._processes.values())
        for process in running:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def story_urls(lines: Sequence[str]) -> list[str]:
    """The story URLs a reader gave (one a line), each once; ValueError naming a bad one.
    Which sites FanFicFare can fetch from is for the job to say, one failure a URL."""
    urls: list[str] = []
    for line in lines:
        for url in line.split():
            if len(url) > MAX_URL_LENGTH or not url.isprintable():
                raise ValueError(f"not a story URL: {url[:80]!r}")
            if not url.lower().startswith(("http://", "https://")):
                raise ValueError(f"not a web address (http:// or https://): {url[:80]!r}")
            if url not in urls:
                urls.append(url)
    if not urls:
        raise ValueError("give story URLs, one a line")
    if len(urls) > MAX_URLS:
        raise ValueError(f"{len(urls)} URLs: at most {MAX_URLS} at a time")
    return urls


def _empty_report() -> dict[str, Any]:
    from ficsift.importer import ImportReport

    return ImportReport().to_json()


def _save(path: Path, job: ImportJob) -> None:
    """Write atomically: a reader sees the old file or the new one, never half of one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_text(json.dumps(asdict(job)), "utf-8")
    os.replace(temporary, path)


def _load(path: Path, check_alive: bool = True) -> ImportJob | None:
    try:
        job = ImportJob.from_file(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    if check_alive and not job.finished and not _alive(job):
        job.finished = True
        job.error = "the import stopped before it finished (was the server stopped?)"
    return job


def _alive(job: ImportJob) -> bool:
    if job.pid is None:
        return time.time() - job.started < STARTING_GRACE
    try:
        os.kill(job.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- the import process ----------------------------------------------------------------------


class _Reporter:
    """Keeps the job file up to date from the import process (at most every SAVE_EVERY s)."""

    def __init__(self, path: Path, job: ImportJob) -> None:
        self.path = path
        self.job = job
        self.lock = threading.Lock()
        self.saved = 0.0

    def save(self, force: bool = False) -> None:
        with self.lock:
            now = time.monotonic()
            if force or now - self.saved >= SAVE_EVERY:
                _save(self.path, self.job)
                self.saved = now

    def progress(self, done: int, total: int, current: str) -> None:
        self.job.done_bytes, self.job.total_bytes, self.job.current = done, total, current
        self.save()

    def fail(self, message: str) -> None:
        self.job.finished, self.job.error = True, message
        self.save(force=True)


@contextlib.contextmanager
def _one_import_at_a_time(folder: Path, reporter: _Reporter) -> Iterator[None]:
    with (folder / ".lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            reporter.job.current = "waiting for another import to finish"
            reporter.save(force=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _die_with_parent(reporter: _Reporter) -> None:
    """Exit when the server process that started us goes (its end of our stdin closes)."""

    def watch() -> None:
        with contextlib.suppress(OSError):
            while os.read(0, 1 << 12):  # unbuffered: no lock left held at exit
                pass
        with contextlib.suppress(Exception):
            reporter.fail("the import stopped: the server that started it stopped")
        os._exit(3)

    threading.Thread(target=watch, name="ficsift-parent-watch", daemon=True).start()


def lower_priority() -> None:
    """Give this job (and the reader processes it forks) the CPU that searches leave.

    The job runs in a session of its own, and Linux's autogroup scheduling shares the CPU
    between sessions before niceness counts, so ``nice`` alone left the import half of
    the cores while 20 searches waited (p99 1.0 s in the web bench).  The session's own
    group is made nice too."""
    with contextlib.suppress(OSError):
        os.nice(IMPORT_NICENESS)
    with contextlib.suppress(OSError), open("/proc/self/autogroup", "w") as group:
        group.write(str(IMPORT_NICENESS))


def run(library: str, job_path: Path) -> int:
    """Run one recorded job to its end, keeping its file up to date."""
    job = _load(job_path, check_alive=False)
    if job is None:
        print(f"ficsift: no import job in {job_path}", file=sys.stderr)
        return 2
    job.pid = os.getpid()
    reporter = _Reporter(job_path, job)
    reporter.save(force=True)
    _die_with_parent(reporter)
    lower_priority()
    try:
        from ficsift.importer import import_paths
        from ficsift.library import open_library
        from ficsift.search import refresh

        with _one_import_at_a_time(job_path.parent, reporter), open_library(library) as lib:
            if job.kind == "import":
                report = import_paths(lib, [Path(p) for p in job.paths], progress=reporter.progress)
                job.report, stored = report.to_json(), True
            else:
                job.report = _fetch(lib, library, job, reporter)
                stored = bool(job.report["changed"] or job.report["merged"])
            if stored:
                job.current = "indexing for search"
                reporter.save(force=True)
                refresh(lib)  # score and embed what the job added
        job.current = ""
        job.finished = True
        reporter.save(force=True)
        return 0
    except Exception as exc:  # the page shows it; the server never sees it
        traceback.print_exc()
        reporter.fail(f"{type(exc).__name__}: {exc}")
        return 1


def _fetch(lib: Library, library: str, job: ImportJob, reporter: _Reporter) -> dict[str, Any]:
    """Run a fetch or update job through FanFicFare; its report as the page shows it."""
    from ficsift.fetch import FetchSettings, Shelf, fetch_urls, fetch_works, works_in_progress

    settings = FetchSettings(adult=job.adult)
    from ficsift.library import library_home

    shelf = Shelf.of_library(library_home(library))
    if job.urls:
        report = fetch_urls(lib, shelf, job.urls, settings, reporter.progress)
    else:
        ids, skipped = (job.work_ids, 0) if job.work_ids else works_in_progress(lib)
        report = fetch_works(lib, shelf, ids, settings, reporter.progress)
        report.skipped = skipped
    data = report.to_json()
    # the same shape as an import's failures: one line each, naming what failed
    data["failures"] = [{"path": f.path, "reason": f.reason} for f in report.failures]
    data["changed"], data["same"] = report.changed, report.unchanged
    return data


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m ficsift.web.jobs LIBRARY_DIR JOB_FILE", file=sys.stderr)
        return 2
    return run(args[0], Path(args[1]))


if __name__ == "__main__":
    sys.exit(main())
