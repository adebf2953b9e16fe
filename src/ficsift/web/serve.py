"""``ficsift serve``: run the web app with uvicorn on one library, in several processes.

A search costs CPU in Python, so one process answers one search at a time, whatever its
threads.  ``serve`` starts ``workers`` uvicorn processes (default: one per core, two to
four), each listening on a socket of its own on the one port (:mod:`ficsift.web.workers`),
all sharing the library: SQLite's WAL lets each read while
an import writes, every cache is keyed on the library's generation
(:meth:`ficsift.web.state.AppState.stamp`), and import progress lives in files under the
library (:mod:`ficsift.web.jobs`), so whichever process answers sees the same state.  The
configuration reaches the worker processes through one environment variable.

The server answers only the Host names it was started for (see
:class:`ficsift.web.security.HostPolicy`).  Binding anything but loopback (``--host
0.0.0.0``) is for being reached from other machines, by names this process cannot guess:
without ``--allowed-host`` it could answer nobody there, so it refuses to start, in one line.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from ficsift.library import is_postgres_url, library_label
from ficsift.web import workers as worker_processes
from ficsift.web.security import is_loopback, parse_allowed_host

CONFIG_ENV = "FICSIFT_WEB_CONFIG"
APP_FACTORY = "ficsift.web.serve:app_from_environment"
MAX_WORKERS = 4
# Meaning search multiplies vectors with numpy.  With one search per process and a process
# per core, BLAS's own thread pool only spins against the other workers: single-threaded
# BLAS halved the CPU per search of the web bench's queries (e.g. 45 -> 24 ms for `garak`).
# Worker processes are new interpreters, so these reach them before numpy loads; a value
# the reader set is kept.
BLAS_THREADS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


class ServeError(ValueError):
    """A ``serve`` option that cannot work: one line for the reader."""


def default_workers() -> int:
    """Server processes: one per core, at least two (one may be busy with a slow page)."""
    return max(2, min(MAX_WORKERS, os.cpu_count() or 1))


def check_options(host: str, allowed_hosts: Sequence[str]) -> list[str]:
    """The allowed hosts, normalised; ServeError when they cannot work with ``host``."""
    names = []
    for text in allowed_hosts:
        try:
            names.append(parse_allowed_host(text))
        except ValueError as exc:
            raise ServeError(f"--allowed-host: {exc}") from None
    if not is_loopback(host) and not names:
        raise ServeError(
            f"--host {host} listens beyond this machine: name the host names browsers will "
            "use to reach it with --allowed-host (e.g. --allowed-host mybox.lan)"
        )
    return names


def serve(
    library: str | Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    allowed_hosts: Sequence[str] = (),
    import_roots: Sequence[Path] | None = None,
    workers: int | None = None,
) -> None:
    import uvicorn

    names = check_options(host, allowed_hosts)
    workers = default_workers() if workers is None else max(1, workers)
    config = {
        "library": str(library)
        if is_postgres_url(library)
        else str(Path(library).expanduser().resolve()),
        "port": port,
        "allowed_hosts": names,
        "import_roots": [str(Path(p).expanduser()) for p in import_roots]
        if import_roots is not None
        else None,
        "worker_processes": workers > 1,  # one process is the server itself: no parent to watch
    }
    os.environ[CONFIG_ENV] = json.dumps(config)
    for name in BLAS_THREADS_ENV:
        os.environ.setdefault(name, "1")
    shown = f"[{host}]" if ":" in host else host
    options: dict[str, Any] = {
        "factory": True, "host": host, "port": port, "log_level": "warning",
        "access_log": False,
    }  # fmt: skip
    sockets = None
    if workers > 1 and worker_processes.has_reuse_port():
        # a socket per process, so connections spread over them (see ficsift.web.workers)
        try:
            sockets = worker_processes.listeners(host, port, workers)
        except OSError as e:
            raise ServeError(f"cannot listen on {shown}:{port}: {e.strerror or e}") from e
    print(f"ficsift: library {library_label(library)}", flush=True)
    print(
        f"ficsift: serving on http://{shown}:{port}/  ({workers} processes; Ctrl+C to stop)",
        flush=True,
    )
    if sockets is not None:
        worker_processes.run(uvicorn.Config(APP_FACTORY, workers=workers, **options), sockets)
    else:
        uvicorn.run(APP_FACTORY, workers=workers, **options)


def app_from_environment() -> FastAPI:
    """The app for one server process, configured by :func:`serve` through the environment."""
    from ficsift.web.app import create_app

    config: dict[str, Any] = json.loads(os.environ[CONFIG_ENV])
    if config.get("worker_processes"):
        _die_with_parent()
    roots = config.get("import_roots")
    return create_app(
        config["library"],
        port=int(config["port"]),
        allowed_hosts=config.get("allowed_hosts") or (),
        import_roots=[Path(p) for p in roots] if roots is not None else None,
    )


def _die_with_parent() -> None:
    """A worker process stops (cleanly, its imports with it) when the server that started
    it is gone, even after a ``kill -9`` that gave the server no time to stop it."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="ficsift-parent-watch", daemon=True).start()
