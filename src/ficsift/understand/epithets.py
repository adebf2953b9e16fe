"""Who "the vampire" is: the epithets narration uses for a named character.

Narration often calls a character by what they are rather than by name — "the vampire", "the
red-headed vampire", "the other vampire", "the Slayer", "the Watcher".  A reader takes each to
mean a character named shortly before, and so does this module:

1. **An epithet right before a name** ("the vampire Spike") is that name, already counted.
2. **The same epithet again** ("the red-headed vampire" twice) means the same character.
3. **"The other X"** is the most recently named character that the story's plain "the X"
   does not mean (without a plain "the X" yet: the second most recent).
4. **A plain "the X"** keeps meaning the character it first meant while that character is
   still about (named within :data:`STILL_ABOUT` characters); otherwise, and the first time,
   it is the character named most recently (within :data:`RECENT` characters before it).

A character whose gender the story shows (``pronouns.read_genders``) is never the referent
of an epithet of the other gender ("the witch", "the warlock").  The state tags of
:mod:`ficsift.understand.tropes` read "the vampire" as an outright naming of the state
(``Vampire X``) for the character it resolves to, and every resolved epithet as a mention
when deciding whom a cue word is about.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ficsift.understand.story import CastMember

# What narration calls a character instead of the name, and the gender a noun implies.
NOUNS: dict[str, str | None] = {
    "vampire": None, "vamp": None, "slayer": None, "watcher": None, "witch": None,
    "warlock": "m", "sorceress": "f", "demon": None, "werewolf": None, "ghost": None,
    "human": None, "mortal": None, "redhead": None, "blonde": "f", "brunette": "f",
    "android": None, "robot": None, "angel": None,
}  # fmt: skip
RECENT = 1200  # characters before an epithet in which its referent must have been named
STILL_ABOUT = 4000  # a plain "the X" keeps its referent while named this recently
# "the" (or "the other"), at most two modifiers ("red-headed", "tall blonde"), the noun; a
# plural or a compound ("the vampire hunter", "the witch's") is not a person's epithet.
# (The word boundary is looked behind after "the", so the scan leads with a literal: 3x faster.)
_EPITHET_RE = re.compile(
    r"the(?<!\wthe)\s+(?:(other)\s+)?((?:[a-z]+(?:-[a-z]+)?\s+){0,2}?)"
    rf"({'|'.join(sorted(NOUNS, key=len, reverse=True))})\b(?!['’]s\b|-| (?:hunter|slayer)s?\b)"
)
_MODIFIER_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "by",
        "from",
        "as",
        "was",
        "were",
        "is",
        "are",
        "had",
        "has",
        "have",
        "be",
        "been",
        "his",
        "her",
        "their",
        "its",
        "my",
        "your",
        "our",
        "that",
        "this",
        "those",
        "these",
        "who",
        "which",
        "what",
        "when",
        "where",
    ]
)
_NAME_NEXT_RE = re.compile(r"\s+[A-Z]")


@dataclass(frozen=True, slots=True)
class Epithet:
    start: int
    end: int
    noun: str
    member: int  # index into the members list


def resolve_epithets(text: str, low: str, members: list[CastMember]) -> list[Epithet]:
    """Epithets of ``text`` (``low`` is it lower-cased, offsets aligned) and the member each
    stands for; epithets that fit no one are left out."""
    mentions = sorted((s, i) for i, m in enumerate(members) for s, _ in m.mentions)
    if not mentions or not any(n in low for n in NOUNS):
        return []
    starts = [s for s, _ in mentions]
    by_phrase: dict[str, int] = {}
    plain: dict[str, int] = {}  # noun -> the member a plain "the X" means
    out: list[Epithet] = []
    for m in _EPITHET_RE.finditer(low):
        other, modifiers, noun = m.group(1), m.group(2).split(), m.group(3)
        if any(w in _MODIFIER_STOP for w in modifiers):
            continue  # "the man who was a vampire": not an epithet
        if _NAME_NEXT_RE.match(text, m.end()):
            continue  # "the vampire Spike": the name itself is the mention
        start, end = m.start(), m.end()
        k = bisect.bisect_left(starts, start)
        recent: list[int] = []  # members by their last mention before the epithet, latest first
        last_seen: dict[int, int] = {}
        for j in range(k - 1, -1, -1):
            s, i = mentions[j]
            if start - s > STILL_ABOUT:
                break
            if i not in last_seen:
                last_seen[i] = s
                if start - s <= RECENT and _fits(members[i], noun):
                    recent.append(i)
        phrase = " ".join([*(modifiers if not other else ["other", *modifiers]), noun])
        if phrase in by_phrase and by_phrase[phrase] in last_seen:
            who: int | None = by_phrase[phrase]
        elif other:
            mine = plain.get(noun)
            rest = [i for i in recent if i != mine]
            who = (
                rest[0] if (mine is not None and rest) else (recent[1] if len(recent) > 1 else None)
            )
        elif noun in plain and plain[noun] in last_seen:
            who = plain[noun]
        else:
            who = recent[0] if recent else None
        if who is None:
            continue
        by_phrase.setdefault(phrase, who)
        if not other:
            plain.setdefault(noun, who)
        out.append(Epithet(start, end, noun, who))
    return out


def _fits(member: CastMember, noun: str) -> bool:
    gender = NOUNS.get(noun)
    return gender is None or member.gender is None or member.gender == gender
