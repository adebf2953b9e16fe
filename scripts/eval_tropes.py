"""Evaluate freeform inference (ficsift.understand.tropes) against authors' own tags.

    .venv/bin/python scripts/eval_tropes.py [--shared ../shared] [--out .eval/tropes.json]

Gold: each story's author freeforms, canonicalised through the ontology
(``onto.canonical(tag, "freeform")``); antennapedia's typed prefixes are already split off by
the reader (``genre:hurt/comfort`` → ``hurt/comfort``), ``au:x`` is tried as
``Alternate Universe - x`` first, and tags the ontology cannot resolve are skipped.  Scores are
micro precision/recall/F1 over **the tags in the inference inventory only** (a tag ficsift can
never say is not held against it), on antennapedia (164 stories) and ao3-html (15, two of them
Chinese).  "strict" needs the exact tag; "family" also accepts a predicted tag whose AO3 meta
tags include the gold tag (predicting Drug Use where the author wrote Drugs), the way AO3's own
tag filtering treats them.

The cast passed to inference is built from the author character tags (the cast module does this
from the text in the real pipeline): each name resolved with ``onto.canonical(name,
"character", fandom=hint)``, mentions found by searching its aliases.  Fandoms passed are the
author fandom tags.  Crossover is therefore a derived tag here and is reported on its own line.

Throughput is words per second of ``infer_freeforms`` alone, one core, all texts.  The naive
baseline says a tag when its own name appears in the text.

AO3 has no ``Hurt <character>`` tag for most of antennapedia's leads, so character-state
detection is also scored on its own ("character states"): antennapedia's ``c:hurt!giles``
against the Hurt detection run for every cast member, whether or not the AO3 tag exists.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ficsift.model import Document, TagType
from ficsift.ontology import load_ontology
from ficsift.read import read_bytes
from ficsift.understand.story import CastMember, StoryText
from ficsift.understand.trope_cues import CHARACTER_TROPES
from ficsift.understand.tropes import _character_tags, _table, analyse, infer_freeforms, inventory

ROOT = Path(__file__).resolve().parent.parent
SKIP_LABELS = {"season", "s", "episode", "f", "p", "c"}


@dataclass
class Item:
    path: str
    group: str  # btvs / who / thick / other / ao3
    story: StoryText
    cast: list[CastMember]
    fandoms: list[str]
    gold: set[str]
    words: int
    states: set[tuple[str, str]] = field(default_factory=set)  # ("Hurt", "Rupert Giles")
    predicted: list[str] = field(default_factory=list)


def gold_tags(doc: Document) -> set[str]:
    onto = load_ontology()
    out = set()
    for t in doc.tags_of(TagType.FREEFORM):
        if t.label in SKIP_LABELS:
            continue
        name = t.name.replace("-", " ") if t.label else t.name
        got = None
        if t.label == "au":
            got = onto.canonical(f"Alternate Universe - {name}", "freeform")
        got = got or onto.canonical(t.name, "freeform") or onto.canonical(name, "freeform")
        if got:
            out.add(got)
    return out


def hints(fandoms: list[str]) -> list[str | None]:
    """Fandom hints to try in turn; no hint at all when the story names no fandom."""
    return [*fandoms] or [None]


def build_cast(doc: Document, text: str) -> tuple[list[CastMember], list[str]]:
    """Cast from the author's character tags, mentions by alias search (eval stand-in)."""
    onto = load_ontology()
    fandoms = []
    for t in doc.tags_of(TagType.FANDOM):
        name = t.name.replace("-", " ") if t.label else t.name
        fandoms.append(onto.canonical(name, "fandom") or name)
    hint = fandoms[0] if fandoms else None
    members: dict[str, CastMember] = {}
    for t in doc.tags_of(TagType.CHARACTER):
        raw = t.name.replace("-", " ") if t.label else t.name
        canon = None
        for f in hints(fandoms):
            canon = onto.canonical(raw, "character", fandom=f)
            if canon:
                break
        if not canon or canon in members:
            continue
        aliases = {canon, *onto.character_aliases(canon, fandom=hint)}
        aliases = {a for a in aliases if len(a) > 2}
        pattern = re.compile(
            r"\b(?:"
            + "|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True))
            + r")\b"
        )
        mentions = [(m.start(), m.end()) for m in pattern.finditer(text)]
        linked = onto.fandoms_of_character(canon, fandom=hint)
        fandom = next(iter(linked), hint)
        members[canon] = CastMember(name=canon, fandom=fandom, mentions=mentions)
    top = max((len(m.mentions) for m in members.values()), default=0)
    for m in members.values():
        m.prominence = len(m.mentions) / top if top else 0.0
    return list(members.values()), fandoms


def character_states(doc: Document, fandoms: list[str]) -> set[tuple[str, str]]:
    """antennapedia's ``c:hurt!giles`` → ("Hurt", "Rupert Giles")."""
    onto = load_ontology()
    out = set()
    for t in doc.tags_of(TagType.CHARACTER):
        if "!" not in t.name:
            continue
        state = t.name.split("!", 1)[0].strip().title()
        for f in hints(fandoms):
            canon = onto.canonical(t.name.replace("-", " "), "character", fandom=f)
            if canon:
                out.add((state, canon))
                break
    return out


def state_eval(items: list[Item]) -> dict:
    """Character-state detection scored on its own, for every character, whether or not AO3
    has a ``<State> <Character>`` tag (it has none for most of this corpus's leads)."""
    states = {ct.prefix for ct in CHARACTER_TROPES}
    counts: Counter[str] = Counter()
    fired: Counter[str] = Counter()
    for item in items:
        a = analyse(item.story)
        got = set()
        for tag in _character_tags(
            item.story,
            a,
            item.cast,
            _table(),
            {t for t in item.predicted},
            tag_for=lambda p, n: (f"{p}\t{n}", TagType.FREEFORM),
        ):
            prefix, name = tag.name.split("\t")
            got.add((prefix, name))
            fired[prefix] += 1
        gold = {g for g in item.states if g[0] in states}
        counts["tp"] += len(got & gold)
        counts["fp"] += len({g for g in got if g[0] == "Hurt"} - gold)
        counts["fn"] += len(gold - got)
    return {"hurt": prf(counts["tp"], counts["fp"], counts["fn"]), "fired": dict(fired)}


def load(shared: Path) -> list[Item]:
    items = []
    corpus = shared / "corpus"
    paths = sorted((corpus / "antennapedia").glob("*/*.md")) + sorted(
        (corpus / "ao3-html").glob("*.html")
    )
    for p in paths:
        doc = read_bytes(str(p), p.read_bytes())[0]
        story = StoryText.of(doc)
        group = p.parent.name if p.parent.parent.name == "antennapedia" else "ao3"
        if group not in ("btvs", "who", "thick", "ao3"):
            group = "other"
        cast, fandoms = build_cast(doc, story.text)
        item = Item(
            str(p.relative_to(corpus)), group, story, cast, fandoms, gold_tags(doc), doc.words
        )
        item.states = character_states(doc, fandoms)
        items.append(item)
    return items


def naive(text: str, tags: list[str]) -> list[str]:
    low = text.lower()
    return [t for t in tags if re.search(r"(?<!\w)" + re.escape(t.lower()) + r"(?!\w)", low)]


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 3), "r": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp, "fn": fn}


def score(items: list[Item], preds: list[list[str]], inv: set[str], family: bool) -> dict:
    onto = load_ontology()
    # In family mode a gold tag counts if it is an inventory tag or a meta tag of one.
    scope = inv | {m for t in inv for m in onto.meta_tags(t)} if family else inv
    tp = fp = fn = 0
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for item, pred in zip(items, preds, strict=True):
        gold = item.gold & scope
        got = set(pred) & inv
        for t in got:
            ok = t in gold or (family and bool(set(onto.meta_tags(t)) & gold))
            tp += ok
            fp += not ok
            per[t]["tp" if ok else "fp"] += 1
        for g in gold:
            ok = g in got or (family and any(g in onto.meta_tags(t) for t in got))
            fn += not ok
            per[g]["fn" if not ok else "hit"] += 1
            per[g]["gold"] += 1
    return {"micro": prf(tp, fp, fn), "per_tag": per}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=ROOT / ".eval" / "tropes.json")
    args = ap.parse_args()

    items = load(args.shared)
    inv = inventory()
    infer_freeforms(items[0].story, [], [])  # build the automaton outside the timing

    words = sum(i.words for i in items)
    t0 = time.perf_counter()
    for item in items:
        item.predicted = [t.name for t in infer_freeforms(item.story, item.cast, item.fandoms)]
    elapsed = time.perf_counter() - t0
    t0 = time.perf_counter()
    base = [naive(i.story.text, sorted(inv)) for i in items]
    base_elapsed = time.perf_counter() - t0

    rows = []
    report: dict = {
        "inventory": sorted(inv),
        "stories": len(items),
        "words": words,
        "seconds": round(elapsed, 3),
        "words_per_second": round(words / elapsed),
        "scope": "micro P/R/F1 over inventory tags only; gold = author freeforms via ontology",
        "rows": {},
    }
    subsets = {
        "all": items,
        "antennapedia": [i for i in items if i.group != "ao3"],
        "btvs": [i for i in items if i.group == "btvs"],
        "who": [i for i in items if i.group == "who"],
        "thick": [i for i in items if i.group == "thick"],
        "ao3-html": [i for i in items if i.group == "ao3"],
    }
    for name, subset in subsets.items():
        preds = [i.predicted for i in subset]
        for mode in ("strict", "family"):
            s = score(subset, preds, inv, mode == "family")
            rows.append((f"ficsift {name}", mode, s["micro"]))
            report["rows"][f"{name}/{mode}"] = s["micro"]
            if name == "all" and mode == "strict":
                per_tag = s["per_tag"]
    idx = {id(i): k for k, i in enumerate(items)}
    for name in ("all", "btvs", "who", "thick"):
        subset = subsets[name]
        s = score(subset, [base[idx[id(i)]] for i in subset], inv, False)
        rows.append((f"naive {name}", "strict", s["micro"]))
        report["rows"][f"naive-{name}/strict"] = s["micro"]

    print(
        f"{len(items)} stories, {words:,} words; inventory {len(inv)} tags (scores over these only)"
    )
    print(
        f"{'system / subset':24} {'mode':7} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}"
    )
    for label, mode, m in rows:
        print(
            f"{label:24} {mode:7} {m['p']:6.3f} {m['r']:6.3f} {m['f1']:6.3f} "
            f"{m['tp']:5d} {m['fp']:5d} {m['fn']:5d}"
        )
    print()
    frequent = sorted(
        (t for t in per_tag if per_tag[t]["gold"]), key=lambda t: (-per_tag[t]["gold"], t)
    )[:15]
    print(
        f"{'tag (15 most frequent in gold)':34} {'gold':>4} {'P':>6} {'R':>6} {'tp':>4} {'fp':>4}"
    )
    report["per_tag"] = {}
    for t in frequent:
        c = per_tag[t]
        m = prf(c["tp"], c["fp"], c["fn"])
        report["per_tag"][t] = {**m, "gold": c["gold"]}
        print(f"{t:34} {c['gold']:4d} {m['p']:6.3f} {m['r']:6.3f} {c['tp']:4d} {c['fp']:4d}")
    noisy = sorted(
        (t for t in per_tag if per_tag[t]["fp"] and t not in frequent),
        key=lambda t: -per_tag[t]["fp"],
    )
    print(
        "\nother predicted tags (tp/fp): "
        + ", ".join(f"{t} {per_tag[t]['tp']}/{per_tag[t]['fp']}" for t in noisy)
    )
    print(
        f"\nthroughput: {words / elapsed:,.0f} words/s ({elapsed:.2f} s, one core); "
        f"naive baseline {words / base_elapsed:,.0f} words/s"
    )
    states = state_eval(items)
    report["character_states"] = states
    h = states["hurt"]
    print(
        f"character states (detection only, gold = antennapedia c:hurt!x): Hurt P {h['p']:.3f} "
        f"R {h['r']:.3f} (tp {h['tp']} fp {h['fp']} fn {h['fn']}); fired: {states['fired']}"
    )
    report["stories_detail"] = [
        {"path": i.path, "gold": sorted(i.gold & inv), "predicted": i.predicted} for i in items
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
