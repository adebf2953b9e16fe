"""Downloads run one site at a time: never two requests to the same site at once.

Each site gets one worker thread that takes its stories in order, so FanFicFare's per-site
slow-down is the only pace a site sees; different sites proceed side by side (a few at a
time), and the caller handles each finished download as it arrives — reading and storing
one story while the next is still downloading.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

from ficsift.fetch.download import FetchError, SiteSession

J = TypeVar("J")
R = TypeVar("R")

MAX_SITES = 4  # sites downloaded from at once


class Finished(Generic[J, R]):
    """One job's end: its result, or the reason it failed."""

    __slots__ = ("error", "job", "result")

    def __init__(self, job: J, result: R | None, error: str | None) -> None:
        self.job = job
        self.result = result
        self.error = error


def per_site(
    jobs: Sequence[J],
    site_of: Callable[[J], str],
    work: Callable[[J, SiteSession], R],
    max_sites: int = MAX_SITES,
) -> Iterator[Finished[J, R]]:
    """Run ``work`` over ``jobs``, sequentially within a site; results as they finish.

    A job that raises costs that job only (its reason in ``error``); leaving the loop early
    lets the running downloads finish and starts no new ones.
    """
    by_site: dict[str, list[J]] = {}
    for job in jobs:
        by_site.setdefault(site_of(job), []).append(job)
    if not by_site:
        return
    done: queue.Queue[Finished[J, R] | None] = queue.Queue()
    stop = threading.Event()

    def run_site(site_jobs: list[J]) -> None:
        session = SiteSession()
        try:
            for job in site_jobs:
                if stop.is_set():
                    break
                try:
                    done.put(Finished(job, work(job, session), None))
                except FetchError as exc:
                    done.put(Finished(job, None, str(exc)))
                except Exception as exc:  # a bug costs one story, not the run
                    done.put(Finished(job, None, f"{type(exc).__name__}: {exc}"))
        finally:
            done.put(None)  # this site is finished

    with ThreadPoolExecutor(max_workers=max(1, min(max_sites, len(by_site)))) as pool:
        for site_jobs in by_site.values():
            pool.submit(run_site, site_jobs)
        running = len(by_site)
        try:
            while running:
                item = done.get()
                if item is None:
                    running -= 1
                else:
                    yield item
        finally:
            stop.set()
