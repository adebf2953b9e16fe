"""What every CLI command shares: consoles, the library option, JSON output, work ids."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ficsift.library import Library, default_library_dir, open_library

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

LibraryOption = Annotated[
    Path | None,
    typer.Option(
        "--library", "-L", help="Library folder (default: $FICSIFT_HOME or the user data dir)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def open_library_or_exit(directory: Path | None) -> Library:
    try:
        return open_library(directory)
    except Exception as exc:  # an unopenable library is one line, not a traceback
        err.print(f"ficsift: cannot open library {directory or default_library_dir()}: {exc}")
        raise typer.Exit(2) from None


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def parse_work_id(work: str) -> int:
    try:
        return int(work)
    except ValueError:
        err.print(f"ficsift: work must be a number (see `ficsift list`), not {work!r}")
        raise typer.Exit(2) from None
