"""Server processes with a listening socket each: connections spread over them, a taken port
is refused, and a real two-process server answers from both."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from ficsift.web import workers
from tests.web.conftest import free_port

pytestmark = pytest.mark.skipif(not workers.has_reuse_port(), reason="no SO_REUSEPORT here")


def test_connections_spread_over_the_sockets() -> None:
    port = free_port()
    first, second = workers.listeners("127.0.0.1", port, 2)
    clients = []
    try:
        for _ in range(40):
            clients.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        accepted = []
        for listener in (first, second):
            listener.setblocking(False)
            n = 0
            while True:
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    break
                conn.close()
                n += 1
            accepted.append(n)
        assert sum(accepted) == 40
        assert min(accepted) > 0, accepted  # all on one socket: 2^-39 if spread at random
    finally:
        for c in clients:
            c.close()
        first.close()
        second.close()


def test_a_port_another_program_listens_on_is_refused() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError):
            workers.listeners("127.0.0.1", port, 2)
        # nor one another ficsift server holds with SO_REUSEPORT sockets of its own
    ours = workers.listeners("127.0.0.1", port, 2)
    try:
        with pytest.raises(OSError):
            workers.listeners("127.0.0.1", port, 2)
    finally:
        for sock in ours:
            sock.close()


def test_serve_refuses_a_taken_port_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "ficsift.cli", "serve", "--port", str(port),
             "--library", str(tmp_path / "lib"), "--workers", "2"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr and "serving on" not in done.stdout


def test_each_process_of_a_server_listens_on_a_socket_of_its_own(
    start_server: Any, library_dir: Path
) -> None:
    url = start_server(library_dir, "--workers", "2")
    for _ in range(20):
        with urllib.request.urlopen(f"{url}/api/stats", timeout=30) as response:
            assert response.status == 200
            json.loads(response.read())
    held = _listening_sockets(int(url.rsplit(":", 1)[1]))
    workers_held = [inodes for inodes in held.values() if len(inodes) == 1]
    assert len(workers_held) == 2, held  # the server itself holds both, to restart a worker
    assert workers_held[0] != workers_held[1]


def _listening_sockets(port: int) -> dict[int, set[str]]:
    """Process id → the inodes of its sockets listening on ``port`` (read from /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    held: dict[int, set[str]] = {}
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            for fd in fd_dir.iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    held.setdefault(int(fd_dir.parent.name), set()).add(target[8:-1])
        except OSError:
            continue
    return held
