"""Build-time only: the source records, the tag registry, fandoms and characters.

Used by ``scripts/build_ontology.py``; nothing here runs when the ontology is loaded.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ficsift.ontology import _names as N

META_FANDOMS = frozenset({"multi-fandom", "multifandom", "multi fandom"})
MIN_OPENING = 5  # a disambiguator read as the opening of a fandom's title: "Valdemar", not "Leon"
_PREFIX_SEPS = re.compile(r":\s| \(| - | & ")


@dataclass(frozen=True)
class Work:
    """The tags of one AO3 work blurb (no title, summary or text)."""

    fandoms: tuple[str, ...]
    characters: tuple[str, ...]
    relationships: tuple[str, ...]
    listed_under: str = ""  # the tag whose AO3 listing page showed the work


@dataclass
class Sources:
    freeform_syn: list[tuple[str, str]] = field(default_factory=list)
    character_syn: list[tuple[str, str]] = field(default_factory=list)
    universes: list[tuple[str, str, str]] = field(default_factory=list)
    fandom_alias: list[tuple[str, str]] = field(default_factory=list)
    genres: list[tuple[str, str]] = field(default_factory=list)
    tropes: list[tuple[str, str, str]] = field(default_factory=list)
    metatags: list[tuple[str, str]] = field(default_factory=list)
    freeform_counts: dict[str, int] = field(default_factory=dict)
    tw_fine: list[str] = field(default_factory=list)
    tw_coarse: list[str] = field(default_factory=list)
    tw_map: dict[str, str] = field(default_factory=dict)
    tw_institutional: list[tuple[str, str]] = field(default_factory=list)
    works: list[Work] = field(default_factory=list)
    ships: list[tuple[str, str, str]] = field(default_factory=list)
    archive_fandoms: list[tuple[str, str]] = field(default_factory=list)


class Registry:
    """Every canonical tag with its type flags, and every spelling that leads to it."""

    def __init__(self) -> None:
        self.flags: dict[str, int] = {}
        self.syn: dict[str, set[str]] = defaultdict(set)
        # a fandom's alias list ("Draco - Fandom" is an alias of the fandom Harry Potter, never
        # of the character of that name), and every other source of spellings
        self._fandom_aliases: dict[str, set[str]] = defaultdict(set)
        self._other_spellings: dict[str, set[str]] = defaultdict(set)

    def add(self, name: str, flag: int) -> str:
        name = N.clean(name)
        if name:
            self.flags[name] = self.flags.get(name, 0) | flag
        return name

    def has(self, name: str, flag: int) -> bool:
        return bool(self.flags.get(name, 0) & flag)

    def synonym(self, spelling: str, canonical: str, *, fandom_alias: bool = False) -> None:
        spelling = N.clean(spelling)
        if spelling and spelling != canonical:
            self.syn[canonical].add(spelling)
            by = self._fandom_aliases if fandom_alias else self._other_spellings
            by[canonical].add(spelling)

    def character_synonyms(self, name: str) -> set[str]:
        """The spellings of ``name`` as a character: a fandom's aliases left out where a
        fandom and a character share the name ("Harry Potter")."""
        only_fandom = self._fandom_aliases.get(name, set()) - self._other_spellings.get(name, set())
        return self.syn.get(name, set()) - only_fandom


class Fandoms:
    """Canonical fandom spellings, aliases, franchises and disambiguator → fandom."""

    def __init__(self, src: Sources, reg: Registry) -> None:
        self.reg = reg
        self.own: dict[str, str] = {}
        self.alias: dict[str, str] = {}
        self.franchise: dict[str, str] = {}
        for master, name, rel in sorted(src.universes):
            self._own(master)
            self.franchise[N.clean(master)] = N.clean(master)
            if rel != "alias":
                self._own(name)
                self.franchise.setdefault(N.clean(name), N.clean(master))
        for _alias, canon in sorted(src.fandom_alias):
            self._own(canon)
        for _variant, canon, route in sorted(src.tropes):
            if route == "fandom":
                self._own(canon)
        for _slug, title in src.archive_fandoms:
            self._own(title)
        for master, name, rel in sorted(src.universes):
            if rel == "alias":
                self._alias(name, master)
        for alias, canon in sorted(src.fandom_alias):
            self._alias(alias, canon)
        for variant, canon, route in sorted(src.tropes):
            if route == "fandom":
                self._alias(variant, canon)
        for slug, title in src.archive_fandoms:
            self._alias(slug, title)
            self._alias(slug.replace("-", " "), title)
        self.masters = {N.key(m) for m in set(self.franchise.values())}
        self.dis: dict[str, str] = {}

    def _own(self, name: str) -> None:
        name = N.clean(name)
        if name and N.key(name) not in self.own:
            self.own[N.key(name)] = name
            self.reg.add(name, N.FANDOM)

    def _alias(self, spelling: str, canon: str) -> None:
        k, target = N.key(spelling), self.own.get(N.key(canon))
        if k and target and k not in self.own and k not in self.alias:
            self.alias[k] = target
            self.reg.synonym(spelling, target, fandom_alias=True)

    def known(self, tag: str) -> str | None:
        k = N.key(tag)
        return self.own.get(k) or self.alias.get(k)

    def canon(self, tag: str) -> str | None:
        """The canonical spelling of a fandom tag seen on a work (new tags become canonical)."""
        if N.key(tag) in META_FANDOMS or not N.clean(tag):
            return None
        found = self.known(tag)
        if found:
            return found
        self._own(tag)
        return N.clean(tag)

    def franchise_of(self, fandom: str) -> str:
        if fandom in self.franchise:
            return self.franchise[fandom]
        for m in _PREFIX_SEPS.finditer(fandom):
            prefix = self.own.get(N.key(fandom[: m.start()]))
            if prefix and N.key(prefix) in self.masters:
                self.franchise[fandom] = self.franchise.get(prefix, prefix)
                return self.franchise[fandom]
        return fandom

    def learn_disambiguators(self, needed: set[str], votes: dict[str, Counter[str]]) -> None:
        """Map the ``(BtVS)`` in ``Faith (BtVS)`` to a fandom.

        In order: the disambiguator is itself a fandom spelling or alias; it co-occurs with one
        fandom in single-fandom works (≥2 votes, ≥60 %); it is the unique acronym of a fandom;
        it begins the title of fandoms of one franchise only (``Valdemar`` → Valdemar Series,
        ``Locked Tomb Trilogy`` → The Locked Tomb Trilogy | Gideon the Ninth Series).
        """
        acronyms: dict[str, set[str]] = defaultdict(set)
        openings: dict[str, set[str]] = defaultdict(set)
        for name in self.own.values():
            words = [w for w in re.split(r"[\s:\-]+", N.base_name(name)) if w[:1].isalpha()]
            if len(words) >= 3:
                acronyms["".join(w[0] for w in words).casefold()].add(self.franchise_of(name))
            for title in N.base_name(name).split(" | "):
                title = re.sub(r"^the\s+", "", N.key(title))
                ws = title.split(" ")
                for n in range(1, len(ws) + 1):
                    openings[" ".join(ws[:n])].add(self.franchise_of(name))
        for dis_key in sorted(needed):
            known = self.known(dis_key)
            if known:
                self.dis[dis_key] = known
                continue
            vote = votes.get(dis_key)
            if vote:
                (top, n), total = vote.most_common(1)[0], sum(vote.values())
                if n >= 2 and n >= 0.6 * total:
                    self.dis[dis_key] = top
                    continue
            franchises = acronyms.get(dis_key, set())
            if len(franchises) == 1:
                self.dis[dis_key] = next(iter(franchises))
                continue
            opening = re.sub(r"^the\s+", "", dis_key)
            franchises = openings.get(opening, set())
            if len(opening) >= MIN_OPENING and len(franchises) == 1:
                self.dis[dis_key] = next(iter(franchises))

    def of_disambiguator(self, dis: str) -> str | None:
        k = N.key(dis)
        return self.known(k) or self.dis.get(k)


class Characters:
    """Canonical characters, their synonyms and in-context resolution of character tags."""

    def __init__(self, src: Sources, reg: Registry, fandoms: Fandoms) -> None:
        self.reg, self.fandoms = reg, fandoms
        self.by_key: dict[str, str] = {}
        self.syn_to: dict[str, str] = {}
        self.by_base: dict[str, set[str]] = defaultdict(set)
        self.curated: set[str] = set()
        self.homes: dict[str, set[str]] = defaultdict(set)  # character → home franchises
        self._parts: dict[str, set[str]] | None = None
        for master, _name in sorted(src.character_syn):
            self.curate(master)
        for _variant, canon, route in sorted(src.tropes):
            if route == "character":
                self.curate(canon)
        for master, name in sorted(src.character_syn):
            self.synonym(name, master)
        for variant, canon, route in sorted(src.tropes):
            if route == "character":
                self.synonym(variant, canon)

    def add(self, name: str) -> str:
        name = self.reg.add(name, N.CHARACTER)
        k = N.key(name)
        if k and k not in self.by_key:
            self.by_key[k] = name
            self.by_base[N.key(N.base_name(name))].add(name)
        return self.by_key.get(k, name)

    def curate(self, name: str) -> str:
        name = self.add(name)
        self.reg.add(name, N.CURATED)
        self.curated.add(name)
        self._parts = None
        return name

    def by_part(self, k: str) -> set[str]:
        """Curated characters with ``k`` as a given name, surname or nickname."""
        if self._parts is None:
            self._parts = defaultdict(set)
            for c in self.curated:
                for p in {*N.name_forms(c), *N.name_parts(c)}:
                    self._parts[N.key(p)].add(c)
        return self._parts.get(k, set())

    def synonym(self, spelling: str, canon: str) -> None:
        canon = self.by_key.get(N.key(canon), N.clean(canon))
        k = N.key(spelling)
        if k and k not in self.by_key and k not in self.syn_to:
            self.syn_to[k] = canon
            self.reg.synonym(spelling, canon)

    def known(self, tag: str) -> str | None:
        k = N.key(tag)
        return self.by_key.get(k) or self.syn_to.get(k)

    def fandom_of(self, name: str) -> str | None:
        """The fandom named by a character tag's own disambiguator, if any."""
        _base, dis = N.split_disambiguator(N.strip_mentioned(name))
        return self.fandoms.of_disambiguator(dis) if dis else None

    def resolve(self, tag: str, franchises: set[str]) -> str | None:
        """A character tag seen on a work whose fandoms fall in ``franchises``.

        A bare ``Angel`` or ``Spike`` in a Buffy work is taken to be the ``(BtVS)`` character
        when exactly one disambiguated variant belongs to the work's franchises.
        """
        found = self.known(tag) or self.known(N.strip_mentioned(tag))
        if found and N.split_disambiguator(found)[1] is not None:
            return found
        variants = set()
        for v in self.by_base.get(N.key(N.base_name(found or tag)), ()):
            f = self.fandom_of(v) if v in self.curated else None
            if f and self.fandoms.franchise_of(f) in franchises:
                variants.add(v)
        if len(variants) == 1:
            return variants.pop()
        if not franchises or (found and self.homes.get(found, set()) & franchises):
            return found
        # "Julian" on a DS9 work: the one curated character so named at home in its fandoms.
        at_home = {
            c
            for c in self.by_part(N.key(N.strip_mentioned(N.strip_bang(tag))))
            if self.homes.get(c, set()) & franchises
        }
        return at_home.pop() if len(at_home) == 1 else found

    def resolve_relationship(
        self, tag: str, franchises: set[str], add_unknown: bool = False
    ) -> tuple[str, tuple[str, ...], str | None] | None:
        """``(sep, sorted characters, fandom named by a trailing disambiguator)`` or ``None``.

        With ``add_unknown``, a side that names no known character becomes one (uncurated):
        a relationship tag on a work is made of character names.
        """
        split = N.split_relationship(tag)
        if split is None:
            return None
        sep, sides = split
        dis_fandom = None
        if not self.known(sides[-1]):
            base, dis = N.split_disambiguator(N.strip_mentioned(sides[-1]))
            dis_fandom = self.fandoms.of_disambiguator(dis) if dis else None
            if dis_fandom:
                sides[-1] = base
                franchises = franchises | {self.fandoms.franchise_of(dis_fandom)}
        chars = []
        for side in sides:
            c = self.resolve(side, franchises)
            if c is None and add_unknown and any(ch.isalpha() for ch in side):
                c = self.add(N.strip_mentioned(side))
            if c is None:
                return None
            chars.append(c)
        if len(set(chars)) != len(chars):
            return None
        return sep, tuple(sorted(chars)), dis_fandom
