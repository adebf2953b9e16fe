#!/usr/bin/env python3
"""Build ``src/ficsift/understand/data/fandom_terms.json``: AO3's in-world terms of each fandom.

AO3 wranglers give a tag that only makes sense in one canon a disambiguator naming it:
``Hellmouth (BtVS)``, ``Dalek(s) (Doctor Who)``, ``Ishgard (Final Fantasy XIV)``.  The base
name of every such tag (and of the synonyms AO3 files under it) is a term that points to that
fandom's franchise when a story writes it, capitalised, in its prose ("the Hellmouth",
"Daleks").  Understanding reads these beside the character names
(:mod:`ficsift.understand.fandoms`), so a story of a fandom ficsift was never told about is
placed by its places and institutions, not only by its characters' names.

Only derived facts are kept: a term and the franchises (with how many tags say so).  A term
is kept when it is one to three capitalised words, at least one of them not an English word
(``src/ficsift/search/data/words-en.txt.gz``: "Rift", "Angel" and "King" are words, so they
are no evidence), it is not a name AO3 gives a character (names are the gazetteer's), and at
most two franchises have it.

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

from ficsift.ontology import _names as N
from ficsift.ontology import load_ontology

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "ficsift" / "understand" / "data" / "fandom_terms.json"
WORDS = ROOT / "src" / "ficsift" / "search" / "data" / "words-en.txt.gz"
FORMAT = 1
MAX_WORDS = 3
MAX_FRANCHISES = 2
SOURCES = [
    "ontology/ao3-metatags-2023.csv",
    "ontology/scourgify-ao3-2021/tags.csv",
    "ontology/scourgify-ao3-2021/characters.csv",
    "ontology/ao3-canonical-freeforms-2015.json",
]
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


def build(shared: Path) -> dict:
    with gzip.open(WORDS, "rt", encoding="utf-8") as fh:
        english = frozenset(fh.read().split())
    ontology = load_ontology()
    people = frozenset(ontology.gazetteer.forms())
    tags, synonyms = read_tags(shared)
    terms: dict[str, Counter[str]] = defaultdict(Counter)
    for tag in sorted(tags):
        if "/" in tag or "&" in tag:
            continue  # a relationship
        _, dis = N.split_disambiguator(_PLURAL.sub("", N.strip_mentioned(N.clean(tag))))
        franchise = ontology.fandom_franchise(dis) if dis else None
        if not franchise:
            continue
        for spelling in sorted({tag, *synonyms.get(tag, ())}):
            _, other = N.split_disambiguator(_PLURAL.sub("", N.strip_mentioned(N.clean(spelling))))
            if other and ontology.fandom_franchise(other) != franchise:
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
    return {"format": FORMAT, "sources": SOURCES, "terms": kept}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--out", default=str(OUT))
    opts = parser.parse_args()
    data = build(Path(opts.shared))
    out = Path(opts.out)
    out.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0) + "\n", "utf-8")
    print(f"wrote {out}: {len(data['terms'])} terms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
