"""Relationships as readers write them: ``Odo/Kira``, ``Dax/Worf``, ``Bashir/O'Brien``.

A reader types each side by whatever name comes to mind — a given name, a surname, a
nickname — in either order; the library holds the canonical tag (``Kira Nerys/Odo``,
``Jadzia Dax/Worf``, ``Julian Bashir/Miles O'Brien``).  Each typed side stands for the names
it may be: itself, and the characters the ontology and the primer know by it ("Jules" may be
Julian Bashir).  A relationship tag of the library matches when it has as many sides, each
side taken by a different typed side whose name's words are all words of it ("Kira" ⊆
"Kira Nerys"; "Miles O'Brien" ⊆ "Miles O'Brien"), in any order, with the same separator
(``/`` romantic, ``&`` platonic).

Nothing is keyed to particular names, and ambiguity settles itself on the library's own
tags: a side "Dax" may be any Dax, but only tags in which some Dax is paired with some Worf
are found (Jadzia Dax/Worf, Ezri Dax/Worf: every ship both sides name).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import permutations

from ficsift.library.tag_keys import TagResolver, relationship_sides

MAX_NAMES = 40  # names one typed side may stand for (a bare given name can be hundreds)
_WORD_RE = re.compile(r"\w+(?:'\w+)*")
_QUALIFIER_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")  # "Odo (Star Trek)", "Kira/Odo (past)"


def name_words(name: str) -> frozenset[str]:
    """A name's words, case-folded, without qualifiers in brackets; ’ read as '."""
    plain = _QUALIFIER_RE.sub(" ", name.replace("’", "'").casefold())
    return frozenset(_WORD_RE.findall(plain))


def _sides(text: str) -> list[str]:
    return relationship_sides(text)[1]


def _separator(text: str) -> str:
    return relationship_sides(text)[0]


def side_names(side: str, resolver: TagResolver) -> list[frozenset[str]]:
    """The word sets one typed side may stand for: itself first, then the characters the
    ontology and the primer know by that name (nicknames, other spellings)."""
    out: dict[frozenset[str], None] = {}
    typed = name_words(side)
    if typed:
        out[typed] = None
    for name in resolver.side_names(side)[:MAX_NAMES]:
        words = name_words(name)
        if words:
            out.setdefault(words, None)
    return list(out)


def fits(typed: list[list[frozenset[str]]], sides: list[frozenset[str]]) -> bool:
    """Each tag side taken by a different typed side, one of whose names it contains."""
    if len(typed) != len(sides):
        return False
    return any(
        all(any(names <= side for names in typed[i]) for i, side in zip(order, sides, strict=True))
        for order in permutations(range(len(typed)))
    )


@dataclass(frozen=True, slots=True)
class ShipSides:
    """A relationship as a reader wrote it ("Odo/Kira"), ready to find the library's tags:
    each side's possible names, and for each side words one of which a tag must contain
    (what the backend narrows its relationship names by, before :func:`ship_keys`)."""

    text: str
    typed: list[list[frozenset[str]]]
    words: list[list[str]]


def ship_sides(text: str, resolver: TagResolver) -> ShipSides | None:
    sides = _sides(text)
    if len(sides) < 2 or len(sides) > 4:
        return None
    typed = [side_names(s, resolver) for s in sides]
    if any(not names for names in typed):
        return None
    words = [sorted({max(sorted(n), key=len) for n in names}) for names in typed]
    return ShipSides(text, typed, words)


def ship_keys(ship: ShipSides, candidates: Iterable[tuple[str, str]]) -> frozenset[str]:
    """The keys of the candidate relationship tags (key, display) that the ship names, each
    checked side by side (the backend's narrowing only found a word of every side)."""
    separator = _separator(ship.text)
    found = set()
    for key, display in candidates:
        if _separator(key) != separator:
            continue
        if fits(ship.typed, [name_words(s) for s in _sides(display)]):
            found.add(key)
    return frozenset(found)
