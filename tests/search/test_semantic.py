"""ficsift.search.semantic: models, document sampling, vector index, blobs."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from ficsift.search.semantic import (
    SAMPLE_HEAD,
    SAMPLE_MIDDLE,
    SAMPLE_TAIL,
    SemanticModel,
    VectorIndex,
    blob_to_vector,
    document_text,
    vector_to_blob,
)

# Short fixtures written for these tests: three topics, several texts each.
VAMPIRES = [
    "The vampire drank blood in the crypt at night and fled from the stake at dawn.",
    "A vampire with sharp fangs hunted in the graveyard, thirsty for blood, afraid of sunlight.",
    "She kept the captured witch chained in the crypt; the vampire fed on blood every night.",
    "Fangs, blood, a coffin in the crypt: the old vampire woke hungry after sunset.",
]
TARDIS = [
    "The time machine landed on a distant planet and the alien crew stepped out of the ship.",
    "Travelling through time and space, the ship's alien pilot steered past a dying star.",
    "An alien planet, a broken time machine, and a spaceship falling toward the star.",
    "The spaceship crew repaired the time engine while the alien sun rose over the planet.",
]
POLITICS = [
    "The minister briefed the press about the election, and the party leader resigned.",
    "Spin doctors at the ministry drafted a press release before the election vote.",
    "The government minister lost the vote; the party whips blamed the press office.",
    "Election night: the party's press officer shouted at the minister about the polls.",
]
CORPUS = VAMPIRES + TARDIS + POLITICS
TOPIC = [0] * 4 + [1] * 4 + [2] * 4

METHODS = ["lsa"] + (["static"] if importlib.util.find_spec("wordllama") else [])


def _unit(m: np.ndarray) -> None:
    assert m.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(m, axis=-1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("method", METHODS)
def test_related_texts_rank_above_unrelated(method: str) -> None:
    model = SemanticModel.fit(CORPUS, seed=0, method=method)
    vecs = model.embed_documents(CORPUS)
    assert vecs.shape == (len(CORPUS), model.dim)
    _unit(vecs)
    index = VectorIndex(np.arange(100, 100 + len(CORPUS)), vecs)
    for query, topic in [
        ("a vampire drinking blood in a crypt", 0),
        ("aliens on a spaceship travelling in time", 1),
        ("the minister and the election press office", 2),
    ]:
        q = model.embed_query(query)
        _unit(q)
        hits = index.top_k(q, 4)
        assert [TOPIC[i - 100] for i, _ in hits[:3]] == [topic] * 3, (query, hits)
        assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


@pytest.mark.parametrize("method", METHODS)
def test_round_trip_bytes(method: str) -> None:
    model = SemanticModel.fit(CORPUS, seed=3, method=method)
    again = SemanticModel.from_bytes(model.to_bytes())
    assert (again.name, again.dim) == (model.name, model.dim)
    np.testing.assert_array_equal(again.embed_documents(CORPUS), model.embed_documents(CORPUS))
    np.testing.assert_array_equal(again.embed_query("blood"), model.embed_query("blood"))


@pytest.mark.parametrize("method", METHODS)
def test_a_mapped_model_embeds_as_the_stored_one(method: str) -> None:
    model = SemanticModel.fit(CORPUS, seed=3, method=method)
    mapped = SemanticModel.from_mapped(memoryview(model.to_mapped()))
    assert (mapped.name, mapped.dim) == (model.name, model.dim)
    np.testing.assert_array_equal(mapped.embed_query("blood"), model.embed_query("blood"))
    np.testing.assert_array_equal(mapped.embed_documents(CORPUS), model.embed_documents(CORPUS))


@pytest.mark.parametrize("cut", [1, 9, 100])
def test_a_damaged_mapped_model_is_refused(cut: int) -> None:
    data = SemanticModel.fit(CORPUS, seed=3, method="lsa").to_mapped()
    with pytest.raises(ValueError):
        SemanticModel.from_mapped(data[:-cut])
    with pytest.raises(ValueError):
        SemanticModel.from_mapped(data[:cut])
    with pytest.raises(ValueError):
        SemanticModel.from_mapped(SemanticModel.fit(CORPUS, seed=3, method="lsa").to_bytes())


def test_from_bytes_rejects_junk() -> None:
    with pytest.raises(ValueError):
        SemanticModel.from_bytes(b"not a model")


def test_unknown_method() -> None:
    with pytest.raises(ValueError, match="unknown semantic method"):
        SemanticModel.fit(CORPUS, method="magic")


def test_seed_determinism() -> None:
    a = SemanticModel.fit(CORPUS, seed=7).embed_documents(CORPUS)
    b = SemanticModel.fit(iter(CORPUS), seed=7).embed_documents(CORPUS)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("texts", [[], ["only one story about a vampire in the crypt"]])
def test_empty_and_one_document_corpora(texts: list[str]) -> None:
    model = SemanticModel.fit(texts)
    vecs = model.embed_documents(["a vampire", "", "crypt crypt"])
    assert vecs.shape == (3, model.dim) and vecs.dtype == np.float32
    assert np.all(np.isfinite(vecs))
    assert model.embed_query("").shape == (model.dim,)
    assert model.embed_documents([]).shape == (0, model.dim)
    again = SemanticModel.from_bytes(model.to_bytes())
    np.testing.assert_array_equal(again.embed_documents(["a vampire"]), vecs[:1])


@pytest.mark.parametrize("method", METHODS)
def test_non_english_text(method: str) -> None:
    texts = [
        *CORPUS,
        "吸血鬼在墓穴里喝血。她害怕阳光。吸血鬼的牙齿很尖。",
        "银河英雄传说：舰队在星空中航行，提督下达命令。",
        "Вампир пил кровь в склепе ночью.",
        "Der Vampir trank Blut in der Gruft.",
        "",
        "🧛‍♀️🩸 ✨ \u200b\x00",
    ]
    model = SemanticModel.fit(texts, method=method)
    vecs = model.embed_documents(texts)
    assert np.all(np.isfinite(vecs))
    q = model.embed_query("吸血鬼喝血")
    assert np.all(np.isfinite(q))
    if method == "lsa":  # CJK is split into character bigrams, so it matches itself
        hits = VectorIndex(np.arange(len(texts)), vecs).top_k(q, 1)
        assert hits[0][0] == len(CORPUS)


def test_document_text_samples_long_bodies() -> None:
    body = " ".join(f"w{i}" for i in range(20_000))
    text = document_text("Title", "A summary.", body)
    words = text.split()
    assert words[:3] == ["Title", "A", "summary."]
    assert len(words) == 3 + SAMPLE_HEAD + SAMPLE_MIDDLE + SAMPLE_TAIL
    assert "w0" in words and "w19999" in words and "w10000" in words
    assert "w5000" not in words
    short = document_text("T", None, "just a few words")
    assert short == "T\n\njust a few words"


def test_document_text_caps_unspaced_text() -> None:
    body = "吸血鬼" * 50_000
    text = document_text("", None, body)
    assert 0 < len(text) < 2 * (SAMPLE_HEAD + SAMPLE_MIDDLE + SAMPLE_TAIL) + 10


def _index() -> VectorIndex:
    rng = np.random.default_rng(0)
    vecs = rng.standard_normal((50, 8)).astype(np.float32)
    ids = np.arange(1000, 1050)[::-1]  # not sorted on purpose
    return VectorIndex(ids, vecs)


def test_top_k_matches_brute_force_and_allowed_filter() -> None:
    index = _index()
    rng = np.random.default_rng(1)
    q = rng.standard_normal(8).astype(np.float32)
    hits = index.top_k(q, 5)
    q_unit = q / np.linalg.norm(q)
    brute = sorted(
        ((int(i), float(v @ q_unit)) for i, v in zip(index.ids, index.vectors, strict=True)),
        key=lambda t: -t[1],
    )[:5]
    assert [i for i, _ in hits] == [i for i, _ in brute]
    np.testing.assert_allclose([s for _, s in hits], [s for _, s in brute], rtol=1e-5)

    allowed = np.array([1003, 1017, 1041, 99999])  # 99999 is not indexed
    got = index.top_k(q, 10, allowed=allowed)
    assert {i for i, _ in got} == {1003, 1017, 1041}
    assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
    big = np.arange(1000, 1040)  # a large allow-list takes the other path
    assert {i for i, _ in index.top_k(q, 50, allowed=big)} == set(big.tolist())
    assert index.top_k(q, 5, allowed=np.array([], dtype=np.int64)) == []
    assert index.top_k(q, 0) == []


def test_similar_to_excludes_itself() -> None:
    vecs = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]], dtype=np.float32)
    index = VectorIndex(np.array([1, 2, 3, 4]), vecs)
    assert [i for i, _ in index.similar_to(1, 2)] == [2, 4]
    assert index.similar_to(99, 3) == []


def test_index_validation_and_empty() -> None:
    with pytest.raises(ValueError):
        VectorIndex(np.array([1, 2]), np.zeros((3, 4), np.float32))
    with pytest.raises(ValueError, match="duplicate"):
        VectorIndex(np.array([1, 1]), np.ones((2, 4), np.float32))
    empty = VectorIndex(np.zeros(0, np.int64), np.zeros((0, 4), np.float32))
    assert len(empty) == 0
    assert empty.top_k(np.ones(4, np.float32), 3) == []
    assert empty.similar_to(1, 3) == []


def test_blob_round_trip() -> None:
    v = np.array([0.5, -1.25, 3.0e-8, 7.0], dtype=np.float32)
    b = vector_to_blob(v)
    assert len(b) == 16
    out = blob_to_vector(b)
    assert out.dtype == np.float32 and out.flags.writeable
    np.testing.assert_array_equal(out, v)
    assert vector_to_blob(np.array([1.0], dtype=np.float64)) == np.float32(1.0).tobytes()


@pytest.mark.parametrize("ids", [np.array([5, 3, 9, 1]), np.array([10**12, 7, 3 * 10**9, 42])])
def test_allowed_with_compact_and_sparse_ids(ids: np.ndarray) -> None:
    """Both id lookups (dense table for compact ids, binary search otherwise) agree."""
    vecs = np.eye(4, dtype=np.float32) + 0.1
    index = VectorIndex(ids, vecs)
    q = vecs[2]
    allowed = np.array([ids[0], ids[2], ids[2], -5, 10**15])  # a repeat and strangers
    got = index.top_k(q, 10, allowed=allowed)
    assert [i for i, _ in got] == [int(ids[2]), int(ids[0])]
    assert [i for i, _ in index.similar_to(int(ids[2]), 1)] != [int(ids[2])]
