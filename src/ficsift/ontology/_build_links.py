"""Build-time only: character/relationship → fandom evidence from the shared corpora.

Three kinds of evidence, each counted per canonical fandom:

* **disambiguator** — a tag naming the character carries a fandom in parentheses
  (``Faith (BtVS)`` → Faith Lehane is Buffy's); definitive, kept at any count;
* **listing** — co-occurrence on AO3 work blurbs.  Single-fandom works count directly.  In a
  crossover a character is credited to the work's fandom(s) where it is at home (seen in a
  single-fandom work, named by a disambiguator, or a ship's fandom); a character at home in
  the work's fandoms (or franchises) it is over-represented in across all its works
  (≥ 2 works, ≥ half of its works, ≥ 2× the corpus base rate) — so the DS9 listing's Buffy
  crossovers credit Willow to Buffy, not to DS9, and Bashir to DS9, not to Buffy;
* **ships** — the ship-top-kudos rows: a relationship and its characters → the row's fandom,
  kept at ≥2 rows and ≥5 % of that relationship's rows (crossover first-fandoms drop out).

A listing/ships link is kept when the entity has ≥2 works in the fandom's franchise.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from ficsift.ontology import _names as N
from ficsift.ontology._build_base import META_FANDOMS, Characters, Fandoms, Sources, Work

MIN_LIFT = 2.0
MIN_SHARE = 0.5
SHIP_SHARE = 0.05

Links = dict[str, Counter[str]]


def read_listings(paths: Iterable[Path]) -> list[Work]:
    works: dict[str, Work] = {}
    for path in paths:
        tree = LexborHTMLParser(path.read_text(encoding="utf-8"))
        heading = tree.css_first("h2.heading a.tag")
        listed = heading.text(strip=True) if heading else ""
        for li in tree.css("li.work.blurb"):
            wid = li.attributes.get("id") or f"{path.name}:{len(works)}"
            works.setdefault(
                wid,
                Work(
                    _texts(li, "h5.fandoms a.tag"),
                    _texts(li, "li.characters a.tag"),
                    _texts(li, "li.relationships a.tag"),
                    listed,
                ),
            )
    return [works[k] for k in sorted(works)]


def _texts(node: Any, selector: str) -> tuple[str, ...]:
    return tuple(t for a in node.css(selector) if (t := a.text(strip=True)))


class Relationships:
    """Relationship tags grouped by (separator, character set) with one AO3 spelling each."""

    def __init__(self) -> None:
        self.spellings: dict[tuple[str, tuple[str, ...]], Counter[str]] = defaultdict(Counter)
        self.tagged: dict[tuple[str, tuple[str, ...]], Counter[str]] = defaultdict(Counter)
        self.unresolved: dict[str, Counter[str]] = defaultdict(Counter)
        self.canon: dict[tuple[str, tuple[str, ...]], str] = {}

    def see(self, tag: str, resolved: tuple[str, tuple[str, ...]] | None, tagged: bool) -> None:
        tag = N.clean(tag)
        if resolved is None:
            self.unresolved[N.key(tag)][tag] += 1
        else:
            (self.tagged if tagged else self.spellings)[resolved][tag] += 1

    def finish(self) -> None:
        for group in sorted(set(self.spellings) | set(self.tagged)):
            pool = self.tagged.get(group) or self.spellings[group]
            self.canon[group] = min(pool, key=lambda s: (-pool[s], s))
        for k, pool in self.unresolved.items():
            self.canon[("", (k,))] = min(pool, key=lambda s: (-pool[s], s))

    def name(self, tag: str, resolved: tuple[str, tuple[str, ...]] | None) -> str:
        if resolved is None:
            return self.canon[("", (N.key(tag),))]
        return self.canon[resolved]

    def sides(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        return {name: group for group, name in self.canon.items() if group[0]}

    def all_spellings(self) -> Iterable[tuple[str, str]]:
        for group, name in self.canon.items():
            pools = [self.tagged.get(group), self.spellings.get(group)]
            if not group[0]:
                pools = [self.unresolved.get(group[1][0])]
            for pool in pools:
                for spelling in pool or ():
                    yield spelling, name


class Evidence:
    def __init__(self, src: Sources, fandoms: Fandoms, chars: Characters) -> None:
        self.src, self.fandoms, self.chars = src, fandoms, chars
        self.rels = Relationships()
        self.disamb: Links = defaultdict(Counter)
        self.listing: Links = defaultdict(Counter)
        self.ships: Links = defaultdict(Counter)
        self.works: list[tuple[tuple[str, ...], set[str], dict[str, tuple[str, ...]]]] = []
        self.rel_dis: list[tuple[str, tuple[str, tuple[str, ...]], str]] = []
        self.ship_rows: list[tuple[str, str, tuple[str, ...], str, tuple[str, ...]]] = []

    def franchises(self, fandoms: Iterable[str]) -> set[str]:
        return {self.fandoms.franchise_of(f) for f in fandoms}

    def _rel(self, tag: str, franchises: set[str], tagged: bool = False) -> tuple[str, ...]:
        r = self.chars.resolve_relationship(tag, franchises, add_unknown=True)
        group = (r[0], r[1]) if r else None
        self.rels.see(tag, group, tagged)
        if r and r[2]:
            self.rel_dis.append((tag, (r[0], r[1]), r[2]))
        return r[1] if r else ()

    def _homes(self) -> None:
        """Where each character is at home before any crossover is read: its disambiguator,
        the ships it is a side of, and the single-fandom works it is tagged in."""
        chars, fr = self.chars, self.fandoms.franchise_of
        for name in sorted(chars.curated):
            for spelling in (name, *chars.reg.character_synonyms(name)):
                f = chars.fandom_of(spelling)
                if f:
                    chars.homes[name].add(fr(f))
        for fandom, tagged, _rel in self.src.ships:
            f = self.fandoms.canon(fandom)
            split = N.split_relationship(tagged)
            if f and split:
                for side in split[1]:
                    c = chars.resolve(side, {fr(f)}) or chars.curate(side)
                    chars.homes[c].add(fr(f))
        for work in self.src.works:
            fw = {fd for t in self._fandom_tags(work) if (fd := self.fandoms.canon(t))}
            if len(fw) == 1:
                for t in work.characters:
                    known = chars.known(t)
                    if known:
                        chars.homes[known].add(fr(next(iter(fw))))

    def collect(self) -> None:
        """First pass: canonical fandoms, characters and relationship groups of every record."""
        self._homes()
        for fandom, tagged, rel in self.src.ships:
            f = self.fandoms.canon(fandom)
            if f is None:
                continue
            fr = self.franchises([f])
            sides_t = self._rel(tagged, fr, tagged=True)
            sides_r = self._rel(rel, fr)
            self.ship_rows.append((f, tagged, sides_t, rel, sides_r))
        unknown: list[tuple[int, str]] = []
        for work in self.src.works:
            fw = tuple(
                dict.fromkeys(f for t in self._fandom_tags(work) if (f := self.fandoms.canon(t)))
            )
            fr = self.franchises(fw)
            chars = set()
            for t in work.characters:
                c = self.chars.resolve(t, fr)
                if c:
                    chars.add(c)
                else:
                    unknown.append((len(self.works), t))
            rels = {t: self._rel(t, fr) for t in work.relationships}
            self.works.append((fw, chars, rels))
        for i, t in unknown:  # typed on a work, known nowhere else: a character of its own
            self.works[i][1].add(self.chars.add(t))
        self.rels.finish()

    def _fandom_tags(self, work: Work) -> list[str]:
        """A work on the DS9 listing without the DS9 tag carries a synonym or sub tag of it.

        When exactly one of its fandom tags is unknown (or only known as the listed fandom's
        franchise, as ``Deep Space Nine`` → Star Trek is), read that tag as the listed one.
        """
        tags = list(work.fandoms)
        listed = work.listed_under
        if not listed or any(N.key(t) == N.key(listed) for t in tags):
            return tags
        franchise = self.fandoms.franchise_of(self.fandoms.canon(listed) or listed)
        odd = [
            i
            for i, t in enumerate(tags)
            if N.key(t) not in META_FANDOMS
            and (self.fandoms.known(t) is None or self.fandoms.known(t) == franchise)
        ]
        if len(odd) == 1:
            tags[odd[0]] = listed
        return tags

    def count(self) -> None:
        rn = self.rels.name
        resolved: list[tuple[tuple[str, ...], set[str], dict[str, tuple[str, ...]]]] = []
        for fw, chars, rels in self.works:
            named: dict[str, tuple[str, ...]] = {}
            for t, sides in rels.items():
                sep = (N.split_relationship(t) or ("", []))[0]
                named[rn(t, (sep, sides) if sides else None)] = sides
            resolved.append((fw, chars | {c for s in named.values() for c in s}, named))
        self._count_ships()
        self._count_disambiguators()
        home: dict[str, set[str]] = defaultdict(set)
        for links in (self.disamb, self.ships):
            for x, cnt in links.items():
                home[x].update(cnt)
        fr = self.fandoms.franchise_of
        self.n_works = 0
        self.n_fr: Counter[str] = Counter()
        self.n_x: Counter[str] = Counter()
        self.n_x_fr: Links = defaultdict(Counter)
        self.n_f: Counter[str] = Counter()
        self.n_x_f: Links = defaultdict(Counter)
        for fw, chars, rels in resolved:
            if not fw:
                continue
            frs = {fr(f) for f in fw}
            self.n_works += 1
            self.n_fr.update(frs)
            self.n_f.update(fw)
            for x in (*chars, *rels):
                self.n_x[x] += 1
                self.n_x_fr[x].update(frs)
                self.n_x_f[x].update(fw)
                if len(fw) == 1:
                    home[x].add(fw[0])
        self.listing = self._attribute(resolved, home)

    def _kept(self, cnt: Counter[str], total: Counter[str]) -> list[str]:
        by_fr: Counter[str] = Counter()
        for f, n in total.items():
            by_fr[self.fandoms.franchise_of(f)] += n
        return [f for f in cnt if by_fr[self.fandoms.franchise_of(f)] >= 2]

    def _share(self, x: str, k: str, n_x_k: Links, n_k: Counter[str]) -> float:
        """Share of x's works seen with k, if ≥2 works, ≥ half of them, ≥2× the base rate."""
        n, total = n_x_k[x][k], self.n_x[x]
        if n < 2 or n < MIN_SHARE * total:
            return 0.0
        return n / total if (n / total) / (n_k[k] / self.n_works) >= MIN_LIFT else 0.0

    def _lift_credit(self, x: str, fw: tuple[str, ...]) -> list[str]:
        """The work's fandoms whose fandom or franchise most often comes with x elsewhere."""
        fr = self.fandoms.franchise_of
        share = {
            f: max(
                self._share(x, f, self.n_x_f, self.n_f),
                self._share(x, fr(f), self.n_x_fr, self.n_fr),
            )
            for f in fw
        }
        top = max(share.values(), default=0.0)
        return [f for f in fw if top and share[f] == top]

    def _attribute(
        self,
        works: list[tuple[tuple[str, ...], set[str], dict[str, tuple[str, ...]]]],
        home: dict[str, set[str]],
    ) -> Links:
        counts: Links = defaultdict(Counter)
        fr = self.fandoms.franchise_of
        for fw, chars, rels in works:
            if not fw:
                continue
            if len(fw) == 1:
                for x in (*chars, *rels):
                    counts[x][fw[0]] += 1
                continue
            assign: dict[str, list[str]] = {}
            for c in sorted(chars):
                h = home.get(c, set())
                hf = {fr(f) for f in h}
                credit = [f for f in fw if f in h] or [f for f in fw if fr(f) in hf]
                lift = self._lift_credit(c, fw)
                if credit:  # a sister fandom of home (DS9 → TNG for Picard) may join
                    lift = [f for f in lift if fr(f) in hf and f not in credit]
                assign[c] = [f for f in fw if f in credit or f in lift]
            for r, sides in rels.items():
                credit = [f for f in fw if any(f in assign.get(s, ()) for s in sides)]
                assign[r] = credit or self._lift_credit(r, fw)
            for x, e in assign.items():
                for f in e:
                    counts[x][f] += 1
        return counts

    def _count_ships(self) -> None:
        raw: Links = defaultdict(Counter)
        for f, tagged, sides_t, rel, sides_r in self.ship_rows:
            names = {
                self.rels.name(tagged, self._group(tagged, sides_t)),
                self.rels.name(rel, self._group(rel, sides_r)),
                *sides_t,
                *sides_r,
            }
            for x in names:
                raw[x][f] += 1
        for x, cnt in raw.items():
            total = sum(cnt.values())
            for f, n in cnt.items():
                if n >= 2 and n >= SHIP_SHARE * total:
                    self.ships[x][f] = n

    @staticmethod
    def _group(tag: str, sides: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
        split = N.split_relationship(tag)
        return (split[0], sides) if split and sides else None

    def _count_disambiguators(self) -> None:
        fr = self.fandoms.franchise_of
        for tag, group, f in sorted(set(self.rel_dis)):
            # "…/George (She-Ra)" may name George's fandom only: a side already at home in
            # another franchise takes no evidence from it.
            sides = [
                c for c in group[1] if not self.chars.homes.get(c) or fr(f) in self.chars.homes[c]
            ]
            for x in (self.rels.name(tag, group), *sides):
                self.disamb[x][f] = max(self.disamb[x][f], 1)
        reg = self.chars.reg
        for name in sorted(self.chars.by_key.values()):
            for spelling in sorted({name, *reg.character_synonyms(name)}):
                named = self.chars.fandom_of(spelling)
                if named:
                    self.disamb[name][named] += 1

    def registry_disambiguators(self, people: Iterable[str]) -> None:
        """Characters known only as AO3 meta tags ("Talia (Valdemar)") are placed by their
        disambiguator too (those the synonym tables know were placed in ``count``)."""
        known = set(self.chars.by_key.values())
        for name in people:
            if name in known or name in self.disamb:
                continue
            named = self.chars.fandom_of(name)
            if named:
                self.disamb[name][named] += 1

    def place(self, pairs: Iterable[tuple[str, str]]) -> None:
        """(character, fandom) placed by its name: the one character a fandom is named after
        ("Naruto"), or a family name only one franchise has (``_build_names``)."""
        for name, fandom in pairs:
            self.disamb[name][fandom] = max(self.disamb[name][fandom], 1)

    def freeform_disambiguators(self, tags: Iterable[str]) -> None:
        """``Vampire Buffy Summers (BtVS)`` names Buffy Summers and Buffy's fandom."""
        for tag in tags:
            base, dis = N.split_disambiguator(tag)
            f = self.fandoms.of_disambiguator(dis) if dis else None
            if not f:
                continue
            words = base.split(" ")
            for i in range(len(words) - 1):
                c = self.chars.by_key.get(N.key(" ".join(words[i:])))
                if c:
                    self.disamb[c][f] += 1
                    break

    def links(self, kind: str) -> dict[str, dict[str, int]]:
        """Final links: ``kind`` is ``"character"`` or ``"relationship"``."""
        want_rel = kind == "relationship"
        rel_names = set(self.rels.canon.values())
        out: dict[str, dict[str, int]] = {}
        for x in sorted(set(self.disamb) | set(self.listing) | set(self.ships)):
            if (x in rel_names) != want_rel:
                continue
            total: Counter[str] = Counter(self.listing.get(x, {}))
            total.update(self.ships.get(x, {}))
            kept = set(self._kept(total, total)) | set(self.disamb.get(x, {}))
            merged = total + Counter(self.disamb.get(x, {}))
            if kept:
                out[x] = {f: merged[f] for f in sorted(kept)}
        return out

    def disambiguator_votes(self) -> dict[str, Counter[str]]:
        votes: dict[str, Counter[str]] = defaultdict(Counter)
        for work in self.src.works:
            fw = {f for t in work.fandoms if (f := self.fandoms.known(t))}
            if len(fw) != 1:
                continue
            for c in work.characters:
                dis = N.split_disambiguator(N.strip_mentioned(c))[1]
                if dis:
                    votes[N.key(dis)][next(iter(fw))] += 1
        return votes
