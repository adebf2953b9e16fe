"""DNS rebinding: the server answers only the Host names it was started for, before any
route runs, and its CSRF Origin check compares with that allowlist, not with the Host."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ficsift.web.security import HostPolicy, parse_allowed_host
from ficsift.web.serve import ServeError, check_options
from tests.web.conftest import csrf_token, make_app, make_client, roots_option, work_id_titled

EVIL = "rebind.evil.example"


def test_foreign_hosts_reach_nothing(client: TestClient, library_dir: Path) -> None:
    """The audit's repro: a page on a rebinding name posts a folder import of /etc."""
    before = client.get("/api/search").json()["total"]
    for host in (f"{EVIL}:80", EVIL, f"{EVIL}:8000", "localhost:8000", "127.0.0.1:81",
                 "localhost.:80", "127.0.0.1.nip.io", "[::2]:80", "", "a b", "localhost:80@x"):  # fmt: skip
        headers = {"Host": host, "Origin": f"http://{host}"}
        for method, url, body in (
            ("GET", "/api/csrf", None),
            ("POST", "/api/import", {"path": "/etc"}),
            ("GET", "/search", None),
            ("GET", "/static/app.js", None),
            ("GET", "/openapi.json", None),
            ("GET", "/no/such/route", None),
        ):
            response = client.request(method, url, headers=headers, json=body)
            assert response.status_code == 421, (host, url, response.status_code)
            assert "does not answer for Host" in response.json()["error"]
            assert "set-cookie" not in response.headers  # no CSRF token handed out
    assert client.get("/api/search").json()["total"] == before
    assert not (library_dir / "imports").exists()  # no import was even recorded


def test_loopback_names_with_the_servers_port_are_answered(library_dir: Path) -> None:
    with make_client(make_app(library_dir, port=8123)) as client:
        for host in ("127.0.0.1:8123", "localhost:8123", "LocalHost:8123", "[::1]:8123"):
            assert client.get("/api/csrf", headers={"Host": host}).status_code == 200, host
        for host in ("localhost", "127.0.0.1:80", "localhost:8124"):
            assert client.get("/api/csrf", headers={"Host": host}).status_code == 421, host


def test_allowed_hosts_are_added_to_loopback(library_dir: Path) -> None:
    app = make_app(library_dir, port=8123, allowed_hosts=["fics.lan", "proxy.example:443"])
    with make_client(app) as client:
        for host in ("fics.lan:8123", "proxy.example:443", "localhost:8123"):
            assert client.get("/api/csrf", headers={"Host": host}).status_code == 200, host
        for host in ("fics.lan:443", "proxy.example:8123", "evil.fics.lan:8123"):
            assert client.get("/api/csrf", headers={"Host": host}).status_code == 421, host


def test_origin_is_checked_against_the_allowlist_not_the_host(client: TestClient) -> None:
    """A page on another local port (or a rebinding name) is cross-site even when the
    request's Host is ours; an allowed name is same-site whatever the Host says."""
    work_id = work_id_titled(client, "Paragon")
    token = csrf_token(client)

    def mark(origin: str) -> int:
        return client.post(
            f"/works/{work_id}/mark",
            data={"status": "read", "csrf_token": token},
            headers={"Origin": origin},
            follow_redirects=False,
        ).status_code

    for origin in (f"http://{EVIL}", f"http://{EVIL}:80", "http://localhost:3000",
                   "http://localhost:80.evil.example", "http://user@localhost",
                   "ftp://localhost", "null"):  # fmt: skip
        assert mark(origin) == 403, origin
    api = client.post(
        f"/api/works/{work_id}/mark",
        json={"rating": 2},
        headers={"Origin": "http://localhost:3000"},
    )
    assert api.status_code == 403
    assert client.get(f"/api/works/{work_id}").json()["reading"] is None
    for origin in ("http://localhost", "http://127.0.0.1", "http://[::1]:80"):
        assert mark(origin) == 303, origin


def test_host_policy_table() -> None:
    policy = HostPolicy.for_server(8000, ["Fics.Lan", "::1", "box:9000"])
    assert policy.allowed == {
        "127.0.0.1:8000", "localhost:8000", "[::1]:8000", "fics.lan:8000", "box:9000"
    }  # fmt: skip
    assert policy.allows_origin("http://fics.lan:8000")
    assert not policy.allows_origin("http://fics.lan:8000/path")
    assert not policy.allows_origin(f"https://{EVIL}")
    for bad in ("", "*", "evil.example/x", "a@b", "host:99999", "[zz]"):
        with pytest.raises(ValueError):
            parse_allowed_host(bad)


def test_serve_refuses_a_public_bind_without_allowed_hosts() -> None:
    with pytest.raises(ServeError, match="--allowed-host"):
        check_options("0.0.0.0", [])
    with pytest.raises(ServeError, match="--allowed-host"):
        check_options("192.168.1.5", [])
    with pytest.raises(ServeError, match="--allowed-host"):
        check_options("0.0.0.0", ["not a host"])
    assert check_options("0.0.0.0", ["Fics.Lan"]) == ["fics.lan"]
    assert check_options("127.0.0.1", []) == []
    assert check_options("::1", []) == []


def test_serve_command_says_so_in_one_line(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "ficsift.cli", "serve", "--host", "0.0.0.0"]
    done = subprocess.run(
        [*command, "--library", str(tmp_path / "lib"), "--port", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--allowed-host" in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def _request(url: str, method: str, path: str, host: str, body: Any = None) -> tuple[int, str]:
    port = int(url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": host, "Origin": f"http://{host}"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    return response.status, text


def test_real_server_refuses_rebinding(start_server: Any, library_dir: Path) -> None:
    """`ficsift serve` (several worker processes) against the audit's curl line."""
    url = start_server(library_dir, "--workers", "2", "--allowed-host", "fics.test")
    port = url.rsplit(":", 1)[1]
    for path, method, body in (("/api/csrf", "GET", None),
                               ("/api/import", "POST", {"path": "/etc/passwd"})):  # fmt: skip
        status, text = _request(url, method, path, f"{EVIL}:{port}", body)
        assert status == 421, text
    assert _request(url, "GET", "/api/csrf", f"127.0.0.1:{port}")[0] == 200
    assert _request(url, "GET", "/api/csrf", f"fics.test:{port}")[0] == 200
    status, text = _request(url, "POST", "/api/import", f"127.0.0.1:{port}", {"path": "/etc"})
    assert status == 400 and "not a folder or file inside an allowed import folder" in text


def test_real_server_imports_are_seen_by_every_worker(
    start_server: Any, library_dir: Path, upload_file: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "story.md").write_bytes(upload_file.read_bytes())
    url = start_server(library_dir, "--workers", "2", *roots_option())
    host = url.removeprefix("http://")
    status, text = _request(url, "POST", "/api/import", host, {"path": str(folder)})
    assert status == 202, text
    job_id = json.loads(text)["id"]
    states = []
    for _ in range(600):  # polls land on either worker: each must know the job
        status, text = _request(url, "GET", f"/api/import/{job_id}", host)
        assert status == 200, text
        states.append(json.loads(text)["state"])
        if states[-1] != "running":
            break
        time.sleep(0.1)
    assert states[-1] == "done", text
    assert json.loads(text)["report"]["added"] == 1
    totals = {json.loads(_request(url, "GET", "/api/search", host)[1])["total"] for _ in range(8)}
    assert totals == {6}, totals  # every worker sees the new work


def test_server_processes_get_single_threaded_blas(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each worker searches one request at a time: BLAS threads would only fight the other
    workers for the cores.  The setting reaches the workers; a reader's own value is kept."""
    import uvicorn

    from ficsift.web import serve as serve_module

    seen: dict[str, str | None] = {}

    def fake_run(*args: Any, **kwargs: Any) -> None:
        import os

        seen.update({name: os.environ.get(name) for name in serve_module.BLAS_THREADS_ENV})

    monkeypatch.setattr(uvicorn, "run", fake_run)  # one process
    monkeypatch.setattr(serve_module.worker_processes, "run", fake_run)  # several
    monkeypatch.setattr(serve_module.worker_processes, "listeners", lambda *_: [])
    for name in serve_module.BLAS_THREADS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(serve_module.CONFIG_ENV, raising=False)  # restored after the test
    monkeypatch.setenv("MKL_NUM_THREADS", "3")
    for workers in (1, 2):
        seen.clear()
        serve_module.serve(tmp_path / "lib", port=1, workers=workers)
        assert seen == {
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "3"
        }  # fmt: skip
