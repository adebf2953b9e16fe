"""Evaluate semantic search (ficsift.search.semantic) against BM25 and their hybrids.

    .venv/bin/python scripts/eval_semantic.py [--shared ../shared] [--out .eval/semantic.json]
                                              [--methods static,static-mean,lsa]

Corpus: every story in ``corpus/antennapedia`` (164) and ``corpus/ao3-html`` (15, two
Chinese), read with ficsift's own readers.  The **index holds story bodies only** (no titles,
summaries or notes): ``document_text("", None, body)``.  Each story with a summary is one
query whose single right answer is that story, asked two ways:

``summary``
    the story's own summary, verbatim.
``no-names``
    title + summary with every character name removed: the words of the author's character
    and relationship tags (``c:hurt!giles`` → giles; ``Buffy Summers/Faith`` → buffy, summers,
    faith), plus every word that the story itself writes capitalised mid-sentence at least
    three times and never in lower case (proper nouns the tags missed).  This asks for what
    the story is *about* rather than who is in it.

Scores: recall@1, recall@10 and MRR (reciprocal rank of the story, 0 when not retrieved).

Rankers:
``bm25``      stdlib sqlite3 FTS5 (porter + unicode61) in memory, ``bm25()``; the query is the
              OR of its words, stopwords dropped.
``<method>``  cosine over :class:`SemanticModel` vectors (the model fitted on the index texts).
hybrids       reciprocal-rank fusion ``w/(60+r_sem) + (1-w)/(60+r_bm25)`` and the score blend
              ``w*cos + (1-w)*bm25/max(bm25)`` for a grid of w; the best w is picked on the
              mean MRR of both query sets, and the whole grid is written to the JSON.

``product``   the same question asked of ficsift itself: a library holding the same story
              bodies (no titles, summaries or tags; stored and indexed as ``ficsift add``
              would, vectors by ``refresh``) searched with the query typed into the product —
              ``parse_query`` + ``search``, the words' Porter-stemmed fielded BM25 with "most
              words" matching blended with meaning, as the CLI and the web app run it.
              ``product, words only`` adds ``semantic:off``.

Cost columns: fit seconds and embed words/s (index texts) on this machine.
Deterministic: fixed seed, sorted inputs, ties broken by story order.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ficsift.model import Chapter, Document, Source, TagType
from ficsift.read import read_bytes
from ficsift.search.semantic import SemanticModel, VectorIndex, document_text

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "s",
        "t",
        "don",
        "isn",
        "wasn",
    ]
)
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
WEIGHTS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
RRF_K = 60


@dataclass
class Story:
    key: str
    title: str
    summary: str | None
    body: str
    names: set[str] = field(default_factory=set)
    chapters: list[Chapter] = field(default_factory=list)
    language: str | None = None


def product_ranks(
    stories: list[Story], queries: dict[str, list[tuple[int, str]]], extra: str = ""
) -> dict[str, list[int]]:
    """Each query's story rank (1-based; len+1 when not in the top 200) from ficsift's own
    search over a library of the stories' bodies."""
    from ficsift.library import FileRecord, SqliteLibrary
    from ficsift.search import parse_query, refresh, search

    with tempfile.TemporaryDirectory() as tmp:
        lib = SqliteLibrary(tmp)
        work_of: dict[int, int] = {}
        for i, s in enumerate(stories):
            doc = Document(
                source=Source(f"eval:{i}", "text"), language=s.language,
                chapters=[Chapter(title=None, text=c.text, html=c.html) for c in s.chapters],
            )  # fmt: skip
            record = FileRecord(f"eval:{i}", f"{i:064x}", 0, 0.0, 1)
            work_of[lib.store_file(record, [doc])[0].work_id] = i
        refresh(lib)
        out: dict[str, list[int]] = {}
        for qs, items in queries.items():
            ranks = []
            for i, q in items:
                try:
                    page = search(lib, parse_query(f"{q} {extra}".strip()), limit=200)
                except ValueError:
                    ranks.append(len(stories) + 1)
                    continue
                found = [work_of.get(h.id) for h in page.hits]
                ranks.append(found.index(i) + 1 if i in found else len(stories) + 1)
            out[qs] = ranks
        lib.close()
    return out


def load_stories(shared: Path) -> list[Story]:
    out: list[Story] = []
    for folder in ("antennapedia", "ao3-html"):
        for path in sorted((shared / "corpus" / folder).rglob("*")):
            if not path.is_file() or path.parent.name == "metadata":
                continue
            try:
                docs = read_bytes(str(path), path.read_bytes())
            except Exception as exc:
                print(f"skip {path}: {exc}", file=sys.stderr)
                continue
            for i, d in enumerate(docs):
                if not d.has_text:
                    continue
                names: set[str] = set()
                for t in d.tags:
                    if t.type in (TagType.CHARACTER, TagType.RELATIONSHIP):
                        names.update(w.lower() for w in WORD.findall(t.name) if len(w) > 1)
                names -= {"gen", "character", "characters", "other", "original", "author"}
                names |= proper_nouns(d.text)
                out.append(
                    Story(f"{folder}/{path.name}#{i}", d.title or "", d.summary, d.text, names,
                          list(d.chapters), d.language)
                )  # fmt: skip
    return out


def proper_nouns(text: str) -> set[str]:
    """Words written capitalised mid-sentence at least 3 times and never in lower case."""
    caps: dict[str, int] = {}
    lower: set[str] = set()
    for m in re.finditer(r"(?<=[a-z,;] )([A-Z][a-z]+)|\b([a-z]+)\b", text):
        if m.group(1):
            w = m.group(1).lower()
            caps[w] = caps.get(w, 0) + 1
        else:
            lower.add(m.group(2))
    return {w for w, n in caps.items() if n >= 3 and w not in lower}


def strip_names(text: str, names: set[str]) -> str:
    return WORD.sub(lambda m: "" if m.group(0).lower() in names else m.group(0), text)


# ---------------------------------------------------------------------------- rankers


class Bm25:
    def __init__(self, bodies: list[str]) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='porter unicode61')")
        self.db.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)", enumerate(bodies))

    def scores(self, query: str, n: int) -> np.ndarray:
        """bm25 relevance per story (higher is better; 0 when not matched)."""
        out = np.zeros(n, dtype=np.float64)
        words = [w for w in WORD.findall(query.lower()) if w not in STOPWORDS and len(w) > 1]
        if not words:
            return out
        match = " OR ".join('"' + w.replace('"', "") + '"' for w in dict.fromkeys(words))
        for rowid, score in self.db.execute(
            "SELECT rowid, bm25(t) FROM t WHERE t MATCH ? ORDER BY bm25(t)", (match,)
        ):
            out[rowid] = -score  # sqlite's bm25 is negative, lower is better
        return out


def ranks_of(scores: np.ndarray, matched: np.ndarray | None = None) -> np.ndarray:
    """1-based rank of each story under ``scores`` (stable); unmatched stories rank last."""
    s = scores.copy()
    if matched is not None:
        s[~matched] = -np.inf
    order = np.argsort(-s, kind="stable")
    r = np.empty(len(s), dtype=np.int64)
    r[order] = np.arange(1, len(s) + 1)
    if matched is not None:
        r[~matched] = len(s) + 1
    return r


def metrics(target_ranks: list[int]) -> dict[str, float]:
    r = np.asarray(target_ranks, dtype=np.float64)
    return {
        "r@1": float(np.mean(r <= 1)),
        "r@10": float(np.mean(r <= 10)),
        "mrr": float(np.mean(1.0 / r)),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--out", type=Path, default=Path(".eval/semantic.json"))
    ap.add_argument("--methods", default="lsa,static,static-mean")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    stories = load_stories(args.shared)
    n = len(stories)
    bodies = [document_text("", None, s.body) for s in stories]
    body_words = sum(len(b.split()) for b in bodies)
    queries: dict[str, list[tuple[int, str]]] = {"summary": [], "no-names": []}
    for i, s in enumerate(stories):
        if s.summary and s.summary.strip():
            queries["summary"].append((i, s.summary))
            queries["no-names"].append((i, strip_names(f"{s.title}\n{s.summary}", s.names)))
    print(
        f"{n} stories indexed (bodies only, {body_words:,} sampled words), "
        f"{len(queries['summary'])} queries per set; read in {time.perf_counter() - t0:.1f}s"
    )

    bm25 = Bm25(bodies)
    bm25_scores = {qs: [bm25.scores(q, n) for _, q in items] for qs, items in queries.items()}

    results: dict[str, dict[str, object]] = {}
    table: list[tuple[str, str, dict[str, float]]] = []

    def add(name: str, qs: str, ranks: list[int], extra: dict[str, object] | None = None) -> None:
        m = metrics(ranks)
        table.append((name, qs, m))
        results.setdefault(name, {})[qs] = {**m, **(extra or {})}

    for qs, items in queries.items():
        add(
            "bm25",
            qs,
            [
                int(ranks_of(sc, sc > 0)[i])
                for (i, _), sc in zip(items, bm25_scores[qs], strict=True)
            ],
        )

    for name, extra in (("product", ""), ("product, words only", "semantic:off")):
        t = time.perf_counter()
        for qs, ranks in product_ranks(stories, queries, extra).items():
            add(name, qs, ranks)
        print(f"{name}: {time.perf_counter() - t:.0f}s (import, index, search)")

    costs: dict[str, dict[str, float]] = {}
    for method in [m for m in args.methods.split(",") if m]:
        if method.startswith("static") and importlib.util.find_spec("wordllama") is None:
            print(
                f"skip {method}: the wordllama package is not installed (pip install -e '.[dev]')"
            )
            continue
        t = time.perf_counter()
        model = SemanticModel.fit(bodies, seed=0, method=method)
        fit_s = time.perf_counter() - t
        t = time.perf_counter()
        vecs = model.embed_documents(bodies)
        embed_s = time.perf_counter() - t
        costs[method] = {
            "fit_s": round(fit_s, 2),
            "embed_s": round(embed_s, 2),
            "embed_words_per_s": round(body_words / embed_s),
            "model_bytes": len(model.to_bytes()),
            "dim": model.dim,
        }
        index = VectorIndex(np.arange(n), vecs)
        for qs, items in queries.items():
            sem_scores = [vecs @ model.embed_query(q) for _, q in items]
            add(
                method,
                qs,
                [int(ranks_of(sc)[i]) for (i, _), sc in zip(items, sem_scores, strict=True)],
            )
            # sanity: the index gives the same top hit as the raw scores
            top = index.top_k(model.embed_query(items[0][1]), 1)
            assert top and top[0][0] == int(np.argmax(sem_scores[0])), "index disagrees"
            for w in WEIGHTS:
                rrf, blend = [], []
                for (i, _), sem, lex in zip(items, sem_scores, bm25_scores[qs], strict=True):
                    r_sem = ranks_of(sem)
                    r_lex = ranks_of(lex, lex > 0)
                    fused = w / (RRF_K + r_sem) + (1 - w) / (RRF_K + r_lex)
                    rrf.append(int(ranks_of(fused)[i]))
                    top_lex = lex.max()
                    blended = w * sem + (1 - w) * (lex / top_lex if top_lex > 0 else lex)
                    blend.append(int(ranks_of(blended)[i]))
                add(f"{method}+bm25 rrf w={w}", qs, rrf)
                add(f"{method}+bm25 blend w={w}", qs, blend)

    # best hybrid per method and fusion kind, by mean MRR over both query sets
    best: dict[str, dict[str, object]] = {}
    for name, per in results.items():
        if "+bm25" not in name:
            continue
        key = name.rsplit(" w=", 1)[0]
        mean_mrr = float(np.mean([v["mrr"] for v in per.values()]))  # type: ignore[index]
        if key not in best or mean_mrr > best[key]["mean_mrr"]:  # type: ignore[operator]
            best[key] = {"name": name, "mean_mrr": mean_mrr}

    shown = {"bm25", "product", "product, words only"} | set(costs)
    shown |= {str(b["name"]) for b in best.values()}
    print(f"\n{'ranker':38} {'queries':9} {'R@1':>6} {'R@10':>6} {'MRR':>6}")
    for name, qs, m in table:
        if name in shown:
            print(f"{name:38} {qs:9} {m['r@1']:6.3f} {m['r@10']:6.3f} {m['mrr']:6.3f}")
    print("\nmethod costs (index texts):")
    for method, c in costs.items():
        print(
            f"  {method:12} fit {c['fit_s']:6.2f}s  embed {c['embed_s']:6.2f}s "
            f"({c['embed_words_per_s']:,.0f} words/s)  dim {c['dim']}  "
            f"model {c['model_bytes'] / 1e6:.2f} MB"
        )
    print("\nbest hybrid weights (mean MRR over both query sets):")
    for key, b in best.items():
        print(f"  {key:28} {b['name']}  mean MRR {b['mean_mrr']:.3f}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "stories": n,
                "queries": {k: len(v) for k, v in queries.items()},
                "sampled_words": body_words,
                "results": results,
                "costs": costs,
                "best_hybrid": best,
            },
            indent=2,
        )
    )
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
