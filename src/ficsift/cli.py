"""The ``ficsift`` command: a thin layer over the pipeline, the library and (later) search.

Every command that lists or shows things takes ``--json``; that JSON is a contract other
tools build on (see README).  Errors are one line naming the file and the reason, and the
exit code is 1 when anything failed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ficsift import __version__
from ficsift import cli_bulk as bulk_commands
from ficsift import cli_fetch as fetch_commands
from ficsift import cli_search as search_commands
from ficsift.cli_support import (
    HELP_MARKUP,
    MAX_ROWS,
    JsonOption,
    LibraryOption,
    OneCommandTyper,
    err,
    open_library_or_exit,
    out,
    parse_work_id,
    print_json,
    styled,
)

if TYPE_CHECKING:
    from ficsift.importer import ImportReport
    from ficsift.model import Document
    from ficsift.read.base import Failure

# Reading and understanding (importer, read, understand), the library, the web app and Rich's
# tables and progress bars are imported by the commands that use them: `ficsift search` and
# `--help` start without them (tests/test_cli_imports.py checks what `--help` imports).

app = OneCommandTyper(
    name="ficsift",
    help="Sift fan fiction for the good ones: read any fic file into a local library.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=HELP_MARKUP,
)
_library = open_library_or_exit
_print_json = print_json
_parse_work_id = parse_work_id


@app.callback(invoke_without_command=True)
def main(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
) -> None:
    if version:
        out.print(f"ficsift {__version__}")
        raise typer.Exit()


@app.command()
def add(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders (recursive) and zips.")],
    library: LibraryOption = None,
    workers: Annotated[
        int | None, typer.Option(help="Reader processes (default: up to 2).")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Read fics into the library: new works are added, changed ones updated."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from ficsift.importer import import_paths

    with _library(library) as lib:
        if json_out or not err.is_terminal:
            report = import_paths(lib, paths, workers=workers)
        else:
            with Progress(
                TextColumn("[bold]Reading[/]"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                TextColumn("{task.fields[current]}", style="dim", markup=False), console=err,
                transient=True,
            ) as bar:  # fmt: skip
                task = bar.add_task("read", total=None, current="")

                def progress(done: int, total: int, current: str) -> None:
                    bar.update(task, completed=done, total=total, current=Path(current).name[:40])

                report = import_paths(lib, paths, progress=progress, workers=workers)
        search_commands.refresh_index(lib, show_progress=not json_out)
    print_import_report(report, json_out)


def print_import_report(report: ImportReport, json_out: bool) -> None:
    """An import's outcome (``add``, ``bulk``): a summary or JSON, a line per failure, and
    exit code 1 if any file failed."""
    if json_out:
        _print_json(report.to_json())
    else:
        c = report.counts
        out.print(
            f"{c['added']} added, {c['merged']} merged, {c['updated']} updated, "
            f"{c['unchanged']} unchanged, {len(report.failures)} failed "
            f"({report.files} files, {report.bytes_read / 2**20:.1f} MB in {report.seconds:.1f}s"
            + (f"; {report.skipped} non-fic files skipped)" if report.skipped else ")")
        )
        for work_id, detail in report.updates:
            out.print(f"  updated work {work_id}: {detail}")
    for failure in report.failures:
        err.print(f"failed: {failure}")
    if report.failures:
        raise typer.Exit(1)


@app.command()
def analyze(
    file: Annotated[Path, typer.Argument(help="A fic file (or a zip of them).")],
    json_out: JsonOption = False,
    text_only: Annotated[
        bool,
        typer.Option("--text-only", help="Ignore the file's metadata; keep only the story text."),
    ] = False,
) -> None:
    """Read one file and print what ficsift makes of it, without storing anything."""
    from ficsift.understand import understand

    docs, failures = _read_path(file)
    if text_only:
        docs = [strip_metadata(d) for d in docs]
    payload = [understand(d).to_json() for d in docs]
    if json_out:
        _print_json(payload[0] if len(payload) == 1 else payload)
    else:
        for data in payload:
            _print_work_summary(data)
    for failure in failures:
        err.print(f"failed: {failure}")
    if failures:
        raise typer.Exit(1)


def _read_path(path: Path) -> tuple[list[Document], list[Failure]]:
    from ficsift.read import RawFile, ReadError, read_file
    from ficsift.read.archive import expand
    from ficsift.read.base import Failure

    if not path.is_file():
        err.print(
            f"failed: {path}: {'no such file' if not path.exists() else 'not a regular file'}"
        )
        raise typer.Exit(1)
    try:
        data = path.read_bytes()
    except OSError as exc:
        err.print(f"failed: {path}: cannot read: {exc.strerror or exc}")
        raise typer.Exit(1) from None
    docs: list[Document] = []
    failures: list[Failure] = []
    for item in expand(RawFile(str(path), data)):
        if isinstance(item, Failure):
            failures.append(item)
            continue
        try:
            docs.extend(read_file(item))
        except ReadError as exc:
            failures.append(Failure(item.path, str(exc)))
    return docs, failures


IN_BODY_FORMATS = frozenset({"text", "html"})


def strip_metadata(doc: Document) -> Document:
    """The document as if the file had carried nothing but its prose.

    Typed metadata (tags, title, summary, dates, stats) goes.  Chapter headings stay, and so
    do notes and the disclaimer where they were part of the text itself (plain text, generic
    HTML) rather than fields of a preface or front matter.
    """
    from ficsift.model import Chapter, Document

    in_body = doc.source.format in IN_BODY_FORMATS
    return Document(
        source=doc.source,
        notes=list(doc.notes) if in_body else [],
        end_notes=list(doc.end_notes) if in_body else [],
        disclaimer=doc.disclaimer if in_body else None,
        chapters=[
            Chapter(title=c.title if in_body else None, text=c.text, html=c.html,
                    notes=c.notes if in_body else [], end_notes=c.end_notes if in_body else [])
            for c in doc.chapters
        ],
    )  # fmt: skip


@app.command()
def show(
    work: Annotated[str, typer.Argument(help="Work id (see `ficsift list`).")],
    library: LibraryOption = None,
    json_out: JsonOption = False,
) -> None:
    """Show one work of the library."""
    with _library(library) as lib:
        stored = lib.get(_parse_work_id(work))
    if stored is None:
        err.print(f"ficsift: no work {work} in the library")
        raise typer.Exit(1)
    data = stored.to_json()
    if json_out:
        _print_json(data)
    else:
        _print_work_summary(data)


UNLIKELY_GUESS = 0.2  # a calibrated confidence: four in five such guesses are wrong


def _likely(tag: dict[str, Any]) -> bool:
    confidence = tag.get("confidence")
    return confidence is None or confidence >= UNLIKELY_GUESS


def _shown_name(tag: dict[str, Any], name: str | None = None) -> str:
    """A tag by AO3's name for it (the author's "btvs" is Buffy the Vampire Slayer), with "?"
    when ficsift guessed it (the legend says so)."""
    return _canonical_name(tag, name) + ("?" if tag.get("source") == "inferred" else "")


def _canonical_name(tag: dict[str, Any], name: str | None = None) -> str:
    return name or tag.get("canonical") or tag["name"]


def _print_work_summary(data: dict[str, Any]) -> None:
    from ficsift.understand.content_lexicon import CONTENT_LABEL, trigger_label

    guessed: list[bool] = []  # whether a line shows a guess (then the legend says what "?" is)

    def names(key: str) -> str:
        # A guess below UNLIKELY_GUESS (most are the "&" pairs of everyone who shares a
        # scene) is counted, not listed: `--json` and `ficsift explain` still give them all.
        # A guess the author's tag already says is said once.  The rating is shown however
        # unsure its exact level: it is given only when its side (safe or mature) is sure.
        tags, said = [], set()
        for tag in data.get(key) or []:
            shown_as = _canonical_name(tag).casefold()
            if shown_as not in said:
                said.add(shown_as)
                tags.append(tag)
        shown = [t for t in tags if t.get("source") != "inferred" or key == "rating" or _likely(t)]
        listed = ", ".join(_shown_name(t) for t in shown) or "—"
        hidden = len(tags) - len(shown)
        guessed.append(hidden > 0 or any(t.get("source") == "inferred" for t in shown))
        return f"{listed} (+{hidden} unlikely guesses)" if hidden else listed

    out.print(
        styled(
            (data.get("title") or "(untitled)", "bold"),
            f" by {', '.join(data.get('authors') or []) or '?'}",
        )
    )
    # AO3's archive warnings apart from ficsift's fine content labels, which are slugs
    # stored and shown by their readable names.
    warnings = data.get("warnings") or []
    archive = [_shown_name(t) for t in warnings if t.get("label") != CONTENT_LABEL]
    content = [
        _shown_name(t, trigger_label(t["name"]))
        for t in warnings
        if t.get("label") == CONTENT_LABEL
    ]
    for label, key in (("Fandoms", "fandoms"), ("Rating", "rating")):
        out.print(f"  {label}: {names(key)}")
    out.print(f"  Warnings: {', '.join(archive) or '—'}")
    if content:
        out.print(f"  Content: {', '.join(content)}")
    for label, key in (("Category", "category"), ("Relationships", "relationships"),
                       ("Characters", "characters"), ("Tags", "tags")):  # fmt: skip
        out.print(f"  {label}: {names(key)}")
    chapters = data.get("chapters") or []
    out.print(
        f"  Words: {data.get('words', 0):,}  Chapters: {len(chapters)}  Status: {data.get('status')}"
    )
    if data.get("summary"):
        out.print(f"  Summary: {data['summary'][:300]}")
    for note in data.get("notes") or []:
        out.print(f"  Note: {note[:200]}")
    if data.get("disclaimer"):
        out.print(f"  Disclaimer: {data['disclaimer'][:200]}")
    source = data.get("source")
    out.print(f"  Source: {source['path'] if isinstance(source, dict) else source}")
    if any(guessed) or any(t.get("source") == "inferred" for t in warnings):
        out.print("  ?: guessed by ficsift from the story (`explain` or --json says why)")


@app.command()
def explain(
    work: Annotated[str, typer.Argument(help="Work id (see `ficsift list`).")],
    tag: Annotated[
        str, typer.Argument(help="A tag of the work (any spelling; part of a name is enough).")
    ],
    library: LibraryOption = None,
    json_out: JsonOption = False,
) -> None:
    """Why a work has a tag: who gave it, how sure ficsift is, and the passages behind it."""
    with _library(library) as lib:
        stored = lib.get(_parse_work_id(work))
    if stored is None:
        err.print(f"ficsift: no work {work} in the library")
        raise typer.Exit(1)
    wanted = tag.casefold()
    tags = [
        t
        for t in stored.document.tags
        if wanted in t.name.casefold() or wanted in (t.canonical or "").casefold()
    ]
    if not tags:
        err.print(f"ficsift: work {work} has no tag matching {tag!r}")
        raise typer.Exit(1)
    if json_out:
        _print_json([{"type": t.type.value, **t.to_json()} for t in tags])
        return
    for t in tags:
        canonical = f" (AO3: {t.canonical})" if t.canonical and t.canonical != t.name else ""
        if t.origin.value == "author":
            out.print(
                styled((t.name, "bold"), f"{canonical} — {t.type.value}, given by the author")
            )
            continue
        typed = {"main pairing": "yes" if t.main else None, "kind": t.kind, "role": t.role}
        facts = {**{k: v for k, v in typed.items() if v is not None}, **t.extra}
        extra = ", ".join(
            f"{k}: {v}" for k, v in facts.items() if k not in {"meta"} and not isinstance(v, list)
        )
        out.print(
            styled(
                (t.name, "bold"),
                f" — {t.type.value}, inferred, confidence {t.confidence or 0:.2f}"
                + (f" ({extra})" if extra else ""),
            )
        )
        for reason in (
            t.extra.get("reasons", []) if isinstance(t.extra.get("reasons"), list) else []
        ):
            out.print(f"  because {reason}")
        for e in t.evidence:
            where = f"chapter {e.chapter + 1}, " if e.chapter is not None else ""
            out.print(styled("  ", (f"{where}{e.reason}:", "dim"), f" “{e.text[:400]}”"))


@app.command("list")
def list_works(
    library: LibraryOption = None,
    limit: Annotated[
        int, typer.Option(min=0, max=MAX_ROWS, clamp=True, help="How many works.")
    ] = 50,
    offset: Annotated[
        int, typer.Option(min=0, max=MAX_ROWS, clamp=True, help="Skip this many works.")
    ] = 0,
    json_out: JsonOption = False,
) -> None:
    """List the works in the library."""
    from rich.table import Table

    with _library(library) as lib:
        rows = lib.rows(limit=limit, offset=offset)
    if json_out:
        _print_json([_row_dict(r) for r in rows])
        return
    table = Table("id", "title", "authors", "fandom", "rating", "words", "ch", "status", "text")
    for r in rows:
        table.add_row(
            str(r.id), r.title[:50], ", ".join(r.authors)[:24], ", ".join(r.fandoms)[:30], r.rating or "",
            f"{r.words:,}", str(r.chapters), r.status, "yes" if r.has_text else "—",
        )  # fmt: skip
    out.print(table)


def _row_dict(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in row.__slots__}


@app.command()
def stats(library: LibraryOption = None, json_out: JsonOption = False) -> None:
    """Counts by fandom, rating, status and format, and the library's size on disk."""
    from rich.table import Table

    from ficsift.library import library_label

    with _library(library) as lib:
        s = lib.stats()
        where = library_label(library)
    if json_out:
        _print_json({**s.to_json(), "library": str(where)})
        return
    out.print(styled(("Library", "bold"), f" {where}"))
    out.print(
        f"{s.works:,} works ({s.with_text:,} with text, {s.works - s.with_text:,} metadata only), "
        f"{s.words:,} words, {s.sources:,} sources from {s.files:,} files, "
        f"{s.size_bytes / 2**20:.1f} MB on disk"
    )
    for title, pairs in (("Fandoms", s.by_fandom), ("Ratings", s.by_rating),
                         ("Status", s.by_status), ("Formats", s.by_format)):  # fmt: skip
        if pairs:
            table = Table(title, "works", title_justify="left")
            for name, n in pairs:
                table.add_row(str(name), f"{n:,}")
            out.print(table)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    library: LibraryOption = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="A host name (or name:port) browsers use to reach the server, besides "
            "127.0.0.1, localhost and [::1]; repeatable.  Required with a --host that is not "
            "loopback (e.g. 0.0.0.0).  Requests for any other Host are refused.",
        ),
    ] = None,
    import_root: Annotated[
        list[Path] | None,
        typer.Option(
            "--import-root",
            help="A folder the web app's folder import may read (and what is inside it); "
            "repeatable.  Default: your home folder and the library folder.  System folders "
            "(/etc, /proc, …) are never read.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Server processes (default: one per core, 2 to 4)."),
    ] = None,
) -> None:
    """Run the web app: search, read and curate the library in a browser."""
    from ficsift.library import library_spec
    from ficsift.web.serve import ServeError
    from ficsift.web.serve import serve as run_server

    try:
        run_server(
            library_spec(library),
            host=host,
            port=port,
            allowed_hosts=allowed_host or (),
            import_roots=import_root or None,
            workers=workers,
        )
    except ServeError as exc:
        err.print(f"ficsift: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None


search_commands.register(app)
fetch_commands.register(app)
bulk_commands.register(app)

if __name__ == "__main__":  # pragma: no cover
    app()
