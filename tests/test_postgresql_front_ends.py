"""`ficsift add`, `search`, `show` and the web app work unchanged on a ``postgresql://``
library, with the answers an embedded library gives for the same files.

The same real files (a few BtVS stories of antennapedia, an AO3 download, two DS9 listing
pages) go into a SQLite folder and a PostgreSQL schema through the real command line; then
the same searches are asked of both, by the CLI's JSON and by the web app's JSON API.

Every line gives the same works in the same order with the same scores, a line of words
too: in a library this small a command ranks words from the term postings as the web app
does, alike on both backends (not by FTS5's bm25 on one and ``ts_rank`` on the other).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ficsift.web import create_app
from tests.library.conftest import NO_POSTGRES, POSTGRES_URL, drop_schema

STORIES = [
    "antennapedia/btvs/bgwx_core_four_four_nights_and_a_revelation.md",
    "antennapedia/btvs/bgwx_core_four_hot_water.md",
    "antennapedia/btvs/bj_paragon.md",
    "ao3-html/A_Funeral_Shroud_for.html",
]
SEARCHES = [
    "willow",
    "vampire slayer watcher",
    'fandom:"Star Trek: Deep Space Nine" sort:kudos',
    "words>1000 sort:words",
    '-"Major Character Death" complete:yes sort:title',
]


def ficsift(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("ficsift")
    done = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (args, done.stderr[-2000:])
    return done


@pytest.fixture(scope="module")
def files(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("front_end_fics")
    for name in STORIES:
        shutil.copy(corpus / name, folder)
    for page in sorted((corpus / "ao3-listings-ds9").rglob("*.htm*"))[:2]:
        shutil.copy(page, folder / page.name)
    return folder


@pytest.fixture(scope="module")
def libraries(files: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(the SQLite folder, the PostgreSQL URL), each filled by `ficsift add`."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    import psycopg

    schema = f"t_cli_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    folder = str(tmp_path_factory.mktemp("front_end_lib") / "lib")
    try:
        for spec in (folder, url):
            added = ficsift("add", str(files), "--library", spec)
            assert "failed" not in added.stdout.lower() or " 0 failed" in added.stdout.lower()
        yield folder, url
    finally:
        drop_schema(schema)


def _cli_search(spec: str, line: str) -> dict[str, Any]:
    return dict(
        json.loads(ficsift("search", line, "--json", "--limit", "100", "--library", spec).stdout)
    )


def _named(page: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    return [(r["title"], tuple(r["authors"])) for r in page["results"]]


def _same_answer(line: str, lite: dict[str, Any], pg: dict[str, Any]) -> None:
    assert pg["total"] == lite["total"], line
    assert lite["total"] <= len(lite["results"]), "a page must hold every match to compare"
    assert _named(pg) == _named(lite), line
    assert [round(r["score"], 6) for r in pg["results"]] == [
        round(r["score"], 6) for r in lite["results"]
    ], line


def test_cli_search_gives_the_same_works_on_both_backends(libraries: tuple[str, str]) -> None:
    folder, url = libraries
    answered = 0
    for line in SEARCHES:
        lite, pg = _cli_search(folder, line), _cli_search(url, line)
        _same_answer(line, lite, pg)
        assert pg["facets"] == lite["facets"], line
        answered += lite["total"] > 0
    assert answered == len(SEARCHES)  # every line finds something: not two empty answers


def test_cli_show_gives_the_same_work(libraries: tuple[str, str]) -> None:
    folder, url = libraries
    shown = []
    for spec in (folder, url):
        first = _cli_search(spec, "sort:title")["results"][0]["id"]
        shown.append(json.loads(ficsift("show", str(first), "--json", "--library", spec).stdout))
    lite, pg = shown
    for key in ("title", "authors", "fandoms", "relationships", "characters", "words", "status"):
        assert pg[key] == lite[key], key


def test_the_web_api_gives_the_same_works_on_both_backends(libraries: tuple[str, str]) -> None:
    pages = []
    for spec in libraries:
        app = create_app(spec, port=80)
        with TestClient(app, base_url="http://localhost") as client:
            answers = []
            for line in SEARCHES:
                got = client.get("/api/search", params={"q": line, "limit": 100})
                assert got.status_code == 200, got.text
                answers.append(got.json())
            work = client.get(f"/works/{answers[0]['results'][0]['id']}")
            assert work.status_code == 200 and "<html" in work.text.lower()
            pages.append(answers)
    for line, lite, pg in zip(SEARCHES, *pages, strict=True):
        _same_answer(line, lite, pg)
