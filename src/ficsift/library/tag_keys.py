"""Tag index keys: how a stored tag and a reader's tag filter meet.

A stored tag is indexed under one *key*: its canonical name (its name when the ontology could
not resolve it), case-folded, with a relationship's sides sorted so "Willow/Tara" and
"Tara/Willow" are one key.  A filter is expanded into the set of keys it should find, through
the ontology: the canonical tag, its synonyms and every sub-tag (filtering on ``Vampires``
finds ``Vampire Willow Rosenberg``), plus relationship spellings ("W/T") resolved by the
understanding stage's character names.  ``*`` makes a wildcard; on a relationship,
``Willow Rosenberg/*`` is any romantic relationship with Willow in it, whatever the order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from ficsift.model import TagType

if TYPE_CHECKING:
    from ficsift.understand.primer import Primer

# The understanding stage (character and relationship names, the primer, the ontology) is
# imported when a tag is first resolved, not with the library: a search without tag filters,
# and `ficsift --help`, never pay for it.

MAX_NAMESAKES = 12
_SPACE_RE = re.compile(r"\s+")
FIXED_TYPES = (TagType.RATING, TagType.WARNING, TagType.CATEGORY)


@cache
def fixed_vocabulary() -> dict[TagType, dict[str, str]]:
    """AO3's fixed tags (ratings, warnings, categories) by every spelling the primer knows."""
    from ficsift.understand.canonical import CATEGORIES, RATINGS, WARNINGS

    return {TagType.RATING: RATINGS, TagType.WARNING: WARNINGS, TagType.CATEGORY: CATEGORIES}


def ao3_rating_name(name: str) -> str:
    """A rating in AO3's words ("adult" is Explicit, "general" General Audiences): what the
    index keys and the facets show, whatever the source wrote (the document keeps that)."""
    return fixed_vocabulary()[TagType.RATING].get(normalise(name), name)


@cache
def fixed_names() -> frozenset[str]:
    """The fixed tags' own names, normalised ("major character death", "explicit")."""
    return frozenset(normalise(v) for vocab in fixed_vocabulary().values() for v in vocab.values())


LANGUAGES = {
    "en": "english", "eng": "english", "fr": "français", "french": "français",
    "de": "deutsch", "german": "deutsch", "es": "español", "spanish": "español",
    "zh": "中文-普通话 國語", "chinese": "中文-普通话 國語", "zh-cn": "中文-普通话 國語",
    "ja": "日本語", "japanese": "日本語", "ru": "русский", "russian": "русский",
    "it": "italiano", "italian": "italiano", "pt": "português brasileiro",
    "ko": "한국어", "korean": "한국어", "pl": "polski", "polish": "polski",
}  # fmt: skip


@lru_cache(maxsize=65536)  # tag names repeat across works: most calls are hits
def normalise(text: str) -> str:
    return _SPACE_RE.sub(" ", text.casefold()).strip()


_OPEN, _CLOSE = "([{", ")]}"


def relationship_sides(text: str) -> tuple[str, list[str]]:
    """``(separator, sides)``: split at ``/`` (romantic) or else ``&`` (platonic), never
    inside brackets — "Jadzia Dax/Worf (Star Trek:TNG/DS9)" has two sides, not three."""
    depth = 0
    marks: list[tuple[int, str]] = []
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and ch in "/&":
            marks.append((i, ch))
    separator = "/" if any(c == "/" for _, c in marks) else "&"
    sides, start = [], 0
    for i, ch in marks:
        if ch == separator:
            sides.append(text[start:i])
            start = i + 1
    sides.append(text[start:])
    return separator, [s.strip() for s in sides if s.strip()]


def is_relationship_text(text: str) -> bool:
    return len(relationship_sides(text)[1]) > 1 if ("/" in text or "&" in text) else False


def relationship_key(text: str) -> str:
    """Sides sorted, so order does not matter; ``/`` (romantic) stays apart from ``&``."""
    separator, sides = relationship_sides(text)
    return separator.join(sorted(normalise(s) for s in sides))


@lru_cache(maxsize=65536)
def tag_key(name: str, tag_type: TagType | str) -> str:
    """The key a stored tag is indexed under (give it the canonical name where known)."""
    if tag_type == TagType.RELATIONSHIP and is_relationship_text(name):
        return relationship_key(name)
    return normalise(name)


def language_key(language: str | None) -> str | None:
    """ "en", "English" and "english" are one language."""
    if not language:
        return None
    key = normalise(language)
    return LANGUAGES.get(key, key)


@dataclass(frozen=True, slots=True)
class KeyMatch:
    """What one tag filter finds: exact keys, or wildcard patterns.

    A stored key matches when it is in ``keys`` or matches every pattern of one entry of
    ``patterns`` (all of a relationship's named sides).  In a pattern ``*`` stands for any
    run of characters and every other character for itself; each backend says it in its
    own syntax (SQLite ``GLOB``, PostgreSQL ``LIKE``) and :meth:`hits` in Python.
    """

    keys: frozenset[str]
    patterns: tuple[tuple[str, ...], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.keys and not self.patterns

    def hits(self, key: str) -> bool:
        """Whether a stored key is one this filter finds."""
        if key in self.keys:
            return True
        return any(all(_wildcard(p).match(key) for p in group) for group in self.patterns)


@lru_cache(maxsize=1024)
def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")) + r"\Z", re.S)


class TagResolver:
    """Expands what a reader typed into index keys (cached: a page asks the same tags often)."""

    def __init__(self, primer: Primer | None = None) -> None:
        self._primer = primer

    @property
    def primer(self) -> Primer:
        if self._primer is None:
            from ficsift.understand.primer import load_primer

            self._primer = load_primer()
        return self._primer

    def match(self, text: str, tag_type: TagType | None, *, sub_tags: bool = True) -> KeyMatch:
        """Keys a filter finds.  ``sub_tags=False`` leaves out the meta tag's sub-tags, for an
        index that stores every tag's meta tags itself (``tag_index.inherited``)."""
        return self._match(text.strip(), tag_type, sub_tags)

    @lru_cache(maxsize=2048)  # noqa: B019 - resolvers live as long as the process
    def _match(self, text: str, tag_type: TagType | None, sub_tags: bool = True) -> KeyMatch:
        if not text:
            return KeyMatch(frozenset())
        if "*" in text:
            return self._wildcard(text, tag_type)
        if tag_type is None and normalise(text) in fixed_names():
            # "Major Character Death" is AO3's own fixed tag: no synonyms or sub-tags to look
            # up (and no primer or ontology to load for the commonest exclusion)
            return KeyMatch(frozenset({normalise(text)}))
        if tag_type in FIXED_TYPES:
            vocabulary = fixed_vocabulary()[tag_type]
            return KeyMatch(frozenset({normalise(vocabulary.get(normalise(text), text))}))
        names = self.spellings(text, tag_type, sub_tags=sub_tags)
        keys: set[str] = set()
        for name in names:
            if tag_type in (None, TagType.RELATIONSHIP) and is_relationship_text(name):
                keys.add(relationship_key(name))
            if tag_type != TagType.RELATIONSHIP or not is_relationship_text(name):
                keys.add(normalise(name))
        return KeyMatch(frozenset(keys))

    def spellings(self, text: str, tag_type: TagType | None, *, sub_tags: bool = True) -> set[str]:
        """The tag, its canonical, the canonical's synonyms and (``sub_tags``) every sub-tag."""
        from ficsift.understand.canonical import resolve_character, resolve_relationship

        names = {text}
        onto = self.primer.ontology
        if tag_type in (None, TagType.RELATIONSHIP) and is_relationship_text(text):
            resolved = resolve_relationship(text, [], self.primer)
            if resolved:
                names.add(resolved)
            else:
                names |= self._relationship_namesakes(text)
        if tag_type in (None, TagType.CHARACTER):
            character = resolve_character(text, [], self.primer)
            if character:
                names.add(character)
            elif tag_type == TagType.CHARACTER:
                # "Rose" without a fandom could be any Rose the primer knows: find them all.
                names |= self.character_namesakes(text)
        if tag_type == TagType.FANDOM:
            fandom = self.primer.fandom_named(text)
            if fandom:
                names.add(fandom)
        if onto is not None:
            kind = tag_type.value if tag_type and tag_type.value in _ONTOLOGY_KINDS else None
            canonical = onto.canonical(text, kind)  # type: ignore[arg-type]
            for name in [canonical] if canonical else []:
                names.add(name)
                names |= onto.synonyms(name)
                for sub in onto.sub_tags(name) if sub_tags else ():
                    names.add(sub)
        return names

    def character_namesakes(self, name: str) -> set[str]:
        """Every character a bare name may mean ("Rose", "Doctor" → "The Doctor", …)."""
        from ficsift.understand.canonical import resolve_character

        names = {name}
        for spelling in (name, f"the {name}"):
            resolved = resolve_character(spelling, [], self.primer)
            if resolved:
                names.add(resolved)
            names |= {c.name for c in self.primer.characters_named(spelling)[:MAX_NAMESAKES]}
        return names

    def side_names(self, side: str) -> list[str]:
        """Characters one side of a relationship typed by a reader may be ("Kira", "Jules"):
        the primer's and the ontology's, by any name they are known by."""
        side = side.strip()
        names = dict.fromkeys(sorted(self.character_namesakes(side) - {side}))
        onto = self.primer.ontology
        if onto is not None:
            canonical = onto.canonical(side, "character")
            if canonical:
                names[canonical] = None
            gazetteer = onto.gazetteer
            for form in dict.fromkeys((side, side.title())):
                for i in gazetteer.people(form):
                    names[gazetteer.name(i)] = None
        return list(names)

    def _relationship_namesakes(self, text: str) -> set[str]:
        """ "Doctor/Rose" with no fandom to settle it: every pairing of the sides' namesakes."""
        from ficsift.understand.canonical import relationship_name

        separator, sides = relationship_sides(text)
        if len(sides) != 2:
            return set()
        names: set[str] = set()
        for a in self.character_namesakes(sides[0]):
            for b in self.character_namesakes(sides[1]):
                names.add(f"{a}{separator}{b}")
                names.add(relationship_name([a, b], separator, [], self.primer))
        return names

    def _wildcard(self, text: str, tag_type: TagType | None) -> KeyMatch:
        from ficsift.understand.canonical import resolve_character

        if is_relationship_text(text) and tag_type in (None, TagType.RELATIONSHIP):
            separator, sides = relationship_sides(text)
            sides = [s for s in sides if s != "*"]
            patterns = [f"*{separator}*"]
            for side in sides:
                if "*" in side:  # "Will*": a name part, kept as the reader's own pattern
                    patterns.append("*" + "*".join(normalise(p) for p in side.split("*")) + "*")
                    continue
                canonical = resolve_character(side, [], self.primer) or side
                patterns.append(f"*{normalise(canonical)}*")
            return KeyMatch(frozenset(), (tuple(patterns),))
        pattern = "*".join(normalise(p) for p in text.split("*"))
        return KeyMatch(frozenset(), ((pattern,),))


_ONTOLOGY_KINDS = {"fandom", "character", "relationship", "freeform"}
