"""VectorIndex with an inverted file (ficsift.search.vector_ivf): answers against the exact
scan, allow-lists, its bytes, similar_to, ids of any shape.

The inverted file is forced with ``nlist=`` so it runs at a few thousand rows (by default
an index that small is searched exactly)."""

from __future__ import annotations

import struct

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ficsift.search import vector_ivf
from ficsift.search.semantic import VectorIndex

ROWS, DIM, TOPICS, NLIST = 5_000, 32, 60, 50
HEAD = struct.Struct("<8sQQQQ")  # the layout to_bytes writes: magic, rows, dim, nlist, nprobe


def _clustered(
    rows: int = ROWS, seed: int = 0
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Rows around ``TOPICS`` random directions (text vectors cluster by topic), with ids
    that are neither contiguous nor in order."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((TOPICS, DIM))
    vectors = centres[rng.integers(TOPICS, size=rows)] + 0.6 * rng.standard_normal((rows, DIM))
    ids = rng.choice(10**12, size=rows, replace=False)
    return ids.astype(np.int64), vectors.astype(np.float32)


def _queries(vectors: npt.NDArray[np.float32], count: int, seed: int = 1) -> list[np.ndarray]:
    """Stored rows nudged off themselves, and blends of two rows."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        a, b = rng.integers(len(vectors), size=2)
        blend = vectors[a] + vectors[b] if i % 3 == 0 else vectors[a]
        out.append((blend + 0.2 * rng.standard_normal(DIM)).astype(np.float32))
    return out


@pytest.fixture(scope="module")
def data() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    return _clustered()


@pytest.fixture(scope="module")
def ivf_index(data: tuple[np.ndarray, np.ndarray]) -> VectorIndex:
    index = VectorIndex(*data, nlist=NLIST)
    assert index.ivf is not None and index.ivf.nlist == NLIST
    return index


@pytest.fixture(scope="module")
def exact_index(data: tuple[np.ndarray, np.ndarray]) -> VectorIndex:
    index = VectorIndex(*data, nlist=0)
    assert index.ivf is None
    return index


def _ids(hits: list[tuple[int, float]]) -> list[int]:
    return [i for i, _ in hits]


def _true_cosines(data: tuple[np.ndarray, np.ndarray], query: np.ndarray) -> dict[int, float]:
    """Every id's cosine to ``query``, from the input rows (not from the index's layout)."""
    ids, vectors = data
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    cosines = unit @ (query / np.linalg.norm(query))
    return dict(zip(ids.tolist(), cosines.tolist(), strict=True))


def test_the_inverted_file_finds_what_the_exact_scan_finds(
    data: tuple[np.ndarray, np.ndarray], ivf_index: VectorIndex, exact_index: VectorIndex
) -> None:
    ivf = ivf_index.ivf
    assert ivf is not None
    recalls = []
    for query in _queries(data[1], 40):
        unit = query / np.linalg.norm(query)
        clusters = ivf.probe(unit, 10)
        assert clusters is not None  # the probe runs, not the exact fallback...
        assert len(ivf.rows_of(clusters)) < 0.5 * ROWS  # ...and reads a part of the rows
        got = ivf_index.top_k(query, 10)
        truth = exact_index.top_k(query, 10)
        assert len(got) == 10
        recalls.append(len(set(_ids(got)) & set(_ids(truth))) / 10)
        # each returned cosine is that id's own: rows and ids stay paired after the regroup
        cosines = _true_cosines(data, query)
        for work_id, score in got:
            assert score == pytest.approx(cosines[work_id], abs=1e-5)
        assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
    # 8 of 50 clusters probed over 60 topics; a broken mapping or probe scores ~0.0
    assert np.mean(recalls) >= 0.9


def test_exact_scores_every_row_even_with_an_inverted_file(
    data: tuple[np.ndarray, np.ndarray], ivf_index: VectorIndex, exact_index: VectorIndex
) -> None:
    query = _queries(data[1], 1, seed=5)[0]
    ivf_index.nprobe = 1  # the probe alone would miss much
    try:
        exact = ivf_index.top_k(query, 200, exact=True)
        assert _ids(exact) == _ids(exact_index.top_k(query, 200))
        assert len(set(_ids(ivf_index.top_k(query, 200))) & set(_ids(exact))) < 200
    finally:
        ivf_index.nprobe = vector_ivf.default_nprobe(NLIST)


def test_a_large_allow_list_is_searched_through_the_probe(
    data: tuple[np.ndarray, np.ndarray], ivf_index: VectorIndex, exact_index: VectorIndex
) -> None:
    rng = np.random.default_rng(3)
    allowed = rng.choice(data[0], size=ROWS * 3 // 10, replace=False)
    assert len(allowed) >= vector_ivf.FILTERED_SHARE * ROWS  # the probed path, not a gather
    allowed_set = set(allowed.tolist())
    recalls = []
    for query in _queries(data[1], 30, seed=4):
        got = ivf_index.top_k(query, 10, allowed=allowed)
        assert len(got) == 10
        assert set(_ids(got)) <= allowed_set
        truth = exact_index.top_k(query, 10, allowed=allowed)
        recalls.append(len(set(_ids(got)) & set(_ids(truth))) / 10)
    assert np.mean(recalls) >= 0.9


def test_a_small_allow_list_gets_the_exact_answer(
    data: tuple[np.ndarray, np.ndarray], ivf_index: VectorIndex, exact_index: VectorIndex
) -> None:
    rng = np.random.default_rng(6)
    allowed = rng.choice(data[0], size=40, replace=False)
    strangers = np.array([-1, 10**13, allowed[0]])  # not indexed, and a repeat
    for query in _queries(data[1], 10, seed=7):
        got = ivf_index.top_k(query, 15, allowed=np.concatenate([allowed, strangers]))
        assert got == exact_index.top_k(query, 15, allowed=allowed)
        assert set(_ids(got)) <= set(allowed.tolist())
    # as many as asked for when the list is shorter than k: every allowed id
    got = ivf_index.top_k(_queries(data[1], 1)[0], 100, allowed=allowed)
    assert sorted(_ids(got)) == sorted(allowed.tolist())


def test_allowed_rows_outside_the_probed_clusters_are_still_found(
    data: tuple[np.ndarray, np.ndarray], ivf_index: VectorIndex, exact_index: VectorIndex
) -> None:
    """An allow-list (large enough to take the probe) living only in the clusters farthest
    from the query: the probe finds none of it, so every allowed row is scored."""
    ivf = ivf_index.ivf
    assert ivf is not None
    query = _queries(data[1], 1, seed=8)[0]
    far = np.argsort(ivf.centroids @ (query / np.linalg.norm(query)))[:20]
    allowed = ivf_index.ids[ivf.rows_of(sorted(int(c) for c in far))]
    assert len(allowed) >= vector_ivf.FILTERED_SHARE * ROWS
    got = ivf_index.top_k(query, 10, allowed=allowed)
    assert got == exact_index.top_k(query, 10, allowed=allowed)


def test_the_bytes_give_back_the_same_answers(
    data: tuple[np.ndarray, np.ndarray], ivf_index: VectorIndex
) -> None:
    back = VectorIndex.from_bytes(memoryview(ivf_index.to_bytes()))
    assert back.ivf is not None and back.nprobe == ivf_index.nprobe
    assert back.to_bytes() == ivf_index.to_bytes()
    allowed = np.random.default_rng(9).choice(data[0], size=ROWS // 2, replace=False)
    for query in _queries(data[1], 10, seed=10):
        assert back.top_k(query, 20) == ivf_index.top_k(query, 20)
        assert back.top_k(query, 20, allowed=allowed) == ivf_index.top_k(query, 20, allowed=allowed)
        assert back.top_k(query, 5, allowed=allowed[:30]) == ivf_index.top_k(
            query, 5, allowed=allowed[:30]
        )
    for work_id in data[0][:5].tolist():
        assert back.similar_to(work_id, 5) == ivf_index.similar_to(work_id, 5)


def test_an_exact_index_round_trips_too(exact_index: VectorIndex) -> None:
    back = VectorIndex.from_bytes(exact_index.to_bytes())
    assert back.ivf is None and back.to_bytes() == exact_index.to_bytes()
    work_id = int(exact_index.ids[17])
    assert back.similar_to(work_id, 4) == exact_index.similar_to(work_id, 4)


def _small_ivf_bytes() -> bytes:
    ids, vectors = _clustered(rows=300, seed=11)
    return VectorIndex(ids, vectors, nlist=6).to_bytes()


def _with(data: bytes, offset: int, value: bytes) -> bytes:
    return data[:offset] + value + data[offset + len(value) :]


def test_a_centroid_damaged_to_nan_or_inf_is_refused() -> None:
    """A centroid that is no number scores every query as NaN: the index is damaged."""
    data = _small_ivf_bytes()
    n, dim, nlist = HEAD.unpack_from(data)[1:4]
    centroids_at = HEAD.size + 8 * (n + n + nlist + 1)
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="centroids"):
            VectorIndex.from_bytes(_with(data, centroids_at + 4 * dim, struct.pack("<f", bad)))
    assert len(VectorIndex.from_bytes(data)) == n


def test_truncated_or_padded_bytes_are_refused() -> None:
    data = _small_ivf_bytes()
    for cut in (0, 7, HEAD.size - 1, HEAD.size, HEAD.size + 8, len(data) // 2, len(data) - 1):
        with pytest.raises(ValueError):
            VectorIndex.from_bytes(data[:cut])
    with pytest.raises(ValueError):
        VectorIndex.from_bytes(data + b"\0\0\0\0")


def test_damaged_parts_are_refused() -> None:
    data = _small_ivf_bytes()
    magic, n, dim, nlist, nprobe = HEAD.unpack_from(data)
    ids_at = HEAD.size
    by_id_at = ids_at + 8 * n
    offsets_at = by_id_at + 8 * n

    def head(**change: int) -> bytes:
        fields = {"n": n, "dim": dim, "nlist": nlist, "nprobe": nprobe} | change
        return HEAD.pack(magic, *fields.values()) + data[HEAD.size :]

    damaged = {
        "an older format": _with(data, 0, b"FSVIDX1\n"),
        "more rows": head(n=n + 1),
        "a huge row count": head(n=2**63),
        "a huge dim": head(dim=2**40),
        "more clusters than rows": head(nlist=n + 1),
        "no probe": head(nprobe=0),
        "a probe past the clusters": head(nprobe=nlist + 1),
        "a row past the end": _with(data, by_id_at, struct.pack("<q", n)),
        "a negative row": _with(data, by_id_at, struct.pack("<q", -1)),
        "a row twice": _with(data, by_id_at, data[by_id_at + 8 : by_id_at + 16]),
        "ids out of order": _with(data, ids_at, struct.pack("<q", 10**15)),
        "an offset past the rows": _with(data, offsets_at + 8, struct.pack("<q", n + 1)),
        "offsets going back": _with(data, offsets_at + 8, struct.pack("<q", -5)),
        # 0, 2**63 - 1, -2**62, ...: np.diff wraps round to all >= 0
        "offsets wrapping round": _with(
            data, offsets_at + 8, struct.pack("<qq", 2**63 - 1, -(2**62))
        ),
        "a first offset not 0": _with(data, offsets_at, struct.pack("<q", 1)),
    }
    for what, bad in damaged.items():
        assert bad != data, what
        with pytest.raises(ValueError):
            VectorIndex.from_bytes(bad)
            pytest.fail(f"{what}: accepted")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_damage_to_the_bytes_is_refused_or_harmless(draw: st.DataObject) -> None:
    """Bytes overwritten anywhere before the rows (head, ids, row map, offsets, centroids):
    ``ValueError``, or an index whose searches still run in bounds."""
    data = _small_ivf_bytes()
    n, dim = HEAD.unpack_from(data)[1:3]
    rows_at = len(data) - 4 * n * dim
    at = draw.draw(st.integers(0, rows_at - 1), label="at")
    patch = draw.draw(st.binary(min_size=1, max_size=16), label="patch")
    bad = _with(data, at, patch)[: len(data)]
    try:
        index = VectorIndex.from_bytes(bad)
    except ValueError:
        return
    query = np.ones(dim, dtype=np.float32)
    some = index.ids[: len(index) // 2]
    for k in (1, 10, n + 5):
        assert len(index.top_k(query, k)) == min(k, n)
        assert set(_ids(index.top_k(query, k, allowed=some))) <= set(some.tolist())
    assert int(index.ids[3]) not in _ids(index.similar_to(int(index.ids[3]), 5))


def test_similar_to_leaves_the_work_out(
    data: tuple[np.ndarray, np.ndarray], ivf_index: VectorIndex, exact_index: VectorIndex
) -> None:
    recalls = []
    for work_id in data[0][:30].tolist():
        got = ivf_index.similar_to(work_id, 10)
        assert len(got) == 10 and work_id not in _ids(got)
        truth = exact_index.similar_to(work_id, 10)
        recalls.append(len(set(_ids(got)) & set(_ids(truth))) / 10)
    assert np.mean(recalls) >= 0.9
    assert ivf_index.similar_to(-7, 3) == []


def test_a_twin_comes_first_and_the_work_itself_never() -> None:
    ids, vectors = _clustered(rows=2_000, seed=12)
    vectors[1] = vectors[0]  # two works with one text
    index = VectorIndex(ids, vectors, nlist=20)
    for me, twin in ((ids[0], ids[1]), (ids[1], ids[0])):
        got = index.similar_to(int(me), 3)
        assert _ids(got)[0] == twin and int(me) not in _ids(got)


@pytest.mark.parametrize(
    "ids",
    [
        np.arange(1, ROWS + 1),  # compact: the dense id → row table
        np.arange(ROWS) * 7 + 3,  # sparse: binary search over the sorted ids
        np.arange(ROWS) * 10**8,
    ],
    ids=["compact", "gappy", "huge"],
)
def test_any_ids_in_any_order_give_the_same_index(ids: np.ndarray) -> None:
    vectors = _clustered(seed=13)[1]
    shuffle = np.random.default_rng(14).permutation(ROWS)
    built = VectorIndex(ids, vectors, nlist=NLIST)
    shuffled = VectorIndex(ids[shuffle], vectors[shuffle], nlist=NLIST)
    assert shuffled.to_bytes() == built.to_bytes()  # order of arrival changes nothing
    query = _queries(vectors, 1, seed=15)[0]
    cosines = _true_cosines((ids, vectors), query)
    for work_id, score in shuffled.top_k(query, 10):
        assert score == pytest.approx(cosines[work_id], abs=1e-5)
    allowed = ids[::9]
    got = shuffled.top_k(query, 10, allowed=allowed)
    assert got == VectorIndex(ids, vectors, nlist=0).top_k(query, 10, allowed=allowed)
    some = int(ids[1234])
    assert some not in _ids(shuffled.similar_to(some, 5))


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(0, 60),
    nlist=st.integers(1, 80),
    k=st.integers(1, 70),
    seed=st.integers(0, 2**16),
)
def test_small_and_odd_shapes_answer_like_the_exact_scan(
    rows: int, nlist: int, k: int, seed: int
) -> None:
    """More clusters than rows, empty clusters, k past the rows: the inverted file's
    answer holds k (or every) row, and with every cluster probed it is the exact one."""
    rng = np.random.default_rng(seed)
    ids = rng.choice(10**6, size=rows, replace=False)
    vectors = rng.standard_normal((rows, 8)).astype(np.float32)
    index = VectorIndex(ids, vectors, nlist=nlist)
    exact = VectorIndex(ids, vectors, nlist=0)
    query = rng.standard_normal(8).astype(np.float32)
    assert len(index.top_k(query, k)) == min(k, rows)
    index.nprobe = nlist  # every cluster: the exact answer, whatever the layout
    assert _ids(index.top_k(query, k)) == _ids(exact.top_k(query, k))
    assert VectorIndex.from_bytes(index.to_bytes()).top_k(query, k) == index.top_k(query, k)
