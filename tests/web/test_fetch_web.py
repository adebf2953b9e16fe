"""Fetch and update from the web app: the import page's URL box, "Get the text", "Check for new
chapters", "Check all works in progress" and the JSON API, each run as a job in a process of
its own — against FanFicFare's offline test1.com, with sockets refusing in this process and
in the job's.

test1.com: odd sids are in progress and even ones complete, 666 does not exist, 667 fails on
chapter 2; ``sid=13[1-5]`` is an older download of 13's first five chapters.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ficsift.library import FileRecord, open_library
from ficsift.model import Chapter, Document, Source, Stats, Status
from tests.fetch.offline import no_network, sid
from tests.web.conftest import csrf_token, make_app, make_client, wait_for_job

__all__ = ["no_network"]  # autouse: sockets refuse in this process, FanFicFare settings hidden

# Put on the job process's PYTHONPATH by the test (the job inherits the environment): its
# sockets refuse too, and each attempt is written down, so a test sees that none was made.
SITECUSTOMIZE = """\
import socket

def _refuse(*args, **kwargs):
    with open({log!r}, "a") as log:
        log.write(repr(args[:2]) + "\\n")
    raise OSError("a test tried to use the network")

for _name in ("connect", "connect_ex", "sendto"):
    setattr(socket.socket, _name, _refuse)
socket.create_connection = _refuse
_getaddrinfo = socket.getaddrinfo

def _loopback_only(host, *args, **kwargs):  # a server may still look up where it listens
    if host in (None, "", "localhost", "127.0.0.1", "::1", "0.0.0.0", "::"):
        return _getaddrinfo(host, *args, **kwargs)
    return _refuse(host, *args)

socket.getaddrinfo = _loopback_only
"""


@pytest.fixture
def attempts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The network attempts of job processes (a file; absent while there were none)."""
    return offline_subprocesses(tmp_path, monkeypatch)


def offline_subprocesses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Python processes started from now on (a server, its jobs) refuse outgoing
    connections; the file where they write down each attempt."""
    folder = tmp_path / "offline-python"
    folder.mkdir()
    log = tmp_path / "network-attempts.txt"
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE.format(log=str(log)))
    paths = [str(folder), *filter(None, [os.environ.get("PYTHONPATH")])]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
    return log


@pytest.fixture
def web(tmp_path: Path, attempts: Path) -> Iterator[TestClient]:
    with make_client(make_app(tmp_path / "lib")) as client:
        yield client


def _job_of(response: Any) -> int:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/import?job="), location
    return int(location.split("=", 1)[1])


def _post(client: TestClient, url: str, data: dict[str, str] | None = None) -> int:
    form = {"csrf_token": csrf_token(client), **(data or {})}
    return _job_of(client.post(url, data=form, follow_redirects=False))


def test_the_url_box_fetches_stories_one_line_per_failure(web: TestClient, attempts: Path) -> None:
    urls = "\n".join([sid(12), f"  {sid(13)}  ", "", sid(666), sid(667), sid(12)])
    job_id = _post(web, "/import/fetch", {"urls": urls})
    job = wait_for_job(web, job_id)
    report = job["report"]
    assert job["state"] == "done" and job["kind"] == "fetch", job
    assert (report["added"], report["failed"]) == (2, 2), report
    assert [(f["path"], f["reason"]) for f in report["failures"]] == [
        (sid(666), "story does not exist"),
        (sid(667), "chapter 2 failed"),
    ]
    page = web.get(f"/import?job={job_id}").text
    assert "Fetch finished" in page and "<b>2</b> added" in page
    assert f"<code>{sid(666)}</code> — story does not exist" in page
    found = web.get("/api/search", params={"sort": "title"}).json()
    assert sorted(h["title"] for h in found["results"]) == [
        "Test Story Title 12",
        "Test Story Title 13",
    ]
    assert not attempts.exists()  # test1.com is offline: the job process made no request


def test_the_job_process_cannot_reach_the_network(web: TestClient, attempts: Path) -> None:
    """The guard the other tests rely on: a real archive's URL is tried in the job process,
    and refused there."""
    started = web.post("/api/fetch", json={"urls": ["https://archiveofourown.org/works/1"]})
    assert started.status_code == 202
    job = wait_for_job(web, started.json()["id"])
    assert job["report"]["failed"] == 1 and job["report"]["added"] == 0, job
    assert "network error" in job["report"]["failures"][0]["reason"]
    assert attempts.read_text().strip()  # the attempt was made and refused in the job


def test_fetch_needs_the_pages_token_and_story_urls(web: TestClient) -> None:
    token = csrf_token(web)
    refused = web.post("/import/fetch", data={"urls": sid(12)}, follow_redirects=False)
    assert refused.status_code == 403  # a cross-site form cannot start downloads
    for bad in ["javascript:alert(1)", "file:///etc/passwd", "", "http://x/" + "a" * 3000]:
        response = web.post("/import/fetch", data={"urls": bad, "csrf_token": token})
        assert response.status_code == 400, bad
        assert web.post("/api/fetch", json={"urls": [bad]}).status_code == 422, bad
    assert web.post("/api/fetch", json={"urls": []}).status_code == 422
    assert web.get("/api/import/1").status_code == 404  # nothing was started


def test_check_for_new_chapters_from_the_work_page_and_for_all(web: TestClient) -> None:
    started = web.post("/api/fetch", json={"urls": [sid("13[1-5]")]})
    assert started.status_code == 202
    job = wait_for_job(web, started.json()["id"])
    [work] = job["report"]["works"]
    work_id = work["work"]
    page = web.get(f"/works/{work_id}").text
    assert "Check for new chapters" in page and "Get the text" not in page

    job = wait_for_job(web, _post(web, f"/works/{work_id}/update"))
    report = job["report"]
    assert job["kind"] == "update" and report["changed"] == 1, job
    assert report["updates"] == [{"work": work_id, "detail": "5 → 9 chapters"}]
    assert "1 works updated, 0 unchanged, 0 failed" in web.get(f"/import?job={job['id']}").text
    assert len(web.get(f"/api/works/{work_id}").json()["chapters"]) == 9
    # chapters found today but posted in 1975 (the story's own dates): still abandoned
    assert "Abandoned WIP" in web.get(f"/works/{work_id}").text

    job = wait_for_job(web, _post(web, "/import/update"))  # "Check all works in progress"
    assert (job["report"]["changed"], job["report"]["same"], job["report"]["failed"]) == (0, 1, 0)
    via_api = web.post("/api/update", json={"works": [work_id, 424242]})
    report = wait_for_job(web, via_api.json()["id"])["report"]
    assert report["same"] == 1
    assert report["failures"] == [{"path": "work 424242", "reason": "no such work in the library"}]


def _store(library_dir: Path, *documents: Document) -> list[int]:
    with open_library(library_dir) as lib:
        ids = []
        for n, doc in enumerate(documents):
            record = FileRecord(f"listing-{n}.html", f"{n:064d}", 1, 0.0, 1)
            ids += [r.work_id for r in lib.store_file(record, [doc])]
    return ids


def test_get_the_text_of_a_listing_blurb(tmp_path: Path, attempts: Path) -> None:
    blurb = Document(
        source=Source("listing.html#14", "ao3-listing", url=sid(14), work_key=sid(14)),
        title="Test Story Title 14",
        authors=["Test Author aa"],
        status=Status.COMPLETE,
        stats=Stats(kudos=321, chapters_posted=9),
    )
    no_url = Document(Source("mine.html", "ao3-listing"), title="No address")
    work_id, other = _store(tmp_path / "lib", blurb, no_url)
    with make_client(make_app(tmp_path / "lib")) as web:
        page = web.get(f"/works/{work_id}").text
        assert "Get the text" in page and "Check for new chapters" not in page
        assert "Get the text" not in web.get(f"/works/{other}").text
        job = wait_for_job(web, _post(web, f"/works/{work_id}/fetch"))
        assert job["report"]["failed"] == 0 and job["report"]["changed"] == 1, job["report"]
        data = web.get(f"/api/works/{work_id}").json()
        assert len(data["chapters"]) == 9 and data["stats"]["kudos"] == 321
        assert "Get the text" not in web.get(f"/works/{work_id}").text
        assert web.post(f"/api/works/{other}/fetch").status_code == 403  # no token, no body
        token = {"X-CSRF-Token": csrf_token(web)}
        started = web.post(f"/api/works/{other}/fetch", headers=token)
        assert started.status_code == 202
        assert wait_for_job(web, started.json()["id"])["report"]["failures"] == [
            {"path": f"work {other}", "reason": "no story URL that FanFicFare can fetch from"}
        ]
        assert web.post("/api/works/999999/fetch", headers=token).status_code == 404


def test_the_work_page_shows_an_abandoned_wip(tmp_path: Path) -> None:
    long_ago = (date.today() - timedelta(days=800)).isoformat()
    recent = (date.today() - timedelta(days=20)).isoformat()

    def wip(title: str, updated: str, notes: list[str] | None = None) -> Document:
        return Document(
            Source(f"{title}.txt", "text"), title=title, status=Status.IN_PROGRESS,
            published=long_ago, updated=updated, notes=notes or [],
            chapters=[Chapter("One", "Words. " * 50), Chapter("Two", "More words. " * 50)],
        )  # fmt: skip

    silent, active, paused = _store(
        tmp_path / "lib",
        wip("Silent", long_ago),
        wip("Active", recent),
        wip("Paused", recent, ["This story is on hiatus."]),
    )
    with make_client(make_app(tmp_path / "lib")) as web:
        assert "Abandoned WIP" in web.get(f"/works/{silent}").text
        assert "Abandoned WIP" not in web.get(f"/works/{active}").text
        page = web.get(f"/works/{paused}").text
        assert "Abandoned WIP" in page and "the work says: on hiatus" in page


def test_the_adult_box_confirms_a_sites_adult_check(web: TestClient) -> None:
    refused = wait_for_job(web, _post(web, "/import/fetch", {"urls": sid(665)}))["report"]
    assert refused["added"] == 0 and refused["failures"][0]["reason"].startswith(
        "adult check required"
    )
    report = wait_for_job(web, _post(web, "/import/fetch", {"urls": sid(665), "adult": "1"}))
    assert report["report"]["added"] == 1, report
