"""Web fixtures: a small real corpus, a library built from it once, and apps on copies of it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
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


@pytest.fixture
def client(library_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(library_dir), base_url="http://testserver") as c:
        yield c


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
