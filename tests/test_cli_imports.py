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

import pytest

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
print(json.dumps({"code": code, "loaded": [n for n in names if n in sys.modules]}))
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


def run_cli(args: list[str], names: list[str], home: Path) -> tuple[int, list[str], str]:
    env = {**os.environ, "FICSIFT_HOME": str(home)}
    env.pop("FICSIFT_LIBRARY", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(names), json.dumps(args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["code"], report["loaded"], done.stdout


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
