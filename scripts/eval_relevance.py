"""`make eval` (relevance): does search find what readers type, judged on the shared corpus?

    .venv/bin/python scripts/eval_relevance.py [--shared ../shared] [--out .eval/relevance.json]
                                               [--library DIR] [--rebuild]

The library is the shared corpus imported as a reader would (``antennapedia``, ``ao3-html``,
``ao3-listings-ds9``; kept in ``.eval/relevance-lib`` and reused unless --rebuild), and every
query goes through the product's own parser and engine (``parse_query`` + ``search``, what
the CLI and the web app call).  The judged queries are made from the data by rule:

``title``        each story's title typed plainly (every story with text, and a seeded 250 of
                 the listing works); relevant: the works of that title (same words, any case).
``author+title`` the first author's name, then the title.
``sentence``     a distinctive sentence of the story's body (8–30 words from its middle 80%,
                 the one with the most words found in at most two stories), text works only.
``summary``      the story's summary pasted whole (≥ 8 words).
``ship``         each canonical relationship of ≥ 5 works, written short by rule — each side's
                 surname (last word) in the tag's order, then each side's given name (first
                 word) in the other order (``ship:"Nerys/Odo"``, ``ship:"Odo/Kira"``) —
                 relevant: every work tagged with the canonical relationship (recall and
                 precision over all results, and nDCG@10).
``trope``        the 20 commonest canonical freeform tags typed as plain words (no quotes, no
                 filter); relevant: the works tagged so.
``vibe``         a character's given name and a freeform tag's words ("odo angst"), for the 20
                 commonest (character, tag) pairs; relevant: works with both tags.

Scores: MRR (reciprocal rank of the first relevant work in the top 100, else 0), nDCG@10
(binary gains), for ``title`` also the share found first.  ``baseline`` is plain FTS5: one
unstemmed ``unicode61`` index of each work's title, authors, summary, tags and body, the
words ANDed (FTS5's default) and ranked by ``bm25()``.

Held-out: works are split in two by their first fandom (fandoms dealt to the half with fewer
stories so far, the biggest first; the ~10,000 listing works of the one big listing fandom,
DS9, by a hash of the work instead); ship, trope and vibe queries by a hash of the tag.  Every
weight was tuned on the ``tune`` half only; ``held-out`` reports the other.  Deterministic: seeded samples, sorted inputs.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sqlite3
import sys
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REAL = ("antennapedia", "ao3-html", "ao3-listings-ds9")
LISTING_SAMPLE = 250
DEPTH = 100  # a relevant work below this rank counts as not found
SHIP_MIN_WORKS = 5
TOPICS = 20
WORD = re.compile(r"\w+(?:['’]\w+)*")
SENTENCE = re.compile(r"[^.!?\n]+[.!?]")
TAG_WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]+")
UNPARSED: Counter[str] = Counter()  # queries the product's parser refused, by kind


@dataclass
class Work:
    id: int
    title: str
    authors: list[str]
    summary: str
    has_text: bool
    source: str
    fandom: str = ""
    ships: set[str] = field(default_factory=set)  # canonical relationship displays (author)
    freeforms: set[str] = field(default_factory=set)
    characters: set[str] = field(default_factory=set)
    split: str = "tune"


@dataclass
class Judged:
    kind: str
    query: str
    relevant: set[int]
    split: str
    whole: bool = False  # judge every result (filters), not only the top 100


def norm(text: str) -> str:
    return " ".join(WORD.findall(text.casefold()))


def build_library(directory: Path, corpus: Path, rebuild: bool) -> None:
    from ficsift.importer import import_paths
    from ficsift.library import SqliteLibrary
    from ficsift.search import refresh

    marker = directory / "eval-built"
    if marker.exists() and not rebuild:
        return
    if directory.exists():
        for p in directory.glob("library.sqlite3*"):
            p.unlink()
    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    lib = SqliteLibrary(directory)
    report = import_paths(lib, [corpus / name for name in REAL])
    refresh(lib)
    lib.close()
    marker.write_text(str(len(report.failures)))
    print(f"built {directory} in {time.perf_counter() - started:.0f}s", flush=True)


def load_works(db: sqlite3.Connection) -> dict[int, Work]:
    works: dict[int, Work] = {}
    for r in db.execute(
        "SELECT w.id, w.title, w.authors, coalesce(w.summary, ''), w.has_text, "
        "(SELECT min(locator) FROM sources s WHERE s.work_id = w.id) FROM works w ORDER BY w.id"
    ):
        works[r[0]] = Work(r[0], r[1] or "", json.loads(r[2]), r[3], bool(r[4]), r[5] or "")
    for wid, kind, display, origin in db.execute(
        "SELECT work_id, type, display, origin FROM tag_index WHERE inherited = 0 AND "
        "effective = 1 AND type IN ('fandom', 'relationship', 'freeform', 'character') "
        "ORDER BY work_id, origin, display"
    ):
        w = works.get(wid)
        if w is None:
            continue
        if kind == "fandom" and not w.fandom:
            w.fandom = display
        elif kind == "relationship" and origin == "author" and "/" in display:
            w.ships.add(display)
        elif kind == "freeform" and origin == "author":
            w.freeforms.add(display)
        elif kind == "character" and origin == "author":
            w.characters.add(display)
    # Fandoms go to the half with fewer stories so far, the biggest first (a hash alone put
    # nearly every story with text in one half); the listing works of the one big listing
    # fandom are halved by a hash of their source.
    fandoms = Counter(w.fandom for w in works.values())
    big = fandoms.most_common(1)[0][0] if fandoms else ""
    stories = Counter(w.fandom for w in works.values() if w.has_text)
    half: dict[str, str] = {}
    sizes = {"tune": 0, "held-out": 0}
    for fandom, n in sorted(stories.items(), key=lambda kv: (-kv[1], kv[0])):
        side = min(sizes, key=lambda k: (sizes[k], k == "held-out"))
        half[fandom] = side
        sizes[side] += n
    for w in works.values():
        if w.has_text or w.fandom != big:
            w.split = half.get(w.fandom) or _hashed(w.fandom)
        else:
            w.split = _hashed(w.source)
    return works


def _hashed(key: str) -> str:
    return "tune" if zlib.crc32(key.encode()) % 2 == 0 else "held-out"


def body_of(db: sqlite3.Connection, work_id: int) -> str:
    r = db.execute(
        "SELECT group_concat(c.text, char(10)) FROM chapters c JOIN works w "
        "ON c.source_id = w.text_source_id WHERE w.id = ?",
        (work_id,),
    ).fetchone()
    return r[0] or ""


def distinctive_sentence(body: str, df: Counter[str]) -> str | None:
    sentences = [s.strip() for s in SENTENCE.findall(body)]
    n = len(sentences)
    best: tuple[int, int, str] | None = None
    for i, s in enumerate(sentences[n // 10 : n - n // 10]):
        words = WORD.findall(s.lower())
        if not 8 <= len(words) <= 30:
            continue
        rare = sum(1 for w in set(words) if df[w] <= 2)
        if best is None or rare > best[0]:
            best = (rare, -i, s)
    return best[2] if best and best[0] >= 2 else None


def short_side(side: str, given: bool) -> str:
    words = [w for w in re.sub(r"\s*\([^)]*\)", "", side).split() if w]
    if not words:
        return side
    return words[0] if given else words[-1]


def make_queries(db: sqlite3.Connection, works: dict[int, Work]) -> list[Judged]:
    out: list[Judged] = []
    by_title: dict[str, set[int]] = defaultdict(set)
    for w in works.values():
        if norm(w.title):
            by_title[norm(w.title)].add(w.id)
    rng = random.Random(13)
    listing = sorted(w.id for w in works.values() if not w.has_text)
    sampled = set(rng.sample(listing, min(LISTING_SAMPLE, len(listing))))
    text_ids = [w.id for w in works.values() if w.has_text]
    bodies = {i: body_of(db, i) for i in text_ids}
    df: Counter[str] = Counter()
    for body in bodies.values():
        df.update(set(WORD.findall(body.lower())))
    for wid in sorted([*text_ids, *sampled]):
        w = works[wid]
        if norm(w.title) and w.title != "(untitled)":
            out.append(Judged("title", w.title, by_title[norm(w.title)], w.split))
            if w.authors:
                out.append(Judged("author+title", f"{w.authors[0]} {w.title}", {wid}, w.split))
        if len(WORD.findall(w.summary)) >= 8:
            out.append(Judged("summary", " ".join(w.summary.split()), {wid}, w.split))
        if wid in bodies:
            sentence = distinctive_sentence(bodies[wid], df)
            if sentence:
                out.append(Judged("sentence", sentence, {wid}, w.split))
    ships: dict[str, set[int]] = defaultdict(set)
    for w in works.values():
        for s in w.ships:
            ships[s].add(w.id)
    for ship, ids in sorted(ships.items()):
        sides = [s for s in ship.split("/") if s.strip()]
        if len(ids) < SHIP_MIN_WORKS or len(sides) != 2:
            continue
        split = "tune" if zlib.crc32(ship.encode()) % 2 == 0 else "held-out"
        surnames = "/".join(short_side(s, False) for s in sides)
        given = "/".join(short_side(s, True) for s in reversed(sides))
        for short in dict.fromkeys([surnames, given]):
            out.append(Judged("ship", f'ship:"{short}"', ids, split, whole=True))
    tagged: dict[str, set[int]] = defaultdict(set)
    for w in works.values():
        for t in w.freeforms:
            if len(TAG_WORDS.findall(t)) >= 1 and not any(ch.isdigit() for ch in t):
                tagged[t].add(w.id)
    for tag, ids in sorted(tagged.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:TOPICS]:
        split = "tune" if zlib.crc32(tag.encode()) % 2 == 0 else "held-out"
        words = " ".join(TAG_WORDS.findall(tag)).lower()
        out.append(Judged("trope", words, ids, split))
    pairs: dict[tuple[str, str], set[int]] = defaultdict(set)
    for w in works.values():
        for c in w.characters:
            for t in w.freeforms:
                if not any(ch.isdigit() for ch in t):
                    pairs[(c, t)].add(w.id)
    chosen = sorted(pairs.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    seen_chars: Counter[str] = Counter()
    for (character, tag), ids in chosen:
        if sum(1 for j in out if j.kind == "vibe") >= TOPICS:
            break
        if seen_chars[character] >= 3:
            continue
        seen_chars[character] += 1
        name = short_side(character, True).lower()
        words = " ".join(TAG_WORDS.findall(tag)).lower()
        split = "tune" if zlib.crc32(f"{character}|{tag}".encode()) % 2 == 0 else "held-out"
        out.append(Judged("vibe", f"{name} {words}", ids, split))
    return out


# ---------------------------------------------------------------------------- rankers


def product_ranker(directory: Path, extra: str = "") -> Callable[[Judged], list[int]]:
    from ficsift.library import SqliteLibrary
    from ficsift.search import parse_query, search

    lib = SqliteLibrary(directory)

    def rank(j: Judged) -> list[int]:
        try:
            query = parse_query(f"{j.query} {extra}".strip())
        except ValueError as exc:
            UNPARSED[j.kind] += 1
            if UNPARSED[j.kind] <= 2:
                print(f"    cannot parse a {j.kind} query: {exc}", flush=True)
            return []
        limit = 3000 if j.whole else DEPTH
        page = search(lib, query, limit=limit)
        return [h.id for h in page.hits]

    return rank


def baseline_ranker(
    db: sqlite3.Connection, works: dict[int, Work]
) -> Callable[[Judged], list[int]]:
    mem = sqlite3.connect(":memory:")
    mem.execute("CREATE VIRTUAL TABLE t USING fts5(doc, tokenize='unicode61 remove_diacritics 2')")
    rows = []
    for w in works.values():
        tags = " ".join(sorted(w.ships | w.freeforms | w.characters | {w.fandom}))
        body = body_of(db, w.id) if w.has_text else ""
        rows.append((w.id, f"{w.title}\n{' '.join(w.authors)}\n{w.summary}\n{tags}\n{body}"))
    mem.executemany("INSERT INTO t(rowid, doc) VALUES (?, ?)", rows)

    def rank(j: Judged) -> list[int]:
        text = re.sub(r'\w+:"[^"]*"', " ", j.query)  # a filter is not words
        words = WORD.findall(text)
        if not words or j.kind == "ship":
            return []
        match = " ".join('"' + w.replace('"', "") + '"' for w in words)
        return [
            r[0]
            for r in mem.execute(
                "SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT ?", (match, DEPTH)
            )
        ]

    return rank


def scores(ranked: list[int], j: Judged) -> dict[str, float]:
    rr = 0.0
    for n, wid in enumerate(ranked[:DEPTH], 1):
        if wid in j.relevant:
            rr = 1.0 / n
            break
    gains = [1.0 if wid in j.relevant else 0.0 for wid in ranked[:10]]
    dcg = sum(g / math.log2(n + 2) for n, g in enumerate(gains))
    ideal = sum(1.0 / math.log2(n + 2) for n in range(min(10, len(j.relevant))))
    out = {"mrr": rr, "ndcg10": dcg / ideal if ideal else 0.0, "first": float(rr == 1.0)}
    if j.whole:
        found = len(set(ranked) & j.relevant)
        out["recall"] = found / len(j.relevant) if j.relevant else 0.0
        out["precision"] = found / len(ranked) if ranked else 0.0
    return out


def evaluate(
    queries: list[Judged], rankers: dict[str, Callable[[Judged], list[int]]]
) -> dict[str, dict[str, dict[str, dict[str, float]]]]:
    """ranker → kind → split ("tune", "held-out", "all") → mean metrics (and n)."""
    results: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    for name, rank in rankers.items():
        started = time.perf_counter()
        per: dict[tuple[str, str], list[dict[str, float]]] = defaultdict(list)
        for j in queries:
            s = scores(rank(j), j)
            per[(j.kind, j.split)].append(s)
            per[(j.kind, "all")].append(s)
        table: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
        for (kind, split), rows in per.items():
            mean = {k: sum(r[k] for r in rows) / len(rows) for k in rows[0]}
            table[kind][split] = {**mean, "n": float(len(rows))}
        results[name] = dict(table)
        print(f"  {name}: {len(queries)} queries in {time.perf_counter() - started:.0f}s",
              flush=True)  # fmt: skip
    return results


def named_checks(directory: Path) -> dict[str, int]:
    """The issue's own examples: how many works each returns."""
    from ficsift.library import SqliteLibrary
    from ficsift.search import parse_query, search

    lib = SqliteLibrary(directory)
    out = {}
    for line in (
        'ship:"Odo/Kira"', 'ship:"Kira Nerys/Odo"', 'ship:"Dax/Worf"', 'ship:"Jadzia Dax/Worf"',
        "ship:\"Bashir/O'Brien\"", "ship:\"Julian Bashir/Miles O'Brien\"",
        'vampire willow -"Major Character Death" words>5000 complete:yes sort:quality',
        'vampire willow -"Major Character Death" words>5000 sort:quality',
        "crossover:no", "crossover:only", "published>=2021", "updated>=2021",
        "changeling grief", 'fandom:"Star Trek: Deep Space Nine"',
    ):  # fmt: skip
        out[line] = search(lib, parse_query(line), limit=1).total
    page = search(lib, parse_query("changeling grief"), limit=20)
    out["changeling grief: DS9 works in the top 20"] = sum(
        1 for h in page.hits if any("Deep Space Nine" in f.name for f in h.fandoms)
    )
    lib.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--out", type=Path, default=Path(".eval/relevance.json"))
    ap.add_argument("--library", type=Path, default=Path(".eval/relevance-lib"))
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--kinds", default="", help="only these query kinds (comma-separated)")
    args = ap.parse_args(argv)

    build_library(args.library, args.shared / "corpus", args.rebuild)
    db = sqlite3.connect(args.library / "library.sqlite3")
    works = load_works(db)
    queries = make_queries(db, works)
    if args.kinds:
        queries = [q for q in queries if q.kind in args.kinds.split(",")]
    counts = Counter(q.kind for q in queries)
    print(f"{len(works):,} works; queries: " + ", ".join(f"{k} {n}" for k, n in counts.items()))
    rankers = {
        "product": product_ranker(args.library),
        "product, words only": product_ranker(args.library, "semantic:off"),
        "baseline FTS5": baseline_ranker(db, works),
    }
    results = evaluate(queries, rankers)
    print(f"\n{'ranker':22} {'queries':13} {'split':9} {'n':>5} {'MRR':>6} {'nDCG10':>6} "
          f"{'first':>6} {'recall':>6} {'prec':>6}")  # fmt: skip
    for name, table in results.items():
        for kind in counts:
            for split in ("tune", "held-out", "all"):
                m = table.get(kind, {}).get(split)
                if not m:
                    continue
                extra = f" {m['recall']:6.3f} {m['precision']:6.3f}" if "recall" in m else ""
                print(f"{name:22} {kind:13} {split:9} {int(m['n']):5d} {m['mrr']:6.3f} "
                      f"{m['ndcg10']:6.3f} {m['first']:6.3f}{extra}")  # fmt: skip
    checks = named_checks(args.library)
    print("\nthe issue's examples (works returned):")
    for line, n in checks.items():
        print(f"  {n:6d}  {line}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"queries": dict(counts), "results": results, "checks": checks}, indent=2)
    )
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
