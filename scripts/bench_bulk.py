"""`make bench`: ``ficsift bulk`` (Ray) against ``ficsift add`` on the whole shared corpus.

Each run is the real command in a new process, into a fresh SQLite library, timed from its
start to its end: Python and Ray start-up, reading, storing and the post-import indexing all
included.  ``CPU s`` is the CPU time of the command and every process it started.
``import s`` is the import alone (the report's own clock, Ray's start included for
bulk).  The machine's load average is printed beside each run: on a shared machine the
other processes' CPU is taken from these figures, so read them with it (and run the
commands interleaved, ``--repeat``, to compare them under the same load).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FICSIFT = [sys.executable, "-m", "ficsift.cli"]


def run(command: str, corpus: Path, workers: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="ficsift-bulk-bench-") as tmp:
        library = Path(tmp) / "lib"
        if command == "add":
            args = [*FICSIFT, "add", str(corpus), "--library", str(library)]
        else:
            # Ray's Unix sockets must fit in 107 bytes: a short session folder of its own.
            ray_temp = tempfile.mkdtemp(prefix="fsbb", dir="/tmp")
            args = [*FICSIFT, "bulk", str(corpus), "--into", str(library), "--ray-temp", ray_temp]
        args += ["--workers", str(workers), "--json"]
        cpu_before = _children_cpu()
        started = time.perf_counter()
        done = subprocess.run(args, capture_output=True, text=True)
        wall = time.perf_counter() - started
        cpu = _children_cpu() - cpu_before
        load = os.getloadavg()[0]
        if command == "bulk":
            shutil.rmtree(ray_temp, ignore_errors=True)
        if done.returncode not in (0, 1):  # 1: some files failed, reported in the JSON
            raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
        report = json.loads(done.stdout)
    works = report["added"] + report["merged"] + report["updated"] + report["unchanged"]
    mb = report["bytes"] / 2**20
    return {
        "command": f"{command} --workers {workers}",
        "wall s": round(wall, 1),
        "import s": round(report["seconds"], 1),
        "CPU s": round(cpu, 1),
        "files": report["files"],
        "files/s": round(report["files"] / wall, 1),
        "MB/s": round(mb / wall, 2),
        "works": works,
        "failed": report["failed"],
        "load": round(load, 1),
    }


def _children_cpu() -> float:
    """CPU seconds of the finished child processes and theirs (Ray's workers included, as
    its raylet waits for them): less sensitive to other load than the wall time."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--commands", nargs="+", default=["add", "bulk"])
    parser.add_argument("--repeat", type=int, default=1)
    options = parser.parse_args()
    corpus = (options.shared / "corpus").resolve()
    # Interleaved, so that a change in the machine's other load falls on both commands.
    rows = [
        run(c, corpus, w)
        for _ in range(options.repeat)
        for w in options.workers
        for c in options.commands
    ]
    columns = list(rows[0])
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in columns]
    print(
        f"ficsift bulk vs add on {corpus} ({os.cpu_count()} CPUs; load: the 1-minute load "
        "average as the run ended, the run's own processes included)"
    )
    print("  ".join(c.rjust(w) for c, w in zip(columns, widths, strict=True)))
    for row in rows:
        print("  ".join(str(row[c]).rjust(w) for c, w in zip(columns, widths, strict=True)))
    counts = {row["works"] for row in rows}
    print("same works in every library" if len(counts) == 1 else f"WORK COUNTS DIFFER: {counts}")


if __name__ == "__main__":
    main()
