"""The fandom primer: which characters (and what they are called) belong to which fandom.

Two sources, merged: the curated ``data/fandom_primer.yaml`` (main and recurring characters of
popular fandoms, the names stories use for them, distinctive terms, the creators disclaimers
credit) and the compiled AO3 ontology's character ↔ fandom links (learnt from AO3 listings
and ship data).  The primer is loaded once per process.

Lookups are by *alias as written* (case-sensitive: names are capitalised in prose) and by
folded key (case- and punctuation-insensitive) for author tags such as ``c:hurt!giles``.
"""

from __future__ import annotations

import pickle
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ficsift.ontology import Ontology, load_ontology

PRIMER_FILE = "fandom_primer.yaml"
ONTOLOGY_MIN_LINKS = 2  # a character seen with a fandom in fewer AO3 works is noise
ONTOLOGY_MIN_SHARE = 0.01  # … or in under 1% of the works of the fandom's best-linked character
# Name parts that are titles, articles or suffixes, never a name on their own.
_NOT_NAME_PARTS = frozenset(
    str.split(
        "The A An Mr Mr. Mrs Mrs. Ms Ms. Miss Dr Dr. Doctor Sir Lady Lord Captain Professor Inspector "
        "Count Countess Duke Duchess King Queen Prince Princess General Colonel Major Admiral Chief "
        "Father Mother Sister Brother Uncle Aunt Jr Jr. Sr Sr. II III IV V VI of "
        # everyday words that are parts of some characters' names ("All Might", "The First Evil")
        "All Might First Evil Strange Loss God Good Bad Dark Little Big Red Fall Long Young"
    )
)
_DISAMBIGUATOR_RE = re.compile(r"\s*\([^)]*\)\s*$")


def fold(name: str) -> str:
    """A spelling key: lower case, letters and digits only ("Hurt!Giles" → "hurtgiles")."""
    return re.sub(r"[\W_]+", "", name.casefold())


def display_name(canonical: str) -> str:
    """ "Spike (BtVS)" → "Spike": how the story itself would write the name."""
    return _DISAMBIGUATOR_RE.sub("", canonical.split(" | ")[0]).strip()


@dataclass(frozen=True, slots=True)
class CharacterEntry:
    name: str  # AO3 canonical character tag
    fandom: str
    aliases: tuple[str, ...]
    curated: bool = True  # from the primer file (False: learnt from the ontology's AO3 links)
    partners: tuple[str, ...] = ()  # characters this one usually appears beside ("with:")
    titles: tuple[str, ...] = ()  # what others call them to their face ("Doctor"): see Primer
    listed: tuple[str, ...] = ()  # the aliases the primer lists itself (not name parts)


@dataclass(slots=True)
class FandomEntry:
    fandom: str
    aliases: list[str] = field(default_factory=list)
    creators: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    characters: dict[str, CharacterEntry] = field(default_factory=dict)


class Primer:
    def __init__(self, fandoms: dict[str, FandomEntry], ontology: Ontology | None) -> None:
        self.fandoms = fandoms
        self.ontology = ontology
        self.by_alias: dict[str, list[CharacterEntry]] = defaultdict(list)
        # A bare title ("Doctor") names a character only once the fandom is known: it is no
        # evidence of the fandom, and before a name ("Doctor Watson") it is someone's title.
        self.by_title: dict[str, list[CharacterEntry]] = defaultdict(list)
        self._by_key: dict[str, list[CharacterEntry]] = defaultdict(list)
        self._fandom_keys: dict[str, str] = {}
        for entry in fandoms.values():
            for key in {fold(entry.fandom), *(fold(a) for a in entry.aliases)}:
                self._fandom_keys.setdefault(key, entry.fandom)
            # A name part ("Mittermeyer" of Evangelin Mittermeyer) that another character of
            # the fandom is listed by (Wolfgang's "Mittermeyer") is that character's name.
            listed = {a for c in entry.characters.values() for a in c.listed}
            for character in entry.characters.values():
                for alias in character.aliases:
                    if alias in listed and alias not in character.listed:
                        continue
                    self.by_alias[alias].append(character)
                for title in character.titles:
                    self.by_title[title].append(character)
                for key in {fold(character.name), *(fold(a) for a in character.aliases)}:
                    self._by_key[key].append(character)

    def fandom_named(self, name: str) -> str | None:
        """The fandom a tag or disclaimer names ("btvs", "doctor-who", "Buffy")."""
        hit = self._fandom_keys.get(fold(name))
        if hit:
            return hit
        if self.ontology is not None:
            canonical = self.ontology.canonical(name.replace("-", " "), "fandom")
            if canonical:
                return self._fandom_keys.get(fold(canonical), canonical)
        return None

    def characters_named(self, name: str, fandoms: list[str] | None = None) -> list[CharacterEntry]:
        """Characters a name may mean, within ``fandoms`` when given (case-insensitive)."""
        found = self._by_key.get(fold(name), [])
        if fandoms:
            found = [c for c in found if c.fandom in fandoms]
        unique: dict[str, CharacterEntry] = {}
        for c in found:
            unique.setdefault(c.name, c)
        return list(unique.values())


def _aliases(
    name: str, extra: list[str] | tuple[str, ...] = (), *, parts: bool = True
) -> tuple[str, ...]:
    """The names a story may use: the shown name, ``extra``, and (``parts``) the first and last
    name ("Rupert Giles" → "Rupert", "Giles"), never a title or suffix ("Mrs.", "III")."""
    names = set(extra)
    for shown in {s.strip() for s in display_name_variants(name)}:
        if " " in shown or shown not in _NOT_NAME_PARTS:
            names.add(shown)
        words = [p for p in shown.split() if p[:1].isupper() and len(p) > 1]
        words = [p for p in words if p not in _NOT_NAME_PARTS]
        if parts and len(words) >= 2:
            names.add(words[0])
            names.add(words[-1])
    return tuple(sorted(a for a in names if a and (len(a) > 1 or not a.isascii())))


def display_name_variants(canonical: str) -> list[str]:
    """Every spelling a canonical tag joins with " | " ("Wei Ying | Wei Wuxian"), unbracketed."""
    return [_DISAMBIGUATOR_RE.sub("", part).strip() for part in canonical.split(" | ")]


def parse_primer(data: dict[str, Any]) -> dict[str, FandomEntry]:
    fandoms: dict[str, FandomEntry] = {}
    for raw in data.get("fandoms") or []:
        entry = FandomEntry(
            fandom=str(raw["fandom"]),
            aliases=[str(a) for a in raw.get("aliases") or []],
            creators=[str(a) for a in raw.get("creators") or []],
            terms=[str(a) for a in raw.get("terms") or []],
        )
        for ch in raw.get("characters") or []:
            name = str(ch["name"])
            listed = [str(a) for a in ch.get("aliases") or []]
            entry.characters[name] = CharacterEntry(
                name,
                entry.fandom,
                _aliases(name, listed, parts=ch.get("parts", True)),
                partners=tuple(str(a) for a in ch.get("with") or []),
                titles=tuple(str(a) for a in ch.get("titles") or []),
                listed=tuple(listed),
            )
        fandoms[entry.fandom] = entry
    return fandoms


def add_ontology_links(fandoms: dict[str, FandomEntry], ontology: Ontology) -> None:
    """Characters AO3 data links to a primer fandom, known by their full names only.

    The links are learnt from listings and ship data and carry noise (a character from a
    crossover, "Original Characters"), so a linked character needs a fair share of the
    fandom's links, and only its multi-word names are matched: a bare "Julian" or "Alice"
    from a link must not pull a story into another fandom.
    """
    for entry in fandoms.values():
        links = ontology.characters_of_fandom(entry.fandom)
        floor = max(ONTOLOGY_MIN_LINKS, ONTOLOGY_MIN_SHARE * max(links.values(), default=0))
        shown = {display_name(c) for c in entry.characters}
        terms = {t.casefold() for t in entry.terms}
        for name, count in links.items():
            if count < floor or name in entry.characters or display_name(name) in shown:
                continue
            if not name[:1].isupper() or name.startswith("Original ") or "(s)" in name:
                continue
            if " " not in display_name(name) and len(display_name(name)) < 3:
                continue
            aliases = [
                a
                for a in ontology.character_aliases(name)
                if a[:1].isupper() and " " in a.strip() and not _is_term(a, terms)
            ]
            if _is_term(name, terms):
                continue  # "The TARDIS": a thing of the canon that AO3 also lets be a character
            entry.characters[name] = CharacterEntry(
                name, entry.fandom, _aliases(name, aliases, parts=False), curated=False
            )


def _is_term(name: str, terms: set[str]) -> bool:
    shown = display_name(name).casefold()
    return shown in terms or shown.removeprefix("the ") in terms


@cache
def load_primer(path: str | None = None) -> Primer:
    """The primer file (default: the packaged one) with the ontology's links, once per process.

    Building the packaged one (the YAML, the ontology's character links, the indexes) takes
    ~0.5 s, which a one-shot ``ficsift search tag:…`` must not pay: it is kept built in the
    derived cache (:mod:`ficsift.derived_cache`), keyed on the primer file, the ontology data
    and the code that builds it, and built here whenever the cache has none to give.
    """
    if path is not None:
        return build_primer(Path(path).read_bytes(), load_ontology())
    data = resources.files("ficsift.understand").joinpath("data", PRIMER_FILE).read_bytes()
    ontology = load_ontology()
    from ficsift import derived_cache
    from ficsift.ontology._image import packaged_fingerprint

    key = derived_cache.make_key(
        "primer", data, packaged_fingerprint(), derived_cache.sources(*_PRIMER_SOURCES)
    )
    cached = derived_cache.read(PRIMER_CACHE, key)
    if cached is not None:
        try:
            return _restored(cached, ontology)
        except Exception:
            pass
    primer = build_primer(data, ontology)
    if derived_cache.writable():
        derived_cache.write(PRIMER_CACHE, key, _cache_state(primer))
    return primer


PRIMER_CACHE = "primer"
# The modules whose code decides what a built primer holds (part of its cache key).
_PRIMER_SOURCES = (
    "ficsift.understand.primer",
    "ficsift.ontology.ontology",
    "ficsift.ontology._names",
    "ficsift.ontology._resolve",
    "ficsift.ontology._store",
)


def build_primer(data: bytes, ontology: Ontology) -> Primer:
    import yaml  # only to build one: a cached primer is read without it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    fandoms = parse_primer(yaml.load(data.decode("utf-8"), Loader=loader))
    add_ontology_links(fandoms, ontology)
    return Primer(fandoms, ontology)


def _cache_state(primer: Primer) -> bytes:
    """A built primer without its ontology (loaded on its own), pickled."""
    state = {k: v for k, v in vars(primer).items() if k != "ontology"}
    return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


def _restored(blob: memoryview, ontology: Ontology) -> Primer:
    state = pickle.loads(blob)
    primer = Primer({}, ontology)  # empty: its fields are the ones a cached state must have
    if not isinstance(state, dict) or set(state) != set(vars(primer)) - {"ontology"}:
        raise ValueError("a cached primer of another shape")
    vars(primer).update(state)
    return primer
