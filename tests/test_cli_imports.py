"""What a one-shot ``ficsift`` command imports: the help and a search start light.

Each check runs the command in a fresh interpreter and reads ``sys.modules`` afterwards, so
it fails when a module-level import in the CLI (or below it) drags in the web app, Ray,
PostgreSQL's driver, FanFicFare, the readers or the ontology.  Speed itself is measured by
scripts/bench_cli.py, not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ficsift.library import SqliteLibrary

# Run ficsift's CLI with the given arguments as `ficsift` would, then print which of the
# named modules were imported.
PROBE = """
import json, sys
names, args = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.argv = ["ficsift", *args]
from ficsift.cli import app
try:
    app()
except SystemExit as stop:
    code = stop.code
else:
    code = 0
sys.stdout.flush()
import os
blas = os.environ.get("OPENBLAS_NUM_THREADS")
print(json.dumps({"code": code, "loaded": [n for n in names if n in sys.modules], "blas": blas}))
"""

# Never needed to show help or search the library (each is another command's job).
OTHER_COMMANDS = [
    "fastapi",
    "uvicorn",
    "jinja2",
    "ray",
    "psycopg",
    "fanficfare",
    "scipy",
    "ficsift.web",
    "ficsift.bulk",
    "ficsift.fetch",
    "ficsift.importer",
    "ficsift.read",
    "ficsift.export.epub",
    "selectolax",
    "ficsift.understand.infer",
]
# Needed by a search only when it asks for them; help never.
SEARCH_ONLY = ["numpy", "ficsift.search", "ficsift.library.sqlite"]
TAG_ONLY = ["ficsift.ontology", "ficsift.understand.primer"]


def probe(args: list[str], names: list[str], home: Path) -> tuple[dict[str, Any], str]:
    """The probe's report (exit code, which of ``names`` were imported, the BLAS threads
    asked for) and the command's output, in a fresh interpreter with ``home``'s derived cache."""
    env = {**os.environ, "FICSIFT_HOME": str(home), "FICSIFT_CACHE": str(home / "cache")}
    for name in ("FICSIFT_LIBRARY", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(names), json.dumps(args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stdout


def run_cli(args: list[str], names: list[str], home: Path) -> tuple[int, list[str], str]:
    report, output = probe(args, names, home)
    return report["code"], report["loaded"], output


@pytest.mark.parametrize(
    "args", [["--help"], ["search", "--help"], ["add", "--help"], ["serve", "--help"]]
)
def test_help_imports_nothing_heavy(args: list[str], tmp_path: Path) -> None:
    code, loaded, output = run_cli(args, OTHER_COMMANDS + SEARCH_ONLY + TAG_ONLY, tmp_path)
    assert code == 0
    assert "Usage" in output
    assert loaded == []


def test_a_text_search_imports_search_but_no_other_command(tmp_path: Path) -> None:
    args = ["search", "vampire willow", "--library", str(tmp_path / "lib"), "--json"]
    code, loaded, output = run_cli(args, OTHER_COMMANDS + SEARCH_ONLY + TAG_ONLY, tmp_path)
    assert code == 0
    assert '"total": 0' in output
    assert sorted(loaded) == sorted(SEARCH_ONLY)  # the probe itself can fail: it sees search


def test_a_tag_search_reads_the_primer_built_by_the_run_before(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    SqliteLibrary(library).close()
    args = ["search", "tag:Vampires", "--library", str(library), "--json"]
    names = ["ficsift.ontology", "ficsift.understand.primer", "yaml"]
    code, first, _ = run_cli(args, names, tmp_path)
    assert code == 0
    assert {"ficsift.ontology", "yaml"} <= set(first)  # built: the primer file is read
    code, second, _ = run_cli(args, names, tmp_path)
    assert code == 0
    assert "ficsift.ontology" in second and "yaml" not in second  # read from the cache


def test_only_a_one_shot_search_asks_for_one_blas_thread(tmp_path: Path) -> None:
    library = str(tmp_path / "lib")
    searched, _ = probe(["search", "willow", "--library", library], [], tmp_path)
    assert searched["blas"] == "1"
    indexed, _ = probe(["index", "--library", library], [], tmp_path)
    assert indexed["code"] == 0 and indexed["blas"] is None  # fitting a model keeps every core


def built_commands(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[list[str], str]:
    """Which commands typer built to run ``ficsift ARGS`` (as the ``ficsift`` script calls
    the app) in this process, and what it printed."""
    import typer.main

    from ficsift.cli import app

    built: list[str] = []
    build = typer.main.get_command_from_info

    def spy(**kwargs: Any) -> Any:
        command = build(**kwargs)
        built.append(command.name or "")
        return command

    monkeypatch.setattr(typer.main, "get_command_from_info", spy)
    with pytest.raises(SystemExit):
        app(args, prog_name="ficsift")
    captured = capsys.readouterr()
    return built, captured.out + captured.err


def test_a_command_builds_only_itself(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    built, output = built_commands(["search", "--help"], monkeypatch, capsys)
    assert built == ["search"]
    assert "--words-min" in output and "Usage: ficsift search" in output


def test_help_and_a_misspelt_command_build_every_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    built, output = built_commands(["--help"], monkeypatch, capsys)
    assert {"add", "search", "similar", "serve", "bulk", "list"} <= set(built)
    assert "similar" in output and "serve" in output
    built, output = built_commands(["serch", "willow"], monkeypatch, capsys)
    assert "search" in built and "No such command 'serch'" in output
