"""Build a benchmark library of N works from the real records in ``../shared/corpus``.

    python scripts/make_scale_corpus.py --size 100000 --library .bench/scale-100000

The library (a directory for SQLite, or any spec ``open_library`` takes, e.g. a
``postgresql://`` URL) holds, in this order (see scripts/scale_corpus.py):

1. the real shared works (antennapedia, ao3-html, the ~10,300 DS9 listing blurbs), imported
   as ``ficsift add`` would;
2. the ~47,000 real ship-CSV works, metadata only;
3. past those, ASSEMBLED works — not real works: a title from one real CSV row, the tags
   of another, a real DS9 summary, real listings' words/kudos/hits; a share of them
   (--text-share, default 10%) with a chapter text of 4-16 real paragraphs sampled from the
   shared stories.  Most works are blurb-only, as in a listing archive, which keeps the
   stored text (and the disk) modest at a million works.

The stream is deterministic for --seed and does not depend on --size: a smaller library is
the start of a larger one.  Then the post-import refresh ``ficsift add`` runs (quality
scores and text vectors), timed on its own.  Prints what it built and writes it as JSON
(--json): counts of each layer, store/refresh/build seconds, size on disk, peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from ficsift.importer import import_paths
from ficsift.library import open_library
from ficsift.model import Document
from ficsift.search import refresh
from scale_corpus import REAL, Pools, assembled_document, load_pools, ship_document, store_documents


def is_url(spec: str) -> bool:
    return "://" in spec


def memory_mb(field: str) -> float:
    """This process's VmRSS or VmHWM (peak) in MB, from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def generated(
    pools: Pools, seed: int, text_share: float, counts: dict[str, int]
) -> Iterator[Document]:
    """Ship-CSV works, then assembled ones, without end; ``counts`` says how many of each."""
    rng = random.Random(seed)
    n = 0
    for row in pools.rows:
        counts["ship_csv_works"] += 1
        yield ship_document(row, n, None)
        n += 1
    while True:
        with_text = rng.random() < text_share
        counts["assembled_works"] += 1
        counts["assembled_with_text"] += with_text
        yield assembled_document(pools, rng, n, with_text)
        n += 1


def build(
    spec: str, size: int, corpus: Path, seed: int, text_share: float, log: Callable[[str], None]
) -> dict[str, object]:
    lib = open_library(spec)
    if lib.work_count():
        raise SystemExit(f"{spec}: not empty ({lib.work_count():,} works); use --rebuild")
    started, cpu0 = time.perf_counter(), time.process_time()
    report = import_paths(lib, [corpus / name for name in REAL])
    real = lib.work_count()
    log(f"  real shared works: {real:,} ({time.perf_counter() - started:.0f}s)")
    counts = {"ship_csv_works": 0, "assembled_works": 0, "assembled_with_text": 0}
    if size > real:
        pools = load_pools(corpus, seed)
        log(
            f"  pools: {len(pools.rows):,} ship rows, {len(pools.paragraphs):,} paragraphs, "
            f"{len(pools.summaries):,} summaries ({time.perf_counter() - started:.0f}s)"
        )
        docs = generated(pools, seed, text_share, counts)
        wanted = size - real
        last = [time.perf_counter(), 0]

        def progress(done: int) -> None:
            if done - last[1] >= 20_000 or done == wanted:
                now = time.perf_counter()
                rate = (done - last[1]) / max(now - last[0], 1e-9)
                log(
                    f"  {real + done:,} works ({now - started:.0f}s, {rate:.0f} works/s, "
                    f"CPU {time.process_time() - cpu0:.0f}s, RSS {memory_mb('VmRSS'):.0f} MB)"
                )
                last[:] = [now, done]

        store_documents(
            lib, (next(docs) for _ in range(wanted)), label=f"scale{seed}", progress=progress
        )
    stored = time.perf_counter() - started
    store_peak = memory_mb("VmHWM")
    log(f"  stored {lib.work_count():,} works in {stored:.0f}s; refreshing scores and vectors")
    refreshed = refresh(lib)
    total = time.perf_counter() - started
    stats = lib.stats()
    info: dict[str, object] = {
        "spec": spec, "size": size, "seed": seed, "text_share": text_share,
        "works": lib.work_count(), "works_with_text": stats.with_text, "real_works": real,
        **counts, "import_failures": len(report.failures),
        "store_seconds": round(stored, 1), "refresh_seconds": round(total - stored, 1),
        "build_seconds": round(total, 1),
        # CPU of this process and its reaped readers: the wall time swells when the
        # machine's 2 cores are shared (the bench may run niced beside other work)
        "build_cpu_seconds": round(sum(os.times()[:4]), 1), "scored": refreshed.scored,
        "vectors": refreshed.embedded, "disk_mb": round(stats.size_bytes / 2**20, 1),
        "store_peak_rss_mb": store_peak, "build_peak_rss_mb": memory_mb("VmHWM"),
    }  # fmt: skip
    lib.close()
    return info


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--library", required=True, help="a directory or a postgresql:// URL")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--text-share", type=float, default=0.1)
    parser.add_argument("--rebuild", action="store_true", help="delete the library directory first")
    parser.add_argument("--json", help="write what was built here")
    opts = parser.parse_args()
    if opts.rebuild and not is_url(opts.library) and Path(opts.library).exists():
        shutil.rmtree(opts.library)
    print(
        f"library of {opts.size:,} works at {opts.library}: the real shared works, the real "
        f"ship-CSV works, then ASSEMBLED works (shuffled real records; {opts.text_share:.0%} "
        f"with sampled real paragraphs), seed {opts.seed}",
        flush=True,
    )
    info = build(
        opts.library,
        opts.size,
        Path(opts.shared) / "corpus",
        opts.seed,
        opts.text_share,
        lambda m: print(m, flush=True),
    )
    print("  " + ", ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    if opts.json:
        Path(opts.json).parent.mkdir(parents=True, exist_ok=True)
        Path(opts.json).write_text(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
