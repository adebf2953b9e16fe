"""Build-time only: assemble the packaged ontology from :class:`Sources`.

``scripts/build_ontology.py`` reads the shared files into :class:`Sources` and writes what
:func:`compile_ontology` returns.  See ``_build_base`` (registry, fandoms, characters) and
``_build_links`` (corpus evidence) for the rules.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from typing import Any

from ficsift.ontology import _build_base, _build_links, _build_names
from ficsift.ontology import _names as N
from ficsift.ontology._build_base import Characters, Fandoms, Registry, Sources, Work
from ficsift.ontology._build_links import Evidence, read_listings

__all__ = ["BUILD_MODULES", "Sources", "Work", "compile_ontology", "read_listings"]

# The code whose bytes go into the data file's version, with the sources' digests.
BUILD_MODULES = (N, _build_base, _build_links, _build_names, sys.modules[__name__])

# A "<Prefix> <character>" tag inherits the meta tags that ≥80 % of the ≥10 metatagged
# "<Prefix> …" tags share (``Vampire Hermione Granger`` → Vampires, so also
# ``Vampire Willow Rosenberg`` → Vampires).  Such links are stored apart as "inferred".
PREFIX_MIN_SUPPORT = 10
PREFIX_MIN_SHARE = 0.8


def _freeforms(src: Sources, reg: Registry) -> dict[str, int]:
    masters = {N.clean(m) for m, _ in src.freeform_syn}
    alias_of: dict[str, str] = {}
    for master, name in sorted(src.freeform_syn):
        reg.add(master, N.FREEFORM)
        reg.synonym(name, N.clean(master))
        alias_of.setdefault(N.clean(name), N.clean(master))
    counts: dict[str, int] = {}
    for name, n in sorted(src.freeform_counts.items()):
        name = N.clean(name)
        target = name if name in masters else alias_of.get(name, name)
        reg.add(target, N.FREEFORM)
        if target != name:
            reg.synonym(name, target)
        if n >= 0:
            counts[target] = counts.get(target, 0) + n
    known = {N.key(n): n for n, f in reg.flags.items() if f & N.FREEFORM}
    for variant, canon, route in sorted(src.tropes):
        if route == "tag" and N.key(canon) in known:
            reg.synonym(variant, known[N.key(canon)])
    return counts


def _type_metatags(src: Sources, reg: Registry) -> tuple[dict[str, list[str]], set[str]]:
    """Give every metatag node a tag type; return the parent lists and the name groups."""
    parents: dict[str, list[str]] = defaultdict(list)
    nbrs: dict[str, set[str]] = defaultdict(set)
    for child, parent in src.metatags:
        child, parent = N.clean(child), N.clean(parent)
        if child and parent and child != parent and parent not in parents[child]:
            parents[child].append(parent)
            nbrs[child].add(parent)
            nbrs[parent].add(child)
    types = N.FREEFORM | N.CHARACTER | N.RELATIONSHIP
    typed = {n: reg.flags.get(n, 0) & types for n in nbrs}
    typed = {n: f for n, f in typed.items() if f}
    unknown = sorted(n for n in nbrs if n not in typed and not reg.has(n, N.FANDOM))
    changed = True
    while changed:
        changed = False
        for n in unknown:
            if n in typed:
                continue
            votes: Counter[int] = Counter()
            for m in nbrs[n]:
                for flag in (N.FREEFORM, N.CHARACTER, N.RELATIONSHIP):
                    if typed.get(m, 0) & flag:
                        votes[flag] += 1
            if votes:
                typed[n] = max(votes, key=lambda f: (votes[f], f == N.FREEFORM))
                changed = True
    for n in unknown:
        reg.add(n, typed.get(n, N.FREEFORM))
    for n in nbrs:  # AO3 only links canonical tags: metatagged characters are curated
        if reg.has(n, N.CHARACTER):
            reg.add(n, N.CURATED)
    children: dict[str, list[str]] = defaultdict(list)
    for child, ps in parents.items():
        for p in ps:
            children[p].append(child)
    groups = set()
    for p, kids in children.items():
        if p in parents or reg.flags.get(p, 0) & (N.FREEFORM | N.RELATIONSHIP):
            continue
        chars = sum(1 for k in kids if reg.has(k, N.CHARACTER))
        if chars * 2 >= len(kids) and (p in unknown or not reg.has(p, N.CHARACTER)):
            groups.add(p)
            reg.add(p, N.CHARACTER | N.NAME_GROUP)
    return {c: sorted(ps) for c, ps in parents.items()}, groups


def _ancestors(parents: dict[str, list[str]], node: str) -> set[str]:
    seen: set[str] = set()
    stack = list(parents.get(node, ()))
    while stack:
        p = stack.pop()
        if p not in seen:
            seen.add(p)
            stack.extend(parents.get(p, ()))
    return seen


def _infer_prefix_parents(
    parents: dict[str, list[str]], groups: set[str], reg: Registry, chars: Characters
) -> dict[str, list[str]]:
    by_prefix: dict[str, Counter[str]] = defaultdict(Counter)
    support: Counter[str] = Counter()
    for child, ps in parents.items():
        prefix, _, rest = child.partition(" ")
        if rest:
            support[prefix] += 1
            by_prefix[prefix].update(p for p in ps if p not in groups)
    rules = {
        prefix: sorted(q for q, n in cnt.items() if n >= PREFIX_MIN_SHARE * support[prefix])
        for prefix, cnt in by_prefix.items()
        if support[prefix] >= PREFIX_MIN_SUPPORT
    }
    rules = {p: [q for q in qs if reg.has(q, N.FREEFORM)] for p, qs in rules.items()}
    inferred: dict[str, list[str]] = {}
    for name, flags in sorted(reg.flags.items()):
        prefix, _, rest = name.partition(" ")
        if not rest or not rules.get(prefix) or not flags & (N.FREEFORM | N.CHARACTER):
            continue
        k = N.key(N.base_name(rest))
        if not (chars.known(rest) or k in chars.by_base or chars.by_key.get(k) in groups):
            continue
        have = _ancestors(parents, name) | {name}
        new = [q for q in rules[prefix] if q not in have]
        if new:
            inferred[name] = new
    return inferred


def _sort_words(tagged: list[str]) -> tuple[dict[str, str], float]:
    """Characters whose surname comes first (``Katsuki Yuuri``), learnt from AO3's canonical
    relationship tags (the ships' ``taggedRel``), and how often the order rule then agrees."""
    votes: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def words(n: str) -> tuple[str, str]:
        forms = N.name_forms(n)
        ws = (forms[0] if forms else n).split(" ")
        return N.key(ws[0]), N.key(ws[-1])

    for name in tagged:
        split = N.split_relationship(name)
        if split is None:
            continue
        sides = split[1]
        for i, a in enumerate(sides):
            first, last = words(a)
            for j, b in enumerate(sides):
                other = words(b)[1]
                if i == j or first == last or (first < other) == (last < other):
                    continue
                votes[a][0 if (first < other) == (i < j) else 1] += 1
    learnt = {a: words(a)[0] for a, (f, lst) in votes.items() if f >= 2 and lst == 0}

    def order(n: str) -> tuple[int, str, str]:
        oc, surname, full = N.sort_key(n)
        return oc, learnt.get(n, surname), full

    tags = [split[1] for name in tagged if (split := N.split_relationship(name))]
    agree = sum(1 for t in tags if sorted(t, key=order) == t) / max(1, len(tags))
    return learnt, round(agree, 3)


def _triggers(src: Sources) -> list[dict[str, Any]]:
    terms: dict[str, list[str]] = defaultdict(list)
    current = None
    fixes = {"pornographic-content": "pornography", "pregnancy-childbirth": "childbirth"}
    for label, merged in src.tw_institutional:
        label = fixes.get(label.strip(), label.strip())
        if label:
            current = next(
                (f for f in src.tw_fine if label == f or label.startswith(f + "-")), None
            )
        for term in re.split(r",\s*", merged.strip()):
            if current and term and term not in terms[current]:
                terms[current].append(term)
    return [
        {"fine": f, "coarse": src.tw_map.get(f, ""), "terms": terms.get(f, [])} for f in src.tw_fine
    ]


def compile_ontology(src: Sources) -> dict[str, Any]:
    reg = Registry()
    fandoms = Fandoms(src, reg)
    chars = Characters(src, reg, fandoms)
    counts = _freeforms(src, reg)
    ev = Evidence(src, fandoms, chars)
    needed = set()
    for name in [
        *chars.by_key.values(),
        *chars.syn_to,
        *(c for w in src.works for c in w.characters),
        *(n for pair in src.metatags for n in pair),  # "Talia (Valdemar)" is only a meta tag
    ]:
        dis = N.split_disambiguator(N.strip_mentioned(name))[1]
        if dis:
            needed.add(N.key(dis))
    fandoms.learn_disambiguators(needed, ev.disambiguator_votes())
    ev.collect()
    rel_sides = ev.rels.sides()
    for spelling, name in ev.rels.all_spellings():
        reg.add(name, N.RELATIONSHIP)
        reg.synonym(spelling, name)
    parents, groups = _type_metatags(src, reg)
    ff_tags = [n for n, f in reg.flags.items() if f & N.FREEFORM]
    ev.freeform_disambiguators(sorted({*ff_tags, *(s for n in ff_tags for s in reg.syn[n])}))
    ev.count()
    inferred = _infer_prefix_parents(parents, groups, reg, chars)
    people = _build_names.people(reg)
    ev.registry_disambiguators(people)
    homes = {x: set(fl) for x, fl in ev.links("character").items()}
    ev.place(_build_names.title_characters(people, reg, fandoms, homes))
    ev.place(_build_names.family_characters(people, ev.links("character"), fandoms.franchise_of))
    ships = [n for n in reg.flags if "/" in n or " & " in n]
    ev.place(
        _build_names.partner_characters(
            people, ev.links("character"), sorted(ships), fandoms.franchise_of
        )
    )
    char_links, rel_links = ev.links("character"), ev.links("relationship")
    for links in (char_links, rel_links):
        for fl in links.values():
            for f in fl:
                reg.add(f, N.FANDOM)
    franchise = {f: fandoms.franchise_of(f) for f, fl in reg.flags.items() if fl & N.FANDOM}
    for f in set(franchise.values()):
        reg.add(f, N.FANDOM)
    sort_words, agreement = _sort_words(sorted({ev.rels.canon[g] for g in ev.rels.tagged}))
    out = _serialise(
        reg,
        fandoms,
        parents,
        inferred,
        franchise,
        char_links,
        rel_links,
        rel_sides,
        counts,
        sort_words,
        src,
    )
    out["stats"]["relationship_order_agreement"] = agreement
    partners = _build_names.ship_partners(people, sorted(ships))
    out["gazetteer"] = _build_names.name_index(people, reg, out["names"][0], partners)
    out["stats"]["name_forms"] = len(out["gazetteer"]["forms"])
    return out


def _serialise(
    reg: Registry,
    fandoms: Fandoms,
    parents: dict[str, list[str]],
    inferred: dict[str, list[str]],
    franchise: dict[str, str],
    char_links: dict[str, dict[str, int]],
    rel_links: dict[str, dict[str, int]],
    rel_sides: dict[str, tuple[str, tuple[str, ...]]],
    counts: dict[str, int],
    sort_words: dict[str, str],
    src: Sources,
) -> dict[str, Any]:
    for n in {*parents, *(p for ps in parents.values() for p in ps)}:
        reg.flags.setdefault(n, N.FREEFORM)
    names = sorted(reg.flags)
    ids = {n: i for i, n in enumerate(names)}
    own: dict[str, list[int]] = defaultdict(list)
    via: dict[str, set[int]] = defaultdict(set)
    base: dict[str, set[int]] = defaultdict(set)
    parts: dict[str, set[int]] = defaultdict(set)
    for n in names:
        own[N.key(n)].append(ids[n])
    for canon, spellings in reg.syn.items():
        for s in spellings:
            via[N.key(s)].add(ids[canon])
    for n in names:
        if reg.flags[n] & N.CHARACTER and not reg.flags[n] & N.NAME_GROUP:
            for s in (n, *reg.syn.get(n, ())):
                b = N.key(N.base_name(s))
                if b and b != N.key(n):
                    base[b].add(ids[n])
            for p in [*N.name_forms(n), *N.name_parts(n)]:
                if N.key(p) != N.key(n):
                    parts[N.key(p)].add(ids[n])
            for p in parents.get(n, ()):
                if reg.flags.get(p, 0) & N.NAME_GROUP:
                    parts[N.key(p)].add(ids[n])
    lookup: list[Any] = []
    for k in sorted(set(own) | set(via)):
        vals = own.get(k, []) + sorted(via.get(k, set()) - set(own.get(k, [])))
        lookup.append(vals[0] if len(vals) == 1 else vals)

    def idmap(d: dict[str, list[str]]) -> dict[str, list[int]]:
        return {str(ids[c]): [ids[p] for p in ps] for c, ps in sorted(d.items())}

    def linkmap(d: dict[str, dict[str, int]]) -> dict[str, list[int]]:
        return {
            str(ids[x]): [v for f, n in sorted(fl.items()) for v in (ids[f], n)]
            for x, fl in d.items()
        }

    def table(d: dict[str, set[int]]) -> list[list[Any]]:
        return [sorted(d), [sorted(d[k]) for k in sorted(d)]]

    seps = {"/": 0, "&": 1}
    return {
        "names": [names, [reg.flags[n] for n in names]],
        "lookup": [sorted(set(own) | set(via)), lookup],
        "characters": {
            "base": table(base),
            "parts": table(parts),
            "sort_words": {str(ids[c]): w for c, w in sorted(sort_words.items()) if c in ids},
            "disambiguators": {k: ids[f] for k, f in sorted(fandoms.dis.items()) if f in ids},
        },
        "synonyms": {str(ids[c]): sorted(s) for c, s in sorted(reg.syn.items()) if s},
        "meta": {"explicit": idmap(parents), "inferred": idmap(inferred)},
        "links": {
            "franchise": {str(ids[f]): ids[m] for f, m in sorted(franchise.items()) if f != m},
            "character_fandoms": linkmap(char_links),
            "relationship_fandoms": linkmap(rel_links),
            "relationship_sides": {
                str(ids[r]): [seps[sep], *(ids[c] for c in cs)]
                for r, (sep, cs) in sorted(rel_sides.items())
            },
        },
        "freeforms": {
            "counts": {str(ids[n]): c for n, c in sorted(counts.items())},
            "genres": _genres(src),
        },
        "triggers": {"fine": _triggers(src), "coarse": list(src.tw_coarse)},
        "stats": {
            "names": len(names),
            "spellings": len(lookup),
            "synonym_links": sum(len(s) for s in reg.syn.values()),
            "canonical": {
                t: sum(1 for n in names if reg.flags[n] & f and not reg.flags[n] & N.NAME_GROUP)
                for t, f in N.TYPE_FLAGS.items()
            },
            "name_groups": sum(1 for n in names if reg.flags[n] & N.NAME_GROUP),
            "characters_linked": len(char_links),
            "relationships_linked": len(rel_links),
            "meta_edges": sum(len(v) for v in parents.values()),
            "meta_inferred_edges": sum(len(v) for v in inferred.values()),
        },
    }


def _genres(src: Sources) -> dict[str, str]:
    out: dict[str, str] = {}
    for genre, name in sorted(src.genres):
        out.setdefault(N.key(genre), N.clean(genre))
        out.setdefault(N.key(name), N.clean(genre))
    for variant, canon, route in sorted(src.tropes):
        if route == "genre":
            out.setdefault(N.key(variant), N.clean(canon))
    return out
