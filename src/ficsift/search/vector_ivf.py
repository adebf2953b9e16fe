"""An inverted-file (IVF) index over unit-length rows: approximate nearest neighbours for a
large library, in numpy alone.

A coarse quantizer — spherical k-means, trained on a seeded sample of the rows — splits the
rows into ``nlist`` clusters; :class:`~ficsift.search.semantic.VectorIndex` stores its rows
grouped by cluster, so one cluster is one contiguous slice.  A query scores the centroids,
then only the rows of its ``nprobe`` nearest clusters (one matrix-vector product per slice)
instead of every row: at 1M works × 256 dims the exact scan reads 1 GB per query and is
bound by memory bandwidth (~68 ms on one core), a probe of a few percent of the rows is not.

Measured by ``scripts/bench_vectors.py`` (its docstring has the table) on the 1M-work
benchmark library's LSA vectors, one core, queries from stored vectors and blends of them:
the exact scan 70 ms p50 / 75-119 ms p95; the defaults below (995 lists, nprobe 25, 2.8% of
the rows read) 1.9-2.0 ms p50 / 2.6-2.9 ms p95 for k = 10-300 with recall@10 0.977 (0.952
for the blends), @50 0.980, @300 0.987; built in 12 s (k-means on 40k rows, then every row
assigned).  Fewer lists or probes lose recall faster than they gain speed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

F32Array = npt.NDArray[np.float32]
I64Array = npt.NDArray[np.int64]

MIN_ROWS = 200_000  # an index with fewer rows is searched exactly (every row scored)
SEED = 0
TRAIN_ROWS = 40_000  # k-means is trained on a seeded sample of at most this many rows
TRAIN_ITERATIONS = 12
ASSIGN_CHUNK = 32_768  # rows assigned to their nearest centroid per matrix product
ROWS_PER_LIST = 1_000  # nlist ≈ rows / this, within [MIN_LISTS, MAX_LISTS]
MIN_LISTS = 16
MAX_LISTS = 4_096
PROBE_SHARE = 0.025  # nprobe ≈ this share of nlist
MIN_PROBE = 8
FILTERED_SHARE = 0.03  # an allow-list of fewer of the rows is searched exactly (gathered)
EXACT_SHARE = 0.75  # a probe that would read more than this share of the rows reads them all


def settings() -> str:
    """What shapes a built inverted file, for the key of a kept one."""
    return (
        f"ivf min {MIN_ROWS} seed {SEED} train {TRAIN_ROWS}x{TRAIN_ITERATIONS} "
        f"lists {ROWS_PER_LIST}/{MIN_LISTS}-{MAX_LISTS} probe {PROBE_SHARE}/{MIN_PROBE}"
    )


def default_nlist(rows: int) -> int:
    return max(MIN_LISTS, min(MAX_LISTS, round(rows / ROWS_PER_LIST)))


def default_nprobe(nlist: int) -> int:
    return max(1, min(nlist, max(MIN_PROBE, math.ceil(nlist * PROBE_SHARE))))


def _normalised(m: F32Array) -> F32Array:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(m / norms, dtype=np.float32)


def assign(vectors: F32Array, centroids: F32Array, chunk: int = ASSIGN_CHUNK) -> I64Array:
    """Each row's nearest centroid by inner product (ties: the lower centroid)."""
    labels = np.empty(vectors.shape[0], dtype=np.int64)
    ct = np.ascontiguousarray(centroids.T)
    for start in range(0, vectors.shape[0], chunk):
        block = np.asarray(vectors[start : start + chunk], dtype=np.float32)
        labels[start : start + chunk] = np.argmax(block @ ct, axis=1)
    return labels


def train(
    vectors: F32Array,
    nlist: int,
    *,
    seed: int = SEED,
    sample: int = TRAIN_ROWS,
    iterations: int = TRAIN_ITERATIONS,
    order: I64Array | None = None,
) -> F32Array:
    """``nlist`` unit-length centroids by spherical k-means on a seeded sample of the rows
    (an empty cluster is re-seeded with a sampled row, so every centroid is a real one).

    ``order``: the rows in the order the sample is drawn from (default: as stored), so the
    same rows give the same centroids whatever order they come in.  The rows need not be
    of unit length: the sample is normalised here."""
    n = vectors.shape[0]
    nlist = max(1, min(nlist, n))
    rng = np.random.default_rng(seed)
    take = np.sort(rng.choice(n, size=min(n, max(sample, nlist)), replace=False))
    if order is not None:
        take = order[take]  # the same rows in the same order, whatever order they came in
    x = _normalised(np.asarray(vectors[take], dtype=np.float32))
    centroids = x[rng.choice(x.shape[0], size=nlist, replace=False)].copy()
    for _ in range(iterations):
        labels = assign(x, centroids)
        sums = np.zeros_like(centroids)
        _add_rows(sums, labels, x)
        counts = np.bincount(labels, minlength=nlist)
        empty = np.flatnonzero(counts == 0)
        if empty.size:
            sums[empty] = x[rng.choice(x.shape[0], size=empty.size, replace=False)]
        centroids = _normalised(sums)
    return centroids


def _add_rows(sums: F32Array, labels: I64Array, x: F32Array) -> None:
    """``sums[labels[i]] += x[i]`` for every row, by sorting (np.add.at is slow)."""
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(sums.shape[0] + 1))
    sorted_x = x[order]
    nonempty = np.flatnonzero(bounds[1:] > bounds[:-1])
    sums[nonempty] = np.add.reduceat(sorted_x, bounds[:-1][nonempty], axis=0)


@dataclass(frozen=True)
class Ivf:
    """Centroids and, for each, its slice of the (cluster-grouped) rows."""

    centroids: F32Array  # (nlist, dim), unit length
    offsets: I64Array  # (nlist + 1,): cluster c holds rows offsets[c]:offsets[c + 1]
    nprobe: int

    @property
    def nlist(self) -> int:
        return int(self.centroids.shape[0])

    def probe(self, query: F32Array, k: int, nprobe: int | None = None) -> list[int] | None:
        """The clusters to read for ``k`` neighbours of ``query``: its ``nprobe`` nearest,
        more while they hold fewer than ``k`` rows; ``None`` when that is more than
        ``EXACT_SHARE`` of the rows (the exact scan is then about as cheap)."""
        want = self.nprobe if nprobe is None else nprobe
        nlist = self.nlist
        want = max(1, min(want, nlist))
        scores = self.centroids @ query
        order = np.lexsort((np.arange(nlist), -scores))
        sizes = np.diff(self.offsets)[order]
        held = np.cumsum(sizes)
        enough = int(np.searchsorted(held, k)) + 1  # clusters needed to hold k rows
        take = max(want, enough)
        if take >= nlist or held[take - 1] > EXACT_SHARE * int(self.offsets[-1]):
            return None
        return sorted(int(c) for c in order[:take])

    def rows_of(self, clusters: list[int]) -> I64Array:
        """The rows of ``clusters`` (sorted cluster numbers), in row order."""
        parts = [np.arange(self.offsets[c], self.offsets[c + 1], dtype=np.int64) for c in clusters]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def scores(self, vectors: F32Array, query: F32Array, clusters: list[int]) -> F32Array:
        """``vectors[rows_of(clusters)] @ query``, read slice by slice (adjacent clusters
        as one slice)."""
        out: list[Any] = []
        start = end = -1
        for c in clusters:
            s, e = int(self.offsets[c]), int(self.offsets[c + 1])
            if s == end:
                end = e
                continue
            if end > start:
                out.append(vectors[start:end] @ query)
            start, end = s, e
        if end > start:
            out.append(vectors[start:end] @ query)
        return (
            np.concatenate(out).astype(np.float32, copy=False) if out else np.zeros(0, np.float32)
        )


def build(
    vectors: F32Array, nlist: int, *, order: I64Array | None = None, seed: int = SEED
) -> tuple[I64Array, Ivf]:
    """(``perm``, the inverted file over ``vectors[perm]``): ``perm`` groups the rows by
    cluster, in ``order`` within one (default: as stored).  The rows need not be of unit
    length (the nearest centroid by inner product is the same for any positive scale)."""
    n = vectors.shape[0]
    if order is None:
        order = np.arange(n, dtype=np.int64)
    centroids = train(vectors, nlist, seed=seed, order=order)
    labels = assign(vectors, centroids)
    perm = order[np.argsort(labels[order], kind="stable")]
    counts = np.bincount(labels, minlength=centroids.shape[0])
    offsets = np.zeros(centroids.shape[0] + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return perm.astype(np.int64), Ivf(centroids, offsets, default_nprobe(centroids.shape[0]))
