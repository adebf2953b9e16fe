"""Semantic search: story text → dense vectors, and in-memory nearest-neighbour search.

Two embedding methods share one shape — a sparse bag of weighted terms times a projection
matrix, then L2 normalisation — and were chosen between by ``scripts/eval_semantic.py``
(known-item search over the shared corpus, story bodies indexed, summaries as queries):

``lsa`` (the default; MRR 0.58 from summaries, 0.58 with every character name removed)
    latent semantic analysis fitted on the library itself: sublinear TF-IDF over a vocabulary
    capped at 50k terms (words; CJK as character bigrams), then a seeded randomized
    truncated SVD (numpy; Cholesky-QR power iterations) to at most 256 dimensions, fitted on
    a seeded sample of at most 20k texts.  Needs only numpy and scipy; serialised components
    are float16 (about 26 MB for a full vocabulary).
``static`` (MRR 0.42 / 0.37; needs the ``wordllama`` package, installed with ``.[dev]``)
    WordLlama's ``l2_supercat_256`` static token embeddings (32k Llama-2 tokens × 256 dims).
    The weights ship *inside* the ``wordllama`` PyPI wheel and are read straight from the
    installed package with ``safetensors`` and ``tokenizers``: no model hub, no torch, no
    network.  A document is the IDF-weighted (IDF fitted on the library), sublinear-tf mean
    of its tokens' vectors; ``static-mean`` is the plain mean.  Kept for comparison.

Hybrid with BM25 (same eval): the best fusion was the score blend
``0.4 * cosine + 0.6 * bm25 / max(bm25 over the candidates)`` (bm25 as a positive relevance,
0 for works the full-text query did not match): MRR 0.637 / 0.653 against BM25 alone
0.610 / 0.635; reciprocal-rank fusion did no better than BM25 alone.

What gets embedded is :func:`document_text`: title, summary and a sample of the body (its
start, middle and end, capped in words) so one 300k-word epic costs the same as a drabble.

:class:`VectorIndex` does cosine search over float32 rows (100k × 256 = 100 MB), with an
optional allow-list of work ids for searches that are filtered first: exact below
``vector_ivf.MIN_ROWS`` rows, through an inverted file (:mod:`ficsift.search.vector_ivf`)
above.
"""

from __future__ import annotations

import functools
import io
import json
import math
import re
import struct
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ficsift.search import vector_ivf

if TYPE_CHECKING:
    from scipy import sparse

__all__ = [
    "DEFAULT_METHOD",
    "SemanticModel",
    "VectorIndex",
    "blob_to_vector",
    "document_text",
    "vector_to_blob",
]

DEFAULT_METHOD = "lsa"
STATIC_PACKAGE = "wordllama"
STATIC_WEIGHTS = "weights/l2_supercat_256.safetensors"
STATIC_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
STATIC_MAX_CHARS = 200_000  # characters of one text handed to the tokenizer

LSA_MAX_VOCAB = 50_000
LSA_DIM = 256
LSA_MAX_FIT_DOCS = 20_000  # a larger library is fitted on a seeded sample of its texts

# document_text's sample: words from the start, the middle and the end of the body.
SAMPLE_HEAD = 1500
SAMPLE_MIDDLE = 1000
SAMPLE_TAIL = 500

_MAGIC = b"FSSEM1\n"
_MAPPED_MAGIC = b"FSSEMMAP"
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


@functools.cache
def _cjk() -> re.Pattern[str]:
    """Compiled at first use (~5 ms: a one-shot search never needs it)."""
    return re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


F32Array = npt.NDArray[np.float32]


# ---------------------------------------------------------------------------- the text


def document_text(title: str, summary: str | None, body: str, tags: str = "") -> str:
    """What gets embedded for one work: title, summary, tags and a capped sample of the body
    (a listing blurb without a body is embedded from its title, summary and tags).

    The body contributes its first ``SAMPLE_HEAD`` words, ``SAMPLE_MIDDLE`` words from the
    middle and its last ``SAMPLE_TAIL`` words (all of it when shorter).  Text with no spaces
    between words (Chinese, Japanese) is sampled by characters at twice those counts.
    """
    parts = [p.strip() for p in (title, summary or "", tags) if p and p.strip()]
    body = body.strip()
    cap = SAMPLE_HEAD + SAMPLE_MIDDLE + SAMPLE_TAIL
    words = body.split()
    if len(words) > cap:
        mid = len(words) // 2 - SAMPLE_MIDDLE // 2
        words = words[:SAMPLE_HEAD] + words[mid : mid + SAMPLE_MIDDLE] + words[-SAMPLE_TAIL:]
        body = " ".join(words)
    if len(body) > 2 * cap * 8:  # few spaces: CJK, or one giant token run
        n = len(body)
        head, middle, tail = 2 * SAMPLE_HEAD, 2 * SAMPLE_MIDDLE, 2 * SAMPLE_TAIL
        mid = n // 2 - middle // 2
        body = body[:head] + " " + body[mid : mid + middle] + " " + body[n - tail :]
    if body:
        parts.append(body)
    return "\n\n".join(parts)


def _words(text: str) -> list[str]:
    """Lower-case word tokens; runs of CJK characters become overlapping character bigrams."""
    text = text.lower().replace("’", "'")
    if text.isascii() or not _cjk().search(text):
        return [w for w in _WORD.findall(text) if len(w) > 1]
    out: list[str] = []
    for w in _WORD.findall(text):
        if _cjk().search(w):
            chars = [c for c in w if _cjk().match(c)]
            if len(chars) == 1:
                out.append(chars[0])
            out.extend(a + b for a, b in pairwise(chars))
        elif len(w) > 1:
            out.append(w)
    return out


def _sparse() -> Any:
    """scipy.sparse, imported when a model is fitted or many texts embedded (not for one
    query: a one-shot search does not pay its import)."""
    from scipy import sparse

    return sparse


def _normalise_rows(m: npt.NDArray[Any]) -> F32Array:
    m = np.asarray(m, dtype=np.float32)
    if m.ndim == 1:
        n = float(np.linalg.norm(m))
        return (m / np.float32(n)).astype(np.float32) if n > 0 else m
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(m / norms, dtype=np.float32)


# ---------------------------------------------------------------------------- the models


class SemanticModel:
    """Text → L2-normalised float32 vectors.  Build with :meth:`fit` or :meth:`from_bytes`."""

    name: str
    dim: int

    @classmethod
    def fit(
        cls, texts: Iterable[str], *, seed: int = 0, method: str = DEFAULT_METHOD
    ) -> SemanticModel:
        """A model for this library.  ``method`` is ``static`` (default) or ``lsa``."""
        if method == "static":
            return StaticModel.fit_texts(texts)
        if method == "static-mean":
            return StaticModel.fit_texts(texts, weighted=False)
        if method == "lsa":
            return LsaModel.fit_texts(texts, seed=seed)
        raise ValueError(f"unknown semantic method {method!r} (static, static-mean, lsa)")

    def _bags(self, texts: Sequence[str]) -> sparse.csr_matrix:
        raise NotImplementedError

    def _projection(self) -> F32Array:
        raise NotImplementedError

    def embed_documents(self, texts: Sequence[str]) -> F32Array:
        """(len(texts), dim) float32, each row of unit length (all zeros for an empty text)."""
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        proj = self._projection()
        step = 256
        for i in range(0, len(texts), step):
            bags = self._bags(texts[i : i + step])
            out[i : i + step] = _normalise_rows(bags @ proj)
        return out

    def embed_query(self, text: str) -> F32Array:
        return self.embed_documents([text])[0]

    def to_bytes(self) -> bytes:
        header, arrays = self._state()
        buf = io.BytesIO()
        np.savez(buf, allow_pickle=False, **arrays)
        head = json.dumps({"class": type(self).__name__, **header}).encode()
        return _MAGIC + struct.pack("<I", len(head)) + head + buf.getvalue()

    @classmethod
    def from_bytes(cls, b: bytes) -> SemanticModel:
        if not b.startswith(_MAGIC):
            raise ValueError("not a ficsift semantic model")
        (n,) = struct.unpack_from("<I", b, len(_MAGIC))
        start = len(_MAGIC) + 4
        header = json.loads(b[start : start + n])
        with np.load(io.BytesIO(b[start + n :]), allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        return _restored(header, arrays)

    def to_mapped(self) -> bytes:
        """The model laid out to be read in place by :meth:`from_mapped`: a JSON head naming
        each array's dtype, shape and offset, then the arrays' raw bytes, 8-byte aligned.
        (``to_bytes`` is the stored form; this one is for a cache a one-shot command maps,
        where unpacking the stored form costs ~0.05 s per 10k works.)"""
        header, arrays = self._state()
        specs: dict[str, tuple[str, list[int], int, int]] = {}
        offset = 0
        for name, array in arrays.items():
            data = np.ascontiguousarray(array)
            specs[name] = (data.dtype.str, list(data.shape), offset, data.nbytes)
            offset += -(-data.nbytes // 8) * 8
        head = json.dumps(
            {"class": type(self).__name__, "arrays": specs, "size": offset, **header}
        ).encode()
        head += b" " * (-(len(_MAPPED_MAGIC) + 4 + len(head)) % 8)
        out = bytearray(_MAPPED_MAGIC + struct.pack("<I", len(head)) + head)
        base = len(out)
        out.extend(b"\0" * offset)
        for name, array in arrays.items():
            data = np.ascontiguousarray(array)
            start = base + specs[name][2]
            out[start : start + data.nbytes] = data.tobytes()
        return bytes(out)

    @classmethod
    def from_mapped(cls, data: bytes | memoryview) -> SemanticModel:
        """A model from :meth:`to_mapped`, its arrays read in place (no copy); ``ValueError``
        for anything else, a truncated buffer included."""
        if len(data) < len(_MAPPED_MAGIC) + 4 or bytes(data[: len(_MAPPED_MAGIC)]) != _MAPPED_MAGIC:
            raise ValueError("not a mapped ficsift semantic model")
        (n,) = struct.unpack_from("<I", data, len(_MAPPED_MAGIC))
        start = len(_MAPPED_MAGIC) + 4
        try:
            header = json.loads(bytes(data[start : start + n]))
            specs = header.pop("arrays")
            if len(data) != start + n + header.pop("size"):
                raise ValueError("mapped semantic model of the wrong size")
            arrays = {}
            for name, (dtype, shape, offset, nbytes) in specs.items():
                kind = np.dtype(dtype)
                count = math.prod(shape)
                if kind.hasobject or count * kind.itemsize != nbytes:
                    raise ValueError(f"array {name!r} of the wrong size")
                flat = np.frombuffer(data, dtype=kind, count=count, offset=start + n + offset)
                arrays[name] = flat.reshape(shape)
        except (TypeError, KeyError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"damaged mapped semantic model: {e}") from e
        return _restored(header, arrays)

    def _state(self) -> tuple[dict[str, Any], dict[str, npt.NDArray[Any]]]:
        raise NotImplementedError


def _restored(header: dict[str, Any], arrays: dict[str, npt.NDArray[Any]]) -> SemanticModel:
    kind = header.pop("class")
    if kind == "StaticModel":
        return StaticModel._restore(header, arrays)
    if kind == "LsaModel":
        return LsaModel._restore(header, arrays)
    raise ValueError(f"unknown semantic model class {kind!r}")


# ---- static token embeddings from the wordllama wheel

_STATIC_CACHE: dict[str, tuple[Any, F32Array]] = {}


def _load_static() -> tuple[Any, F32Array]:
    """(tokenizer, embedding matrix) from the installed wordllama package; cached."""
    if "m" not in _STATIC_CACHE:
        from importlib.resources import files

        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        root = files(STATIC_PACKAGE)
        weights = load_file(str(root.joinpath(STATIC_WEIGHTS)))["embedding.weight"]
        tok = Tokenizer.from_file(str(root.joinpath(STATIC_TOKENIZER)))
        tok.no_padding()
        tok.no_truncation()
        _STATIC_CACHE["m"] = (tok, np.ascontiguousarray(weights, dtype=np.float32))
    return _STATIC_CACHE["m"]


class StaticModel(SemanticModel):
    """Mean of WordLlama token vectors, weighted by sublinear tf × library IDF."""

    def __init__(self, idf: F32Array | None) -> None:
        self.tokenizer, self.matrix = _load_static()
        self.idf = idf
        self.dim = int(self.matrix.shape[1])
        self.name = "wordllama-l2_supercat_256" + ("+idf" if idf is not None else "")
        if idf is not None:
            self._proj = np.ascontiguousarray(self.matrix * idf[:, None], dtype=np.float32)
        else:
            self._proj = self.matrix

    @classmethod
    def fit_texts(cls, texts: Iterable[str], *, weighted: bool = True) -> StaticModel:
        if not weighted:
            return cls(None)
        tok, matrix = _load_static()
        vocab = matrix.shape[0]
        df = np.zeros(vocab, dtype=np.int64)
        n = 0
        batch: list[str] = []

        def flush() -> None:
            for enc in tok.encode_batch([t[:STATIC_MAX_CHARS] for t in batch]):
                ids = np.unique(np.asarray(enc.ids, dtype=np.int64))
                df[ids[ids < vocab]] += 1
            batch.clear()

        for t in texts:
            batch.append(t)
            n += 1
            if len(batch) >= 256:
                flush()
        flush()
        if n == 0:
            return cls(None)
        idf = np.log((n + 1) / (df + 1)).astype(np.float32) + 1.0
        return cls(idf)

    def _projection(self) -> F32Array:
        return self._proj

    def _bags(self, texts: Sequence[str]) -> sparse.csr_matrix:
        encs = self.tokenizer.encode_batch([t[:STATIC_MAX_CHARS] for t in texts])
        vocab = self.matrix.shape[0]
        rows, cols, vals = [], [], []
        for i, enc in enumerate(encs):
            ids = np.asarray(enc.ids, dtype=np.int64)
            ids = ids[(ids > 2) & (ids < vocab)]  # no <unk>, <s>, </s>
            if ids.size == 0:
                continue
            uniq, counts = np.unique(ids, return_counts=True)
            w = (1.0 + np.log(counts)) if self.idf is not None else counts.astype(np.float64)
            rows.append(np.full(uniq.size, i, dtype=np.int64))
            cols.append(uniq)
            vals.append(w / w.sum())
        if not rows:
            return _sparse().csr_matrix((len(texts), vocab), dtype=np.float32)
        return _sparse().csr_matrix(
            (np.concatenate(vals).astype(np.float32), (np.concatenate(rows), np.concatenate(cols))),
            shape=(len(texts), vocab),
        )

    def _state(self) -> tuple[dict[str, Any], dict[str, npt.NDArray[Any]]]:
        arrays: dict[str, npt.NDArray[Any]] = {}
        if self.idf is not None:
            arrays["idf"] = self.idf
        return {"weights": STATIC_WEIGHTS}, arrays

    @classmethod
    def _restore(cls, header: dict[str, Any], arrays: dict[str, npt.NDArray[Any]]) -> StaticModel:
        idf = arrays.get("idf")
        return cls(None if idf is None else np.asarray(idf, dtype=np.float32))


# ---- LSA fitted on the library


def _orth(a: npt.NDArray[Any]) -> F32Array:
    """Orthonormal columns spanning ``a``: Cholesky QR done twice (BLAS-3, much faster than
    LAPACK's Householder QR on tall matrices), Householder QR when the Gram is singular."""
    q = np.asarray(a, dtype=np.float64)
    for _ in range(2):
        try:
            chol = np.linalg.cholesky(q.T @ q)
        except np.linalg.LinAlgError:
            return np.linalg.qr(q)[0].astype(np.float32)
        q = q @ np.linalg.inv(chol).T  # q · L⁻ᵀ: one GEMM, fast on tall q
    return q.astype(np.float32)


def _randomized_svd(
    x: sparse.csr_matrix, k: int, *, seed: int, oversample: int = 10, power: int = 3
) -> tuple[F32Array, F32Array]:
    """Top-k right singular vectors (terms × k) and singular values of ``x`` (Halko et al.)."""
    rng = np.random.default_rng(seed)
    n_terms = x.shape[1]
    p = min(k + oversample, min(x.shape))
    xt = x.T.tocsr()  # row-major products both ways
    q = _orth(x @ rng.standard_normal((n_terms, p)).astype(np.float32))
    for _ in range(power):
        q = _orth(x @ _orth(xt @ q))
    b = np.asarray(xt @ q, dtype=np.float64).T  # p × terms
    # the SVD of the short, wide b through the eigen-decomposition of its p × p Gram
    evals, evecs = np.linalg.eigh(b @ b.T)
    order = np.argsort(-evals)[:k]
    s = np.sqrt(np.clip(evals[order], 0.0, None))
    keep = s > s[0] * 1e-6 if s.size and s[0] > 0 else np.zeros(s.size, dtype=bool)
    vt = np.zeros((order.size, b.shape[1]))
    vt[keep] = (evecs[:, order[keep]].T @ b) / s[keep, None]
    # fix the sign of each component so that the result does not depend on LAPACK's choice
    signs = np.sign(vt[np.arange(vt.shape[0]), np.argmax(np.abs(vt), axis=1)])
    signs[signs == 0] = 1
    return np.ascontiguousarray((vt * signs[:, None]).T, dtype=np.float32), s.astype(np.float32)


def _row_normalised(m: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return _sparse().csr_matrix(_sparse().diags(1.0 / norms) @ m, dtype=np.float32)


class LsaModel(SemanticModel):
    """Sublinear TF-IDF over the library's vocabulary, projected by a truncated SVD."""

    def __init__(
        self, vocab: list[str], idf: F32Array, components: npt.NDArray[np.floating[Any]]
    ) -> None:
        self.vocab = vocab
        self._index: dict[str, int] | None = None
        self.idf = idf
        self.components = components  # terms × dim (float16 as stored, until all are needed)
        self.dim = int(components.shape[1])
        self.name = f"lsa-{self.dim}"
        self._proj: F32Array | None = None

    @property
    def index(self) -> dict[str, int]:
        if self._index is None:
            self._index = {w: i for i, w in enumerate(self.vocab)}
        return self._index

    def embed_query(self, text: str) -> F32Array:
        """As ``embed_documents([text])[0]``, from the query's own rows of the projection
        (a one-shot search neither converts the whole projection nor imports scipy)."""
        counts = Counter(_words(text))
        cols, vals = [], []
        for w, k in counts.items():
            j = self.index.get(w)
            if j is not None:
                cols.append(j)
                vals.append((1.0 + math.log(k)) * float(self.idf[j]))
        if not cols:
            return np.zeros(self.dim, dtype=np.float32)
        weights = _normalise_rows(np.asarray(vals, dtype=np.float32))
        rows = np.asarray(self.components[cols], dtype=np.float32)
        return _normalise_rows(weights @ rows)

    @classmethod
    def fit_texts(cls, texts: Iterable[str], *, seed: int = 0, dim: int = LSA_DIM) -> LsaModel:
        """Fit on ``texts`` (a seeded reservoir sample of at most ``LSA_MAX_FIT_DOCS``)."""
        rng = np.random.default_rng(seed)
        terms: dict[str, int] = {}
        kept: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]] = []

        def compact(text: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
            c = Counter(_words(text))
            ids = np.fromiter((terms.setdefault(w, len(terms)) for w in c), np.int64, len(c))
            return ids, np.fromiter(c.values(), np.float32, len(c))

        for seen, text in enumerate(texts):
            if len(kept) < LSA_MAX_FIT_DOCS:
                kept.append(compact(text))
            else:
                j = int(rng.integers(0, seen + 1))
                if j < LSA_MAX_FIT_DOCS:
                    kept[j] = compact(text)
        n = len(kept)
        df = (
            np.bincount(np.concatenate([ids for ids, _ in kept]), minlength=len(terms))
            if (n and terms)
            else np.zeros(0, np.int64)
        )
        min_df = 2 if n >= 50 else 1
        ok = (df >= min_df) & ((df <= 0.5 * n) if n >= 10 else (df > 0))
        words = np.array(list(terms), dtype=object)
        cand = np.flatnonzero(ok)
        # the LSA_MAX_VOCAB most frequent terms (ties by the word itself), kept in word order
        cand = cand[np.lexsort((words[cand].astype(str), -df[cand]))][:LSA_MAX_VOCAB]
        vocab = sorted(str(w) for w in words[cand])
        if not vocab:  # empty library, or no word in two texts: a 1-dim null model
            return cls([], np.zeros(0, np.float32), np.zeros((0, 1), np.float32))
        col = np.full(len(terms), -1, dtype=np.int64)
        col[[terms[w] for w in vocab]] = np.arange(len(vocab))
        idf = np.log((n + 1) / (df[[terms[w] for w in vocab]] + 1)).astype(np.float32) + 1.0
        rows_l, cols_l, vals_l = [], [], []
        for i, (ids, counts) in enumerate(kept):
            c = col[ids]
            m = c >= 0
            rows_l.append(np.full(int(m.sum()), i, dtype=np.int64))
            cols_l.append(c[m])
            vals_l.append((1.0 + np.log(counts[m])) * idf[c[m]])
        x = _row_normalised(
            _sparse().csr_matrix(
                (np.concatenate(vals_l), (np.concatenate(rows_l), np.concatenate(cols_l))),
                shape=(n, len(vocab)),
                dtype=np.float32,
            )
        )
        k = max(1, min(dim, n - 1 if n > 1 else 1, len(vocab)))
        comps, _ = _randomized_svd(x, k, seed=seed)
        # stored as float16 (half the bytes); rounded now so a saved model embeds identically
        return cls(vocab, idf, comps.astype(np.float16).astype(np.float32))

    def _tfidf(self, counts: Sequence[Counter[str]]) -> sparse.csr_matrix:
        rows, cols, vals = [], [], []
        for i, c in enumerate(counts):
            for w, k in c.items():
                j = self.index.get(w)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
                    vals.append((1.0 + math.log(k)) * float(self.idf[j]))
        return _row_normalised(
            _sparse().csr_matrix(
                (np.asarray(vals, dtype=np.float32), (rows, cols)),
                shape=(len(counts), len(self.vocab)),
                dtype=np.float32,
            )
        )

    def _projection(self) -> F32Array:
        if self._proj is None:
            self._proj = np.asarray(self.components, dtype=np.float32)
        return self._proj

    def _bags(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self._tfidf([Counter(_words(t)) for t in texts])

    def _state(self) -> tuple[dict[str, Any], dict[str, npt.NDArray[Any]]]:
        return {"vocab": self.vocab}, {
            "idf": self.idf,
            "components": self.components.astype(np.float16),
        }

    @classmethod
    def _restore(cls, header: dict[str, Any], arrays: dict[str, npt.NDArray[Any]]) -> LsaModel:
        return cls(
            list(header["vocab"]),
            np.asarray(arrays["idf"], dtype=np.float32),
            arrays["components"],  # float16: converted when every row is needed
        )


# ---------------------------------------------------------------------------- the index


def vector_to_blob(v: npt.ArrayLike) -> bytes:
    """A vector as little-endian float32 bytes (for a BLOB column)."""
    return np.asarray(v, dtype="<f4").ravel().tobytes()


def blob_to_vector(b: bytes) -> F32Array:
    return np.frombuffer(b, dtype="<f4").astype(np.float32)


def _lookup_table(
    ids: npt.NDArray[np.int64], rows: npt.NDArray[np.int64] | None = None
) -> npt.NDArray[np.int32] | None:
    """id → row as a dense table when sorted ids are compact (SQLite rowids usually are);
    ``rows``: the row of each sorted id (``None``: the ids' own order)."""
    if not len(ids) or ids[0] < 0 or ids[-1] > 4 * len(ids) + 1024:
        return None
    lookup = np.full(int(ids[-1]) + 1, -1, dtype=np.int32)
    lookup[ids] = np.arange(len(ids), dtype=np.int32) if rows is None else rows
    return lookup


def _normalise_in_place(m: F32Array, chunk: int = 65_536) -> F32Array:
    """``m`` with each row scaled to unit length, in place and a block at a time: at 1M
    works a whole-matrix ``m / norms`` would hold a second 1 GB copy for a moment."""
    for start in range(0, m.shape[0], chunk):
        block = m[start : start + chunk]
        norms = np.linalg.norm(block, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        block /= norms
    return m


_INDEX_MAGIC = b"FSVIDX2\n"
_INDEX_HEAD = struct.Struct("<8sQQQQ")  # magic, rows, dim, nlist (0: exact only), nprobe
_MAX_ROWS = 1 << 40  # sizes past these are damage, not a library
_MAX_DIM = 1 << 16


class VectorIndex:
    """Cosine search over unit-length float32 rows, one per work id: exact (every row
    scored) below ``vector_ivf.MIN_ROWS`` rows, an inverted file above (see
    :mod:`ficsift.search.vector_ivf`), exact again for a search among a few allowed ids.

    Rows are in id order, or grouped by cluster when there is an inverted file; ``ids``
    are the rows' ids in row order either way."""

    FORMAT = 2  # of :meth:`to_bytes`; part of the cache key of a kept index

    def __init__(
        self, ids: npt.NDArray[Any], vectors: npt.NDArray[Any], *, nlist: int | None = None
    ) -> None:
        """``nlist``: clusters of the inverted file (0: none; ``None``: chosen from the
        number of rows, none below ``vector_ivf.MIN_ROWS``)."""
        ids = np.asarray(ids, dtype=np.int64).ravel()
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != ids.shape[0]:
            raise ValueError(f"{ids.shape[0]} ids but vectors of shape {vectors.shape}")
        n = len(ids)
        order = np.argsort(ids, kind="stable")
        self._sorted_ids = ids[order]
        if np.any(self._sorted_ids[1:] == self._sorted_ids[:-1]):
            raise ValueError("duplicate work ids")
        self.dim = int(vectors.shape[1])
        self.ivf: vector_ivf.Ivf | None = None
        self._by_id: npt.NDArray[np.int64] | None = None  # row of each id in id order
        if nlist is None:
            nlist = vector_ivf.default_nlist(n) if n >= vector_ivf.MIN_ROWS else 0
        perm = order  # input row of each stored row
        if nlist > 0 and n:
            # clustered straight from the input rows, so the only copy made is the stored one
            perm, self.ivf = vector_ivf.build(vectors, nlist, order=order)
            row_of_input = np.empty(n, dtype=np.int64)
            row_of_input[perm] = np.arange(n, dtype=np.int64)
            self._by_id = row_of_input[order]
        self.ids = self._sorted_ids if perm is order else ids[perm]
        self.vectors = _normalise_in_place(vectors[perm])  # a gather copies: ours to scale
        self._lookup = _lookup_table(self._sorted_ids, self._by_id)

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @property
    def nprobe(self) -> int:
        """Clusters a search reads (0: no inverted file); settable, for benchmarks."""
        return self.ivf.nprobe if self.ivf is not None else 0

    @nprobe.setter
    def nprobe(self, value: int) -> None:
        if self.ivf is not None:
            self.ivf = replace(self.ivf, nprobe=max(1, min(int(value), self.ivf.nlist)))

    def to_bytes(self) -> bytes:
        """The index as built, for :meth:`from_bytes`: a head, the ids in row order, then
        with an inverted file the row of each id in id order, the cluster offsets and the
        centroids, and last the rows."""
        ivf = self.ivf
        parts: list[bytes | memoryview] = [
            _INDEX_HEAD.pack(
                _INDEX_MAGIC, len(self.ids), self.dim, ivf.nlist if ivf else 0, self.nprobe
            ),
            _raw(self.ids, "<i8"),
        ]
        if ivf is not None and self._by_id is not None:
            parts += [
                _raw(self._by_id, "<i8"),
                _raw(ivf.offsets, "<i8"),
                _raw(ivf.centroids, "<f4"),
            ]
        parts.append(_raw(self.vectors, "<f4"))
        # one copy, the joined one: at 1M works the rows are 1 GB, and copying each part
        # first made a first start's peak memory 4.1 GB
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes | memoryview) -> VectorIndex:
        """An index from :meth:`to_bytes`, its rows read in place (no sort, no copy);
        ``ValueError`` for anything that is not one whole and consistent, so a damaged
        entry can never index out of bounds later."""
        if len(data) < _INDEX_HEAD.size:
            raise ValueError("not a ficsift vector index")
        magic, n, dim, nlist, nprobe = _INDEX_HEAD.unpack_from(data)
        if magic != _INDEX_MAGIC:
            raise ValueError("not a ficsift vector index (or an older format)")
        if n > _MAX_ROWS or dim > _MAX_DIM or nlist > n:
            raise ValueError("vector index with impossible sizes")
        if not (1 <= nprobe <= nlist if nlist else nprobe == 0):
            raise ValueError("vector index with an impossible nprobe")
        grouped = n + nlist + 1 if nlist else 0  # row of each id, cluster offsets
        if len(data) != _INDEX_HEAD.size + 8 * (n + grouped) + 4 * dim * (nlist + n):
            raise ValueError("vector index of the wrong size")
        at = _INDEX_HEAD.size
        ids = np.frombuffer(data, dtype="<i8", count=n, offset=at)
        at += 8 * n
        index = cls(np.zeros(0, np.int64), np.zeros((0, dim), np.float32), nlist=0)
        index.ids, index.dim = ids, int(dim)
        sorted_ids = ids
        if nlist:
            by_id = np.frombuffer(data, dtype="<i8", count=n, offset=at)
            offsets = np.frombuffer(data, dtype="<i8", count=nlist + 1, offset=at + 8 * n)
            at += 8 * (n + nlist + 1)
            centroids = np.frombuffer(data, dtype="<f4", count=nlist * dim, offset=at)
            at += 4 * nlist * dim
            if n and (by_id.min() < 0 or by_id.max() >= n):
                raise ValueError("vector index with rows out of bounds")
            # bounds first: np.diff of wild int64 values could wrap round to look sorted
            if offsets.min() < 0 or offsets.max() > n or offsets[0] != 0 or offsets[-1] != n:
                raise ValueError("vector index with damaged cluster offsets")
            if np.any(np.diff(offsets) < 0):
                raise ValueError("vector index with damaged cluster offsets")
            if not np.isfinite(centroids).all():  # a NaN or inf centroid scores nothing
                raise ValueError("vector index with damaged centroids")
            sorted_ids = ids[by_id]
            index._by_id = by_id
            index.ivf = vector_ivf.Ivf(centroids.reshape(nlist, dim), offsets, int(nprobe))
        # strictly increasing in id order: the ids are distinct and (with an inverted file)
        # ``by_id``, n values in [0, n) that pick distinct ids, is a permutation
        if np.any(sorted_ids[1:] <= sorted_ids[:-1]):
            raise ValueError("vector index with unsorted or repeated ids")
        index._sorted_ids = sorted_ids
        index.vectors = np.frombuffer(data, dtype="<f4", count=n * dim, offset=at).reshape(n, dim)
        index._lookup = _lookup_table(sorted_ids, index._by_id)
        return index

    def _rows(self, work_ids: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
        """Sorted, distinct rows of the indexed ones among ``work_ids``."""
        work_ids = np.asarray(work_ids, dtype=np.int64).ravel()
        if self._lookup is not None:
            inside = work_ids[(work_ids >= 0) & (work_ids < self._lookup.shape[0])]
            found = self._lookup[inside]
            mask = np.zeros(len(self.ids), dtype=bool)
            mask[found[found >= 0]] = True
            return np.flatnonzero(mask)
        sorted_ids = self._sorted_ids
        if not len(sorted_ids):
            return np.zeros(0, dtype=np.int64)
        pos = np.clip(np.searchsorted(sorted_ids, work_ids), 0, len(sorted_ids) - 1)
        pos = pos[sorted_ids[pos] == work_ids]
        return np.unique(pos if self._by_id is None else self._by_id[pos])

    def top_k(
        self,
        query: npt.NDArray[Any],
        k: int,
        allowed: npt.NDArray[Any] | None = None,
        *,
        exact: bool = False,
    ) -> list[tuple[int, float]]:
        """The k (work id, cosine) pairs nearest ``query``, best first; only ``allowed`` ids.

        With an inverted file only the rows of the clusters nearest the query are scored
        (``exact``: every row anyway); so is an allow-list of at least
        ``vector_ivf.FILTERED_SHARE`` of the rows, while a smaller one is searched exactly
        (gathering its rows costs less than probing)."""
        if k <= 0 or len(self.ids) == 0:
            return []
        q = _normalise_rows(np.asarray(query, dtype=np.float32).ravel())
        ivf = None if exact else self.ivf
        if allowed is None:
            clusters = ivf.probe(q, k) if ivf is not None else None
            if ivf is None or clusters is None:
                return self._best(self.vectors @ q, None, k)
            return self._best(ivf.scores(self.vectors, q, clusters), ivf.rows_of(clusters), k)
        rows = self._rows(allowed)
        if rows.size == 0:
            return []
        if ivf is not None and rows.size >= vector_ivf.FILTERED_SHARE * len(self.ids):
            hits = self._probed_among(ivf, q, k, rows)
            if hits is not None:
                return hits
        if rows.size * 3 < len(self.ids):
            return self._best(self.vectors[rows] @ q, rows, k)
        return self._best((self.vectors @ q)[rows], rows, k)

    def _probed_among(
        self, ivf: vector_ivf.Ivf, q: F32Array, k: int, rows: npt.NDArray[np.int64]
    ) -> list[tuple[int, float]] | None:
        """The k best of ``rows`` in the clusters probed for ``q``; ``None`` when those hold
        fewer than k of them (the caller then scores them all)."""
        # enough clusters to hold k allowed rows, were the allowed spread evenly
        clusters = ivf.probe(q, math.ceil(k * len(self.ids) / rows.size))
        if clusters is None:
            return None
        probed = ivf.rows_of(clusters)
        keep = np.zeros(len(self.ids), dtype=bool)
        keep[rows] = True
        hit = keep[probed]
        if np.count_nonzero(hit) < k:
            return None
        return self._best(ivf.scores(self.vectors, q, clusters)[hit], probed[hit], k)

    def _best(
        self, scores: F32Array, rows: npt.NDArray[np.int64] | None, k: int
    ) -> list[tuple[int, float]]:
        k = min(k, scores.shape[0])
        if k < scores.shape[0]:
            part = np.argpartition(-scores, k - 1)[:k]
        else:
            part = np.arange(scores.shape[0])
        # best first; ties by id so results are deterministic
        picked = part if rows is None else rows[part]
        order = np.lexsort((self.ids[picked], -scores[part]))
        return [(int(self.ids[picked[i]]), float(scores[part[i]])) for i in order]

    def similar_to(self, work_id: int, k: int) -> list[tuple[int, float]]:
        """The k works nearest ``work_id`` (itself excluded); [] when it is not indexed."""
        rows = self._rows(np.array([work_id]))
        if rows.size == 0:
            return []
        # itself need not come first (a duplicate ties it; an inverted file may not probe
        # its cluster): ask one more and drop it by id
        hits = self.top_k(self.vectors[rows[0]], k + 1)
        return [(i, s) for i, s in hits if i != work_id][:k]


def _raw(array: np.ndarray, dtype: str) -> memoryview:
    """``array``'s bytes as ``dtype``, read in place when it already is that (no copy)."""
    return np.ascontiguousarray(array, dtype=dtype).reshape(-1).view(np.uint8).data
