"""Benchmark libraries of any size made from the real records in ``../shared/corpus``.

Shared by ``scripts/bench_search.py`` and ``scripts/make_scale_corpus.py`` (and through it
``scripts/bench_scale.py``).  A library is filled in three layers, each said in the output:

1. **real works**: the shared stories and listings (antennapedia, ao3-html and the ~10,300
   DS9 listing blurbs), imported as a reader would (read, understood, stored);
2. **ship-CSV works**: the ~47,000 real works of the ship CSVs as metadata-only works (their
   real fandom, relationship, rating, warnings, freeform tags and kudos);
3. **assembled works** (not real works): each put together from shuffled real records
   — a title from one CSV row, the tags from another, a summary from a real DS9 blurb,
   kudos/hits/words drawn from the real listings' figures — and, for a share of them, a
   chapter text of 4-16 paragraphs sampled from the shared stories, so the full-text and
   vector indexes carry realistic vocabulary.  Deterministic for a seed.
"""

from __future__ import annotations

import csv
import hashlib
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ficsift.library import FileRecord
from ficsift.model import Chapter, Document, Source, Stats, Status, TagType
from ficsift.read import read_bytes
from ficsift.understand.canonical import canonicalise
from ficsift.understand.primer import load_primer

if TYPE_CHECKING:
    from ficsift.library import Library

REAL = ("antennapedia", "ao3-html", "ao3-listings-ds9")
STORY_FOLDERS = ("antennapedia", "ao3-html")
LISTINGS = "ao3-listings-ds9"
SHIP_CSVS = "ao3-ships-top-kudos"
FILE_WORKS = 500  # works per FileRecord (one store_file call)


def _english(doc: Document) -> bool:
    return not doc.language or doc.language.lower().startswith(("en", "english"))


def paragraphs_of(corpus: Path) -> list[str]:
    """Every paragraph over 80 characters of the shared English stories."""
    out: list[str] = []
    for folder in STORY_FOLDERS:
        for path in sorted((corpus / folder).rglob("*")):
            if path.suffix not in (".md", ".html"):
                continue
            for doc in read_bytes(str(path), path.read_bytes()):
                if not _english(doc):
                    continue
                for chapter in doc.chapters:
                    out += [p for p in chapter.text.split("\n\n") if len(p) > 80]
    return out


def ship_rows(corpus: Path) -> Iterator[dict[str, str]]:
    """The ship CSVs' rows, each (title, date) once."""
    seen: set[tuple[str, str]] = set()
    for path in sorted((corpus / SHIP_CSVS).glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                key = (row.get("title", ""), row.get("datetime", ""))
                if key in seen:
                    continue
                seen.add(key)
                yield row


def _date(text: str) -> str | None:
    try:
        return time.strftime("%Y-%m-%d", time.strptime(text.strip(), "%d %b %Y"))
    except ValueError:
        return None


def add_row_tags(doc: Document, row: dict[str, str]) -> None:
    """A ship-CSV row's real tags on ``doc``."""
    doc.add_tag(row.get("fandom", ""), TagType.FANDOM)
    doc.add_tag(row.get("relationship", ""), TagType.RELATIONSHIP)
    for side in row.get("relationship", "").split("/"):
        doc.add_tag(side.split(" (")[0], TagType.CHARACTER)
    doc.add_tag(row.get("rating", ""), TagType.RATING)
    for w in row.get("warnings", "").split(","):
        doc.add_tag(w, TagType.WARNING)
    for t in row.get("tags", "").split(","):
        doc.add_tag(t, TagType.FREEFORM)


def _kudos(row: dict[str, str]) -> int | None:
    return int((row.get("kudos") or "0").replace(",", "") or 0) or None


def ship_document(row: dict[str, str], n: int, text: str | None) -> Document:
    """A ship-CSV row as a metadata-only work, or (with ``text``) as bench_search's synthetic
    work: the row's tags over shuffled real paragraphs."""
    synthetic = text is not None
    doc = Document(
        source=Source(
            f"{'synthetic' if synthetic else 'ships'}:{n}", "synthetic" if synthetic else "csv"
        ),
        title=(("Synthetic: " if synthetic else "") + row.get("title", "")) or f"work {n}",
        authors=[f"author{n % 5000}"],
        language="English",
        status=Status.COMPLETE if n % 3 else Status.IN_PROGRESS,
        stats=Stats(kudos=_kudos(row)),
        published=_date(row.get("datetime", "")),
    )
    add_row_tags(doc, row)
    if synthetic:
        doc.chapters = [Chapter(title=None, text=text or "")]
    else:
        doc.stats.words = 1000 + (n * 7919) % 60000
    return doc


@dataclass
class Pools:
    """The real records assembled works are drawn from."""

    rows: list[dict[str, str]]
    paragraphs: list[str] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    # (words, kudos, hits, chapters posted) of one real listed work: drawn together so the
    # figures stay plausible beside each other
    figures: list[tuple[int | None, int | None, int | None, int | None]] = field(
        default_factory=list
    )
    dates: list[str] = field(default_factory=list)
    # the DS9 blurbs' author tags by type ("fandom", "relationship", "freeform"…), one entry
    # per use: drawn from, a popular tag comes up as often as readers see it
    listing_tags: dict[str, list[str]] = field(default_factory=dict)


def load_pools(corpus: Path, seed: int, with_listings: bool = True) -> Pools:
    """The ship rows (shuffled with ``seed``), story paragraphs and the DS9 blurbs' summaries
    and figures."""
    rows = list(ship_rows(corpus))
    random.Random(seed).shuffle(rows)
    pools = Pools(rows=rows, paragraphs=paragraphs_of(corpus))
    if not with_listings:
        return pools
    for path in sorted((corpus / LISTINGS).glob("*.html")):
        for doc in read_bytes(str(path), path.read_bytes()):
            if doc.summary and len(doc.summary) > 40 and _english(doc):
                pools.summaries.append(doc.summary)
            s = doc.stats
            pools.figures.append((s.words, s.kudos, s.hits, s.chapters_posted))
            if doc.published:
                pools.dates.append(doc.published)
            for tag in doc.tags:
                pools.listing_tags.setdefault(tag.type.value, []).append(tag.name)
    return pools


def assembled_document(pools: Pools, rng: random.Random, n: int, with_text: bool) -> Document:
    """An assembled (not real) work: real records shuffled together; see the module doc."""
    title_row = rng.choice(pools.rows)
    tag_row = rng.choice(pools.rows)
    words, kudos, hits, chapters = rng.choice(pools.figures) if pools.figures else (None,) * 4
    doc = Document(
        source=Source(f"assembled:{n}", "assembled"),
        title=title_row.get("title") or f"work {n}",
        authors=[f"writer{rng.randrange(200_000)}"],
        summary=rng.choice(pools.summaries) if pools.summaries else None,
        language="English",
        status=Status.COMPLETE if rng.random() < 0.7 else Status.IN_PROGRESS,
        stats=Stats(words=words, kudos=kudos, hits=hits, chapters_posted=chapters),
        published=rng.choice(pools.dates) if pools.dates else _date(tag_row.get("datetime", "")),
    )
    add_row_tags(doc, tag_row)
    if with_text:
        count = rng.randint(4, 16)
        text = "\n\n".join(rng.choice(pools.paragraphs) for _ in range(count))
        doc.chapters = [Chapter(title=None, text=text)]
    return doc


def store_documents(
    lib: Library,
    docs: Iterable[Document],
    *,
    label: str,
    file_works: int = FILE_WORKS,
    files_per_batch: int = 10,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Store ``docs`` ``file_works`` to a FileRecord, ``files_per_batch`` records to a
    transaction; the number stored.  The FileRecord's path is made from ``label`` and the
    batch's place, so the same label stored twice is not mistaken for the same file."""
    stored = 0
    files = 0
    pending: list[Document] = []
    primer = load_primer()

    def flush() -> None:
        nonlocal stored, files
        if not pending:
            return
        digest = hashlib.sha256(f"{label}:{files}".encode()).hexdigest()
        lib.store_file(FileRecord(f"bench:{label}:{files}", digest, 0, 0.0, len(pending)), pending)
        stored += len(pending)
        files += 1
        pending.clear()
        if progress is not None:
            progress(stored)

    it = iter(docs)
    while True:
        with lib.batch():
            for _ in range(files_per_batch):
                for doc in it:
                    canonicalise(doc, primer)
                    pending.append(doc)
                    if len(pending) >= file_works:
                        break
                if not pending:
                    return stored
                flush()
