"""`make bench` (search): query latency at 10k and 100k works, beside a naive SQL scan.

Each library holds the real shared works (antennapedia, ao3-html and the ~10,300 DS9 listing
blurbs, imported as a reader would), then — to reach the size — the ~47,000 real works of
the ship CSVs as metadata-only works (their real fandom, relationship, rating, warnings,
freeform tags and kudos), then *synthetic* works: real tags from the CSVs with a text
assembled from shuffled real paragraphs of the shared stories (so the full-text and vector
indexes carry realistic vocabulary and size).  The output says how many of each.

Reported per size: build time (import + search index), library size on disk, peak memory,
and p50/p95 latency for filter-only (also with every tag's posting list fetched afresh, as on
its first use), filter+facets, full-text, semantic and hybrid queries (after the warm-up a
server does at start; full-text and hybrid also scored by the FTS5 statement alone, without
the term postings, for the difference they make),
plus the same questions answered by an unindexed scan (LIKE over the stored documents and
chapter text) for contrast.  Targets at 100k (2 cores): p95 ≤ 50 ms filters and full text,
≤ 150 ms hybrid.  Libraries are kept in .bench/ and reused unless --rebuild.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ficsift.importer import import_paths
from ficsift.library import FileRecord, SqliteLibrary
from ficsift.library.query import Query
from ficsift.model import Document
from ficsift.search import parse_query, refresh, search
from ficsift.search.engine import _semantic, warm_up
from ficsift.search.semantic import SemanticModel, VectorIndex
from ficsift.understand.canonical import canonicalise
from ficsift.understand.primer import load_primer
from scale_corpus import REAL, paragraphs_of, ship_document, ship_rows

FILTER_QUERIES = [
    'ship:"Harry Potter/Draco Malfoy"',
    'fandom:"Star Trek: Deep Space Nine" rating:Explicit complete:yes',
    'tag:"Alternate Universe" -"Major Character Death" words>5000 sort:kudos',
    'character:"Julian Bashir" ships<=1 sort:quality',
    "tag:Vampires sort:quality",
    'ship:"Dean Winchester/Castiel" main:yes sort:kudos',
    "tag:Fluff -tag:Angst rating:General|Teen sort:quality",
    'ship:"Willow Rosenberg/*" sort:words',
    "crossover:only sort:kudos",
    "words:1000..20000 kudos>100 sort:quality",
]
TEXT_WORDS = ["cellar", "promise", "dark forest", "starship", '"cup of tea"', "wedding",
              "vampire slayer", "coffee shop", "snow", "library books"]  # fmt: skip
HYBRID_QUERIES = [
    "vampire willow keeps tara as a pet",
    "a soldier comes home from the war",
    "the captain and the doctor fall in love on the station",
    "two enemies forced to share a bed",
    "grief after a funeral",
]


def build(lib_dir: Path, size: int, corpus: Path, log: Callable[[str], None]) -> dict[str, object]:
    if lib_dir.exists():
        shutil.rmtree(lib_dir)
    lib = SqliteLibrary(lib_dir)
    started = time.perf_counter()
    report = import_paths(lib, [corpus / name for name in REAL])
    real = lib.work_count()
    log(f"  real shared works: {real:,} ({time.perf_counter() - started:.0f}s)")
    primer = load_primer()
    rng = random.Random(size)
    rows = list(ship_rows(corpus))
    rng.shuffle(rows)
    paragraphs = paragraphs_of(corpus) if size > real else []
    ships = synthetic = 0
    batch: list[Document] = []

    def flush(kind: str) -> None:
        if batch:
            digest = hashlib.sha256(f"{kind}{len(batch)}{lib.work_count()}".encode()).hexdigest()
            lib.store_file(FileRecord(f"bench:{digest}", digest, 0, 0.0, len(batch)), list(batch))
            batch.clear()

    n = 0
    while lib.work_count() + len(batch) < size:
        row = rows[n % len(rows)]
        text = None
        if n >= len(rows) or (n % 2 == 1 and size >= 50_000):
            count = rng.randint(4, 16)
            text = "\n\n".join(rng.choice(paragraphs) for _ in range(count))
            synthetic += 1
        else:
            ships += 1
        doc = ship_document(row, n, text)
        canonicalise(doc, primer)
        batch.append(doc)
        n += 1
        if len(batch) >= 500:
            flush("w")
            if n % 10_000 < 500:
                log(f"  {lib.work_count():,} works ({time.perf_counter() - started:.0f}s)")
    flush("w")
    stored = time.perf_counter() - started
    refreshed = refresh(lib)
    total = time.perf_counter() - started
    works = lib.work_count()
    lib.close()
    return {
        "works": works, "real_works": real, "ship_csv_works": ships, "synthetic_text_works": synthetic,
        "import_failures": len(report.failures), "store_seconds": round(stored, 1),
        "index_seconds": round(total - stored, 1), "build_seconds": round(total, 1),
        "vectors": refreshed.embedded,
    }  # fmt: skip


def timed(
    fn: Callable[[], object], runs: int, before: Callable[[], object] | None = None
) -> list[tuple[float, float]]:
    """(wall ms, CPU ms) per run; CPU time shows the work when other jobs share the cores.
    ``before`` runs untimed before each run (to empty a cache)."""
    fn()  # warm
    out = []
    for _ in range(runs):
        if before is not None:
            before()
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        out.append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))
    return out


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 1)


def vector_only(lib: SqliteLibrary, pair: tuple[SemanticModel, VectorIndex], line: str) -> object:
    """Meaning alone: embed the query, nearest 20 vectors, their blurbs."""
    model, index = pair
    return lib.blurbs([i for i, _ in index.top_k(model.embed_query(line), 20)])


def hybrid_stages(lib: SqliteLibrary, runs: int) -> dict[str, float]:
    """Wall ms per hybrid search spent in each stage (the library's and the vectors' calls
    timed where the engine makes them; "other" is the engine's own Python)."""
    spent: dict[str, float] = {}
    semantic = _semantic(lib)

    def timed_as(owner: object, method: str, stage: Callable[..., str]) -> None:
        original = getattr(owner, method)

        def wrapper(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                name = stage(*args, **kwargs)
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - started

        setattr(owner, method, wrapper)

    def find_stage(query: Query, *args: object, **kwargs: object) -> str:
        if not query.text:
            return "filters on the meaning's candidates"
        if query.work_ids is not None:
            return "words on the meaning-only works (count)"
        return "words: page + count"

    timed_as(lib, "find", find_stage)
    timed_as(lib, "term_frequencies", lambda *a, **k: "  of which term frequencies")
    for method in ("blurbs", "snippets", "qualities", "tag_keys", "facet_counts"):
        timed_as(lib, method, lambda *a, method=method, **k: method)
    if semantic is not None:
        model, index = semantic
        timed_as(model, "embed_query", lambda *a, **k: "embed the query")
        timed_as(index, "top_k", lambda *a, **k: "vectors top-k")
    total = 0.0
    for _ in range(runs):
        for line in HYBRID_QUERIES:
            started = time.perf_counter()
            search(lib, parse_query(line))
            total += time.perf_counter() - started
    n = runs * len(HYBRID_QUERIES)
    out = {k: round(v / n * 1000, 1) for k, v in sorted(spent.items(), key=lambda x: -x[1])}
    out["other"] = round(
        (total - sum(v for k, v in spent.items() if not k.startswith(" "))) / n * 1000, 1
    )
    out["hybrid search"] = round(total / n * 1000, 1)
    return out


def measure(lib_dir: Path, runs: int) -> dict[str, dict[str, float]]:
    lib = SqliteLibrary(lib_dir)
    # As the web app does at start: the ontology, vectors, facet counts and work columns.
    started = time.perf_counter()
    warm_up(lib)
    print(f"  warm-up (as a server starts): {time.perf_counter() - started:.1f}s", flush=True)
    classes: dict[str, list[tuple[float, float]]] = {}

    def add(
        name: str, fn: Callable[[], object], before: Callable[[], object] | None = None
    ) -> None:
        classes.setdefault(name, []).extend(timed(fn, runs, before))

    def forget_tag_postings() -> None:
        if lib._work_columns is not None:  # each tag's works fetched again, as on first use
            lib._work_columns._postings.clear()

    for line in FILTER_QUERIES:
        add("filters", lambda line=line: search(lib, parse_query(line)))
        add(
            "filters, tags' first use",
            lambda line=line: search(lib, parse_query(line)),
            forget_tag_postings,
        )
        add("filters + facets", lambda line=line: search(lib, parse_query(line), facets=10))
    for word in TEXT_WORDS:
        add("full-text", lambda word=word: search(lib, parse_query(f"{word} semantic:off")))
    semantic = _semantic(lib)
    for line in HYBRID_QUERIES:
        if semantic is not None:
            add("semantic", lambda line=line, pair=semantic: vector_only(lib, pair, line))
        add("hybrid", lambda line=line: search(lib, parse_query(line)))
    # the same text searches scored by the FTS5 statement alone (no term postings): the
    # difference the postings make, measured in the same run
    lib._text_scores = lambda compiled, columns: None  # type: ignore[method-assign]
    for word in TEXT_WORDS:
        add(
            "full-text, FTS5 alone",
            lambda word=word: search(lib, parse_query(f"{word} semantic:off")),
        )
    for line in HYBRID_QUERIES:
        add("hybrid, FTS5 alone", lambda line=line: search(lib, parse_query(line)))
    del lib._text_scores
    add("everything, sort:quality", lambda: search(lib, Query(), facets=0))
    print("  hybrid search by stage (wall ms per search):", flush=True)
    for stage, ms in hybrid_stages(lib, runs).items():
        print(f"    {ms:>7.1f}  {stage}", flush=True)
    db = lib.db
    for word in ("cellar", "promise", "starship"):
        add("naive full-text scan (LIKE)", lambda word=word: db.execute(
            "SELECT DISTINCT s.work_id FROM chapters c JOIN sources s ON s.id = c.source_id "
            "WHERE c.text LIKE ?", (f"%{word} %",)).fetchall())  # fmt: skip
    for name in ("Draco Malfoy", "Julian Bashir", "Vampire"):
        add("naive tag scan (LIKE)", lambda name=name: db.execute(
            "SELECT DISTINCT work_id FROM sources WHERE document LIKE ?", (f"%{name}%",)).fetchall())  # fmt: skip
    lib.close()
    return {
        k: {
            "p50_ms": pct([w for w, _ in v], 0.5),
            "p95_ms": pct([w for w, _ in v], 0.95),
            "cpu_p50_ms": pct([c for _, c in v], 0.5),
            "cpu_p95_ms": pct([c for _, c in v], 0.95),
            "n": len(v),
        }
        for k, v in classes.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--out", default=".bench/search.json")
    opts = parser.parse_args()
    corpus = Path(opts.shared) / "corpus"
    results: dict[str, object] = {}
    for size in (int(s) for s in opts.sizes.split(",")):
        lib_dir = Path(".bench") / f"search-{size}"
        info_path = lib_dir / "bench-build.json"
        print(f"library of {size:,} works in {lib_dir}", flush=True)
        if opts.rebuild or not info_path.exists():
            info = build(lib_dir, size, corpus, lambda m: print(m, flush=True))
            info_path.write_text(json.dumps(info))
        info = json.loads(info_path.read_text())
        info["library_mb"] = round(
            sum(p.stat().st_size for p in lib_dir.glob("library.sqlite3*")) / 2**20, 1
        )
        print("  " + ", ".join(f"{k} {v}" for k, v in info.items()), flush=True)
        latency = measure(lib_dir, opts.runs)
        for name, row in latency.items():
            print(
                f"  {name:<30} p50 {row['p50_ms']:>7.1f} ms  p95 {row['p95_ms']:>7.1f} ms"
                f"  (CPU p50 {row['cpu_p50_ms']:>6.1f}, p95 {row['cpu_p95_ms']:>6.1f})  n={row['n']}"
            )
        print(f"  load average during the run: {os.getloadavg()[0]:.1f} (2 cores)")
        results[str(size)] = {"build": info, "latency": latency}
    results["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(f"peak memory {results['peak_memory_mb']} MB")
    Path(opts.out).parent.mkdir(parents=True, exist_ok=True)
    Path(opts.out).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
