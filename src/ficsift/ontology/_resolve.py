"""Character and relationship resolution: from what a reader or author writes to AO3's tag.

Characters are looked up in tiers, stopping at the first tier that decides:

1. the full spelling — a canonical character, a synonym, or a canonical without its
   disambiguator (``Spike`` → ``Spike (BtVS)``, ``Spike (My Little Pony…)``);
2. a name part — given name, surname, nickname or AO3 name meta tag (``giles``);
3. with a fandom hint only: an initial (``W``).

A candidate that is a sub tag of another candidate (``Vampire Xander Harris`` under
``Xander Harris``) is dropped.  With a fandom hint, only candidates linked to the hint's
franchise count; several linked candidates are ambiguous unless the leader has 2× the evidence
of the next (10× for a bare name part).  Without a hint a tier must give exactly one
candidate.  Characters AO3 made canonical are tried before tags only seen typed on works.
Ambiguity gives ``None``: never a guess.
"""

from __future__ import annotations

from ficsift.ontology import _names as N
from ficsift.ontology._store import Store

AMBIGUOUS = -1
NOT_FOUND = -2
DOMINANCE = 2.0  # full names and initials: the leader needs 2× the runner-up's evidence
PART_DOMINANCE = 10.0  # a bare given name or surname ("kira" in DS9) needs 10×


def fandom_id(store: Store, text: str) -> int | None:
    """A fandom spelling, alias or disambiguator (``BtVS``) → canonical fandom id."""
    k = N.key(text)
    ids = [i for i in store.ids(k) if store.flags[i] & N.FANDOM]
    if ids:
        own = [i for i in ids if N.key(store.names[i]) == k]
        return (own or ids)[0]
    return store.disambiguators.get(k)


def fandom_scope(store: Store, text: str | None) -> set[int] | None:
    """A fandom and every fandom of its franchise (hints work at the franchise level)."""
    if not text:
        return None
    f = fandom_id(store, text)
    if f is None:
        return set()
    top = store.franchise(f)
    return {f, top, *store.franchise_members.get(top, ())}


def linked(store: Store, c: int, scope: set[int]) -> int:
    """Evidence that character ``c`` belongs to ``scope`` (0 = none)."""
    return sum(n for f, n in store.links(c, "character").items() if f in scope)


def _ancestors(store: Store, i: int) -> set[int]:
    seen: set[int] = set()
    stack = store.parents(i, inferred=False)
    while stack:
        p = stack.pop()
        if p not in seen:
            seen.add(p)
            stack.extend(store.parents(p, inferred=False))
    return seen


def _prune(store: Store, cands: list[int], curated: bool) -> list[int]:
    """Keep curated characters only (if asked); drop variants of another candidate.

    A variant is a sub tag of a multi-word candidate (``Vampire Xander Harris`` under
    ``Xander Harris``); a one-word meta tag (``Angel`` over ``Angel (BtVS)``) is only a name.
    """
    cands = list(dict.fromkeys(cands))
    if curated:
        cands = [c for c in cands if store.flags[c] & N.CURATED]
    if len(cands) < 2:
        return cands
    pool = {c for c in cands if " " in N.base_name(store.names[c])}
    return [c for c in cands if not (_ancestors(store, c) & (pool - {c}))]


def _is_character(store: Store, i: int) -> bool:
    f = store.flags[i]
    return bool(f & N.CHARACTER) and not f & N.NAME_GROUP


def _tiers(
    store: Store, text: str, scope: set[int] | None, curated: bool = False
) -> list[tuple[list[int], float]]:
    """Candidate lists, best tier first, each with the dominance a leader needs in it."""
    k = N.key(text)
    ids = store.ids(k)
    exact = [i for i in ids if _is_character(store, i)]
    parts = store.part_ids(k)
    if any(store.flags[i] & N.NAME_GROUP for i in ids):
        # AO3 groups several characters under this name: they all compete with the rest.
        tiers = [(_prune(store, exact + store.base_ids(k) + parts, curated), PART_DOMINANCE)]
    else:
        tiers = [(_prune(store, exact + store.base_ids(k), curated), DOMINANCE)]
    tiers.append((_prune(store, parts, curated), PART_DOMINANCE))
    if scope and len(k.rstrip(".")) == 1 and k[0].isalpha():
        initial = k[0]
        members = store.fandom_index["character"]
        cands = {c for f in scope for c in members.get(f, {})}
        tiers.append(
            (sorted(c for c in cands if N.given_initial(store.names[c]) == initial), DOMINANCE)
        )
    return tiers


def _decide(store: Store, cands: list[int], scope: set[int], dominance: float) -> int:
    scored = sorted(((linked(store, c, scope), c) for c in cands), reverse=True)
    scored = [(n, c) for n, c in scored if n > 0]
    if not scored:
        return NOT_FOUND
    if len(scored) == 1 or scored[0][0] >= dominance * scored[1][0]:
        return scored[0][1]
    return AMBIGUOUS


def _resolve_once(store: Store, text: str, scope: set[int] | None) -> int:
    """Curated characters first; a tag only ever seen typed on works is a last resort."""
    got = _resolve_tiers(store, text, scope, curated=True)
    return _resolve_tiers(store, text, scope, curated=False) if got == NOT_FOUND else got


def _resolve_tiers(store: Store, text: str, scope: set[int] | None, curated: bool) -> int:
    tiers = _tiers(store, text, scope, curated)
    if scope:
        for cands, dominance in tiers:
            if cands:
                got = _decide(store, cands, scope, dominance)
                if got != NOT_FOUND:
                    return got
        # Nothing is linked to the hint: a full name that names one character still counts.
        first = tiers[0][0]
        if len(first) == 1:
            return first[0]
        return AMBIGUOUS if first else NOT_FOUND
    for cands, _dominance in tiers:
        if cands:
            return cands[0] if len(cands) == 1 else AMBIGUOUS
    return NOT_FOUND


def _spellings(text: str) -> list[str]:
    """The text, then without "(mentioned)", then without a ``hurt!`` style prefix."""
    out = [N.clean(text)]
    for f in (N.strip_mentioned, N.strip_bang):
        nxt = f(out[-1])
        if nxt and nxt not in out:
            out.append(nxt)
    return out


def resolve_character(store: Store, text: str, scope: set[int] | None = None) -> int | None:
    """The canonical character id for ``text`` or ``None`` (unknown or ambiguous)."""
    for spelling in _spellings(text):
        got = _resolve_once(store, spelling, scope)
        if got == NOT_FOUND:
            base, dis = N.split_disambiguator(spelling)
            if dis and not scope:
                sub = fandom_scope(store, dis)
                got = _resolve_once(store, base, sub) if sub else NOT_FOUND
        if got >= 0:
            return got
        if got == AMBIGUOUS:
            return None
    return None


def candidates(store: Store, text: str, scope: set[int] | None) -> list[int]:
    """Every character ``text`` could name (all tiers), for matching known relationships."""
    out: list[int] = []
    for spelling in _spellings(text):
        for cands, _d in _tiers(store, spelling, scope):
            out += cands
    return list(dict.fromkeys(out))


def franchises_of(store: Store, c: int) -> set[int]:
    return {store.franchise(f) for f in store.links(c, "character")}
