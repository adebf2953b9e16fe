"""Web fixtures: a small real corpus, a library built from it once, and apps on copies of it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ficsift.importer import import_paths
from ficsift.library import open_library
from ficsift.search import refresh
from ficsift.web import create_app

# A few of antennapedia's BtVS stories (front matter + HTML) and one AO3 download.
ANTENNAPEDIA = [
    "btvs/bgwx_core_four_four_nights_and_a_revelation.md",
    "btvs/bgwx_core_four_hot_water.md",
    "btvs/bgwx_core_four_moving_day.md",
    "btvs/bj_paragon.md",
]
AO3_HTML = "ao3-html/A_Funeral_Shroud_for.html"
UPLOAD = "btvs/bgwx_core_four_interlude_with_blankets_giles.md"


@pytest.fixture(scope="session")
def fic_folder(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fics")
    for name in ANTENNAPEDIA:
        shutil.copy(corpus / "antennapedia" / name, folder)
    shutil.copy(corpus / AO3_HTML, folder)
    return folder


@pytest.fixture(scope="session")
def upload_file(corpus: Path) -> Path:
    return corpus / "antennapedia" / UPLOAD


@pytest.fixture(scope="session")
def built_library(fic_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("built") / "lib"
    with open_library(directory) as lib:
        report = import_paths(lib, [fic_folder], workers=0)
        assert not report.failures, report.failures
        refresh(lib)
    return directory


@pytest.fixture
def library_dir(built_library: Path, tmp_path: Path) -> Path:
    """A private copy of the built library, so a test may change it."""
    target = tmp_path / "lib"
    shutil.copytree(built_library, target)
    return target


# The apps under test run as `ficsift serve --port 80` would: their Host allowlist is the
# loopback names on port 80, which is what the test client sends for BASE_URL.
BASE_URL = "http://localhost"
# Tests import folders made under the temporary folder (not under the home folder).
TEST_IMPORT_ROOTS = [Path(tempfile.gettempdir()).resolve()]


def make_app(library_dir: Path, **options: Any) -> FastAPI:
    options.setdefault("port", 80)
    options.setdefault("import_roots", TEST_IMPORT_ROOTS)
    return create_app(library_dir, **options)


def make_client(app: FastAPI) -> TestClient:
    return TestClient(app, base_url=BASE_URL)


@pytest.fixture
def client(library_dir: Path) -> Iterator[TestClient]:
    with make_client(make_app(library_dir)) as c:
        yield c


def wait_for_job(client: TestClient, job_id: int, timeout: float = 60) -> dict[str, Any]:
    """Poll an import until it is no longer running; its last JSON."""
    deadline = time.monotonic() + timeout
    job: dict[str, Any] = client.get(f"/api/import/{job_id}").json()
    while job["state"] == "running":
        assert time.monotonic() < deadline, f"import {job_id} still running: {job}"
        time.sleep(0.05)
        job = client.get(f"/api/import/{job_id}").json()
    return job


# -- a real server, as `ficsift serve` runs it ---------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Any]:
    """Start `ficsift serve` on a free port with extra options; its URL.  Stopped after."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(library: Path, *options: str, port: int | None = None) -> str:
        port = port or free_port()
        command = [sys.executable, "-m", "ficsift.cli", "serve", "--port", str(port)]
        process = subprocess.Popen(
            [*command, "--library", str(library), *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/csrf", timeout=2).read()
                return url
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    out = process.stdout.read().decode() if process.stdout else ""
                    raise AssertionError(f"server did not start:\n{out}") from None
                time.sleep(0.1)

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def roots_option(roots: Sequence[Path] = TEST_IMPORT_ROOTS) -> list[str]:
    return [x for root in roots for x in ("--import-root", str(root))]


def csrf_token(client: TestClient) -> str:
    """The token a page would carry (and the cookie comes with it)."""
    token: str = client.get("/api/csrf").json()["token"]
    return token


def work_id_titled(client: TestClient, title: str) -> int:
    data = client.get("/api/search", params={"q": f'"{title}"'}).json()
    for hit in data["results"]:
        if hit["title"] == title:
            return int(hit["id"])
    for hit in client.get("/api/search", params={"sort": "title"}).json()["results"]:
        if hit["title"] == title:
            return int(hit["id"])
    raise AssertionError(f"no work titled {title!r}")
