"""The query API over AO3's tag ontology (see the package docstring for an overview)."""

from __future__ import annotations

import threading
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from ficsift.ontology import _names as N
from ficsift.ontology import _relationship as R
from ficsift.ontology._image import open_packaged
from ficsift.ontology._resolve import fandom_id, fandom_scope, resolve_character
from ficsift.ontology._store import Store
from ficsift.ontology.gazetteer import Gazetteer

TagKind = Literal["freeform", "character", "fandom", "relationship"]
_ALIAS_JUNK = ("!", "/", "&", "centric", "mentioned", "referenced", "original", "character")


@dataclass(frozen=True)
class TriggerLabel:
    """One fine trigger-warning label of Wiegmann et al. (2023) and its coarse group."""

    fine: str
    coarse: str
    terms: tuple[str, ...] = ()  # wordings of it in institutional warning lists


class Ontology:
    """AO3's tags: canonical spellings, synonyms, meta tags, fandom links, counts."""

    def __init__(self, store: Store) -> None:
        self._s = store
        self.version: str = store.header["version"]
        self.sources: list[dict[str, Any]] = store.header["sources"]
        self.stats: dict[str, Any] = store.header.get("stats", {})

    @cached_property
    def gazetteer(self) -> Gazetteer:
        """Characters by the names prose calls them (parsed on first use)."""
        return Gazetteer(self._s)

    @classmethod
    def from_path(cls, path: Path) -> Ontology:
        return cls(Store(path))

    def __repr__(self) -> str:
        return f"<Ontology {self.version} names={len(self._s.names)}>"

    # -- spellings -----------------------------------------------------------------------------

    def _pick(self, text: str, ids: list[int], flag: int | None) -> int | None:
        """Choose among the tags a spelling key leads to.

        First a tag spelled exactly so (ignoring case), then synonyms, aliases and tags that
        differ only in accents or spacing, then tags that differ by an AO3 type suffix
        (``Bashir - Fandom``).  Several tags of different types go by ``TYPE_PRIORITY``; several
        of the same type are ambiguous (``None``).
        """
        names, flags = self._s.names, self._s.flags
        if flag is not None:
            ids = [i for i in ids if flags[i] & flag]
            if flag == N.CHARACTER:
                ids = [i for i in ids if not flags[i] & N.NAME_GROUP]
        if not ids:
            return None
        query = N.clean(text)
        same = [i for i in ids if names[i].casefold() == query.casefold()]
        if same:
            return next((i for i in same if names[i] == query), same[0])
        plain = [i for i in ids if N.strip_type_suffix(names[i])[1] is None]
        for tier in (plain, ids):
            if len(tier) == 1:
                return tier[0]
            for kind in N.TYPE_PRIORITY:
                of_kind = [i for i in tier if flags[i] & N.TYPE_FLAGS[kind]]
                if of_kind:
                    return of_kind[0] if len(of_kind) == 1 else None
        return None

    def _id(self, name: str, type: TagKind | None = None, fandom: str | None = None) -> int | None:
        if type == "character":
            return resolve_character(self._s, name, fandom_scope(self._s, fandom))
        if type == "fandom":
            return fandom_id(self._s, name)
        flag = N.TYPE_FLAGS[type] if type else None
        got = self._pick(name, self._s.ids(N.key(name)), flag)
        if got is None and type == "relationship":
            spelled = R.canonical_relationship(self._s, name, fandom)
            return self._s.id_of(spelled) if spelled else None
        return got

    def canonical(
        self, name: str, type: TagKind | None = None, *, fandom: str | None = None
    ) -> str | None:
        """AO3's canonical spelling of a tag, or ``None`` if unknown or ambiguous.

        Case-, accent- and whitespace-insensitive; synonyms and aliases resolve to their
        canonical.  ``type`` restricts the tag type; for characters, ``fandom`` is a hint
        that settles short names (``canonical("Angel", "character", fandom="BtVS")``) and
        ``hurt!giles``-style prefixes and ``(mentioned)`` suffixes are ignored.
        """
        if type == "relationship":
            return R.canonical_relationship(self._s, name, fandom)
        i = self._id(name, type, fandom)
        return None if i is None else self._s.names[i]

    def tags_starting(self, prefix: str) -> int:
        """How many tags' canonical names start with ``prefix`` ("Vampire " → hundreds)."""
        names = self._s.names
        lo = bisect_left(names, prefix)
        hi = bisect_left(names, prefix[:-1] + chr(ord(prefix[-1]) + 1)) if prefix else len(names)
        return hi - lo

    def tag_type(self, name: str) -> TagKind | None:
        i = self._id(name)
        if i is None:
            return None
        for kind in N.TYPE_PRIORITY:
            if self._s.flags[i] & N.TYPE_FLAGS[kind]:
                return kind  # type: ignore[return-value]
        return None

    def synonyms(self, name: str) -> set[str]:
        """Every known spelling that resolves to ``name``'s canonical, the canonical included."""
        i = self._id(name)
        if i is None:
            return set()
        return {self._s.names[i], *self._s.synonyms.get(str(i), ())}

    # -- meta tags -----------------------------------------------------------------------------

    def meta_tags(self, name: str, *, inferred: bool = True) -> list[str]:
        """All ancestors of the tag, nearest first (a tag before its own meta tags).

        ``inferred=False`` leaves out the meta tags the build inferred from AO3's naming
        pattern (``Vampire <character>`` → Vampires) rather than read from AO3's list.
        """
        i = self._id(name)
        if i is None:
            return []
        depth: dict[int, int] = {}

        def walk(node: int, d: int, path: frozenset[int]) -> None:
            for p in self._s.parents(node, inferred):
                if p in path:
                    continue
                if depth.get(p, -1) < d:
                    depth[p] = d
                    walk(p, d + 1, path | {p})

        walk(i, 1, frozenset({i}))
        return [self._s.names[p] for p in sorted(depth, key=lambda p: (depth[p], self._s.names[p]))]

    def sub_tags(self, name: str, *, inferred: bool = True) -> set[str]:
        """All descendants of the tag (transitively): filtering on it should find them all."""
        i = self._id(name)
        if i is None:
            return set()
        seen: set[int] = set()
        stack = [i]
        while stack:
            for c in self._s.children(stack.pop(), inferred):
                if c not in seen and c != i:
                    seen.add(c)
                    stack.append(c)
        return {self._s.names[c] for c in seen}

    # -- fandoms -------------------------------------------------------------------------------

    def fandom_franchise(self, fandom: str) -> str | None:
        """The franchise a fandom belongs to (scourgify's universes), itself if it is one."""
        f = fandom_id(self._s, fandom)
        return None if f is None else self._s.names[self._s.franchise(f)]

    def fandoms_of_character(
        self, name: str, *, fandom: str | None = None, franchise: bool = False
    ) -> dict[str, int]:
        """Fandom → evidence count (see the build script for what counts as evidence)."""
        c = self._id(name, "character", fandom)
        return {} if c is None else self._linked_fandoms(c, "character", franchise)

    def fandoms_of_relationship(self, name: str, *, franchise: bool = False) -> dict[str, int]:
        r = self._id(name, "relationship")
        return {} if r is None else self._linked_fandoms(r, "relationship", franchise)

    def _linked_fandoms(self, i: int, kind: str, franchise: bool) -> dict[str, int]:
        out: dict[str, int] = {}
        for f, n in self._s.links(i, kind).items():
            name = self._s.names[self._s.franchise(f) if franchise else f]
            out[name] = out.get(name, 0) + n
        return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))

    def _of_fandom(self, fandom: str, kind: str) -> dict[str, int]:
        f = fandom_id(self._s, fandom)
        if f is None:
            return {}
        scope = {f, *self._s.franchise_members.get(f, ())}
        out: dict[str, int] = {}
        index = self._s.fandom_index[kind]
        for g in scope:
            for x, n in index.get(g, {}).items():
                out[self._s.names[x]] = out.get(self._s.names[x], 0) + n
        return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))

    def characters_of_fandom(self, fandom: str) -> dict[str, int]:
        """Canonical character → evidence count; a franchise includes its member fandoms."""
        return self._of_fandom(fandom, "character")

    def relationships_of_fandom(self, fandom: str) -> dict[str, int]:
        return self._of_fandom(fandom, "relationship")

    # -- characters and relationships ----------------------------------------------------------

    def character_aliases(self, name: str, *, fandom: str | None = None) -> set[str]:
        """Names a story would call the character by, as far as the data supports them.

        The name without disambiguator, each ``A | B`` half, a quoted nickname, given name and
        surname, one-word character meta tags (``Liam`` for ``Angel (BtVS)``) and synonym
        spellings (without disambiguators, ``(mentioned)`` forms and ``X!Name`` variants).
        Nothing is invented: a nickname no source records is not here.
        """
        c = self._id(name, "character", fandom)
        if c is None:
            return set()
        canon = self._s.names[c]
        out = {*N.name_forms(canon), *N.name_parts(canon)}
        for p in self._s.parents(c, inferred=False):  # AO3 name meta tags: Xander, Liam
            if self._s.flags[p] & N.CHARACTER and " " not in self._s.names[p]:
                out.add(self._s.names[p])
        for syn in self._s.synonyms.get(str(c), ()):
            base = N.base_name(syn)
            if base and not any(j in N.key(base) for j in _ALIAS_JUNK) and "(" not in base:
                out.add(base)
        return {a for a in out if len(a) > 1}

    def canonical_relationship(self, text: str, fandom: str | None = None) -> str | None:
        """``"W/T"`` (with a Buffy hint), ``"willow/tara"`` → ``"Tara Maclay/Willow Rosenberg"``.

        ``/`` stays romantic and ``&`` platonic.  A known AO3 tag for the same characters
        wins; otherwise the tag is built in AO3's order (alphabetical by surname, which
        reproduces ~9 in 10 real relationship tags; ``_names.sort_key``).
        """
        return R.canonical_relationship(self._s, text, fandom)

    def relationship_characters(self, name: str) -> tuple[str, list[str]] | None:
        """``(separator, characters)`` of a known relationship tag."""
        r = self._id(name, "relationship")
        return None if r is None else R.relationship_characters(self._s, r)

    # -- freeforms, genres, trigger warnings ---------------------------------------------------

    def freeform_count(self, name: str) -> int | None:
        """AO3 work count of a canonical freeform (2015 snapshot), for rarity/IDF."""
        i = self._id(name, "freeform")
        return None if i is None else self._s.freeform_count(i)

    def genre(self, name: str) -> str | None:
        """scourgify's genre bucket for a tag spelling (``"A lot of action"`` → Action)."""
        return self._s.genre(N.key(name))

    def trigger_labels(self) -> list[TriggerLabel]:
        return [
            TriggerLabel(t["fine"], t["coarse"], tuple(t["terms"]))
            for t in self._s.triggers["fine"]
        ]

    def trigger_coarse_labels(self) -> list[str]:
        return list(self._s.triggers["coarse"])


_lock = threading.Lock()
_loaded: Ontology | None = None


def load_ontology() -> Ontology:
    """The packaged ontology, loaded once per process (from its image in the derived cache
    when there is one: see ``_image``)."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = Ontology(open_packaged())
        return _loaded
