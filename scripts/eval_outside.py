#!/usr/bin/env python3
"""Understanding on works from outside ``../shared``, scored as ``make eval`` scores its own.

Each work is either a saved page or file ficsift reads (its author's tags are the gold), or a
JSON record of a work copied by hand from somewhere ficsift has no reader for::

    {"fandoms": [...], "characters": [...], "relationships": [...], "rating": "...",
     "warnings": [...], "category": [...], "freeforms": [...], "text": "the story's prose"}

Every work is understood from its text alone, with everything ficsift ships (the primer
whole), and compared with its tags: per work the fandom verdict, the characters missed and
added, the main pairing and the rating; then the figures of ``scripts/eval_understand.py``.
The stop notes in the README give what it printed on works copied from other repositories
(they are not in this repository, which copies no stories).

    .venv/bin/python scripts/eval_outside.py RECORDS_DIR_OR_FILE ...
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_corpus import Story, _text_only, fandom_verdict, gold_of, got_of, same_character
from eval_understand import score
from ficsift.model import Chapter, Document, Source, TagType
from ficsift.read import ReadError, read_bytes
from ficsift.understand.infer import understand
from ficsift.understand.primer import load_primer
from ficsift.understand.tropes import inventory

RECORD_TAGS = {
    "fandoms": TagType.FANDOM,
    "characters": TagType.CHARACTER,
    "relationships": TagType.RELATIONSHIP,
    "warnings": TagType.WARNING,
    "category": TagType.CATEGORY,
    "freeforms": TagType.FREEFORM,
}


def record_document(path: Path) -> Document | None:
    """A JSON record as the document its author tagged (None: no text or no fandom)."""
    record = json.loads(path.read_text(encoding="utf-8"))
    if not record.get("text") or not record.get("fandoms"):
        return None
    site = "ao3-html" if record.get("site") == "ao3" else "html"
    doc = Document(source=Source(path=str(path), format=site))
    doc.title = record.get("title")
    doc.chapters = [Chapter(title=None, text=record["text"])]
    for key, tag_type in RECORD_TAGS.items():
        for value in record.get(key) or []:
            doc.add_tag(value, tag_type)
    if record.get("rating"):
        doc.add_tag(record["rating"], TagType.RATING)
    return doc


def documents(paths: list[Path]) -> list[tuple[str, Document]]:
    out = []
    for given in paths:
        files = sorted(p for p in given.glob("*") if p.is_file()) if given.is_dir() else [given]
        for path in files:
            key = str(path.relative_to(given)) if given.is_dir() else path.name
            if path.suffix == ".json":
                if (doc := record_document(path)) is not None:
                    out.append((key, doc))
                continue
            try:
                out += [(key, d) for d in read_bytes(str(path), path.read_bytes())]
            except ReadError as err:
                print(f"{path}: {err}", file=sys.stderr)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+", type=Path)
    opts = parser.parse_args()
    primer, known = load_primer(), inventory()
    stories, got, verdicts = [], {}, Counter()
    for key, doc in documents(opts.paths):
        gold = gold_of(copy.deepcopy(doc), primer, known)
        if not gold.fandoms:
            # A fandom AO3's ontology does not know is still the story's: ficsift cannot
            # name it, only abstain or be wrong.
            named = {t.name for t in doc.tags if t.type == TagType.FANDOM}
            if not named:
                continue
            gold.fandoms, gold.franchises = set(named), set(named)
        bare = _text_only(doc)
        # score() reads the gold as it reads the shared corpus's author-tagged stories.
        stories.append(Story(key, "antennapedia", key, bare, gold, doc.words))
    for s in stories:
        doc = copy.deepcopy(s.bare)
        understand(doc, primer)
        g = got[s.key] = got_of(doc)
        verdict = fandom_verdict(g, s.gold, primer)
        verdicts[verdict] += 1
        missed = sorted(
            c for c in s.gold.characters if not any(same_character(c, x) for x in g.characters)
        )
        added = sorted(
            c for c in g.characters if not any(same_character(c, x) for x in s.gold.characters)
        )
        print(
            f"{s.key}  {s.words:,} words  fandom {verdict}: {sorted(g.fandoms)} vs {sorted(s.gold.fandoms)}"
        )
        print(f"    characters -{missed} +{added}  rating {g.rating} vs {s.gold.rating}")
    if not stories:
        print("no work with its fandom tagged", file=sys.stderr)
        return 1
    figures = score(stories, got, primer)
    figures.pop("misses", None)
    print(json.dumps(figures, indent=1, default=str))
    print("fandom verdicts:", dict(sorted(verdicts.items())), f"({len(stories)} works)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
