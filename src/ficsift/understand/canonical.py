"""Author tags to AO3's canonical tags; the author's spelling stays as the tag's name.

"btvs" → Buffy the Vampire Slayer, "c:hurt!giles" → Rupert Giles, "p:giles/buffy" → the
canonical Buffy/Giles relationship, "W/T" → Tara Maclay/Willow Rosenberg, "VampWillow" →
Vampire Willow Rosenberg, "adult" → Explicit.  Characters resolve within the work's fandoms
first, so "Angel" in a Buffy fic is Angel (BtVS), not an angel from elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Container
from functools import lru_cache

from ficsift.model import Document, TagOrigin, TagType
from ficsift.ontology import Ontology
from ficsift.understand.primer import Primer, display_name, fold

RATINGS = {
    "general audiences": "General Audiences", "general": "General Audiences", "g": "General Audiences",
    "k": "General Audiences", "pg": "General Audiences", "gen": "General Audiences",
    "teen and up audiences": "Teen And Up Audiences", "teen": "Teen And Up Audiences",
    "t": "Teen And Up Audiences", "k+": "Teen And Up Audiences", "pg-13": "Teen And Up Audiences",
    "pg13": "Teen And Up Audiences", "mature": "Mature", "m": "Mature", "r": "Mature",
    "explicit": "Explicit", "adult": "Explicit", "nc-17": "Explicit", "nc17": "Explicit",
    "ma": "Explicit", "e": "Explicit", "x": "Explicit", "xxx": "Explicit", "not rated": "Not Rated",
}  # fmt: skip
WARNINGS = {
    "graphic depictions of violence": "Graphic Depictions Of Violence", "violence": "Graphic Depictions Of Violence",
    "major character death": "Major Character Death", "mcd": "Major Character Death",
    "character death": "Major Character Death", "rape/non-con": "Rape/Non-Con",
    "rape": "Rape/Non-Con", "non-con": "Rape/Non-Con", "noncon": "Rape/Non-Con", "underage": "Underage",
    "no archive warnings apply": "No Archive Warnings Apply", "none": "No Archive Warnings Apply",
    "none apply": "No Archive Warnings Apply", "no warnings": "No Archive Warnings Apply",
    "no warnings apply": "No Archive Warnings Apply", "n/a": "No Archive Warnings Apply",
    "creator chose not to use archive warnings": "Creator Chose Not To Use Archive Warnings",
}  # fmt: skip
CATEGORIES = {
    "f/f": "F/F",
    "f/m": "F/M",
    "m/f": "F/M",
    "m/m": "M/M",
    "gen": "Gen",
    "multi": "Multi",
    "other": "Other",
}
_PREFIX_RE = re.compile(r"^[a-z]+!", re.I)  # "hurt!giles": a trope prefix on a character
_CHARACTER_TROPE_RE = re.compile(
    r"^(vamp|vampire|dark|evil|hurt|human|soulless|demon)[\s!_-]*([A-Za-z]+)$", re.I
)
_TROPE_WORDS = {"vamp": "Vampire", "vampire": "Vampire", "dark": "Dark", "evil": "Evil", "hurt": "Hurt",
                "human": "Human", "soulless": "Soulless", "demon": "Demon"}  # fmt: skip


def resolve_character(name: str, fandoms: list[str], primer: Primer) -> str | None:
    """Canonical character for an author's or a pairing's spelling of a name."""
    clean = _PREFIX_RE.sub("", name.strip()).replace("-", " ").replace("_", " ").strip()
    if not clean:
        return None
    found = primer.characters_named(clean, fandoms or None)
    if not found and fandoms:
        # A crossover filed under one fandom ("p:malcolm/twelve" under The Thick of It): a
        # name only one character of any fandom answers to is still that character.
        found = primer.characters_named(clean)
        if len(found) != 1:
            found = []
    if len(found) == 1:
        return found[0].name
    if len(found) > 1:
        # "Angel" or "Summers": prefer the character whose shown name is the spelling, then
        # one whose name starts with it; otherwise it stays ambiguous.
        key = fold(clean)
        for rule in (
            lambda c: fold(display_name(c.name)) == key,
            lambda c: fold(c.name).startswith(key),
        ):
            exact = [c for c in found if rule(c)]
            if len(exact) == 1:
                return exact[0].name
        return None
    onto = primer.ontology
    if onto is None:
        return None
    if not fandoms:
        return onto.canonical(clean, "character")
    return _abbreviated(name.strip(), fandoms, onto)


# FanFiction.net names a fandom's characters by given name and initial ("Harry P.", "Naruto
# U."), now and then the other way ("L. Luthor"), and joins a character's other names with
# slashes ("Clark K./Kal-El/Superman").
_GIVEN_INITIAL_RE = re.compile(r"^([A-Z][\w'’-]+) ([A-Z])\.$")
_INITIAL_GIVEN_RE = re.compile(r"^([A-Z])\. ([A-Z][\w'’-]+)$")


def _abbreviated(name: str, fandoms: list[str], onto: Ontology) -> str | None:
    """AO3's character for FanFiction.net's spelling of one: the one character of the work's
    franchises (else of all AO3) whose name has the word and, at its other end, a word of
    that initial (either order: "Naruto U." is Uzumaki Naruto)."""
    if "/" in name:
        found = {_abbreviated(part.strip(), fandoms, onto) for part in name.split("/")}
        found.discard(None)
        return found.pop() if len(found) == 1 else None
    given_first = _GIVEN_INITIAL_RE.match(name)
    if given_first:
        word, initial = given_first.group(1), given_first.group(2)
    elif m := _INITIAL_GIVEN_RE.match(name):
        initial, word = m.group(1), m.group(2)
    else:
        return None
    gaz = onto.gazetteer
    # A person's tags by the words of the name they show, in either order ("Ginny Weasley (One-
    # sided)", "Mei Terumi" beside "Terumi Mei").
    matches: dict[tuple[str, ...], list[int]] = {}
    for i in gaz.people(word):
        words = display_name(gaz.name(i)).split()
        if len(words) < 2:
            continue
        first, last = words[0], words[-1]
        if (first == word and last[:1] == initial) or (last == word and first[:1] == initial):
            matches.setdefault(tuple(sorted(words)), []).append(i)
    if given_first:
        # A given name names a person; a surname a family ("L. Luthor": Lex, Lena, Lionel…),
        # so only a surname no other character of that initial has is settled.
        franchises = {onto.fandom_franchise(f) or f for f in fandoms}
        at_home = {
            shown: ids for shown, ids in matches.items()
            if any(franchises & set(gaz.homes(i)) for i in ids)
        }  # fmt: skip
        matches = at_home or matches
    if len(matches) != 1:
        return None
    (ids,) = matches.values()
    # The tag AO3 uses most of those shown alike, not "Hermione Granger (established)".
    return gaz.name(max(ids, key=lambda i: (sum(gaz.fandoms(i).values()), -i)))


def resolve_relationship(text: str, fandoms: list[str], primer: Primer) -> str | None:
    separator = "&" if "&" in text and "/" not in text else "/"
    sides = [s for s in re.split(r"\s*[/&]\s*", text) if s.strip()]
    if len(sides) < 2:
        return None
    names = [resolve_character(s, fandoms, primer) for s in sides]
    if any(n is None for n in names):
        onto = primer.ontology
        return (
            onto.canonical_relationship(text, fandom=fandoms[0] if fandoms else None)
            if onto
            else None
        )
    return relationship_name([n for n in names if n], separator, fandoms, primer)


def relationship_name(
    names: list[str],
    separator: str,
    fandoms: list[str],
    primer: Primer,
    as_written: Container[str] = (),
) -> str:
    """AO3's tag for these characters if it knows one, else AO3-style "A/B" in name order.

    ``as_written``: names the story's cast could not place (original characters, unknown
    names).  AO3's tag is taken only if it names them as they are: "Julius/Malcolm" in a story
    of no known fandom is no ship of Star Trek's Malcolm Reed."""
    onto = primer.ontology
    if onto is not None:
        known = onto.canonical_relationship(
            separator.join(names), fandom=fandoms[0] if fandoms else None
        )
        kept = [n for n in names if n in as_written]
        if known and kept:
            sides = onto.relationship_characters(known)
            if sides is None or not set(kept) <= set(sides[1]):
                known = None
        if known:
            return known
    joiner = " & " if separator == "&" else "/"
    return joiner.join(sorted(names))


def canonicalise(doc: Document, primer: Primer) -> None:
    """Set ``canonical`` on every author tag that can be resolved."""
    author = [t for t in doc.tags if t.origin == TagOrigin.AUTHOR]
    fandoms = []
    for tag in author:
        if tag.type == TagType.FANDOM:
            tag.canonical = _fandom(tag.name, primer)
            if tag.canonical and tag.canonical not in fandoms:
                fandoms.append(tag.canonical)
    scope = tuple(fandoms)
    for tag in author:
        if tag.type != TagType.FANDOM:
            # Only names of characters depend on the fandoms (a freeform only when it is a
            # "VampWillow"); an answer that does not is remembered once for every work.
            named = tag.type in _NAMES or (
                tag.type == TagType.FREEFORM and _CHARACTER_TROPE_RE.match(tag.name.strip())
            )
            tag.canonical = _canonical_tag(tag.type, tag.name, scope if named else (), primer)


_NAMES = (TagType.CHARACTER, TagType.RELATIONSHIP)


@lru_cache(maxsize=20_000)
def _fandom(name: str, primer: Primer) -> str | None:
    return primer.fandom_named(name)


# Listing pages repeat the same few thousand tags across tens of thousands of works, and an
# ontology lookup costs ~50 µs: remembering answers made canonicalising 8x cheaper.
@lru_cache(maxsize=200_000)
def _canonical_tag(
    tag_type: TagType, name: str, fandoms: tuple[str, ...], primer: Primer
) -> str | None:
    key = name.strip().lower()
    if tag_type == TagType.CHARACTER:
        return resolve_character(name, list(fandoms), primer)
    if tag_type == TagType.RELATIONSHIP:
        return resolve_relationship(name, list(fandoms), primer)
    if tag_type == TagType.RATING:
        return RATINGS.get(key)
    if tag_type == TagType.WARNING:
        return WARNINGS.get(key)
    if tag_type == TagType.CATEGORY:
        return CATEGORIES.get(key)
    if tag_type == TagType.FREEFORM:
        return canonical_freeform(name, list(fandoms), primer)
    return None


def canonical_freeform(name: str, fandoms: list[str], primer: Primer) -> str | None:
    onto = primer.ontology
    if onto is None:
        return None
    found = onto.canonical(name, "freeform") or onto.canonical(name.replace("-", " "), "freeform")
    if found:
        return found
    match = _CHARACTER_TROPE_RE.match(name.strip())
    if match:  # "VampWillow", "dark!willow"
        character = resolve_character(match.group(2), fandoms, primer)
        if character:
            # AO3 files some of these ("Vampire Willow Rosenberg") under characters: any type.
            return onto.canonical(f"{_TROPE_WORDS[match.group(1).lower()]} {character}")
    return None
