"""``ficsift bulk``: an archive's files into a library, read and understood on a Ray cluster.

The same import as ``ficsift add`` (same report, same library), for more files than one
machine reads in good time: a local Ray by default, ``--address`` for a cluster's.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from ficsift import cli_search as search_commands
from ficsift.cli_support import JsonOption, err

# A batch job's progress is a line now and then (it goes to logs as often as to a terminal).
PROGRESS_EVERY = 10.0


def bulk_command(
    sources: Annotated[
        list[Path],
        typer.Argument(help="Files, folders (recursive) and zips; on a cluster, paths every "
                       "node sees (a shared file system)."),
    ],
    into: Annotated[
        str,
        typer.Option("--into", help="The library: a folder, or a postgresql:// URL."),
    ],
    address: Annotated[
        str | None,
        typer.Option(help="A Ray cluster to read on ('auto', HOST:PORT, ray://HOST:10001); "
                     "default: a local Ray for this run."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="The local Ray's CPUs (default: all); with --address, at "
                     "most this many files read at once."),
    ] = None,
    ray_temp: Annotated[
        str | None,
        typer.Option("--ray-temp", envvar="FICSIFT_RAY_TEMP",
                     help="The local Ray's session folder (default /tmp/ray; keep it short: "
                     "Ray's Unix sockets live there)."),
    ] = None,
    json_out: JsonOption = False,
) -> None:  # fmt: skip
    """Read fics into a library on Ray (local or a cluster): like `add`, for archives."""
    from ficsift.bulk import Cluster, RayUnavailable, bulk_import
    from ficsift.cli import print_import_report
    from ficsift.library import open_library

    try:
        lib = open_library(into)
    except Exception as exc:  # an unopenable library is one line, not a traceback
        err.print(f"ficsift: cannot open library {into}: {exc}")
        raise typer.Exit(2) from None
    # Workers on other machines know nothing of this shell's current folder.
    paths = [p.absolute() for p in sources]
    cluster = Cluster(address=address, workers=workers, temp_dir=ray_temp)
    with lib:
        try:
            report = bulk_import(lib, paths, cluster, progress=None if json_out else _Progress())
        except RayUnavailable as exc:
            err.print(f"ficsift: {' '.join(str(exc).split())}")
            raise typer.Exit(2) from None
        search_commands.refresh_index(lib, show_progress=not json_out)
    print_import_report(report, json_out)


class _Progress:
    """``bulk: 1,234 of 5,678 MB read`` on stderr, every PROGRESS_EVERY seconds."""

    def __init__(self) -> None:
        self.next = time.monotonic() + PROGRESS_EVERY

    def __call__(self, done: int, total: int, current: str) -> None:
        if time.monotonic() >= self.next:
            self.next = time.monotonic() + PROGRESS_EVERY
            err.print(f"bulk: {done / 2**20:,.0f} of {total / 2**20:,.0f} MB read")


def register(app: typer.Typer) -> None:
    app.command("bulk")(bulk_command)
