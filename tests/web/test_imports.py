"""Imports never run in a process that answers requests: a stuck import cannot slow a search,
every server process sees its progress, and it dies with the server."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient

from ficsift.web.jobs import JobStore
from tests.web.conftest import make_app, make_client, wait_for_job


def slow_epub(path: Path) -> None:
    """The audit's EPUB: a chapter holding ``<div`` + 200,000 spaces + ``>`` (60+ s to read
    before the reader was fixed)."""
    chapter = "<html><body><div" + " " * 200_000 + "><p>Hello.</p></div></body></html>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/epub+zip", zipfile.ZIP_STORED)
        z.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument'
            ':xmlns:container"><rootfiles><rootfile full-path="content.opf" media-type="application'
            '/oebps-package+xml"/></rootfiles></container>',
        )
        z.writestr(
            "content.opf",
            '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="2.0">'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Slow</dc:title>'
            '</metadata><manifest><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"'
            '/></manifest><spine><itemref idref="c1"/></spine></package>',
        )
        z.writestr("c1.xhtml", chapter)


def fic(title: str, words: int = 300) -> str:
    body = " ".join(
        f"Willow read the {n}th book in the library while Giles waited." for n in range(words // 10)
    )
    return f"---\ntitle: {title}\nauthor: tester\nfandom: Buffy the Vampire Slayer\n---\n\n{body}\n"


def _job_pid(client: TestClient, job_id: int, timeout: float = 60) -> int:
    store: JobStore = client.app.state.ficsift.jobs  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    while True:
        job = store.get(job_id)
        assert job is not None
        if job.pid is not None:
            return job.pid
        assert time.monotonic() < deadline, "the import process never started"
        time.sleep(0.05)


def test_a_stuck_import_does_not_slow_searches(client: TestClient, tmp_path: Path) -> None:
    """An import of a slow file, frozen mid-way (SIGSTOP: the worst a pathological file can
    do, whichever reader it hits) while searches keep answering in their usual time."""
    folder = tmp_path / "slow"
    folder.mkdir()
    slow_epub(folder / "slow.epub")
    for n in range(6):
        (folder / f"fic{n}.md").write_text(fic(f"Fic number {n}"))
    started = client.post("/api/import", json={"path": str(folder)})
    assert started.status_code == 202
    job_id = started.json()["id"]
    pid = _job_pid(client, job_id)
    assert pid != os.getpid()  # the import is not in the process that answers requests
    os.killpg(pid, signal.SIGSTOP)
    try:
        times = []
        for query in ["willow", "giles library", "vampire", "words>1000", ""] * 4:
            began = time.perf_counter()
            response = client.get("/api/search", params={"q": query})
            times.append(time.perf_counter() - began)
            assert response.status_code == 200
        assert client.get(f"/api/import/{job_id}").json()["state"] == "running"
    finally:
        os.killpg(pid, signal.SIGCONT)
    print(f"/api/search during a frozen import: max {max(times) * 1000:.0f} ms")
    assert max(times) < 3.0, times  # ~20-50 ms each; an import in the server took 60 s


def test_every_server_process_sees_an_import(
    library_dir: Path, upload_file: Path, tmp_path: Path
) -> None:
    """Two apps on one library stand for two worker processes: one starts, the other polls."""
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "story.md").write_bytes(upload_file.read_bytes())
    with make_client(make_app(library_dir)) as first, make_client(make_app(library_dir)) as other:
        before = other.get("/api/search").json()["total"]
        job_id = first.post("/api/import", json={"path": str(folder)}).json()["id"]
        job = wait_for_job(other, job_id)
        assert job["state"] == "done" and job["report"]["added"] == 1, job
        assert other.get("/api/search").json()["total"] == before + 1
        page = other.get(f"/import?job={job_id}").text
        assert "Import finished" in page
        second = other.post("/api/import", json={"path": str(folder)}).json()["id"]
        assert second != job_id  # ids are unique across processes
        assert wait_for_job(first, second)["report"]["unchanged"] == 1


# A stand-in for a server process: starts an import, says its id, then waits to be killed.
SERVER_STARTING_AN_IMPORT = """
import sys, time
from pathlib import Path
from ficsift.web.jobs import JobStore
job = JobStore(sys.argv[1], Path(sys.argv[1])).start([Path(sys.argv[2])], "test", [])
print(job.id, flush=True)
time.sleep(600)
"""


def test_the_import_process_dies_with_the_server(library_dir: Path, tmp_path: Path) -> None:
    """kill -9 of the process that started an import ends the import too (finding 10)."""
    folder = tmp_path / "fics"
    folder.mkdir()
    (folder / "one.md").write_text(fic("One"))
    store = JobStore(str(library_dir), library_dir)
    store.folder.mkdir(parents=True, exist_ok=True)
    with (store.folder / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # "another import": this one waits, alive
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER_STARTING_AN_IMPORT, str(library_dir), str(folder)],
            stdout=subprocess.PIPE,
        )
        try:
            assert server.stdout is not None
            job_id = int(server.stdout.readline())
            deadline = time.monotonic() + 60
            while (job := store.get(job_id)) is not None and "waiting" not in job.current:
                assert time.monotonic() < deadline, job
                time.sleep(0.05)
            assert job is not None and job.pid is not None
            importer = job.pid
            os.kill(server.pid, signal.SIGKILL)
            server.wait()
            deadline = time.monotonic() + 20
            while _alive(importer):
                assert time.monotonic() < deadline, "the import outlived its server"
                time.sleep(0.05)
        finally:
            server.kill()
            server.wait()
    saved = json.loads(store.path(job_id).read_text())
    assert saved["finished"] and "stopped" in saved["error"]
    job = store.get(job_id)
    assert job is not None and job.state == "failed"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped by init) counts as gone
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_server_shutdown_stops_its_imports(library_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "fics"
    folder.mkdir()
    (folder / "one.md").write_text(fic("One"))
    app = make_app(library_dir)
    store: JobStore = app.state.ficsift.jobs
    store.folder.mkdir(parents=True, exist_ok=True)
    with (store.folder / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the import waits its turn, alive
        with make_client(app) as client:
            job_id = client.post("/api/import", json={"path": str(folder)}).json()["id"]
            pid = _job_pid(client, job_id)
        # the app has shut down (lifespan end) while its import still waited
        deadline = time.monotonic() + 20
        while _alive(pid):
            assert time.monotonic() < deadline, "the import outlived the app"
            time.sleep(0.05)
    job = store.get(job_id)
    assert job is not None and job.state == "failed", job
