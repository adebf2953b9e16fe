"""Benchmark semantic search (ficsift.search.semantic) at library scale on this machine.

    .venv/bin/python scripts/bench_semantic.py [--shared ../shared] [--docs 10000]
                                               [--index 100000] [--method lsa]
                                               [--out .bench/semantic.json]

1. Fit + embed: ``--docs`` works of real size — the real shared stories (antennapedia and
   ao3-html) plus works assembled from shuffled real paragraphs of those stories, each as long
   as a real story picked at random (so the word-count distribution is the corpus's own) —
   go through ``document_text`` (sampled, capped), ``SemanticModel.fit`` and
   ``embed_documents``.  Reported: seconds, sampled words per second, model size.
2. Search: a ``VectorIndex`` of ``--index`` vectors — the embedded works, topped up with
   normalised mixtures of two embedded works to reach the size (exact search costs the same
   whatever the vectors hold).  Queries are the shared stories' summaries plus a few written
   ones; each is timed as ``embed_query`` + ``top_k(k=50)``, with no filter and with an
   allow-list of a random 10% of the ids.  Reported: p50/p95/max ms; target p95 ≤ 50 ms.

Everything is seeded; the output says which parts are synthetic.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

from ficsift.read import read_bytes
from ficsift.search.semantic import SemanticModel, VectorIndex, document_text

WRITTEN_QUERIES = [
    "vampire Willow keeps Tara as a pet",
    "Giles and Buffy after the end of the world",
    "the Doctor regrets what he did in the Time War",
    "Malcolm Tucker swears at a minister during a reshuffle",
    "a detective solves a murder in Victorian London",
    "hurt/comfort, one of them is ill and the other looks after him",
]


def load(shared: Path) -> list[tuple[str, str | None, str]]:
    out: list[tuple[str, str | None, str]] = []
    for folder in ("antennapedia", "ao3-html"):
        for path in sorted((shared / "corpus" / folder).rglob("*")):
            if not path.is_file() or path.parent.name == "metadata":
                continue
            try:
                docs = read_bytes(str(path), path.read_bytes())
            except Exception as exc:
                print(f"skip {path}: {exc}", file=sys.stderr)
                continue
            out.extend((d.title or "", d.summary, d.text) for d in docs if d.has_text)
    return out


def pct(xs: list[float], p: float) -> float:
    return float(np.percentile(np.asarray(xs), p))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--index", type=int, default=100_000)
    ap.add_argument("--method", default="lsa")
    ap.add_argument("--out", type=Path, default=Path(".bench/semantic.json"))
    args = ap.parse_args(argv)
    rng = random.Random(0)

    stories = load(args.shared)
    paragraphs = [p for _, _, body in stories for p in body.split("\n") if p.strip()]
    lengths = [len(body.split()) for _, _, body in stories]
    n_synth = max(0, args.docs - len(stories))
    print(
        f"semantic bench ({args.method}): {len(stories)} real shared stories + {n_synth:,} works "
        f"assembled from {len(paragraphs):,} shuffled real paragraphs (synthetic) = "
        f"{args.docs:,} works"
    )

    t = time.perf_counter()
    texts = [document_text(title, summary, body) for title, summary, body in stories]
    full_words = sum(lengths)
    for i in range(n_synth):
        target = rng.choice(lengths)
        parts: list[str] = []
        words = 0
        while words < target:
            p = rng.choice(paragraphs)
            parts.append(p)
            words += len(p.split())
        full_words += words
        texts.append(document_text(f"Work {i}", None, "\n".join(parts)))
    texts = texts[: args.docs]
    sampled_words = sum(len(x.split()) for x in texts)
    build_s = time.perf_counter() - t
    print(
        f"  built texts in {build_s:.1f}s: {full_words:,} story words, "
        f"{sampled_words:,} after document_text sampling"
    )

    t = time.perf_counter()
    model = SemanticModel.fit(texts, seed=0, method=args.method)
    fit_s = time.perf_counter() - t
    t = time.perf_counter()
    vecs = model.embed_documents(texts)
    embed_s = time.perf_counter() - t
    model_bytes = len(model.to_bytes())
    print(
        f"  fit {fit_s:.1f}s, embed {embed_s:.1f}s ({sampled_words / embed_s:,.0f} words/s, "
        f"{len(texts) / embed_s:,.0f} works/s); model {model.name} dim {model.dim}, "
        f"{model_bytes / 1e6:.1f} MB serialised"
    )

    n_index = max(args.index, len(vecs))
    nrng = np.random.default_rng(0)
    extra = n_index - len(vecs)
    t = time.perf_counter()
    if extra:
        a = nrng.integers(0, len(vecs), extra)
        b = nrng.integers(0, len(vecs), extra)
        w = nrng.random((extra, 1), dtype=np.float32)
        mixed = w * vecs[a] + (1 - w) * vecs[b]
        all_vecs = np.concatenate([vecs, mixed])
    else:
        all_vecs = vecs
    ids = nrng.permutation(n_index).astype(np.int64) + 1
    index = VectorIndex(ids, all_vecs)
    index_s = time.perf_counter() - t
    print(
        f"  index of {n_index:,} vectors ({len(vecs):,} embedded + {extra:,} mixtures): "
        f"built in {index_s:.2f}s, {index.vectors.nbytes / 1e6:.0f} MB"
    )

    queries = [s for _, s, _ in stories if s and s.strip()] + WRITTEN_QUERIES
    allowed = nrng.choice(ids, size=n_index // 10, replace=False)
    for q in queries[:5]:  # warm-up
        index.top_k(model.embed_query(q), 50)
    timings: dict[str, list[float]] = {"no filter": [], "10% allowed": []}
    for q in queries:
        for label, allow in (("no filter", None), ("10% allowed", allowed)):
            t = time.perf_counter()
            hits = index.top_k(model.embed_query(q), 50, allowed=allow)
            timings[label].append((time.perf_counter() - t) * 1000)
            assert len(hits) == 50
    t = time.perf_counter()
    for wid in ids[:100]:
        index.similar_to(int(wid), 20)
    similar_ms = (time.perf_counter() - t) * 10
    rows = {}
    for label, ms in timings.items():
        rows[label] = {"p50_ms": pct(ms, 50), "p95_ms": pct(ms, 95), "max_ms": max(ms)}
        ok = "ok" if rows[label]["p95_ms"] <= 50 else "OVER TARGET"
        print(
            f"  query embed + top_k(50), {label:12}: p50 {rows[label]['p50_ms']:6.1f} ms  "
            f"p95 {rows[label]['p95_ms']:6.1f} ms  max {rows[label]['max_ms']:6.1f} ms  "
            f"({len(ms)} queries; target p95 <= 50 ms: {ok})"
        )
    print(f"  similar_to(k=20): {similar_ms:.1f} ms mean")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory {peak_mb:,.0f} MB")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "method": args.method,
                "model": model.name,
                "dim": model.dim,
                "docs": len(texts),
                "real_docs": len(stories),
                "synthetic_docs": n_synth,
                "story_words": full_words,
                "sampled_words": sampled_words,
                "fit_s": fit_s,
                "embed_s": embed_s,
                "embed_words_per_s": sampled_words / embed_s,
                "model_bytes": model_bytes,
                "index_vectors": n_index,
                "mixture_vectors": extra,
                "queries": len(queries),
                "query": rows,
                "similar_to_ms": similar_ms,
                "peak_rss_mb": peak_mb,
            },
            indent=2,
        )
    )
    print(f"  wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
