"""``"W/T"``, ``"willow/tara"``, ``"giles/buffy"`` → AO3's relationship tag.

1. A spelling of a known relationship tag is answered directly.
2. Split on ``/`` (romantic) or ``&`` (platonic) — one kind per tag, as on AO3 — and resolve
   each side as a character (see ``_resolve``).  Without a fandom hint, if exactly one
   franchise has a candidate character for every side, it serves as the hint; otherwise each
   side must resolve on its own.
3. If every side resolved: the known relationship tag with that separator and character set,
   else one built AO3-style (``_names.sort_key`` order; see its docstring).
4. Otherwise, the one known relationship tag whose characters can be matched side by side to
   the sides' candidates (``W``/``T`` within Buffy → ``Tara Maclay/Willow Rosenberg``).
"""

from __future__ import annotations

from itertools import permutations

from ficsift.ontology import _names as N
from ficsift.ontology._resolve import (
    candidates,
    fandom_scope,
    franchises_of,
    linked,
    resolve_character,
)
from ficsift.ontology._store import Store


def _scope_of_franchises(store: Store, franchises: set[int]) -> set[int]:
    return {m for f in franchises for m in (f, *store.franchise_members.get(f, ()))}


def _known_for(store: Store, sep: str, chars: list[int]) -> int | None:
    want = sorted(chars)
    for r in store.relationships_by_character.get(chars[0], ()):
        sides = store.relationship_sides(r)
        if sides and sides[0] == sep and sorted(sides[1]) == want:
            return r
    return None


def build_name(store: Store, sep: str, chars: list[int]) -> str:
    """AO3 style: names in ``sort_key`` order without their disambiguators, except that the
    last name keeps its own (``Odo/Quark (Star Trek)``, but ``Angel/Buffy Summers``)."""

    def order(c: int) -> tuple[int, str, str]:
        oc, surname, full = N.sort_key(store.names[c])
        return oc, store.sort_words.get(c, surname), full

    names = [store.names[c] for c in sorted(chars, key=order)]
    shown = [N.split_disambiguator(n)[0] for n in names[:-1]] + names[-1:]
    return N.join_relationship(sep, shown)


def _match_known(store: Store, sep: str, sides: list[str], scope: set[int] | None) -> int | None:
    cands = [set(candidates(store, s, scope)) for s in sides]
    if not all(cands):
        return None
    found: set[int] = set()
    for c in sorted(cands[0]):
        for r in store.relationships_by_character.get(c, ()):
            got = store.relationship_sides(r)
            if not got or got[0] != sep or len(got[1]) != len(sides):
                continue
            if any(
                all(x in cs for x, cs in zip(p, cands, strict=True)) for p in permutations(got[1])
            ):
                found.add(r)
    if scope:
        found = {r for r in found if _in_scope(store, r, scope)}
    return found.pop() if len(found) == 1 else None


def _in_scope(store: Store, r: int, scope: set[int]) -> bool:
    if any(f in scope for f in store.links(r, "relationship")):
        return True
    sides = store.relationship_sides(r)
    return bool(sides) and any(linked(store, c, scope) for c in sides[1])  # type: ignore[index]


def _infer_scope(store: Store, sides: list[str]) -> set[int] | None:
    """The one franchise that every side has a candidate character in, if there is one."""
    common: set[int] | None = None
    for s in sides:
        fr: set[int] = set()
        for c in candidates(store, s, None):
            fr |= franchises_of(store, c)
        common = fr if common is None else common & fr
        if not common:
            return None
    if not common or len(common) != 1:
        return None
    return _scope_of_franchises(store, common)


def canonical_relationship(store: Store, text: str, fandom: str | None = None) -> str | None:
    k = N.key(text)
    exact = [i for i in store.ids(k) if store.flags[i] & N.RELATIONSHIP]
    if len(exact) == 1:
        return store.names[exact[0]]
    split = N.split_relationship(text)
    if split is None:
        return None
    sep, sides = split
    scope = fandom_scope(store, fandom)
    got: list[int | None] = []
    if not scope:
        inferred = _infer_scope(store, sides)
        if inferred:
            got = [resolve_character(store, s, inferred) for s in sides]
            scope = inferred if all(c is not None for c in got) else scope
    if not got or any(c is None for c in got):
        got = [resolve_character(store, s, scope) for s in sides]
    if all(c is not None for c in got):
        chars = [c for c in got if c is not None]
        if len(set(chars)) != len(chars):
            return None
        if scope and not all(linked(store, c, scope) for c in chars):
            hit = _match_known(store, sep, sides, scope)
            if hit is not None:
                return store.names[hit]
        r = _known_for(store, sep, chars)
        return store.names[r] if r is not None else build_name(store, sep, chars)
    hit = _match_known(store, sep, sides, scope)
    return store.names[hit] if hit is not None else None


def relationship_characters(store: Store, i: int) -> tuple[str, list[str]] | None:
    sides = store.relationship_sides(i)
    if sides is None:
        return None
    return sides[0], [store.names[c] for c in sides[1]]
