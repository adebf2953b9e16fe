"""What every CLI command shares: consoles, the library option, JSON output, work ids."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

if TYPE_CHECKING:
    from ficsift.library import Library

# The library (SQLite, the query model) is imported by the functions that open one: `--help`
# and a command's own usage errors start without it.

# Story data is full of brackets Rich would take for markup ("[sic]", "[/]", "[link=…]": a
# MarkupError, or words silently gone) and of ":name:" emoji codes.  So the consoles read
# no markup and no emoji codes and highlight nothing: every string prints exactly as it is,
# and only styled() styles, the parts the code chose.
out = Console(soft_wrap=True, markup=False, emoji=False, highlight=False)
err = Console(stderr=True, soft_wrap=True, markup=False, emoji=False, highlight=False)


# Help and usage errors in click's plain layout, not Rich's panels: drawing those imports
# Rich's Markdown and tracebacks (markdown-it), ~0.1 s of every `--help` (scripts/bench_cli.py).
HELP_MARKUP = None


class OneCommandTyper(typer.Typer):
    """A Typer app that builds only the command a run names.

    Typer builds every command's click options (type hints, converters, ~40 ms for ficsift's
    twenty) before it runs one; a one-shot ``ficsift search`` needs its own.  A run whose first
    word is a command (or a group) gets a group of that one; any other run (``--help``,
    ``--version``, a misspelt command) the whole app, so help and errors list every command.
    The first word is the command because the app's own options (``--version``) take no value.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        argv = kwargs.get("args", args[0] if args else None)
        words = list(sys.argv[1:] if argv is None else argv)
        name = words[0] if words and not words[0].startswith("-") else None
        commands = [
            c
            for c in self.registered_commands
            if name is not None
            and (c.name or typer.main.get_command_name(getattr(c.callback, "__name__", ""))) == name
        ]
        groups = [g for g in self.registered_groups if name is not None and g.name == name]
        if len(commands) + len(groups) != 1:
            return super().__call__(*args, **kwargs)
        every = self.registered_commands, self.registered_groups
        self.registered_commands, self.registered_groups = commands, groups
        try:
            return super().__call__(*args, **kwargs)
        finally:
            self.registered_commands, self.registered_groups = every


def styled(*parts: str | tuple[str, str]) -> Text:
    """One line of plain parts (data, shown as it is) and (text, Rich style) pairs."""
    return Text.assemble(*parts)


LibraryOption = Annotated[
    str | None,
    typer.Option(
        "--library",
        "-L",
        help="The library: a folder, or a postgresql:// URL (default: $FICSIFT_LIBRARY, else "
        "$FICSIFT_HOME or the user data dir).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def open_library_or_exit(spec: str | None) -> Library:
    from ficsift.library import library_label, open_library

    try:
        return open_library(spec)
    except Exception as exc:  # an unopenable library is one line, not a traceback
        reason = " ".join(str(exc).split()) or type(exc).__name__
        err.print(f"ficsift: cannot open library {library_label(spec)}: {reason}")
        raise typer.Exit(2) from None


# BLAS's thread pools, read by numpy's BLAS when numpy is first imported.
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def one_blas_thread() -> None:
    """Before numpy is first imported by a command that multiplies one query vector (search,
    similar, why): OpenBLAS otherwise starts a thread per core at import, CPU time and start-up
    such a command does not use.  Commands that fit models (add, index) keep every core; a
    reader's own setting wins."""
    if "numpy" not in sys.modules:
        for name in BLAS_THREADS:
            os.environ.setdefault(name, "1")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# Page sizes and offsets past this are clamped: more rows than any library holds, and
# offset + limit stays within SQLite's integers.
MAX_ROWS = 2**31 - 1


def parse_id(text: str, what: str = "work", listed_by: str = "ficsift list") -> int:
    """An id typed by the reader, or one line and exit 2: ids are 1 to 2^63-1 (SQLite's
    integers; a larger number cannot even be looked up)."""
    from ficsift.library.query import INT64_MAX

    try:
        number = int(text)
    except ValueError:  # not a number, or thousands of digits (Python refuses those)
        number = 0
    if not 0 < number <= INT64_MAX:
        shown = text if len(text) <= 30 else text[:29] + "…"
        err.print(
            f"ficsift: a {what} id is a whole number from 1 (see `{listed_by}`), not {shown!r}"
        )
        raise typer.Exit(2)
    return number


def parse_work_id(work: str) -> int:
    return parse_id(work)
