"""The labelled stories the understanding evals score against, and how one reading is scored.

Imported by ``eval_understand.py`` (and ``eval_content.py``); not run on its own.

Three sources, each a fold of leave-one-source-out:

* ``antennapedia`` — 164 stories with the archive's typed front-matter tags;
* ``ao3-html`` — 15 AO3 downloads with their AO3 preface;
* ``wild`` — the work files of ``corpus/wild`` with their ``expected.json``: the author's tags
  (``fields``) and what a careful reader reads off the *text alone* (``text_only``: the fandom's
  name keys, the leads' name keys, the main pairing's keys, the rating).  These files come from
  fandoms ficsift's primer does not know, like the maintainers' held-out set.

Every story is read, stripped to its prose (``ficsift analyze --text-only``) and understood; the
gold is the author's tags, canonicalised with the full primer (the gold never depends on what a
fold removes).  Fandoms are compared by AO3 franchise ("Angel: the Series" is in Buffy's), or,
for ``wild``, by the name keys of ``text_only``.
"""

from __future__ import annotations

import json
import pickle
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ficsift.model import Document, Source, Tag, TagOrigin, TagType
from ficsift.read import read_bytes
from ficsift.understand.canonical import RATINGS, canonicalise
from ficsift.understand.fandoms import franchise_of
from ficsift.understand.primer import Primer, display_name, fold, load_primer

SOURCES = ("antennapedia", "ao3-html", "wild")
SAFE = {"General Audiences", "Teen And Up Audiences"}
ARCHIVE = ("Graphic Depictions Of Violence", "Major Character Death", "Rape/Non-Con", "Underage")
NO_WARNINGS = "No Archive Warnings Apply"
CHOSE_NOT = "Creator Chose Not To Use Archive Warnings"


@dataclass
class Gold:
    fandoms: set[str]  # canonical fandom tags
    franchises: set[str]  # their AO3 franchises
    characters: set[str]
    relationships: set[frozenset[str]]
    main: frozenset[str] | None
    freeforms: set[str]
    rating: str | None
    rating_ao3: bool  # an AO3 rating (4-way comparable), not an archive's own scale
    warnings: set[str] | None  # archive warnings, when the author used real ones
    warnings_known: set[str] = field(default_factory=set)  # warnings whose presence is known
    fandom_keys: tuple[str, ...] = ()  # wild: a right fandom's name holds one of these
    leads: tuple[str, ...] = ()  # wild: the leads' name keys (text_only)
    main_keys: tuple[str, ...] | None = None  # wild: the main pairing's keys (text_only)
    text_only: bool = False  # wild: judged by text_only, not by the author's tags


@dataclass
class Story:
    key: str
    source: str
    group: str
    bare: Document  # the text-only document that is understood
    gold: Gold
    words: int


@dataclass
class Got:
    """What one reading inferred, with confidences."""

    fandoms: dict[str, float]
    characters: dict[str, float]
    relationships: dict[frozenset[str], float]
    main: frozenset[str] | None
    main_confidence: float
    freeforms: dict[str, float]
    rating: str | None
    rating_confidence: float
    warnings: dict[str, float]
    unknown: set[str] = field(default_factory=set)  # characters found only as names
    # The likeliest fandoms, said or not: (fandom, probability, calibration features).
    candidates: list[tuple[str, float, tuple[float, ...]]] = field(default_factory=list)


def sides(name: str) -> frozenset[str]:
    return frozenset(s.strip() for s in re.split(r"\s*[/&]\s*", name) if s.strip())


def same_character(a: str, b: str) -> bool:
    """Same person: equal canonical names, or one side's name words are all words of the
    other's ("clara" or "Clara Oswald" vs "Clara Oswin Oswald", "the Doctor" vs "Twelfth
    Doctor": an article is no part of a name) — gold tags the primer cannot resolve stay raw."""
    if fold(a) == fold(b):
        return True
    parts_a = {fold(p) for p in display_name(a).split()} - _ARTICLES
    parts_b = {fold(p) for p in display_name(b).split()} - _ARTICLES
    if fold(display_name(a)) in parts_b or fold(display_name(b)) in parts_a:
        return True
    return bool(parts_a and parts_b) and (parts_a <= parts_b or parts_b <= parts_a)


_ARTICLES = frozenset({"the", "a", "an"})


def same_pair(a: frozenset[str], b: frozenset[str]) -> bool:
    return len(a) == len(b) and all(any(same_character(x, y) for y in b) for x in a)


def has_key(name: str, key: str) -> bool:
    """``key`` ("Madara", "dragon age") is a whole word or phrase of ``name``."""
    return re.search(rf"(?<!\w){re.escape(key.casefold())}(?!\w)", name.casefold()) is not None


# -- gold ----------------------------------------------------------------------------------------


def franchise(primer: Primer, fandom: str) -> str:
    onto = primer.ontology
    return franchise_of(fandom, load_primer(), onto) if onto else fandom


def gold_of(doc: Document, primer: Primer, inventory: set[str]) -> Gold:
    """The author's tags of ``doc``, canonicalised as the inferred ones are."""
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
    given = {t.canonical for t in author if t.type == TagType.WARNING and t.canonical}
    real = given & set(ARCHIVE)
    if NO_WARNINGS in given:
        warnings, known = real, set(ARCHIVE)
    elif real:
        warnings, known = real, real
    else:
        warnings, known = None, set()
    return Gold(
        fandoms=fandoms,
        franchises={franchise(primer, f) for f in fandoms},
        characters=set(names(TagType.CHARACTER)),
        relationships=relationships,
        main=main,
        freeforms={
            t.canonical for t in author if t.type == TagType.FREEFORM and t.canonical in inventory
        },
        rating=rating,
        rating_ao3=doc.source.format in {"ao3-html", "epub"} and rating is not None,
        warnings=warnings,
        warnings_known=known,
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


def _wild_gold(entry: dict, primer: Primer, inventory: set[str]) -> Gold:
    """A wild file's gold: its author tags as ``expected.json`` lists them, judged (where the
    text alone can tell) by ``text_only``."""
    fields, text = entry.get("fields") or {}, entry.get("text_only") or {}
    doc = Document(source=Source(path="", format="ao3-html"))
    typed = (
        ("fandoms", TagType.FANDOM),
        ("characters", TagType.CHARACTER),
        ("relationships", TagType.RELATIONSHIP),
        ("freeforms", TagType.FREEFORM),
        ("warnings", TagType.WARNING),
        ("category", TagType.CATEGORY),
    )
    for key, kind in typed:
        for name in fields.get(key) or []:
            doc.tags.append(Tag(name=name, type=kind))
    keys = tuple(text.get("fandom_keys") or ())
    if not fields.get("fandoms"):
        for k in keys:
            named = primer.fandom_named(k)
            if named:
                doc.tags.append(Tag(name=named, type=TagType.FANDOM))
    gold = gold_of(doc, primer, inventory)
    gold.rating = text.get("rating")
    gold.rating_ao3 = gold.rating is not None
    gold.fandom_keys = keys
    gold.leads = tuple(c["key"] for c in text.get("characters") or [])
    pairing = text.get("main_pairing")
    gold.main_keys = tuple(pairing["keys"]) if pairing else None
    gold.main = frozenset(gold.main_keys) if gold.main_keys else None
    gold.text_only = True
    return gold


# -- loading -------------------------------------------------------------------------------------


def _text_only(doc: Document) -> Document:
    from ficsift.cli import strip_metadata

    return strip_metadata(doc)


def load_stories(
    shared: Path, primer: Primer, inventory: set[str], cache: str | None = None
) -> list[Story]:
    """Every labelled story; with ``cache``, read once and pickled there for quick reruns."""
    if cache and Path(cache).exists():
        with open(cache, "rb") as fh:
            stories: list[Story] = pickle.load(fh)
        return stories
    stories = _read_stories(shared, primer, inventory)
    if cache:
        with open(cache, "wb") as fh:
            pickle.dump(stories, fh)
    return stories


def _read_stories(shared: Path, primer: Primer, inventory: set[str]) -> list[Story]:
    corpus = shared / "corpus"
    stories = []
    paths = [("antennapedia", p) for p in sorted((corpus / "antennapedia").rglob("*.md"))]
    paths += [("ao3-html", p) for p in sorted((corpus / "ao3-html").glob("*.html"))]
    for source, path in paths:
        doc = read_bytes(str(path), path.read_bytes())[0]
        gold = gold_of(doc, primer, inventory)
        bare = _text_only(doc)
        key = f"{path.parent.name}/{path.stem}"
        stories.append(Story(key, source, path.parent.name, bare, gold, bare.words))
    expected = corpus / "wild" / "expected.json"
    if expected.exists():
        for entry in json.loads(expected.read_text("utf-8"))["files"]:
            if entry.get("kind") != "work" or not entry.get("text_only"):
                continue
            path = corpus / "wild" / entry["path"]
            try:
                docs = read_bytes(str(path), path.read_bytes())
            except Exception as exc:  # a reader bug must not stop the eval; it is reported
                print(f"wild: {entry['path']}: not read ({exc})")
                continue
            if not docs or not docs[0].has_text:
                print(f"wild: {entry['path']}: no story text read")
                continue
            bare = _text_only(docs[0])
            gold = _wild_gold(entry, primer, inventory)
            stories.append(Story(entry["path"], "wild", "wild", bare, gold, bare.words))
    return stories


# -- what a reading inferred --------------------------------------------------------------------


def got_of(doc: Document) -> Got:
    inferred = [t for t in doc.tags if t.origin == TagOrigin.INFERRED]
    rels = [t for t in inferred if t.type == TagType.RELATIONSHIP]
    main_tag = next((t for t in rels if t.main), None)
    rating = next((t for t in inferred if t.type == TagType.RATING), None)

    def conf(t: Tag) -> float:
        return float(t.confidence if t.confidence is not None else 1.0)

    return Got(
        fandoms={t.name: conf(t) for t in inferred if t.type == TagType.FANDOM},
        # Cast tags only: "Vampire Willow Rosenberg" is typed a character by AO3 but is a trope.
        characters={
            t.name: conf(t)
            for t in inferred
            if t.type == TagType.CHARACTER and t.role is not None and t.role != "minor"
        },
        relationships={sides(t.name): conf(t) for t in rels},
        main=sides(main_tag.name) if main_tag else None,
        main_confidence=float(
            main_tag.extra.get("main_confidence", conf(main_tag)) if main_tag else 0.0
        ),
        freeforms={t.name: conf(t) for t in inferred if t.type == TagType.FREEFORM},
        rating=rating.name if rating else None,
        rating_confidence=conf(rating) if rating else 0.0,
        warnings={
            t.name: conf(t) for t in inferred if t.type == TagType.WARNING and t.name in ARCHIVE
        },
        candidates=[
            (c["fandom"], float(c["probability"] or 0.0), tuple(c["features"]))
            for c in doc.extra.get("fandom_candidates", [])
        ],
        unknown={
            t.name
            for t in inferred
            if t.type == TagType.CHARACTER and t.role is not None and t.extra.get("original")
        },
    )


# -- judging one reading ------------------------------------------------------------------------


def fandom_right(name: str, gold: Gold, primer: Primer) -> bool:
    """An inferred fandom is right when it is one of the gold's (by AO3 franchise) or, for a
    wild file, when its name (or its franchise's) holds one of the text_only keys."""
    if fold(name) in {fold(f) for f in gold.fandoms}:
        return True
    fr = franchise(primer, name)
    if fr in gold.franchises or name in gold.franchises:
        return True
    return any(has_key(n, k) for k in gold.fandom_keys for n in (name, fr))


def fandom_verdict(got: Got, gold: Gold, primer: Primer) -> str:
    """right / wrong (a fandom given that is not the story's) / abstained / partial."""
    if not got.fandoms:
        return "abstained"
    if not all(fandom_right(f, gold, primer) for f in got.fandoms):
        return "wrong"
    if gold.text_only:
        return "right"
    covered = {franchise(primer, f) for f in got.fandoms}
    named = {f for f in gold.fandoms if fold(f) in {fold(g) for g in got.fandoms}}
    missing = {fr for fr in gold.franchises if fr not in covered} - {
        franchise(primer, f) for f in named
    }
    return "partial" if missing else "right"


def lead_found(key: str, got: Got) -> bool:
    return any(has_key(display_name(name), key) for name in got.characters)


def main_right(got: Got, gold: Gold) -> bool:
    if gold.text_only:
        if gold.main_keys is None:
            return got.main is None
        if got.main is None or len(got.main) != len(gold.main_keys):
            return False
        return all(any(has_key(display_name(n), k) for n in got.main) for k in gold.main_keys)
    if got.main is None or gold.main is None:
        return got.main is None and gold.main is None
    return same_pair(got.main, gold.main)


def pairs_for_calibration(
    got: Got, gold: Gold, primer: Primer
) -> Iterable[tuple[str, float, bool]]:
    """(tag type, confidence, right?) for each inferred tag whose rightness the gold tells;
    for the fandom, every candidate, said or not (the bar decides which are said)."""
    if gold.fandoms or gold.fandom_keys:
        for name, c, _ in got.candidates:
            yield "fandom", c, fandom_right(name, gold, primer)
    if not gold.text_only:
        for name, c in got.characters.items():
            kind = "unknown character" if name in got.unknown else "character"
            yield kind, c, any(same_character(name, g) for g in gold.characters)
        for pair, c in got.relationships.items():
            if pair != got.main:  # the main pairing is judged as such, below
                yield "relationship", c, any(same_pair(pair, g) for g in gold.relationships)
        for name, c in got.freeforms.items():
            yield "freeform", c, name in gold.freeforms
    if got.main is not None:
        yield "main pairing", got.main_confidence, main_right(got, gold)
    for name, c in got.warnings.items():
        if name in gold.warnings_known:
            yield "warning", c, name in (gold.warnings or set())
    if got.rating and gold.rating and gold.rating != "Not Rated" and gold.rating_ao3:
        yield "rating", got.rating_confidence, got.rating == gold.rating
