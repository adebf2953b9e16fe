"""``ficsift fetch``, ``update`` and ``export``: stories in from the web, works out to e-readers.

``fetch`` and ``update`` are the only commands that use the network, and only for the
stories named (or, for ``update`` alone, the library's works in progress).  Each failure is
one line ("failed: URL: story does not exist") and the exit code is 1 when anything failed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ficsift import cli_search as search_commands
from ficsift.cli_support import (
    JsonOption,
    LibraryOption,
    err,
    open_library_or_exit,
    out,
    parse_work_id,
    print_json,
)
from ficsift.export import Format

if TYPE_CHECKING:  # FanFicFare takes a third of a second to import: only `fetch`/`update` do
    from ficsift.fetch import FetchReport
    from ficsift.library import Library

AdultOption = Annotated[
    bool, typer.Option("--adult", help="Confirm you are an adult where a site asks.")
]
ConfigOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--config",
        help="A FanFicFare personal.ini (site logins and options); read after your own "
        "FanFicFare settings. Repeatable.",
    ),
]


def fetch_command(
    stories: Annotated[
        list[str],
        typer.Argument(help="Story URLs, or ids of library works to get the text of."),
    ],
    library: LibraryOption = None,
    adult: AdultOption = False,
    config: ConfigOption = None,
    json_out: JsonOption = False,
) -> None:
    """Download stories with FanFicFare and add them to the library (network)."""
    from ficsift.fetch import FetchReport, FetchSettings, Shelf, fetch_urls, fetch_works
    from ficsift.library import library_home

    settings = FetchSettings(adult=adult, config_files=tuple(config or ()))
    work_ids = [int(s) for s in stories if s.strip().isdigit()]
    urls = [s for s in stories if not s.strip().isdigit()]
    with open_library_or_exit(library) as lib:
        shelf = Shelf.of_library(library_home(library))
        report = FetchReport()
        if urls:
            report = _with_progress(
                "Fetching",
                json_out,
                lambda progress: fetch_urls(lib, shelf, urls, settings, progress),
            )
        if work_ids:  # "get the text" of works the library has as blurbs
            more = _with_progress(
                "Fetching",
                json_out,
                lambda progress: fetch_works(lib, shelf, work_ids, settings, progress),
            )
            _absorb(report, more)
        _refresh(lib, report, json_out)
    if json_out:
        print_json(report.to_json())
    else:
        c = report.counts
        out.print(
            f"{c['added']} added, {c['merged']} merged, {c['updated']} updated, "
            f"{c['unchanged']} unchanged, {len(report.failures)} failed "
            f"({report.seconds:.1f}s)"
        )
        _print_updates(report)
    _print_failures(report)


def update_command(
    works: Annotated[
        list[str] | None,
        typer.Argument(help="Work ids (default: every work in progress that has text)."),
    ] = None,
    library: LibraryOption = None,
    adult: AdultOption = False,
    config: ConfigOption = None,
    json_out: JsonOption = False,
) -> None:
    """Check works in progress for new chapters with FanFicFare's update mode (network)."""
    from ficsift.fetch import FetchSettings, Shelf, fetch_works, works_in_progress
    from ficsift.library import library_home

    settings = FetchSettings(adult=adult, config_files=tuple(config or ()))
    with open_library_or_exit(library) as lib:
        shelf = Shelf.of_library(library_home(library))
        skipped = 0
        if works:
            ids = [parse_work_id(w) for w in works]
        else:
            ids, skipped = works_in_progress(lib)
        report = _with_progress(
            "Updating", json_out, lambda progress: fetch_works(lib, shelf, ids, settings, progress)
        )
        report.skipped = skipped
        _refresh(lib, report, json_out)
    if json_out:
        print_json({**report.to_json(), "changed": report.changed, "same": report.unchanged})
    else:
        out.print(
            f"{report.changed} works updated, {report.unchanged} unchanged, "
            f"{len(report.failures)} failed"
        )
        _print_updates(report)
        if report.skipped:
            out.print(
                f"  ({report.skipped} works in progress have no text yet: "
                "`ficsift fetch WORK` gets it)"
            )
    _print_failures(report)


def export_command(
    works: Annotated[list[str], typer.Argument(help="Work ids (see `ficsift list`).")],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="A file for one work (…/name.epub), else a folder (created if needed).",
        ),
    ],
    fmt: Annotated[
        Format | None,
        typer.Option("--format", "-f", help="epub or html (default: from --output, else epub)."),
    ] = None,
    with_my_notes: Annotated[
        bool,
        typer.Option("--with-my-notes", help="Include your own rating, reading status and notes."),
    ] = False,
    library: LibraryOption = None,
) -> None:
    """Write works as clean EPUB or HTML files for an e-reader (no network)."""
    from ficsift.export import export_work, file_name

    ids = [parse_work_id(w) for w in works]
    fmt = fmt or (Format.HTML if output.suffix.lower() in {".html", ".htm"} else Format.EPUB)
    names_a_file = output.suffix.lower() in {".epub", ".html", ".htm"} and not output.is_dir()
    one_file = len(ids) == 1 and names_a_file
    if len(ids) > 1 and names_a_file:
        err.print(f"ficsift: {len(ids)} works need a folder for --output, not {output}")
        raise typer.Exit(2)
    failed = 0
    with open_library_or_exit(library) as lib:
        for work_id in ids:
            stored = lib.get(work_id)
            if stored is None:
                err.print(f"failed: work {work_id}: no such work in the library", markup=False)
                failed += 1
                continue
            reading = lib.reading(work_id) if with_my_notes else None
            target = output if one_file else output / file_name(stored, fmt)
            try:
                _write_atomically(target, export_work(stored, fmt, reading))
            except OSError as exc:
                err.print(
                    f"failed: work {work_id}: cannot write {target}: {exc.strerror or exc}",
                    markup=False,
                    highlight=False,
                )
                failed += 1
                continue
            out.print(f"wrote {target}", markup=False, highlight=False)
    if failed:
        raise typer.Exit(1)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    try:
        part.write_bytes(data)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _with_progress(
    label: str, quiet: bool, run: Callable[[Callable[[int, int, str], None] | None], FetchReport]
) -> FetchReport:
    if quiet or not err.is_terminal:
        return run(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn(f"[bold]{label}[/]"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[current]}", style="dim"), console=err, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task(label, total=None, current="")

        def progress(done: int, total: int, current: str) -> None:
            bar.update(task, completed=done, total=total, current=current[-60:])

        return run(progress)


def _absorb(report: FetchReport, more: FetchReport) -> None:
    for key, n in more.counts.items():
        report.counts[key] += n
    report.failures += more.failures
    report.works += more.works
    report.updates += more.updates
    report.seconds += more.seconds


def _refresh(lib: Library, report: FetchReport, quiet: bool) -> None:
    """Score and embed what was stored, as `ficsift add` does."""
    if report.changed or report.counts["merged"]:
        search_commands.refresh_index(lib, show_progress=not quiet)


def _print_updates(report: FetchReport) -> None:
    for work_id, detail in report.updates:
        out.print(f"  updated work {work_id}: {detail}", markup=False, highlight=False)


def _print_failures(report: FetchReport) -> None:
    for failure in report.failures:
        err.print(f"failed: {failure}", markup=False, highlight=False)
    if report.failures:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("fetch")(fetch_command)
    app.command("update")(update_command)
    app.command("export")(export_command)
