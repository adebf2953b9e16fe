"""Understanding as one call: a Document in, the same Document with inferred tags out.

Inferred tags sit beside the author's (both kept, told apart by ``origin``); author tags get
their AO3 canonical form.  Everything inferred carries a confidence and evidence passages,
and the whole cast (minor and original characters too) is kept in ``doc.extra["cast"]`` for
``ficsift explain``.
"""

from __future__ import annotations

import math

from ficsift.model import (
    CastRole,
    Document,
    Evidence,
    RelationshipKind,
    Status,
    Tag,
    TagOrigin,
    TagType,
)
from ficsift.understand.calibration import (
    Calibration,
    calibration_kind,
    load_calibration,
)
from ficsift.understand.canonical import canonicalise, relationship_name
from ficsift.understand.cast import CastResult, find_cast
from ficsift.understand.content import infer_rating, infer_warnings
from ficsift.understand.fandoms import franchise_of
from ficsift.understand.notes import NoteReading, read_notes
from ficsift.understand.primer import Primer, display_name, load_primer
from ficsift.understand.relationships import RelationshipResult, read_relationships
from ficsift.understand.second_person import read_second_person
from ficsift.understand.status import infer_status
from ficsift.understand.story import StoryText
from ficsift.understand.tropes import character_tag, infer_freeforms

EVIDENCE_PER_TAG = 3
NOTE_CONFIDENCE = 0.9  # a tag the author's own note states (raw; calibrated like the rest)
# AO3's canonical tags for a story told to "you" and for the reader stepping into it.
POV_SECOND_PERSON = "POV Second Person"
READER = "Reader"
READER_INSERT = "Reader-Insert"
SECOND_PERSON_CONFIDENCE = 0.95  # the most a second-person reading's raw confidence says


def understand(
    doc: Document, primer: Primer | None = None, calibration: Calibration | None = None
) -> Document:
    """Add inferred tags to ``doc`` (in place) and canonicalise its author tags.

    ``calibration`` (the shipped one by default) maps raw confidences to measured
    probabilities and sets the bar a fandom must clear to be named.
    """
    primer = primer or load_primer()
    calibration = calibration or load_calibration()
    canonicalise(doc, primer)
    doc.tags = [t for t in doc.tags if t.origin != TagOrigin.INFERRED]  # re-understanding replaces
    doc.extra.pop("fandom_candidates", None)
    if not doc.has_text:
        return doc
    story = StoryText.of(doc)
    cast = find_cast(story, primer, calibration)
    if cast.candidates:
        # The likeliest fandoms, said or not, for `ficsift explain` and the calibration fit.
        doc.extra["fandom_candidates"] = [
            {"fandom": c.fandom, "probability": c.probability, "features": list(c.features)}
            for c in cast.candidates[:3]
        ]
    tagged = cast.tagged()
    leads = {m.name for m in tagged if cast.roles.get(m.name) == "main"}
    relations = read_relationships(story, cast.paired(), leads)
    fandoms = [f.fandom for f in cast.fandoms]
    # An author always tags both halves of the main pairing, however seldom one is named.
    for name in relations.main or ():
        if cast.roles.get(name) == "minor":
            cast.roles[name] = "significant"
    tagged = cast.tagged()

    doc.tags.extend(_beside_the_authors(_fandom_tags(cast, story), doc.tags, primer))
    doc.tags.extend(_character_tags(cast, story))
    unplaced = {m.name for m in cast.cast if m.original}
    doc.tags.extend(
        _relationship_tags(relations, fandoms, primer, {m.name for m in tagged}, unplaced)
    )
    doc.tags.extend(infer_freeforms(story, tagged, fandoms))
    doc.tags.extend(_second_person_tags(story, cast))
    _from_notes(doc.tags, read_notes(story, tagged), fandoms, primer, unplaced)
    doc.tags.extend(infer_warnings(story, names=[display_name(m.name) for m in tagged]))
    rating = infer_rating(story, calibration.rating)
    if rating is not None:
        doc.tags.append(rating)
    _as_the_author_names(doc.tags)
    _calibrate(doc.tags, calibration)
    _main_only_when_sure(doc.tags, calibration.main_bar)
    doc.extra["cast"] = [
        {"name": m.name, "role": cast.roles.get(m.name, "minor"), "mentions": m.count,
         "prominence": m.prominence, "original": m.original}
        for m in cast.cast[:30]
    ]  # fmt: skip
    if doc.status == Status.UNKNOWN:
        doc.status, reason = infer_status(doc)
        if reason:
            doc.extra["status_inferred"] = reason
    return doc


def _from_notes(
    tags: list[Tag],
    reading: NoteReading,
    fandoms: list[str],
    primer: Primer,
    unplaced: set[str],
) -> None:
    """Tags the author's notes state in shorthand (``notes.py``): a tag the text also found
    gets the note as its first evidence and the author's confidence; a new one is added.  The
    first ship a note names is the main pairing when the text found none."""

    def add(
        name: str, tag_type: TagType, evidence: Evidence, kind: RelationshipKind | None = None
    ) -> Tag:
        for tag in tags:
            if tag.name == name and tag.origin == TagOrigin.INFERRED:
                tag.evidence = [evidence, *tag.evidence][:EVIDENCE_PER_TAG]
                tag.confidence = round(1 - (1 - (tag.confidence or 0.0)) * (1 - NOTE_CONFIDENCE), 3)
                return tag
        tag = _inferred(name, tag_type, NOTE_CONFIDENCE, [evidence], kind=kind, source="notes")
        tags.append(tag)
        return tag

    for prefix, who, evidence in reading.states:
        named = character_tag(prefix, who.name)
        if named:
            add(named[0], named[1], evidence)
    has_main = any(t.main for t in tags if t.type == TagType.RELATIONSHIP)
    for (a, b), evidence in reading.ships:
        name = relationship_name([a.name, b.name], "/", fandoms, primer, unplaced)
        tag = add(name, TagType.RELATIONSHIP, evidence, kind=RelationshipKind.ROMANTIC)
        if not has_main:
            tag.main = has_main = True
    if reading.alternate_universe is not None:
        onto = primer.ontology
        au = (onto.canonical("AU", "freeform") if onto else None) or "Alternate Universe"
        add(au, TagType.FREEFORM, reading.alternate_universe)


def _calibrate(tags: list[Tag], calibration: Calibration) -> None:
    """Inferred confidences become measured probabilities (the raw one is kept in extra)."""
    for tag in tags:
        kind = calibration_kind(tag) if tag.origin == TagOrigin.INFERRED else None
        curve = calibration.maps.get(kind) if kind else None
        if curve is not None and tag.confidence is not None:
            tag.extra["raw_confidence"] = tag.confidence
            tag.confidence = round(curve(tag.confidence), 3)


def _main_only_when_sure(tags: list[Tag], bar: float) -> None:
    """A guessed main pairing under the calibration's bar is no main pairing: the eval found
    such stories gen more often than centred on that pair.  The relationship itself stays."""
    for tag in tags:
        if tag.main and tag.origin == TagOrigin.INFERRED and (tag.confidence or 0.0) < bar:
            tag.main = False
            tag.extra["main_below_bar"] = bar


def _inferred(
    name: str, tag_type: TagType, confidence: float, evidence: list[Evidence], *,
    main: bool = False, kind: RelationshipKind | None = None, role: str | None = None,
    **extra: object,
) -> Tag:  # fmt: skip
    return Tag(
        name=name,
        type=tag_type,
        origin=TagOrigin.INFERRED,
        canonical=name,
        confidence=round(max(0.0, min(1.0, confidence)), 3),
        evidence=evidence[:EVIDENCE_PER_TAG],
        main=main,
        kind=kind,
        role=CastRole(role) if role is not None else None,
        extra=dict(extra),
    )


def _second_person_tags(story: StoryText, cast: CastResult) -> list[Tag]:
    """``POV Second Person`` for a story told to "you"; ``Reader`` and ``Reader-Insert`` as
    well when that "you" is the reader: the story writes a name placeholder ("Y/N") or names
    no lead of its own (else the "you" may be a character told in the second person)."""
    reading = read_second_person(story)
    if reading is None:
        return []
    evidence = [story.evidence(s, e, "the narration says “you”") for s, e in reading.spans]
    # A reading, never a certainty; calibrated with the other types' maps (the eval holds
    # one reader-insert work, too few to measure these tags on their own).
    raw = min(SECOND_PERSON_CONFIDENCE, reading.share)
    tags = [_inferred(POV_SECOND_PERSON, TagType.FREEFORM, raw, evidence)]
    leads = [m for m in cast.tagged() if cast.roles.get(m.name) == "main"]
    if reading.placeholder or not leads:
        tags.append(
            _inferred(
                READER, TagType.CHARACTER, raw, evidence,
                role="main", prominence=1.0, placeholder=reading.placeholder,
            )
        )  # fmt: skip
        tags.append(_inferred(READER_INSERT, TagType.FREEFORM, raw, evidence))
    return tags


def _fandom_tags(cast: CastResult, story: StoryText) -> list[Tag]:
    tags = []
    for fs in cast.fandoms:
        members = [m for m in cast.cast if m.fandom == fs.fandom and m.mentions][:EVIDENCE_PER_TAG]
        evidence = [
            story.evidence(*m.mentions[0], f"{display_name(m.name)} appears") for m in members
        ]
        confidence = fs.probability if fs.probability is not None else 1 - math.exp(-fs.score / 6)
        tags.append(_inferred(fs.fandom, TagType.FANDOM, confidence, evidence, reasons=fs.reasons))
    return tags


def _beside_the_authors(guessed: list[Tag], tags: list[Tag], primer: Primer) -> list[Tag]:
    """The guessed fandoms less those of a franchise the author tagged a fandom of: the
    author said which of its fandoms the work is, and the guess of which one is the weakest
    part of a reading ("Supergirl (TV 2015)" for a Superman story naming Lex Luthor)."""
    said = {
        franchise_of(t.canonical or t.name, primer, primer.ontology)
        for t in tags
        if t.type == TagType.FANDOM and t.origin == TagOrigin.AUTHOR
    }
    return [
        t for t in guessed
        if franchise_of(t.name, primer, primer.ontology) not in said
        or any(t.name == (a.canonical or a.name) for a in tags if a.type == TagType.FANDOM)
    ]  # fmt: skip


def _as_the_author_names(tags: list[Tag]) -> None:
    """A guessed character who is part of the name of exactly one character the author tagged
    ("Gromph" of "Gromph Baenre", in a fandom ficsift does not know) is that character: the
    guess takes the author's name, so it is said once and found under it."""
    authors = [
        t.canonical or t.name
        for t in tags
        if t.type == TagType.CHARACTER and t.origin == TagOrigin.AUTHOR
    ]
    if not authors:
        return
    words = {name: _name_words(name) for name in authors}
    for tag in tags:
        if tag.type != TagType.CHARACTER or tag.origin != TagOrigin.INFERRED:
            continue
        own = _name_words(tag.name)
        holders = {name for name, theirs in words.items() if own and own <= theirs}
        if len(holders) == 1:
            tag.canonical = holders.pop()


def _name_words(name: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in display_name(name).split())


def _character_tags(cast: CastResult, story: StoryText) -> list[Tag]:
    tags = []
    for member in cast.tagged():
        picks = member.mentions[:: max(1, len(member.mentions) // EVIDENCE_PER_TAG)][
            :EVIDENCE_PER_TAG
        ]
        evidence = [
            story.evidence(s, e, f"mention {i + 1} of {member.count}")
            for i, (s, e) in enumerate(picks)
        ]
        tags.append(
            _inferred(
                member.name, TagType.CHARACTER, member.prominence, evidence,
                mentions=member.count, prominence=member.prominence, role=cast.roles[member.name],
                original=member.original,
            )
        )  # fmt: skip
    return tags


def _relationship_tags(
    relations: RelationshipResult,
    fandoms: list[str],
    primer: Primer,
    tagged: set[str],
    unplaced: set[str],
) -> list[Tag]:
    """Relationship tags: the main pairing, and pairs between characters worth tagging
    (``unplaced``: the cast's original characters and unknown names, named as written)."""
    tags = []
    main = set(relations.main or ())
    # The main pairing is as sure as its cues make it, and as its share of all the story's
    # romantic cues: a novel where a dozen pairs kiss is no sure reading of any one of them.
    rival = sum(r.romance_cues for r in relations.pairs if not {r.a, r.b} <= main)
    if len(main) > 2:  # a threesome or more: the group is the main relationship
        romantic = [r for r in relations.pairs if r.kind == "/" and {r.a, r.b} <= main]
        evidence = [e for r in romantic for e in r.evidence]
        cues = sum(r.romance_cues for r in romantic)
        name = relationship_name(sorted(main), "/", fandoms, primer, unplaced)
        tags.append(
            _inferred(
                name,
                TagType.RELATIONSHIP,
                _main_share(1 - math.exp(-cues / 20), cues, rival),
                evidence,
                main=True,
                kind=RelationshipKind.ROMANTIC,
            )
        )
    for pair in relations.pairs:
        is_main = len(main) == 2 and {pair.a, pair.b} == main
        if not is_main and not {pair.a, pair.b} <= tagged:
            continue  # a minor character is read for the main pairing only
        name = relationship_name([pair.a, pair.b], pair.kind, fandoms, primer, unplaced)
        confidence = 1 - math.exp(
            -(pair.romance_cues if pair.kind == "/" else pair.shared_windows) / 12
        )
        if is_main:
            confidence = _main_share(confidence, pair.romance_cues, rival)
        tags.append(
            _inferred(
                name, TagType.RELATIONSHIP, confidence, pair.evidence, main=is_main,
                kind=RelationshipKind.ROMANTIC if pair.kind == "/" else RelationshipKind.PLATONIC,
                shared_scenes=pair.shared_windows,
                romance_cues=pair.romance_cues,
            )
        )  # fmt: skip
    return tags


def _main_share(confidence: float, cues: int, rival: int) -> float:
    """The main pairing's confidence times its share of the romantic cues, its own and its
    rivals' (every other pair's together): alone, unchanged; level with the rest, halved."""
    return confidence * cues / (cues + rival) if cues + rival else confidence
