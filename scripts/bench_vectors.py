"""Exact vs inverted-file (IVF) cosine search over a library's real text vectors.

Loads a PostgreSQL library's stored vectors (``work_vectors``), builds
:class:`ficsift.search.semantic.VectorIndex` with an inverted file for each ``--nlist``, and
times ``top_k`` single-threaded (``OPENBLAS_NUM_THREADS=1``, one search = one core) for
real queries: the stored vector of a random work, and (a quarter of them) the mean of 2-3
random works' vectors, seeded.  Recall@k is the share of the exact top k the IVF returns.
The allow-list cases draw a random 30% and 2% of the ids.

    python scripts/bench_vectors.py \\
        --dsn postgresql://ficsift:ficsift@localhost/ficsift_test --schema scale_1000000

Measured at 1M (994,543 LSA vectors × 256 dims from ``scale_1000000``; 2-core machine,
PostgreSQL and other jobs busy alongside, load average 3.3-3.9; 200 queries, 50 of them
blends; ms per search on one core, recall against the exact scan; ``*`` the default):

    loaded in 9.3 s; built (nlist 995) in 11.9 s; rows 1.0 GB, peak RSS 2.5 GB (the
    loaded matrix and the index's grouped copy)
                      k=10              k=50              k=300
                      p50  p95  rec@10  p50  p95  rec@50  p50  p95  rec@300
    exact scan        70.2 75.3 1       71.4 119  1       70.7 112  1
    nprobe rows blends@10
       8   1.3% 0.844  1.0  1.5 0.942   1.0  1.3 0.942   1.1  1.5 0.940
      12   1.7% 0.878  1.3  1.7 0.953   1.2  1.6 0.958   1.4  1.8 0.966
      16   2.0% 0.900  1.5  1.9 0.962   1.5  2.0 0.968   1.6  2.2 0.977
      25*  2.8% 0.952  1.9  2.6 0.977   2.0  2.9 0.980   2.0  2.7 0.987
      32   3.5% 0.986  2.4  3.5 0.987   2.5  7.0 0.985   2.6  6.6 0.990
      64   6.4% 1.000  4.4  5.6 0.993   4.2  5.4 0.989   4.5  5.6 0.994
    allow-list (nprobe 25)
     30% exact        97.8  106 1        143  205 1        152  211 1
     30% probed        8.4 16.8 0.983    5.4 13.2 0.985    8.7 14.4 0.987
      5% exact (gathered) 11.7 26.1 1   12.3 27.7 1       13.5 27.9 1
      5% probed        6.3  9.0 0.988    7.4  9.6 0.985    7.5 11.7 0.964
      2% exact (gathered, the default) 3.1 7.3 1; probed 3.2 7.6 0.990 (rec@300 0.928)

Chosen from this and a sweep of nlist 500/1000/2000 (``--nlist``; same recall for the same
share of rows read, 2000 lists took twice the build): ~1000 rows per list, nprobe 2.5% of
the lists, the fewest that keeps recall@10 ≥ 0.95 for the blended queries too (one work's
own vector finds itself and its close ones easily; a query typed as text is more like a
blend).  An allow-list below 3% of the rows is gathered and scored exactly: at 2% that is
as fast as probing and exact, from 5% on probing is faster.
"""

from __future__ import annotations

import os

# one search runs on one core (a server answers several at once): set before numpy loads
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ficsift.search import vector_ivf
from ficsift.search.semantic import VectorIndex

DSN = "postgresql://ficsift:ficsift@localhost/ficsift_test"
FETCH = 20_000  # rows per round trip of the server-side cursor
BLEND = 4  # every fourth query is a blend of works, the rest one work's own vector

Hits = list[tuple[int, float]]


def _memory() -> str:
    """This process's resident memory now and at its peak (Linux)."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return f"rss {fields.get('VmRSS', '?')}, peak {fields.get('VmHWM', '?')}"


def _load(
    dsn: str, schema: str, model: str
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """(ids, rows) filled in place from a server-side cursor: about 1 GB at 1M works, never
    a list of a million blobs beside it."""
    import psycopg

    table = f'"{schema}".work_vectors'
    with psycopg.connect(dsn) as conn:
        n, dim = conn.execute(
            f"SELECT count(*), max(length(vector)) / 4 FROM {table} WHERE model = %s",
            (model,),
        ).fetchone() or (0, 0)
        if not n:
            sys.exit(f"no {model} vectors in {table}")
        ids = np.empty(n, dtype=np.int64)
        rows = np.empty((n, dim), dtype=np.float32)
        at = 0
        with conn.cursor(name="vectors") as cur:
            cur.itersize = FETCH
            cur.execute(
                f"SELECT work_id, vector FROM {table} WHERE model = %s",
                (model,),
            )
            while batch := cur.fetchmany(FETCH):
                for work_id, blob in batch:
                    ids[at] = work_id
                    rows[at] = np.frombuffer(blob, dtype="<f4")
                    at += 1
    return ids[:at], rows[:at]


def _queries(rows: npt.NDArray[np.float32], count: int, seed: int) -> list[npt.NDArray[Any]]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        if i % BLEND == BLEND - 1:  # a blend of 2-3 works: a query between topics
            picks = rng.choice(rows.shape[0], size=int(rng.integers(2, 4)), replace=False)
            out.append(rows[np.sort(picks)].mean(axis=0))
        else:
            out.append(np.array(rows[int(rng.integers(rows.shape[0]))]))
    return out


def _timed(search: Callable[[], Hits]) -> tuple[Hits, float]:
    started = time.perf_counter()
    hits = search()
    return hits, (time.perf_counter() - started) * 1000


def _p(ms: list[float], q: float) -> float:
    return float(np.percentile(ms, q))


def _recall(got: Hits, truth: Hits) -> float:
    want = {i for i, _ in truth}
    return len(want & {i for i, _ in got}) / max(1, len(want))


class Run:
    """One setting's latencies (per k) and recalls over the query set."""

    def __init__(self) -> None:
        self.ms: dict[int, list[float]] = {}
        self.recall: dict[int, list[float]] = {}

    def blend_recall(self, k: int) -> float:
        """Recall@k over the blended queries alone (every fourth): the harder ones, their
        neighbours are spread over more clusters."""
        return statistics.fmean(self.recall[k][BLEND - 1 :: BLEND])

    def add(self, k: int, ms: float, got: Hits, truth: Hits) -> None:
        self.ms.setdefault(k, []).append(ms)
        self.recall.setdefault(k, []).append(_recall(got, truth))

    def cells(self, ks: list[int]) -> str:
        parts = []
        for k in ks:
            ms, recall = self.ms[k], statistics.fmean(self.recall[k])
            parts.append(f"{_p(ms, 50):6.1f} {_p(ms, 95):6.1f} {recall:6.3f}")
        return " | ".join(parts)


def _header(first: str, ks: list[int]) -> str:
    cells = " | ".join(f"k={k:<3}p50    p95  rec@k" for k in ks)
    return f"{first:26s} | {cells}"


def _measure(
    index: VectorIndex,
    queries: list[npt.NDArray[Any]],
    truths: list[Hits],
    ks: list[int],
    allowed: npt.NDArray[np.int64] | None = None,
    *,
    exact: bool = False,
) -> Run:
    run = Run()
    # k by k over all the queries, not every k for one query: a query's clusters are not
    # in the CPU caches from the search before, as they would not be in a server
    for k in ks:
        for query, truth in zip(queries, truths, strict=True):
            hits, ms = _timed(lambda: index.top_k(query, k, allowed, exact=exact))  # noqa: B023
            run.add(k, ms, hits, truth[:k])
    return run


def _rows_read(index: VectorIndex, queries: list[npt.NDArray[Any]], k: int) -> float:
    """Mean share of the rows an unfiltered search for ``k`` scores."""
    ivf = index.ivf
    if ivf is None:
        return 1.0
    sizes = np.diff(ivf.offsets)
    shares = []
    for q in queries:
        unit = q / (np.linalg.norm(q) or 1.0)
        clusters = ivf.probe(unit.astype(np.float32), k)
        shares.append(1.0 if clusters is None else sizes[clusters].sum() / len(index))
    return float(np.mean(shares))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dsn", default=DSN)
    ap.add_argument("--schema", default="scale_1000000")
    ap.add_argument("--model", default="semantic-lsa")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--nlist", type=int, action="append",
        help="clusters (repeatable; default: the default for the number of rows)",
    )  # fmt: skip
    ap.add_argument(
        "--nprobe", type=int, action="append",
        help="clusters probed (repeatable; default: the default, and 8 16 32 64 128)",
    )  # fmt: skip
    ap.add_argument(
        "--allowed", type=float, action="append",
        help="share of the ids in an allow-list (repeatable; default 0.3 0.05 0.02)",
    )  # fmt: skip
    ap.add_argument(
        "--keep", type=Path,
        help="an .npz to keep the loaded vectors in (read from it when it exists)",
    )  # fmt: skip
    args = ap.parse_args(argv)
    print(f"load average {os.getloadavg()}")

    started = time.perf_counter()
    if args.keep and args.keep.exists():
        with np.load(args.keep) as kept:
            ids, rows = kept["ids"], kept["rows"]
        source = str(args.keep)
    else:
        ids, rows = _load(args.dsn, args.schema, args.model)
        source = f"{args.schema}.work_vectors ({args.model})"
        if args.keep:
            np.savez(args.keep, ids=ids, rows=rows)
    print(
        f"loaded {len(ids):,} × {rows.shape[1]} from {source} in "
        f"{time.perf_counter() - started:.1f} s; {_memory()}"
    )

    queries = _queries(rows, args.queries, args.seed)
    rng = np.random.default_rng(args.seed + 1)
    allow_lists = {
        share: np.sort(rng.choice(ids, size=round(share * len(ids)), replace=False))
        for share in args.allowed or [0.3, 0.05, 0.02]
    }
    ks = [10, 50, 300]  # 300: the engine's SEMANTIC_DEPTH, what a hybrid search asks
    nlists = args.nlist or [vector_ivf.default_nlist(len(ids))]
    truths: dict[float | None, list[Hits]] = {}
    for nlist in nlists:
        started = time.perf_counter()
        index = VectorIndex(ids, rows, nlist=nlist)
        built = time.perf_counter() - started
        print(f"\nnlist {nlist}: built in {built:.1f} s; {_memory()}")
        if not truths:  # exact answers and timings once: the rows are the same every time
            for q in queries[:5]:  # warm the caches and BLAS
                index.top_k(q, 10, exact=True)
            for share, allowed in [(None, None), *allow_lists.items()]:
                # the deepest exact answer, cut to each k
                truths[share] = [index.top_k(q, max(ks), allowed, exact=True) for q in queries]
            exact = _measure(index, queries, truths[None], ks, exact=True)
            print(_header("ms (single thread)", ks))
            print(f"exact scan                 | {exact.cells(ks)}")
        print(_header("nprobe  rows read  blends", ks))
        default = index.nprobe
        for nprobe in sorted({default, *(args.nprobe or [8, 16, 32, 64, 128])}):
            if nprobe > nlist:
                continue
            index.nprobe = nprobe
            run = _measure(index, queries, truths[None], ks)
            mark = "*" if nprobe == default else " "
            print(
                f"{nprobe:5d}{mark} {_rows_read(index, queries, 10):8.1%}   {run.blend_recall(10):6.3f}"
                f" | {run.cells(ks)}"
            )
        index.nprobe = default
        print(f"allow-lists at nprobe {default} (FILTERED_SHARE {vector_ivf.FILTERED_SHARE}):")
        print(_header("allowed", ks))
        for share, allowed in allow_lists.items():
            ways: list[tuple[str, float | None, bool]] = [
                ("exact", None, True),
                ("default", None, False),
            ]
            if share < vector_ivf.FILTERED_SHARE:  # what the probe would do with it
                ways.append(("probed", 0.0, False))
            for label, forced, exact_flag in ways:
                kept_share = vector_ivf.FILTERED_SHARE
                if forced is not None:  # the probed path even below FILTERED_SHARE
                    vector_ivf.FILTERED_SHARE = forced
                try:
                    run = _measure(index, queries, truths[share], ks, allowed, exact=exact_flag)
                finally:
                    vector_ivf.FILTERED_SHARE = kept_share
                print(f"{share:4.0%} {label:21s} | {run.cells(ks)}")
        del index
    print(f"\nload average {os.getloadavg()}; {_memory()}")


if __name__ == "__main__":
    main()
