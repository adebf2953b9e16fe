"""Third-party parsers run in a child process with a time budget and a memory cap.

A MOBI unpacker or PDF extractor is a large body of code that was never written for hostile
files: a crafted book can make it loop or allocate without end.  Run in a child, a file like
that costs its own budget and fails in one line; the import and its neighbours go on.
"""

from __future__ import annotations

import os
import subprocess
import sys

from ficsift.read.base import ReadError

MEMORY_CAP = 2 << 30  # address space of the child process


def run_bounded(
    script: str,
    args: list[str],
    *,
    what: str,
    doing: str,
    budget: float,
    stdin: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """``python -c script args…`` within ``budget`` seconds and :data:`MEMORY_CAP`.

    ``what`` names the format and ``doing`` the step for the one-line error ("MOBI:
    unpacking took over 60 s").  A child that fails is returned as it ended: see
    :func:`failure_reason`."""
    try:
        return subprocess.run(
            [sys.executable, "-c", script, *args],
            input=stdin,
            capture_output=True,
            timeout=budget,
            preexec_fn=_limit_memory if os.name == "posix" else None,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ReadError(f"{what}: {doing} took over {budget:.0f} s (damaged?)") from None


def failure_reason(done: subprocess.CompletedProcess[bytes]) -> str:
    """Why a child ended badly, in a few words: its last line of error output."""
    lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
    why = lines[-1][:200] if lines else f"exit status {done.returncode}"
    return "ran out of memory" if "MemoryError" in why else why


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
