"""Server processes that share the load: each with a listening socket of its own.

uvicorn's own ``workers=N`` has every process accept from one shared socket.  A process whose
search runs in a thread is still free to accept, so a burst of new connections (a browser's,
or a load test's twenty) is mostly accepted by whichever process woke first and, with
keep-alive, stays there: the web bench measured one worker at 10 s of CPU and the other at
0.4 s over a 10 s run, half the machine idle.  Here each process listens on a socket of its
own bound with ``SO_REUSEPORT``, and the kernel spreads new connections over them.

Before binding, the port is probed with a plain socket: a port another program (or another
ficsift server) listens on is an error, never silently shared.  A worker that dies is
started again on its socket; one that fails at start-up stops the server.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
from typing import Any

log = logging.getLogger(__name__)

STARTUP_FAILURE = 3  # uvicorn's exit status for a worker that could not start
BACKLOG = 2048  # uvicorn's default


def has_reuse_port() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def listeners(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` listening sockets on ``host:port`` sharing the port (``SO_REUSEPORT``).
    ``OSError`` when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR lets a restarted server past its old connections' TIME_WAIT; on Linux
        # it never lets two sockets listen on one port (SO_REUSEPORT below does, on purpose)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
    out: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM)
            out.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            sock.listen(BACKLOG)
            sock.set_inheritable(True)
    except OSError:
        for sock in out:
            sock.close()
        raise
    return out


def run(config: Any, sockets: list[socket.socket]) -> None:
    """Serve ``config`` (a :class:`uvicorn.Config`) with one process per socket until
    SIGINT, SIGTERM or SIGHUP; then stop them all and wait for them."""
    from uvicorn.supervisors.multiprocess import Process

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    processes = [Process(config, [sock]) for sock in sockets]
    for process in processes:
        process.start()
    while not stop.wait(0.5):
        for i, process in enumerate(processes):
            if process.process.is_alive():
                continue
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                log.error("a server process could not start; stopping")
                stop.set()
                break
            log.warning("server process %s stopped (%s); starting another", process.pid,
                        process.exitcode)  # fmt: skip
            processes[i] = Process(config, [sockets[i]])
            processes[i].start()
    for process in processes:
        process.terminate()
    for process in processes:
        process.join()
