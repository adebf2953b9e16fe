"""What the reader's own library teaches: the fandoms its authors tagged, and who is in them.

Every work whose author tagged its fandom and characters says which names go with which
fandom.  :func:`learn` reads those tags from many works (AO3 listings a reader imported, a
downloaded collection) into primer entries, and :func:`with_learned` adds them to a primer, so
understanding places a story of a fandom the curated primer never heard of by the characters
the library's authors tagged there — and knows their usual partners, so a lead the story
only calls "he" is found beside the named one (:mod:`ficsift.understand.pronouns`).

Only a single-fandom work teaches which fandom a character belongs to (a crossover's tags do
not say which half each character is from); its relationship tags teach the partners.  A
character tagged on fewer than :data:`MIN_WORKS` works is known by its full name only, as the
ontology's links are: one work's minor character must not claim a common first name.

The caller passes the learned primer to :func:`ficsift.understand.infer.understand`::

    primer = with_learned(load_primer(), learn(tagged_works(docs)))
    understand(doc, primer)

``ficsift add`` does so with the counts its library keeps (:func:`learn_from_counts`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ficsift.model import Document, TagOrigin, TagType
from ficsift.understand.primer import (
    CharacterEntry,
    FandomEntry,
    Primer,
    _aliases,
    display_name,
)
from ficsift.understand.textops import TITLE_WORDS

MIN_WORKS = 2  # works a character needs before its first or last name alone is a name
MAX_PARTNERS = 4  # partners kept per character, most often tagged first
_SIDES_RE = re.compile(r"\s*/\s*")


@dataclass
class TaggedWork:
    """The author's tags of one work (canonical names where the reader has them)."""

    fandoms: list[str]
    characters: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)


def tagged_works(docs: Iterable[Document]) -> Iterable[TaggedWork]:
    """The author-tagged works among ``docs`` (inferred tags teach nothing)."""
    for doc in docs:
        own = [t for t in doc.tags if t.origin != TagOrigin.INFERRED]

        def names(kind: TagType, tags: list = own) -> list[str]:
            return [t.canonical or t.name for t in tags if t.type == kind]

        fandoms = names(TagType.FANDOM)
        if fandoms:
            yield TaggedWork(fandoms, names(TagType.CHARACTER), names(TagType.RELATIONSHIP))


def learn(works: Iterable[TaggedWork]) -> dict[str, FandomEntry]:
    """Fandom → the characters the library's single-fandom works tag there."""
    characters: Counter[tuple[str, str]] = Counter()
    ships: Counter[str] = Counter()
    for work in works:
        ships.update(work.relationships)
        fandoms = set(work.fandoms)
        if len(fandoms) == 1:
            fandom = next(iter(fandoms))
            characters.update((fandom, name) for name in set(work.characters))
    return learn_from_counts(((f, c, n) for (f, c), n in characters.items()), ships.items())


def learn_from_counts(
    characters: Iterable[tuple[str, str, int]], ships: Iterable[tuple[str, int]]
) -> dict[str, FandomEntry]:
    """:func:`learn` from counts a library keeps: (fandom, character, single-fandom works
    tagging it there), and (relationship, works tagging it)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for fandom, name, n in characters:
        if _is_person(name):
            counts[fandom][name] += n
    partners: dict[str, Counter[str]] = defaultdict(Counter)
    for rel, n in ships:
        sides = [s for s in _SIDES_RE.split(rel) if s] if "/" in rel else []
        for a in sides:
            for b in sides:
                if a != b:
                    partners[a][b] += n
    out: dict[str, FandomEntry] = {}
    for fandom, chars in sorted(counts.items()):
        entry = FandomEntry(fandom)
        for name, n in sorted(chars.items()):
            words = display_name(name).split()
            # "Twelfth Doctor", "The Master": called by the title ("the Doctor").
            titles = (words[-1],) if len(words) > 1 and words[-1] in TITLE_WORDS else ()
            entry.characters[name] = CharacterEntry(
                name,
                fandom,
                _aliases(name, parts=n >= MIN_WORKS),
                curated=n >= MIN_WORKS,
                partners=tuple(p for p, _ in partners[name].most_common(MAX_PARTNERS)),
                titles=titles if n >= MIN_WORKS else (),
            )
        out[fandom] = entry
    return out


def _is_person(name: str) -> bool:
    """A character tag that names one person ("Original Character(s)", "Everyone" do not)."""
    shown = display_name(name)
    return (
        bool(shown)
        and shown[:1].isupper()
        and "(s)" not in name
        and not shown.startswith(("Original ", "Everyone", "Reader", "You"))
    )


def with_learned(primer: Primer, learned: dict[str, FandomEntry]) -> Primer:
    """``primer`` with the library's fandoms and characters added (the curated entries win:
    a character the primer knows keeps its own names)."""
    fandoms = {name: entry for name, entry in primer.fandoms.items()}
    for fandom, entry in learned.items():
        known = primer.fandom_named(fandom)
        base = fandoms.get(known or fandom)
        if base is None:
            fandoms[fandom] = entry
            continue
        merged = FandomEntry(
            base.fandom, list(base.aliases), list(base.creators), list(base.terms),
            dict(base.characters),
        )  # fmt: skip
        for name, character in entry.characters.items():
            if name not in merged.characters:
                merged.characters[name] = CharacterEntry(
                    name, merged.fandom, character.aliases, character.curated,
                    character.partners, character.titles,
                )  # fmt: skip
        fandoms[merged.fandom] = merged
    return Primer(fandoms, primer.ontology)
