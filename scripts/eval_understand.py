"""`make eval` (understanding): text-only inference against the authors' own tags.

Every story in ../shared/corpus/antennapedia and ao3-html is read, stripped to its story text
(``--text-only``: no tags, title, summary, notes from front matter or preface) and understood;
the result is compared with the author tags, canonicalised the same way for both sides.

Fields: characters, relationships, freeforms (micro P/R/F1; freeforms over the tags ficsift
can infer, since authors' free-text tags are mostly unguessable), main pairing (exact
character set; a gen story must get none), fandom (exact set), rating (safe = General/Teen vs
mature = Mature/Explicit; and 4-way where the source has AO3 ratings), archive warnings P/R
(where the author used real warnings).  A naive baseline runs beside it: a character counts
when any part of its name appears (a list of the fandom's canon names), the two most-mentioned
form the pairing, the fandom is the one with most names present, the rating is "mature" when a
handful of sex words appear.  Writes .eval/understand.json.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ficsift.model import Document, TagOrigin, TagType
from ficsift.read import read_bytes
from ficsift.understand.canonical import RATINGS, canonicalise
from ficsift.understand.infer import understand
from ficsift.understand.primer import Primer, display_name, fold, load_primer

SAFE = {"General Audiences", "Teen And Up Audiences"}
ARCHIVE = {"Graphic Depictions Of Violence", "Major Character Death", "Rape/Non-Con", "Underage"}
SEX_WORDS = re.compile(
    r"\b(?:sex|naked|cock|fuck(?:ed|ing)?|orgasm|breasts?|thrust(?:ed|ing)?)\b", re.I
)


@dataclass
class Gold:
    fandoms: set[str]
    characters: set[str]
    relationships: set[frozenset[str]]
    main: frozenset[str] | None
    freeforms: set[str]
    rating: str | None
    rating_ao3: bool
    warnings: set[str] | None


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(
        self, got: set[str] | set[frozenset[str]], want: set[str] | set[frozenset[str]], same=None
    ) -> None:  # type: ignore[no-untyped-def]
        same = same or (lambda a, b: a == b)
        matched_want = set()
        for g in got:
            hit = next((w for w in want if w not in matched_want and same(g, w)), None)
            if hit is None:
                self.fp += 1
            else:
                self.tp += 1
                matched_want.add(hit)
        self.fn += len(want) - len(matched_want)

    def prf(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
        }


@dataclass
class Tally:
    characters: Counts = field(default_factory=Counts)
    relationships: Counts = field(default_factory=Counts)
    freeforms: Counts = field(default_factory=Counts)
    warnings: Counts = field(default_factory=Counts)
    main_ok: int = 0
    main_n: int = 0
    fandom_ok: int = 0
    fandom_n: int = 0
    safe_ok: int = 0
    safe_n: int = 0
    ao3_ok: int = 0
    ao3_n: int = 0
    misses: list[str] = field(default_factory=list)

    def table(self) -> dict[str, float]:
        out = {}
        for name in ("characters", "relationships", "freeforms", "warnings"):
            for k, v in getattr(self, name).prf().items():
                out[f"{name} {k}"] = v
        out["main pairing accuracy"] = round(self.main_ok / self.main_n, 4) if self.main_n else 0.0
        out["fandom accuracy"] = round(self.fandom_ok / self.fandom_n, 4) if self.fandom_n else 0.0
        out["rating safe-vs-mature accuracy"] = (
            round(self.safe_ok / self.safe_n, 4) if self.safe_n else 0.0
        )
        out["rating 4-way accuracy (AO3 sources)"] = (
            round(self.ao3_ok / self.ao3_n, 4) if self.ao3_n else 0.0
        )
        return out


def same_character(a: str, b: str) -> bool:
    """Same person: equal canonical names, or one side is a name part of the other
    ("clara" vs "Clara Oswin Oswald") — gold tags the primer cannot resolve stay raw."""
    if fold(a) == fold(b):
        return True
    parts_a = {fold(p) for p in display_name(a).split()}
    parts_b = {fold(p) for p in display_name(b).split()}
    return fold(display_name(a)) in parts_b or fold(display_name(b)) in parts_a


def same_pair(a: frozenset[str], b: frozenset[str]) -> bool:
    return len(a) == len(b) and all(any(same_character(x, y) for y in b) for x in a)


def sides(name: str) -> frozenset[str]:
    return frozenset(s.strip() for s in re.split(r"\s*[/&]\s*", name) if s.strip())


def gold_of(doc: Document, primer: Primer, inventory: set[str]) -> Gold:
    canonicalise(doc, primer)
    author = [t for t in doc.tags if t.origin == TagOrigin.AUTHOR]

    def names(kind: TagType) -> list[str]:
        return [
            t.canonical or re.sub(r"^[a-z]+!", "", t.name).replace("-", " ")
            for t in author
            if t.type == kind
        ]

    fandoms = {t.canonical for t in author if t.type == TagType.FANDOM and t.canonical}
    relationships = {sides(n) for n in names(TagType.RELATIONSHIP)}
    romantic = [t for t in author if t.type == TagType.RELATIONSHIP and "&" not in t.name]
    declared = _declared_pairing(doc)
    labelled = [t for t in romantic if t.label == "pairing"] or [
        t for t in romantic if declared and t.name.casefold() == declared
    ]
    categories = {(t.canonical or t.name).lower() for t in author if t.type == TagType.CATEGORY}
    if labelled:
        main = sides(labelled[0].canonical or labelled[0].name)
    elif romantic and categories != {"gen"}:
        main = sides(romantic[0].canonical or romantic[0].name)
    else:
        main = None
    ratings = [t for t in author if t.type == TagType.RATING]
    rating = RATINGS.get(ratings[0].name.lower()) if ratings else None
    warnings_given = {t.canonical for t in author if t.type == TagType.WARNING and t.canonical}
    real = warnings_given - {"Creator Chose Not To Use Archive Warnings"}
    return Gold(
        fandoms=fandoms,
        characters=set(names(TagType.CHARACTER)),
        relationships=relationships,
        main=main,
        freeforms={
            t.canonical for t in author if t.type == TagType.FREEFORM and t.canonical in inventory
        },
        rating=rating,
        rating_ao3=doc.source.format in {"ao3-html", "epub"} and rating is not None,
        warnings=(real & ARCHIVE) if real else None,
    )


_PAIRING_FIELD_RE = re.compile(r"^pairing:[ \t]*['\"]?([^'\"\n]+?)['\"]?[ \t]*$", re.M)


def _declared_pairing(doc: Document) -> str | None:
    """The front matter's ``pairing:`` field, the author's own word on the main pairing.

    The reader keeps one tag per spelling, so when ``pairing: giles/buffy`` repeats a
    ``p:giles/buffy`` listed among other pairings, the tag keeps the ``p`` label and the
    pairing field's label is lost; read the field from the file's header instead.
    """
    if doc.source.format != "frontmatter" or not doc.source.path:
        return None
    header = Path(doc.source.path).read_text("utf-8", errors="replace").split("\n---", 1)[0]
    match = _PAIRING_FIELD_RE.search(header)
    return match.group(1).strip().casefold() if match else None


def text_only(doc: Document) -> Document:
    from ficsift.cli import strip_metadata

    return strip_metadata(doc)


def score(t: Tally, got: Gold, gold: Gold, label: str) -> None:
    t.characters.add(got.characters, gold.characters, same_character)
    t.relationships.add(got.relationships, gold.relationships, same_pair)
    t.freeforms.add(got.freeforms, gold.freeforms)
    if gold.warnings is not None:
        t.warnings.add(got.warnings or set(), gold.warnings)
    t.main_n += 1
    ok = (got.main is None and gold.main is None) or (
        got.main is not None and gold.main is not None and same_pair(got.main, gold.main)
    )
    t.main_ok += ok
    if not ok:
        t.misses.append(f"{label}: main {sorted(got.main or [])} vs {sorted(gold.main or [])}")
    if gold.fandoms:
        t.fandom_n += 1
        fandom_ok = got.fandoms == gold.fandoms
        t.fandom_ok += fandom_ok
        if not fandom_ok:
            t.misses.append(f"{label}: fandom {sorted(got.fandoms)} vs {sorted(gold.fandoms)}")
    if gold.rating and gold.rating != "Not Rated" and got.rating:
        t.safe_n += 1
        t.safe_ok += (got.rating in SAFE) == (gold.rating in SAFE)
        if gold.rating_ao3:
            t.ao3_n += 1
            t.ao3_ok += got.rating == gold.rating


def inferred_view(doc: Document) -> Gold:
    inferred = [t for t in doc.tags if t.origin == TagOrigin.INFERRED]
    rels = [t for t in inferred if t.type == TagType.RELATIONSHIP]
    main = next((sides(t.name) for t in rels if t.extra.get("main")), None)
    rating = next((t.name for t in inferred if t.type == TagType.RATING), None)
    return Gold(
        fandoms={t.name for t in inferred if t.type == TagType.FANDOM},
        # Cast tags only: "Vampire Willow Rosenberg" is typed a character by AO3 but is a trope.
        characters={t.name for t in inferred if t.type == TagType.CHARACTER and "role" in t.extra},
        relationships={sides(t.name) for t in rels},
        main=main,
        freeforms={t.name for t in inferred if t.type == TagType.FREEFORM},
        rating=rating,
        rating_ao3=False,
        warnings={t.name for t in inferred if t.type == TagType.WARNING and t.name in ARCHIVE},
    )


def baseline_view(doc: Document, primer: Primer, gold: Gold) -> Gold:
    """The naive reading: the gold fandom's 20 best-known names, counted by any name part."""
    text = doc.text
    fandom_counts: Counter[str] = Counter()
    best: dict[str, Counter[str]] = {}
    for entry in primer.fandoms.values():
        counts: Counter[str] = Counter()
        for character in list(entry.characters.values())[:20]:
            parts = {p for p in display_name(character.name).split() if len(p) > 2}
            # The substring test first: the same count, without a regex for the thousands of
            # names that never occur.
            n = sum(len(re.findall(rf"\b{re.escape(p)}\b", text)) for p in parts if p in text)
            if n:
                counts[character.name] = n
        if counts:
            fandom_counts[entry.fandom] = len(counts)
            best[entry.fandom] = counts
    fandom = fandom_counts.most_common(1)[0][0] if fandom_counts else None
    gold_fandom = min(gold.fandoms, default=None)  # sets iterate in hash order: be deterministic
    counts = (
        best.get(gold_fandom or "", Counter())
        if gold_fandom in best
        else best.get(fandom or "", Counter())
    )
    top = [name for name, _ in counts.most_common(2)]
    return Gold(
        fandoms={fandom} if fandom else set(),
        characters=set(counts),
        relationships={frozenset(top)} if len(top) == 2 else set(),
        main=frozenset(top) if len(top) == 2 else None,
        freeforms={tag for tag in gold.freeforms if tag.lower() in text.lower()},
        rating="Explicit" if len(SEX_WORDS.findall(text)) >= 3 else "General Audiences",
        rating_ao3=False,
        warnings=set(),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--out", default=".eval/understand.json")
    parser.add_argument("--show-misses", action="store_true")
    opts = parser.parse_args()
    corpus = Path(opts.shared) / "corpus"
    primer = load_primer()
    from ficsift.understand.tropes import inventory

    tags_we_infer = inventory()
    files = sorted((corpus / "antennapedia").rglob("*.md")) + sorted(
        (corpus / "ao3-html").glob("*.html")
    )
    ours, naive = Tally(), Tally()
    by_group: dict[str, Tally] = {}
    words = 0
    seconds = 0.0
    for path in files:
        doc = read_bytes(str(path), path.read_bytes())[0]
        gold = gold_of(doc, primer, tags_we_infer)
        bare = text_only(doc)
        started = time.perf_counter()
        understand(bare, primer)
        seconds += time.perf_counter() - started
        words += bare.words
        label = f"{path.parent.name}/{path.stem}"
        got = inferred_view(bare)
        score(ours, got, gold, label)
        score(by_group.setdefault(path.parent.name, Tally()), got, gold, label)
        score(naive, baseline_view(bare, primer, gold), gold, label)

    ours_table, naive_table = ours.table(), naive.table()
    print(f"Text-only inference vs author tags: {len(files)} stories, {words:,} words")
    print(f"{'measure':<40}{'ficsift':>10}{'baseline':>10}")
    for key in ours_table:
        print(f"{key:<40}{ours_table[key]:>10.3f}{naive_table[key]:>10.3f}")
    print(
        f"throughput: {words / seconds:,.0f} words/s on one core ({seconds:.1f}s for {words:,} words)"
    )
    print("by folder (characters F1 / main pairing / fandom / safe-vs-mature):")
    for group, tally in sorted(by_group.items()):
        tb = tally.table()
        print(
            f"  {group:<14}{tb['characters f1']:>8.3f}{tb['main pairing accuracy']:>8.3f}"
            f"{tb['fandom accuracy']:>8.3f}{tb['rating safe-vs-mature accuracy']:>8.3f}  ({tally.main_n} stories)"
        )
    if opts.show_misses:
        print("\n".join(ours.misses))
    out = Path(opts.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "stories": len(files),
                "words": words,
                "words_per_second": round(words / seconds),
                "ficsift": ours_table,
                "baseline": naive_table,
                "by_folder": {g: t.table() for g, t in by_group.items()},
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
