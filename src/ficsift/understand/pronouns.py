"""A lead the story calls "he" or "she" throughout and hardly names.

Many stories are told close to one lead who is named a handful of times, or never ("He
doesn't take her home straight away…").  Counted by name alone, that lead looks like a passing
character, and their scenes with the other lead are invisible.  A reader knows better: in a
Doctor Who story where Clara is the only person named and a "he" is with her on every page,
the "he" is the Doctor.

1. **Gender from the text**, from the unmistakable cases only: a named character's own gesture
   ("Clara shook her head", "Giles rubbed his eyes") or a reflexive ("found herself").  In a
   two-hander any looser reading ("the Doctor looked at her") picks up the other lead's pronoun.
2. **A lone named lead**: one character is named far more than anyone else, yet the story's
   paragraphs keep using third-person pronouns of a second person (the lead's other gender,
   or both genders heavily when the lead's is unknown).
3. **The partner**: the lead's known partner in canon (the primer's ``with:`` links, either
   way) takes those paragraphs: the one the story names most, or, if it names none, the first.
   A lead the primer does not know has no known partner; there the partner is a character
   AO3 calls by a title the story names ("The Doctor (Doctor Who)"), else the title the story
   gives someone ("the Doctor", "The Captain nodded": a rank or form of address, capitalised
   after "the" or "The"), the one it uses most, if it uses any.

The credited paragraphs go to :attr:`CastMember.implied`; they count as the scenes the
character is in (relationships) and, at a discount, towards prominence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection

from ficsift.understand.primer import Primer, display_name
from ficsift.understand.story import CastMember, StoryText
from ficsift.understand.textops import TITLE_WORDS, lower_aligned

_TITLED_NAME_RE = re.compile(r"The [A-Z][a-z]+")
_TITLE_RE = re.compile(r"(?<![\w'’])[Tt]he ([A-Z][a-z]+)(?![\w'’-])")
_PRONOUN_RE = re.compile(r"\b(?:(he|him|his|himself)|(she|her|hers|herself))\b", re.I)
# Gestures a person makes with their own body: "shook her head", "cleared his throat".  Not
# "pressed his hand", "covered his mouth", "ran her fingers through his hair" or "bit his lip",
# which as often touch somebody else — the other lead, whose pronoun that is.
_OWN_BODY = (
    r"(?:shook|shakes|shaking)\s+(?P<p1>his|her)\s+head"
    r"|(?:rolled|rolls|rolling|narrowed|narrows|closed|closes|rubbed|rubs|blinked)\s+"
    r"(?P<p2>his|her)\s+eyes"
    r"|(?:cleared|clears|clearing)\s+(?P<p3>his|her)\s+throat"
    r"|(?:pursed|purses)\s+(?P<p4>his|her)\s+lips"
    r"|(?:crossed|crosses|folded|folds)\s+(?P<p5>his|her)\s+arms"
    r"|(?:squared|squares|shrugged|shrugs|hunched|hunches)\s+(?P<p6>his|her)\s+shoulders"
    r"|(?:tilted|tilts|cocked|cocks|bowed|bows|ducked|ducks|hung|hangs|scratched|scratches)\s+"
    r"(?P<p7>his|her)\s+head"
    r"|(?:scratched|scratches|rubbed|rubs)\s+(?P<p8>his|her)\s+(?:chin|jaw|nose|temples|forehead)"
    r"|(?:pushed|pushes|straightened|straightens|adjusted|adjusts)\s+(?P<p9>his|her)\s+glasses"
)
# Matched against the lower-cased text (textops.lower_aligned): a case-sensitive match is
# 2.4x faster than re.I, and it runs after every mention of the story's leads.
_GESTURE_RE = re.compile(
    rf"(?:'s)?\s+(?:\w+ly\s+)?(?:{_OWN_BODY})\b"
    r"|\s+(?:\w+\s+){1,3}?(?P<r>himself|herself)\b"
)
_GESTURE_GROUPS = ("p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "r")
# Titles only a man or only a woman holds, by the gender of the lead whose partner they cannot be.
_TITLE_GENDER = {
    "m": frozenset(
        ["Count", "Duke", "Baron", "Marquis", "Earl", "Prince", "King", "Emperor", "Lord", "Sir",
         "Father", "Brother", "Uncle", "Mister", "Master", "Herr", "Monsieur"]
    ),
    "f": frozenset(
        ["Countess", "Duchess", "Baroness", "Princess", "Queen", "Empress", "Lady", "Dame",
         "Sister", "Aunt", "Frau", "Fraulein", "Fräulein", "Madame", "Mademoiselle"]
    ),
}  # fmt: skip
VOTE_MARGIN = 2.0  # one gender's votes must outnumber the other's this many times
LONE_LEAD_SHARE = 0.35  # nobody else is named this often relative to the lead
PRONOUN_SHARE = 0.2  # share of the paragraphs using the second person's pronouns
MIN_PRONOUN_PARAGRAPHS = 4


def read_genders(text: str, members: list[CastMember]) -> None:
    """Set ``gender`` where the story says it unmistakably."""
    low = lower_aligned(text)
    for m in members:
        votes: Counter[str] = Counter()
        for _, end in m.mentions:
            match = _GESTURE_RE.match(low, end, min(len(low), end + 60))
            if match:
                pronoun = next(match.group(g) for g in _GESTURE_GROUPS if match.group(g))
                votes["m" if pronoun in {"his", "himself"} else "f"] += 1
        male, female = votes["m"], votes["f"]
        if male and male >= VOTE_MARGIN * female:
            m.gender = "m"
        elif female and female >= VOTE_MARGIN * male:
            m.gender = "f"


def credit_unnamed_lead(
    story: StoryText,
    members: list[CastMember],
    primer: Primer,
    shipped_with: Callable[[str], Collection[str]] | None = None,
) -> CastMember | None:
    """Find the hardly-named lead beside a lone named one; returns it (added to ``members``).
    ``shipped_with`` gives the characters AO3 pairs a character with (none if not given)."""
    named = sorted((m for m in members if m.mentions), key=lambda m: -m.count)
    if not named:
        return None
    text = story.text
    read_genders(text, named[:8])
    lead = named[0]
    members_by_title: list[CastMember] = []
    known = not lead.original and lead.fandom in primer.fandoms
    if known:
        partners = _partners_of(lead.name, primer)
    else:
        # A character the primer does not know, whom AO3 ships with someone the story names
        # ("Jenny Calendar/Rupert Giles"), as the primer's partner would be: unless the story
        # names somebody else more (AO3's ships of a character are seldom all in the ontology).
        shipped = shipped_with(lead.name) if shipped_with and not lead.original else ()
        most = max((m.count for m in named[1:]), default=0)
        partners = [m.name for m in named[1:] if m.name in shipped and m.count == most]
    if not partners and not known:
        # No partner known, but a title — a character AO3 calls so ("The Doctor (Doctor
        # Who)") or, failing one, the title itself; not one of the lead's own gender ("the
        # Master" is not the "she" beside a "he").
        own = _TITLE_GENDER.get(lead.gender or "", frozenset())
        titled = [
            m
            for m in named[1:]
            if _TITLED_NAME_RE.fullmatch(name := display_name(m.name)) and name[4:] not in own
        ]
        taken = {w for m in members for w in m.name.split()} | own
        title = None if titled else _title_used(text, taken)
        partners = [max(titled, key=lambda m: m.count).name] if titled else []
        partners += [title.name] if title else []
        members_by_title = [title] if title else []
    second = named[1].count / lead.count if len(named) > 1 else 0.0
    if second >= LONE_LEAD_SHARE and (
        named[1].name not in partners or second >= 2 * LONE_LEAD_SHARE
    ):
        return None  # a second lead is named often enough to be found by name
    if not partners:
        return None
    by_name = {m.name: m for m in members}
    present = [by_name[p] for p in partners if p in by_name]
    candidates = [m for m in present if m.gender is None or m.gender != lead.gender]
    if present and not candidates:
        return None
    paragraphs: dict[str, set[int]] = {"m": set(), "f": set()}
    for match in _PRONOUN_RE.finditer(text):
        paragraphs["m" if match.group(1) else "f"].add(story.paragraph_at(match.start()))
    n_paras = len(story.paragraph_starts)
    need = max(MIN_PRONOUN_PARAGRAPHS, PRONOUN_SHARE * n_paras)
    if lead.gender:
        other = "f" if lead.gender == "m" else "m"
        if len(paragraphs[other]) < need:
            return None
        theirs = paragraphs[other]
    else:
        if min(len(paragraphs["m"]), len(paragraphs["f"])) < need:
            return None
        theirs = paragraphs["m"] | paragraphs["f"]
    if candidates:
        chosen = max(candidates, key=lambda m: m.count)
    elif members_by_title:
        chosen = members_by_title[0]
        members.append(chosen)
    else:
        entry = next(
            (c for e in primer.fandoms.values() for c in e.characters.values()
             if c.name == partners[0] and c.fandom == lead.fandom),
            None,
        )  # fmt: skip
        if entry is None:
            return None
        chosen = CastMember(name=entry.name, fandom=entry.fandom)
        members.append(chosen)
    chosen.implied = sorted(theirs)
    return chosen


def _title_used(text: str, taken: set[str]) -> CastMember | None:
    """The title the story calls someone by most ("the Doctor"), as an unplaced character."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for match in _TITLE_RE.finditer(text):
        word = match.group(1)
        if word in TITLE_WORDS and word not in taken:
            spans.setdefault(word, []).append((match.start(1), match.end(1)))
    if not spans:
        return None
    word = max(spans, key=lambda w: (len(spans[w]), w))
    return CastMember(name=f"The {word}", fandom=None, mentions=spans[word], original=True)


def _partners_of(name: str, primer: Primer) -> list[str]:
    """Characters the primer links with ``name``, either way ("with:"), in primer order."""
    found: list[str] = []
    for entry in primer.fandoms.values():
        for c in entry.characters.values():
            if c.name == name:
                found.extend(p for p in c.partners if p not in found)
            elif name in c.partners and c.name not in found:
                found.append(c.name)
    return found
