#!/usr/bin/env python3
"""Build ``src/ficsift/understand/data/fandom_terms.json``: AO3's in-world terms of each fandom,
and a home for characters the compiled ontology leaves without one.

**Terms.**
AO3 wranglers give a tag that only makes sense in one canon a disambiguator naming it:
``Hellmouth (BtVS)``, ``Dalek(s) (Doctor Who)``, ``Ishgard (Final Fantasy XIV)``.  The base
name of every such tag (and of the synonyms AO3 files under it) is a term that points to that
fandom's franchise when a story writes it, capitalised, in its prose ("the Hellmouth",
"Daleks").  Understanding reads these beside the character names
(:mod:`ficsift.understand.fandoms`), so a story of a fandom ficsift was never told about is
placed by its places and institutions, not only by its characters' names.

Only derived facts are kept: a term and the franchises (with how many tags say so).  A term
is kept when it is one to three capitalised words, at least one of them not an English word
(``src/ficsift/understand/data/words-en.txt.gz``: "Rift", "Angel" and "King" are words, so they
are no evidence), it is not a name AO3 gives a character (names are the gazetteer's), and at
most two franchises have it.

**Homes.**  Half the gazetteer's characters have no fandom link (AO3's synonym data names
``Clara Oswin Oswald`` but not her fandom).  Tags that name such a character beside others
place her: a relationship tag (``Eleventh Doctor/Clara Oswin Oswald``), a character's meta tag
(``Twelfth Doctor`` → ``The Doctor (Doctor Who)``), a spelling with a disambiguator, a
freeform tag with a disambiguator that names her in full.  Each such tag votes for the
franchise of its disambiguator (a relationship's, that of its sides' disambiguators when they
agree: ``The Doctor (Doctor Who)/Clara Oswin Oswald``), and for the homes of the characters it
names with her (each partner's vote split over its homes).  Three rounds, so a home found in one round can place
a partner in the next; a character is placed where at least ``HOME_SHARE`` of her votes go,
and at least two (a disambiguator counts two).  One partner alone is too weak: with it the
check below placed 181 hidden characters, 100 rightly, and crossover ships (``Damian
Wayne/Marinette``) sent Batman's family to Miraculous Ladybug; with two, 51 and 47.  A placed
character's evidence count is 1 (the least the ontology gives), so understanding
weighs these homes as a character AO3 hardly tags.  The build prints a check: placed
characters' homes hidden, how many the votes of the *other* characters place and how many of
those rightly.

Sources (under ``../shared``; see its README):

* ``ontology/ao3-metatags-2023.csv`` — sub tag → meta tag (facts from AO3)
* ``ontology/scourgify-ao3-2021/tags.csv`` — freeform synonyms → canonical (MIT, scourgify)
* ``ontology/scourgify-ao3-2021/characters.csv`` — character synonyms → canonical (MIT)
* ``ontology/ao3-canonical-freeforms-2015.json`` — canonical freeform tags (ISC, ao3tags)
* disambiguator → franchise: ficsift's compiled ontology (``scripts/build_ontology.py``)

    .venv/bin/python scripts/build_fandom_terms.py [--shared ../shared]

Deterministic: the same sources give the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from ficsift.ontology import Ontology, load_ontology
from ficsift.ontology import _names as N

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "ficsift" / "understand" / "data" / "fandom_terms.json"
WORDS = ROOT / "src" / "ficsift" / "understand" / "data" / "words-en.txt.gz"
FORMAT = 1
MAX_WORDS = 3
MAX_FRANCHISES = 2
HOME_SHARE = 0.6
MIN_VOTES = 2.0  # one disambiguator, or two partners at home there
ROUNDS = 3
HIDDEN_SHARE = 5  # the check hides every fifth placed character
SOURCES = [
    "ontology/ao3-metatags-2023.csv",
    "ontology/scourgify-ao3-2021/tags.csv",
    "ontology/scourgify-ao3-2021/characters.csv",
    "ontology/ao3-canonical-freeforms-2015.json",
]
# Words AO3 puts in parentheses that say what a tag is or where, not which canon: "Twilight
# (Character)", "Mickey (US)".  (The compiled ontology resolves some of them to a fandom.)
NOT_FANDOMS = frozenset(
    [
        "character",
        "characters",
        "original",
        "reader",
        "mentioned",
        "you",
        "us",
        "uk",
        "band",
        "fandom",
        "ensemble",
        "oc",
        "ocs",
    ]
)
_PLURAL = re.compile(r"\((?:s|es)\)")
_CAPITALISED = re.compile(r"^[A-Z][\w'’-]*$")
_JOINERS = frozenset({"of", "the", "de"})


def _english(word: str, english: frozenset[str]) -> bool:
    """A word of the English list, or its plural ("Mages", "Berserkers")."""
    w = word.lower().strip("'’")
    return w in english or (w.endswith("s") and (w[:-1] in english or w[:-2] in english))


def term_of(tag: str, english: frozenset[str]) -> tuple[str, bool] | None:
    """The prose form of a tag's base name, and whether AO3 wrote it as a plural ("(s)")."""
    plural = bool(_PLURAL.search(tag))
    base = " ".join(N.base_name(_PLURAL.sub("", tag)).split())
    words = base.split(" ")
    if not base or len(words) > MAX_WORDS or not _CAPITALISED.match(words[0]):
        return None
    if not all(_CAPITALISED.match(w) or w in _JOINERS for w in words):
        return None
    if all(_english(w, english) for w in words if w not in _JOINERS):
        return None
    return base, plural


def read_tags(shared: Path) -> tuple[set[str], dict[str, set[str]]]:
    """Every tag name the sources hold, and each canonical tag's synonyms."""
    tags: set[str] = set()
    synonyms: dict[str, set[str]] = defaultdict(set)
    onto = shared / "ontology"
    with (onto / "ao3-metatags-2023.csv").open(encoding="utf-8", newline="") as fh:
        for row in list(csv.reader(fh))[1:]:
            tags.update(row[:2])
    for name in ("tags.csv", "characters.csv"):
        path = onto / "scourgify-ao3-2021" / name
        with path.open(encoding="utf-8", newline="") as fh:
            for master, spelling, *_ in list(csv.reader(fh))[1:]:
                tags.add(master)
                synonyms[master].add(spelling)
    tags.update(json.loads((onto / "ao3-canonical-freeforms-2015.json").read_text("utf-8")))
    return tags, synonyms


def _stripped(tag: str) -> str:
    return _PLURAL.sub("", N.strip_mentioned(N.clean(tag)))


def _franchise(ontology: Ontology, tag: str) -> str | None:
    """The franchise a tag's disambiguator names, if it names one."""
    _, dis = N.split_disambiguator(_stripped(tag))
    if not dis or N.key(dis) in NOT_FANDOMS:
        return None
    return ontology.fandom_franchise(dis)


Group = tuple[frozenset[str], str | None]  # characters one tag names, its disambiguator's franchise


class Homes:
    """Votes of the tags that name a character, read into homes (see the module docstring)."""

    def __init__(self, ontology: Ontology) -> None:
        self.ontology = ontology
        gaz = ontology.gazetteer
        self.names = {gaz.name(i): i for i in gaz.people_ids}
        self.known = {n: dict(gaz.homes(i)) for n, i in self.names.items()}
        counts: Counter[str] = Counter()
        owner: dict[str, str] = {}
        for name in self.names:
            for form in N.name_forms(name):
                if " " in form:
                    counts[form] += 1
                    owner[form] = name
        self.full = {form: name for form, name in owner.items() if counts[form] == 1}

    def resolve(self, side: str) -> str | None:
        side = N.strip_mentioned(N.clean(side))
        for got in (side, self.ontology.canonical(side, "character"), N.base_name(side)):
            if got in self.names:
                return got
        return None

    def named_in(self, text: str) -> set[str]:
        """Characters a freeform tag names by a full name only one character has."""
        words = N.base_name(text).split(" ")
        return {
            self.full[form]
            for k in (2, 3)
            for i in range(len(words) - k + 1)
            if (form := " ".join(words[i : i + k])) in self.full
        }

    def groups(self, shared: Path, tags: set[str]) -> list[Group]:
        out: list[Group] = []
        onto = shared / "ontology"
        with (onto / "ao3-metatags-2023.csv").open(encoding="utf-8", newline="") as fh:
            pairs = [(row[0], row[1]) for row in list(csv.reader(fh))[1:]]
        with (onto / "scourgify-ao3-2021" / "characters.csv").open(encoding="utf-8") as fh:
            spellings = [(row[0], row[1]) for row in list(csv.reader(fh))[1:]]
        for sub, meta in pairs:
            if N.split_relationship(sub) or N.split_relationship(meta):
                continue
            a, b = self.resolve(sub), self.resolve(meta)
            if a and (fr := _franchise(self.ontology, meta)):
                out.append((frozenset({a}), fr))  # a meta tag's disambiguator
            if a and b and a != b:
                out.append((frozenset({a, b}), None))
        for master, spelling in spellings:
            c = self.resolve(master)
            if c and (
                fr := _franchise(self.ontology, spelling) or _franchise(self.ontology, master)
            ):
                out.append((frozenset({c}), fr))
        for tag in sorted(tags):
            fr = _franchise(self.ontology, tag)
            split = N.split_relationship(_stripped(tag))
            if split:
                sides = frozenset(s for s in map(self.resolve, split[1]) if s)
                # A side with a disambiguator ("The Doctor (Doctor Who)/Clara Oswin Oswald")
                # places the relationship in its franchise, when the sides that have one agree.
                named = {f for side in split[1] if (f := _franchise(self.ontology, side))}
                if fr is None and len(named) == 1:
                    fr = next(iter(named))
                if sides:
                    out.append((sides, fr))
                continue
            named = self.named_in(_stripped(tag))
            if named and (fr or len(named) > 1):
                out.append((frozenset(named), fr))
            elif fr and (c := self.resolve(tag)):
                out.append((frozenset({c}), fr))
        return out

    @staticmethod
    def propagate(
        known: dict[str, dict[str, int]], groups: list[Group]
    ) -> dict[str, dict[str, int]]:
        """Homes for the characters ``known`` leaves without one."""
        placed = {n: h for n, h in known.items() if h}
        found: dict[str, dict[str, int]] = {}
        for _ in range(ROUNDS):
            votes: dict[str, Counter[str]] = defaultdict(Counter)
            for members, fr in groups:
                for m in members:
                    if m in placed:
                        continue
                    if fr:
                        votes[m][fr] += 2
                    for other in members - {m}:
                        homes = placed.get(other, {})
                        total = sum(homes.values())
                        for f, n in homes.items():
                            votes[m][f] += n / total
            new = {}
            for m, v in sorted(votes.items()):
                (f, c), *_ = sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))
                if c >= MIN_VOTES and c >= HOME_SHARE * sum(v.values()):
                    new[m] = {f: 1}
            if not new:
                break
            placed.update(new)
            found.update(new)
        return found

    def check(self, groups: list[Group]) -> tuple[int, int, int]:
        """(hidden, placed by the others' votes, rightly): the disambiguator votes are left
        out, since they are what placed the hidden characters in the first place."""
        placed = sorted(n for n, h in self.known.items() if h)
        hidden = set(placed[::HIDDEN_SHARE])
        known = {n: ({} if n in hidden else h) for n, h in self.known.items()}
        got = self.propagate(known, [(m, None) for m, _fr in groups if len(m) > 1])
        back = [n for n in hidden if n in got]
        right = sum(1 for n in back if set(got[n]) & set(self.known[n]))
        return len(hidden), len(back), right


def build(shared: Path) -> dict:
    with gzip.open(WORDS, "rt", encoding="utf-8") as fh:
        english = frozenset(fh.read().split())
    ontology = load_ontology()
    people = frozenset(ontology.gazetteer.forms())
    tags, synonyms = read_tags(shared)
    homes = Homes(ontology)
    groups = homes.groups(shared, tags)
    hidden, back, right = homes.check(groups)
    print(f"check: {hidden} placed characters hidden, {back} placed again, {right} rightly")
    character_homes = {n: h for n, h in sorted(homes.propagate(homes.known, groups).items())}
    terms: dict[str, Counter[str]] = defaultdict(Counter)
    for tag in sorted(tags):
        if "/" in tag or "&" in tag:
            continue  # a relationship
        franchise = _franchise(ontology, tag)
        if not franchise:
            continue
        for spelling in sorted({tag, *synonyms.get(tag, ())}):
            other = _franchise(ontology, spelling)
            if other and other != franchise:
                continue
            got = term_of(N.clean(spelling), english)
            if got is None:
                continue
            term, plural = got
            for form in (term, term + "s") if plural else (term,):
                if form not in people:
                    terms[form][franchise] += 1
    kept = {
        term: dict(sorted(where.items()))
        for term, where in sorted(terms.items())
        if len(where) <= MAX_FRANCHISES
    }
    return {
        "format": FORMAT,
        "sources": SOURCES,
        "terms": kept,
        "character_homes": character_homes,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--out", default=str(OUT))
    opts = parser.parse_args()
    data = build(Path(opts.shared))
    out = Path(opts.out)
    out.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0) + "\n", "utf-8")
    print(f"wrote {out}: {len(data['terms'])} terms, {len(data['character_homes'])} homes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
