"""`make bench`: ``ficsift bulk`` (Ray) against ``ficsift add`` on the whole shared corpus.

Each run is the real command in a new process, into a fresh SQLite library, timed from its
start to its end: Python and Ray start-up, reading, storing and the post-import indexing all
included.  ``CPU s`` is the CPU time of the command and every process it started
(Ray's included).
``import s`` is the import alone (the report's own clock, Ray's start included for
bulk).  The machine's load average is printed beside each run: on a shared machine the
other processes' CPU is taken from these figures, so read them with it (and run the
commands interleaved, ``--repeat``, to compare them under the same load).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
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
        started = time.perf_counter()
        with subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        ) as proc:
            tree = TreeCpu(proc.pid)
            tree.start()
            stdout, stderr = proc.communicate()
            tree.stop()
        wall = time.perf_counter() - started
        load = os.getloadavg()[0]
        if command == "bulk":
            shutil.rmtree(ray_temp, ignore_errors=True)
        if proc.returncode not in (0, 1):  # 1: some files failed, reported in the JSON
            raise SystemExit(f"{' '.join(args)} failed:\n{stderr}")
        report = json.loads(stdout)
    works = report["added"] + report["merged"] + report["updated"] + report["unchanged"]
    mb = report["bytes"] / 2**20
    return {
        "command": f"{command} --workers {workers}",
        "wall s": round(wall, 1),
        "import s": round(report["seconds"], 1),
        "CPU s": round(tree.seconds, 1),
        "files": report["files"],
        "files/s": round(report["files"] / wall, 1),
        "MB/s": round(mb / wall, 2),
        "works": works,
        "failed": report["failed"],
        "load": round(load, 1),
    }


class TreeCpu(threading.Thread):
    """CPU seconds of a process and all its descendants, sampled from /proc every 0.2 s.

    Ray's workers are not waited for by the command (its raylet is killed at the end), so
    getrusage(RUSAGE_CHILDREN) misses them; sampling sees them (less their last 0.2 s).
    """

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.used: dict[tuple[int, int], float] = {}  # (pid, start time) -> CPU s seen
        self._done = threading.Event()
        self._tick = os.sysconf("SC_CLK_TCK")

    @property
    def seconds(self) -> float:
        return sum(self.used.values())

    def stop(self) -> None:
        self._done.set()
        self.join()

    def run(self) -> None:
        while not self._done.wait(0.2):
            stats = {}
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        text = (entry / "stat").read_text()
                    except OSError:
                        continue
                    fields = text[text.rindex(")") + 2 :].split()
                    stats[int(entry.name)] = fields  # fields[1] is the parent's pid
            tree = {self.root}
            grew = True
            while grew:
                more = {pid for pid, f in stats.items() if int(f[1]) in tree} - tree
                tree |= more
                grew = bool(more)
            for pid in tree & stats.keys():
                f = stats[pid]
                self.used[(pid, int(f[19]))] = (int(f[11]) + int(f[12])) / self._tick


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
