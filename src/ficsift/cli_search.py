"""The search commands: ``search``, ``similar``, ``why``, ``mark``, ``blacklist``, ``index``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand

from ficsift.cli_support import (
    HELP_MARKUP,
    MAX_ROWS,
    JsonOption,
    LibraryOption,
    err,
    one_blas_thread,
    open_library_or_exit,
    out,
    parse_id,
    parse_work_id,
    print_json,
    styled,
)
from ficsift.library.filters import MAX_NUMBER
from ficsift.library.query import BlacklistKind, Sort

if TYPE_CHECKING:
    from collections.abc import Iterable

    from rich.text import Text

    from ficsift.library import Library
    from ficsift.search import Hit

# Only what the commands' options name is imported here.  Search itself (numpy, the vectors'
# model) and Rich's progress bars are imported by the commands that use them, so `--help`
# and a usage error start without them.

blacklist_app = typer.Typer(
    help="Tags, authors and works you never want to see.", rich_markup_mode=HELP_MARKUP
)


def refresh_index(lib: Library, show_progress: bool = True) -> None:
    """Score and embed new or changed works (after an import); one line if it fails."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ficsift.search import refresh

    try:
        if not show_progress or not err.is_terminal:
            refresh(lib)
            return
        with Progress(
            TextColumn("[bold]Indexing[/] {task.fields[stage]}"), BarColumn(),
            MofNCompleteColumn(), console=err, transient=True,
        ) as bar:  # fmt: skip
            task = bar.add_task("index", total=None, stage="")

            def progress(stage: str, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, stage=stage)

            refresh(lib, progress)
    except Exception as exc:  # the works are stored; only ranking data is missing
        err.print(f"ficsift: indexing failed ({exc}); run `ficsift index` to retry")


def _require_work(lib: Library, work_id: int) -> None:
    if not lib.has_work(work_id):
        err.print(f"ficsift: no work {work_id} in the library")
        raise typer.Exit(1)


def _print_hits(hits: Iterable[Hit], first: int = 1) -> None:
    """The hits, three to five lines each, handed to Rich at once (a call per line costs
    ~0.3 ms: a third of a one-shot search's output time)."""
    lines: list[Text | str] = []
    for n, hit in enumerate(hits, first):
        fandoms = ", ".join(t.name for t in hit.fandoms[:2]) or "?"
        quality = f"q {hit.quality:.2f}" if hit.quality is not None else "q —"
        lines.append(
            styled(
                (f"{n:>3}. [{hit.id}] {hit.title}", "bold"),
                f" by {', '.join(hit.authors) or '?'} — {fandoms} · {hit.rating or 'Not Rated'}"
                f" · {hit.words:,} words · {hit.status} · {quality}",
            )
        )
        ships = [t.name + (" (main)" if t.main else "") for t in hit.relationships[:3]]
        if ships:
            lines.append(f"      {'; '.join(ships)}")
        lines.extend(styled("      ", (f"· {reason[:160]}", "dim")) for reason in hit.why[:3])
    if lines:
        out.print(*lines, sep="\n")


class QueryCommand(TyperCommand):
    """A command whose words are the query language, where a word may start with "-"
    (``-angst``, ``-"Major Character Death"``): a token that is none of the command's own
    options is a query word, not an unknown option."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        own: set[str] = set()
        valued: set[str] = set()
        for param in self.params:
            names = [*param.opts, *param.secondary_opts]
            if any(n.startswith("-") for n in names):  # an option (Typer vendors click)
                own.update(names)
                if not getattr(param, "is_flag", False) and not getattr(param, "count", False):
                    valued.update(param.opts)
        kept: list[str] = []
        words: list[str] = []
        tokens = iter(args)
        for token in tokens:
            if token == "--":
                words.extend(tokens)
                break
            name = token.split("=", 1)[0]
            if token.startswith("-") and token[1:2] not in ("", "-") and name not in own:
                words.append(token)  # the query language is order-free: words go last
                continue
            kept.append(token)
            if name in valued and "=" not in token:
                kept.append(next(tokens, ""))
        return super().parse_args(ctx, [*kept, "--", *words] if words else kept)


def query_line(tokens: list[str]) -> str:
    """The words as typed.  The shell took the quotes off ``-"Major Character Death"`` and
    ``ship:"Willow Rosenberg/*"``: a ``-`` or ``key:`` token whose rest is plain words with
    spaces gets them back.  Any other token is passed on as it is, so a whole query in single
    quotes (``'tag:Vampires sort:quality'``, ``'giles watcher diaries'``) reads as typed."""
    out = []
    for token in tokens:
        head, colon, rest = token.partition(":")
        if colon and head and not any(c.isspace() for c in head) and _plain_words(rest):
            token = f'{head}:"{rest}"'
        elif token.startswith("-") and _plain_words(token[1:]):
            token = f'-"{token[1:]}"'
        out.append(token)
    return " ".join(out)


def _plain_words(text: str) -> bool:
    """Several words and none of the query language's own syntax."""
    words = text.split()
    return (
        len(words) > 1
        and not any(c in text for c in ':"<>=')
        and not any(w.startswith("-") for w in words)
    )


def search_command(
    text: Annotated[list[str] | None, typer.Argument(help="Words and query language.")] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Must have this tag.")
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", "-x", help="Must not have this tag.")
    ] = None,
    rating: Annotated[list[str] | None, typer.Option(help="Rating (several: any of).")] = None,
    complete: Annotated[bool, typer.Option("--complete", help="Complete works only.")] = False,
    wip: Annotated[bool, typer.Option("--wip", help="Works in progress only.")] = False,
    words_min: Annotated[
        int | None, typer.Option(min=0, max=MAX_NUMBER, help="At least this many words.")
    ] = None,
    words_max: Annotated[
        int | None, typer.Option(min=0, max=MAX_NUMBER, help="At most this many words.")
    ] = None,
    main_pairing: Annotated[
        bool, typer.Option("--main-pairing", help="Relationship filters match main pairings only.")
    ] = False,
    sort: Annotated[Sort, typer.Option(help="Order of results.")] = Sort.RELEVANCE,
    limit: Annotated[
        int, typer.Option(min=0, max=MAX_ROWS, clamp=True, help="How many results.")
    ] = 20,
    offset: Annotated[
        int, typer.Option(min=0, max=MAX_ROWS, clamp=True, help="Skip this many results.")
    ] = 0,
    facets: Annotated[
        int | None,
        typer.Option(
            min=0, max=MAX_ROWS, clamp=True, help="Top N tags per type (JSON output; default 10)."
        ),
    ] = None,
    library: LibraryOption = None,
    json_out: JsonOption = False,
) -> None:
    """Find works: free text, tags, filters and the query language, best first, with reasons.

    Example: ficsift search vampire willow -"Major Character Death" 'words>5000' sort:quality
    """
    one_blas_thread()
    from ficsift.library.query import Query, Range, TagFilter, TagGroup
    from ficsift.search import QuerySyntaxError, parse_query, search

    line = query_line(text or [])
    query = Query(sort=sort)
    try:
        parse_query(line, base=query)
    except QuerySyntaxError as exc:
        err.print(f"ficsift: bad query: {exc.message}")
        err.print(exc.pointer())
        raise typer.Exit(2) from None
    query.include += [TagGroup((TagFilter(t),)) for t in tag or []]
    query.exclude += [TagFilter(t) for t in exclude or []]
    query.ratings += rating or []
    if complete or wip:
        query.complete = complete and not wip if complete != wip else None
    if words_min is not None or words_max is not None:
        query.words = Range(words_min, words_max)
    query.main_pairing = query.main_pairing or main_pairing
    with open_library_or_exit(library) as lib:
        wanted = (10 if json_out else 0) if facets is None else facets
        page = search(lib, query, offset=offset, limit=limit, facets=wanted)
    if json_out:
        print_json(page.to_json())
        return
    out.print(
        styled(
            (f"{page.total:,}", "bold"),
            f" works ({page.took_ms:.0f} ms): " + ("; ".join(page.described) or "everything"),
        )
    )
    _print_hits(page.hits, offset + 1)
    if page.hidden_by_guesses:
        n = page.hidden_by_guesses
        out.print(
            f"{n:,} more work{'s' if n != 1 else ''} hidden only by ficsift's guessed tags "
            "(add guesses:only to see them, guesses:show to let guesses hide nothing)",
            style="dim",
        )


def similar_command(
    work: Annotated[str, typer.Argument(help="Work id.")],
    limit: Annotated[
        int, typer.Option(min=0, max=MAX_ROWS, clamp=True, help="How many works.")
    ] = 10,
    library: LibraryOption = None,
    json_out: JsonOption = False,
) -> None:
    """More like this: works sharing rare tags, characters, relationships or similar text."""
    one_blas_thread()
    from ficsift.search import similar

    work_id = parse_work_id(work)
    with open_library_or_exit(library) as lib:
        _require_work(lib, work_id)
        hits = similar(lib, work_id, limit)
    if json_out:
        print_json({"work": work_id, "results": [h.to_json() for h in hits]})
        return
    _print_hits(hits)


def why_command(
    work: Annotated[str, typer.Argument(help="Work id.")],
    library: LibraryOption = None,
    json_out: JsonOption = False,
) -> None:
    """How a work's quality score was made."""
    one_blas_thread()
    from ficsift.search import quality_report

    work_id = parse_work_id(work)
    with open_library_or_exit(library) as lib:
        _require_work(lib, work_id)
        lines = quality_report(lib, work_id)
        detail = lib.score_detail(work_id)
    if json_out:
        print_json({"work": work_id, "quality": detail[0] if detail else None,
                    "basis": detail[1] if detail else None,
                    "parts": detail[2].get("parts", []) if detail else [], "lines": lines})  # fmt: skip
        return
    for line in lines:
        out.print(line)


def mark_command(
    work: Annotated[str, typer.Argument(help="Work id.")],
    status: Annotated[
        str | None, typer.Option(help="want, reading, read or dropped ('none' clears).")
    ] = None,
    rating: Annotated[int | None, typer.Option(help="Your rating, 1 to 5 (0 clears).")] = None,
    notes: Annotated[str | None, typer.Option(help="Private notes.")] = None,
    library: LibraryOption = None,
    json_out: JsonOption = False,
) -> None:
    """Record your reading status, rating and notes for a work (kept across re-imports)."""
    work_id = parse_work_id(work)
    with open_library_or_exit(library) as lib:
        try:
            state = lib.set_reading(
                work_id, status=None if status in (None, "none") else status,
                rating=None if rating in (None, 0) else rating, notes=notes,
                clear_status=status == "none", clear_rating=rating == 0,
            )  # fmt: skip
        except ValueError as exc:
            err.print(f"ficsift: {exc}")
            raise typer.Exit(1) from None
    if json_out:
        print_json({"work": work_id, **state.to_json()})
    else:
        out.print(
            f"work {work_id}: {state.status or 'no status'}, "
            f"{'★' * (state.rating or 0) or 'unrated'}"
            + (f", notes: {state.notes}" if state.notes else "")
        )


@blacklist_app.command("add")
def blacklist_add(
    value: Annotated[str, typer.Argument(help="A tag (any spelling), an author, or a work id.")],
    kind: Annotated[BlacklistKind, typer.Option(help="What the value is.")] = BlacklistKind.TAG,
    fandom: Annotated[str | None, typer.Option(help="Only within this fandom.")] = None,
    library: LibraryOption = None,
) -> None:
    """Never show works with this tag / by this author / this work."""
    from ficsift.library.query import BlacklistEntry

    with open_library_or_exit(library) as lib:
        try:
            entry_id = lib.blacklist_add(BlacklistEntry(kind, value, fandom))
        except ValueError as exc:
            err.print(f"ficsift: {exc}")
            raise typer.Exit(1) from None
    out.print(
        f"blacklist entry {entry_id}: {kind.value} “{value}”" + (f" in {fandom}" if fandom else "")
    )


@blacklist_app.command("list")
def blacklist_list(library: LibraryOption = None, json_out: JsonOption = False) -> None:
    """Show the blacklist."""
    with open_library_or_exit(library) as lib:
        entries = lib.blacklist()
    if json_out:
        print_json(
            [
                {"id": e.id, "kind": e.kind.value, "value": e.value, "fandom": e.fandom}
                for e in entries
            ]
        )
        return
    for e in entries:
        out.print(f"{e.id:>4}  {e.describe()}")
    if not entries:
        out.print("the blacklist is empty")


@blacklist_app.command("remove")
def blacklist_remove(
    entry: Annotated[str, typer.Argument(help="Entry id (see `blacklist list`).")],
    library: LibraryOption = None,
) -> None:
    """Remove a blacklist entry."""
    entry_id = parse_id(entry, "blacklist entry", "ficsift blacklist list")
    with open_library_or_exit(library) as lib:
        removed = lib.blacklist_remove(entry_id)
    if not removed:
        err.print(f"ficsift: no blacklist entry {entry_id}")
        raise typer.Exit(1)
    out.print(f"removed blacklist entry {entry_id}")


def index_command(library: LibraryOption = None) -> None:
    """Compute quality scores, text vectors and term postings for works that lack them."""
    from ficsift.search.index import SEMANTIC_MODEL

    with open_library_or_exit(library) as lib:
        refresh_index(lib)
        out.print(f"indexed: {lib.vector_count(SEMANTIC_MODEL):,} text vectors")


def register(app: typer.Typer) -> None:
    app.command("search", cls=QueryCommand)(search_command)
    app.command("similar")(similar_command)
    app.command("why")(why_command)
    app.command("mark")(mark_command)
    app.command("index")(index_command)
    app.add_typer(blacklist_app, name="blacklist")
