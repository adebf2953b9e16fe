"""`make bench`: ingest throughput on the shared corpus, end to end, into a fresh library.

Reports MB/s of source bytes and works/s for each corpus folder and for all of them in one
run (the figure that matters; also in a new process, start-up included), the library's size
on disk, and peak memory.  Target on the
2-core reference machine: >= 10 MB/s end to end.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ficsift.importer import import_paths
from ficsift.library import SqliteLibrary

FOLDERS = ("antennapedia", "ao3-html", "ao3-listings-ds9")


def ingest(folders: list[Path], workers: int | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="ficsift-bench-") as tmp:
        lib = SqliteLibrary(tmp)
        started = time.perf_counter()
        report = import_paths(lib, folders, workers=workers)
        seconds = time.perf_counter() - started
        works = lib.stats().works
        lib.close()
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
    mb = report.bytes_read / 2**20
    return {
        "files": report.files,
        "works": works,
        "failed": len(report.failures),
        "mb": round(mb, 1),
        "seconds": round(seconds, 2),
        "mb_per_s": round(mb / seconds, 1),
        "works_per_s": round(works / seconds, 1),
        "library_mb": round(size / 2**20, 1),
    }


def fresh_process(folders: list[Path], workers: int | None) -> dict[str, float]:
    """The same import in a new Python process, timed from its start: interpreter, imports
    and the primer's warm-up included (what `ficsift add` pays before its first file)."""
    args = [sys.executable, __file__, "--child", *map(str, folders)]
    if workers is not None:
        args += ["--workers", str(workers)]
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    row = json.loads(done.stdout)
    mb = row["mb"]
    row.update(
        seconds=round(seconds, 2),
        mb_per_s=round(mb / seconds, 1),
        works_per_s=round(row["works"] / seconds, 1),
    )
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared")
    parser.add_argument(
        "--workers", type=int, default=None, help="reader processes (default: one per core)"
    )
    parser.add_argument("--out", default=".bench/ingest.json")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)  # see fresh_process
    opts = parser.parse_args()
    if opts.child:
        print(json.dumps(ingest([Path(p) for p in opts.child], opts.workers)))
        return 0
    corpus = Path(opts.shared) / "corpus"
    rows = {}
    for name in FOLDERS:
        rows[name] = ingest([corpus / name], opts.workers)
    rows["all (one run)"] = ingest([corpus / name for name in FOLDERS], opts.workers)
    rows["all, new process"] = fresh_process([corpus / name for name in FOLDERS], opts.workers)
    rows["all, in-process"] = ingest([corpus / name for name in FOLDERS], 0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    header = f"{'corpus':<18}{'files':>7}{'works':>8}{'failed':>7}{'MB':>8}{'s':>8}{'MB/s':>8}{'works/s':>9}{'lib MB':>8}"
    print("Ingest throughput (fresh library each row; reader processes + the storing process)")
    print(header)
    for name, r in rows.items():
        print(
            f"{name:<18}{r['files']:>7}{r['works']:>8}{r['failed']:>7}{r['mb']:>8}{r['seconds']:>8}"
            f"{r['mb_per_s']:>8}{r['works_per_s']:>9}{r['library_mb']:>8}"
        )
    print(f"peak RSS: main {peak_mb:.0f} MB, largest reader process {peak_children_mb:.0f} MB")
    target = rows["all (one run)"]["mb_per_s"]
    print(f"target >= 10 MB/s end to end: {'met' if target >= 10 else 'MISSED'} ({target} MB/s)")
    out = Path(opts.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"ingest": rows, "peak_rss_mb": peak_mb}, indent=2))
    return 0 if all(r["failed"] == 0 for r in rows.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
