"""``ficsift bulk``: the importer's pipeline, its files read and understood on Ray Data.

The driver (this process) discovers the files, skips those the library already holds
unchanged, and stores what comes back, as :func:`ficsift.importer.import_paths` does for
``ficsift add``; the reading happens in Ray tasks, which get a file by its path (every node
must see the same paths) and return a :class:`~ficsift.importer.ReadResult`.  Results come
back in the order the importer gives the files, so the library gets the same works with the
same ids as from ``ficsift add``.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from ficsift.bulk.cluster import Cluster, RaySession
from ficsift.importer import (
    ImportReport,
    ProgressCallback,
    ReadResult,
    _few_collections,
    _one_line,
    import_paths,
    read_found,
)
from ficsift.library import Library
from ficsift.read import DEFAULT_LIMITS, Limits
from ficsift.read.base import Failure
from ficsift.read.discover import FoundFile

# Files per Ray task: enough tasks per worker that a few big files (a 30 MB novel) do not
# leave the others idle at the end, few enough that scheduling (milliseconds a task) stays
# small beside reading (a tenth of a second to seconds a file).
TASKS_PER_WORKER = 32
MAX_FILES_PER_TASK = 64


def bulk_import(
    library: Library,
    paths: Iterable[str | Path],
    cluster: Cluster | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import ``paths`` into ``library`` reading on Ray; the report is ``ficsift add``'s."""
    cluster = cluster or Cluster()
    with RaySession(cluster) as session:
        reader = partial(read_on_ray, session=session, concurrency=cluster.workers)
        return import_paths(library, paths, limits, progress, reader=reader)


RowReader = Callable[..., dict[str, Any]]  # (row, limits=...) -> row, as read_row


def read_on_ray(
    todo: list[FoundFile],
    limits: Limits,
    *,
    session: RaySession,
    concurrency: int | None,
    read: RowReader | None = None,
) -> Iterator[ReadResult]:
    """The files read by Ray tasks (``read``, default :func:`read_row`), in the order given.

    A file whose task failed for good (its worker killed, say by the memory monitor) or
    that Ray could not read at all (the cluster went away) comes back as a failure of that
    file, not stored, so the next run tries it again; the files read are stored meanwhile.
    """
    if not todo:
        return
    session.ensure()
    import ray
    import ray.data

    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # the same ids as `ficsift add`
    context.max_errored_blocks = -1  # a failed task costs its files, not the run
    cpus = concurrency or max(1, int(ray.cluster_resources().get("CPU", 1)))
    per_task = min(MAX_FILES_PER_TASK, max(1, len(todo) // (cpus * TASKS_PER_WORKER)))
    items = [{"i": i, "found": pickle.dumps(f)} for i, f in enumerate(todo)]
    dataset = ray.data.from_items(items, override_num_blocks=math.ceil(len(todo) / per_task))
    mapped = dataset.map(
        partial(read or read_row, limits=limits),
        compute=ray.data.TaskPoolStrategy(size=concurrency) if concurrency else None,
    )
    returned: set[int] = set()
    reason = "not read: its Ray task failed; run the import again to retry it"
    try:
        for row in mapped.iter_rows():
            returned.add(int(row["i"]))
            yield pickle.loads(row["result"])
    except Exception as exc:  # Ray itself failed: what was read is stored, the rest reported
        reason = f"not read: Ray failed ({_one_line(exc)})"
    for i, found in enumerate(todo):
        if i not in returned:
            yield ReadResult(found, failures=[Failure(found.path, reason)])


def read_row(row: dict[str, Any], limits: Limits) -> dict[str, Any]:
    """One file, read and understood in a Ray worker (pickled: Arrow holds bytes, not objects)."""
    with _few_collections():  # as in add's reader processes (see importer)
        result = read_found(pickle.loads(row["found"]), limits)
    return {"i": row["i"], "result": pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)}
