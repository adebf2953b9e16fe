"""What the author's notes, summary and disclaimer say in tag shorthand.

Authors name the ship and the premise around the story: "VampWillow", "dark!Willow", "W/T",
"Willow/Tara", "AU where Tara lives".  Each is read against the story's cast and through AO3's
synonyms (the ontology) to a canonical tag, with the note as its evidence:

* a character's state ("VampWillow", "vamp!Tara", "Dark Willow") → ``Vampire Willow Rosenberg``
  (AO3's tag, or one in AO3's pattern for a state AO3 tags for many characters;
  :func:`ficsift.understand.tropes.character_tag`);
* a ship ("W/T", "Willow/Tara"): each side a name or an initial of exactly one character the
  story itself casts → the relationship AO3 spells for them ("H/C" or "A/N" name nobody);
* "AU", "alternate universe" → AO3's ``Alternate Universe``.

Only what the story's own cast supports is kept: a note's shorthand is evidence about *this*
story's characters, not a reason to invent others.  Evidence from a note has no offsets in
the story text (``start == end == -1``); its text is the note's words around the shorthand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ficsift.model import Evidence
from ficsift.understand.primer import display_name, fold
from ficsift.understand.story import CastMember, StoryText

_STATE_WORDS = {"vamp": "Vampire", "vampire": "Vampire", "dark": "Dark", "evil": "Evil",
                "human": "Human", "demon": "Demon", "ghost": "Ghost", "werewolf": "Werewolf",
                "hurt": "Hurt"}  # fmt: skip
# "VampWillow", "vamp!willow", "Dark Willow": the state word in any case, then the name.
_STATE_RE = re.compile(
    rf"\b(?i:({'|'.join(_STATE_WORDS)}))(?:!|[ _-]+|(?=[A-Z]))([A-Za-z][a-z]+)\b"
)
# "W/T", "Willow/Tara", "Willow Rosenberg/Tara Maclay" (a second word is a name's: "T AU" is not)
_SIDE = r"[A-Z][\w'’-]*(?: [A-Z][a-z][\w'’-]*)?"
_SHIP_RE = re.compile(rf"(?<![\w/])({_SIDE})\s*/\s*({_SIDE})(?![\w/])")
_AU_RE = re.compile(r"\b(?:AU|A\.U\.|[Aa]lternat(?:e|ive) [Uu]niverse)\b")
EXCERPT = 100  # characters of the note either side of the shorthand, as evidence


@dataclass
class NoteReading:
    states: list[tuple[str, CastMember, Evidence]] = field(default_factory=list)  # (prefix, …)
    ships: list[tuple[tuple[CastMember, CastMember], Evidence]] = field(default_factory=list)
    alternate_universe: Evidence | None = None


def read_notes(story: StoryText, cast: list[CastMember]) -> NoteReading:
    """The shorthand of ``story``'s notes, summary and disclaimer, for the characters of
    ``cast`` (the story's own, canon ones)."""
    reading = NoteReading()
    known = [m for m in cast if not m.original]
    if not known:
        return reading
    for note in story.around:
        for m in _STATE_RE.finditer(note):
            who = _member(m.group(2), known)
            if who is not None:
                prefix = _STATE_WORDS[m.group(1).lower()]
                reading.states.append((prefix, who, _evidence(note, m, f"{prefix} {who.name}")))
        for m in _SHIP_RE.finditer(note):
            a, b = _member(m.group(1), known), _member(m.group(2), known)
            if a is not None and b is not None and a is not b:
                reading.ships.append(((a, b), _evidence(note, m, f"{a.name}/{b.name}")))
        au = _AU_RE.search(note)
        if au and reading.alternate_universe is None:
            reading.alternate_universe = _evidence(note, au, "Alternate Universe")
    return reading


def _member(written: str, cast: list[CastMember]) -> CastMember | None:
    """The one cast member ``written`` names: a full name, a given name or surname, or (one
    letter) the only cast member whose name starts with it."""
    key = fold(written)
    if len(key) == 1:
        found = [m for m in cast if fold(display_name(m.name))[:1] == key]
    else:
        found = [
            m
            for m in cast
            if key == fold(display_name(m.name))
            or key in {fold(p) for p in display_name(m.name).split()}
        ]
    return found[0] if len(found) == 1 else None


def _evidence(note: str, m: re.Match[str], tag: str) -> Evidence:
    lo, hi = max(0, m.start() - EXCERPT), min(len(note), m.end() + EXCERPT)
    return Evidence(
        start=-1,
        end=-1,
        text=" ".join(note[lo:hi].split()),
        chapter=None,
        reason=f"author's note: “{m.group(0)}” → {tag}",
    )
