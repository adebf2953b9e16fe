"""`make eval` (understanding): text-only inference against the authors' own tags, in-sample and
cross-validated.

Every story of ../shared/corpus/antennapedia, ao3-html and wild (see ``eval_corpus.py``) is
stripped to its prose and understood three ways:

* **in-sample** — with everything ficsift knows (the whole primer, the shipped calibration);
* **leave-one-work-out (LOWO)** — the whole primer (the story's fandom is one ficsift knows),
  but the calibration (fandom model, rating model, confidence maps) fitted on the *other*
  works, every copy of the same work left out too (one story saved in three formats).  This
  is how ficsift meets a new story of a fandom it knows — the held-out stories of a known
  fandom that the targets for characters, main pairing and safe-vs-mature speak of;
* **leave-one-fandom-out (LOFO)** — with everything ficsift knows *specifically* about the
  story's fandoms removed: the primer's entries of their AO3 franchises (and the calibration is
  fitted on the stories of other franchises only).  AO3's generic ontology stays: it covers tens
  of thousands of fandoms, the held-out ones included.  This is how ficsift meets a fandom it
  was never told about;
* **leave-one-source-out (LOSO)** — the primer's entries of fandoms only that source has are
  removed and the calibration is fitted on the other two sources;
* **LOFO+library** — as LOFO, but the author tags of every *other* story (its fandom's
  included) teach ficsift as a reader's library would (:mod:`ficsift.understand.learned`):
  the fandom is unknown to the primer, known from the works the reader already has.  Not a
  cross-validated figure for the targets; it measures what learning from the library adds.

Figures: characters P/R/F1 (author tags; wild: share of the leads found), main pairing, fandom
right / confident-wrong / abstained (a wrong fandom given is "confident wrong": ficsift said
it), safe-vs-mature and 4-way rating, archive-warning precision/recall (where the author used
real warnings), and per tag type the expected calibration error (ECE, 10 bins) with its
reliability table.  Targets apply to the cross-validated columns.  Writes .eval/understand.json.
With --show-misses, each story's wrong main pairing and fandom, and the characters it tagged
that the author did not (those found only as names marked unknown) and missed, with its length.

    .venv/bin/python scripts/eval_understand.py --shared ../shared [--show-misses]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from eval_corpus import (
    SAFE,
    SOURCES,
    Got,
    Story,
    fandom_right,
    fandom_verdict,
    franchise,
    got_of,
    lead_found,
    load_stories,
    main_right,
    pairs_for_calibration,
    same_character,
    same_pair,
)
from ficsift.understand.calibration import (
    EXCLUSION_PRECISION,
    NEVER,
    RAW,
    Calibration,
    Curve,
    fit_fandom,
    fit_main_bar,
    fit_map,
    fit_precise_at,
    fit_rating,
)
from ficsift.understand.content import analyze, rating_features
from ficsift.understand.infer import understand
from ficsift.understand.learned import TaggedWork, learn, with_learned
from ficsift.understand.primer import Primer, load_primer
from ficsift.understand.story import StoryText
from ficsift.understand.tropes import inventory

LIBRARY = "LOFO+library"
CONDITIONS = ("in-sample", "LOWO", "LOFO", "LOSO", LIBRARY)
BINS = 10


# -- the folds -----------------------------------------------------------------------------------


def primer_without(primer: Primer, franchises: frozenset[str], cache: dict) -> Primer:
    """The primer less its entries for fandoms of ``franchises`` (kept alive in ``cache``)."""
    if not franchises:
        return primer
    if franchises not in cache:
        kept = {
            name: entry
            for name, entry in primer.fandoms.items()
            if franchise(primer, name) not in franchises
        }
        cache[franchises] = Primer(kept, primer.ontology)
    return cache[franchises]


def source_only_franchises(stories: list[Story]) -> dict[str, frozenset[str]]:
    """Per source, the franchises no other source has a story of."""
    by_source: dict[str, set[str]] = defaultdict(set)
    for s in stories:
        by_source[s.source] |= s.gold.franchises
    return {
        src: frozenset(frs - set().union(*(v for k, v in by_source.items() if k != src)))
        for src, frs in by_source.items()
    }


def fold_of(condition: str, story: Story, source_only: dict[str, frozenset[str]]) -> frozenset:
    """What the story's fold removes (franchises)."""
    if condition in ("LOFO", LIBRARY):
        return frozenset(story.gold.franchises)
    if condition == "LOSO":
        return source_only.get(story.source, frozenset())
    return frozenset()


# -- running -------------------------------------------------------------------------------------


def run(
    stories: list[Story],
    primer_for: Callable[[Story], Primer],
    calibration_for: Callable[[Story], Calibration],
) -> tuple[dict[str, Got], float, int]:
    got: dict[str, Got] = {}
    seconds, words = 0.0, 0
    for s in stories:
        primer = primer_for(s)
        calibration = calibration_for(s)
        started = time.perf_counter()
        understand(s.bare, primer, calibration)
        seconds += time.perf_counter() - started
        words += s.words
        got[s.key] = got_of(s.bare)
    return got, seconds, words


# -- calibration, fitted per fold ----------------------------------------------------------------


def fandom_rows(
    stories: list[Story], readings: list[dict[str, Got]], primer: Primer
) -> dict[str, list[tuple[tuple[float, ...], bool, frozenset[str]]]]:
    """Per story, (features, right?, the story's franchises) of every fandom candidate in the
    given readings (a story without a known franchise is a group of its own)."""
    rows: dict[str, list[tuple[tuple[float, ...], bool, frozenset[str]]]] = defaultdict(list)
    for s in stories:
        if not (s.gold.fandoms or s.gold.fandom_keys):
            continue
        for got in readings:
            for name, _p, features in got[s.key].candidates:
                rows[s.key].append((features, fandom_right(name, s.gold, primer), group_of(s)))
    return rows


def type_pairs(
    stories: list[Story], got: dict[str, Got], primer: Primer
) -> dict[str, dict[str, list[tuple[float, bool]]]]:
    """Per story, per tag type, (raw confidence, right?) pairs (not the fandom's)."""
    out: dict[str, dict[str, list[tuple[float, bool]]]] = {}
    for s in stories:
        per: dict[str, list[tuple[float, bool]]] = defaultdict(list)
        for kind, c, ok in pairs_for_calibration(got[s.key], s.gold, primer):
            if kind != "fandom":
                per[kind].append((c, ok))
        out[s.key] = per
    return out


def fit_maps(
    pairs: Iterable[tuple[frozenset[str], dict[str, list[tuple[float, bool]]]]],
) -> dict[str, Curve]:
    """Per tag type, the map from the stories' pairs, grouped by the stories' franchises (the
    map's form is chosen by holding each group out: ``fit_map``)."""
    grouped: dict[str, dict[frozenset[str], list[tuple[float, bool]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for group, per in pairs:
        for kind, ps in per.items():
            grouped[kind][group].extend(ps)
    return {k: m for k, gs in grouped.items() if (m := fit_map(gs)) is not None}


def group_of(story: Story) -> frozenset[str]:
    """A story's group when a fit holds groups out: its franchises (else the story alone)."""
    return frozenset(story.gold.franchises) or frozenset([story.key])


def work_of(story: Story) -> tuple[str, tuple[str, ...]]:
    """Which work a story is (its copies in other formats are the same work): its title and
    authors, case-folded."""
    doc = story.bare
    return (doc.title or story.key).casefold(), tuple(sorted(a.casefold() for a in doc.authors))


def in_fold(condition: str, train: Story, test: Story) -> bool:
    """May ``train`` teach the calibration ``test`` is judged with?"""
    if condition == "LOWO":
        return work_of(train) != work_of(test)
    if condition in ("LOFO", LIBRARY):
        return not (train.gold.franchises & test.gold.franchises)
    if condition == "LOSO":
        return train.source != test.source
    return True


def rating_row(
    story: Story,
) -> tuple[tuple[tuple[float, ...], str, bool] | None, str]:
    """The story's row for the rating model's fit (None: unrated, or not English) and a
    digest of its text."""
    text = StoryText.of(story.bare)
    digest = hashlib.blake2b(text.text.encode(), digest_size=16).hexdigest()
    gold = story.gold
    if not gold.rating or gold.rating == "Not Rated":
        return None, digest
    a = analyze(text)
    if not a.words or a.confident < 0.3:
        return None, digest
    return (rating_features(a), gold.rating, gold.rating_ao3), digest


# -- scoring -------------------------------------------------------------------------------------


class PRF:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, got: Iterable, want: Iterable, same: Callable) -> None:
        want = list(want)
        matched: set[int] = set()
        for g in got:
            hit = next((i for i, w in enumerate(want) if i not in matched and same(g, w)), None)
            if hit is None:
                self.fp += 1
            else:
                self.tp += 1
                matched.add(hit)
        self.fn += len(want) - len(matched)

    def figures(self) -> dict[str, float | None]:
        # Precision with nothing guessed is undefined ("—"), not 0: no guess was wrong.
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else None
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * p * r / (p + r) if p is not None and p + r else 0.0
        return {"precision": p, "recall": r, "f1": f1}


def ratio(n: int, d: int) -> float | None:
    return n / d if d else None


def score(stories: list[Story], got: dict[str, Got], primer: Primer) -> dict:
    chars, rels, free, warn = PRF(), PRF(), PRF(), PRF()
    leads = [0, 0]
    main = [0, 0]
    verdicts: Counter[str] = Counter()
    safe = [0, 0]
    four = [0, 0]
    rated = [0, 0]  # rated stories given a rating, rated stories
    misses: list[str] = []
    for s in stories:
        g, gold = got[s.key], s.gold
        if gold.text_only:
            for key in gold.leads:
                leads[1] += 1
                leads[0] += lead_found(key, g)
        else:
            chars.add(g.characters, gold.characters, same_character)
            extra = [
                c for c in g.characters if not any(same_character(c, w) for w in gold.characters)
            ]
            lost = [
                w for w in gold.characters if not any(same_character(c, w) for c in g.characters)
            ]
            if extra or lost:
                marked = [f"{c}{' (unknown)' if c in g.unknown else ''}" for c in sorted(extra)]
                misses.append(f"{s.key} ({s.words} words): characters +{marked} -{sorted(lost)}")
            rels.add(g.relationships, gold.relationships, same_pair)
            free.add(g.freeforms, gold.freeforms, lambda a, b: a == b)
        if gold.warnings is not None:
            said = {w for w in g.warnings if w in gold.warnings_known}
            warn.add(said, gold.warnings & gold.warnings_known, lambda a, b: a == b)
        ok = main_right(g, gold)
        main[0] += ok
        main[1] += 1
        if not ok:
            misses.append(
                f"{s.key}: main {sorted(g.main or [])} vs {sorted(gold.main_keys or gold.main or [])}"
            )
        if gold.fandoms or gold.fandom_keys:
            v = fandom_verdict(g, gold, primer)
            verdicts[v] += 1
            if v != "right":
                misses.append(
                    f"{s.key}: fandom {v}: {sorted(g.fandoms)} vs {sorted(gold.fandoms) or gold.fandom_keys}"
                )
        if gold.rating and gold.rating != "Not Rated":
            rated[1] += 1
            rated[0] += g.rating is not None
            if g.rating is None:
                misses.append(f"{s.key}: rating abstained ({gold.rating})")
            elif (g.rating in SAFE) != (gold.rating in SAFE):
                misses.append(f"{s.key} ({s.words} words): rating {g.rating} vs {gold.rating}")
        if gold.rating and gold.rating != "Not Rated" and g.rating:
            safe[1] += 1
            safe[0] += (g.rating in SAFE) == (gold.rating in SAFE)
            if gold.rating_ao3:
                four[1] += 1
                four[0] += g.rating == gold.rating
    n_f = sum(verdicts.values())
    out = {
        "stories": len(stories),
        "characters": chars.figures() if chars.tp + chars.fn else None,
        "leads found (wild)": ratio(*leads),
        "relationships": rels.figures() if rels.tp + rels.fn else None,
        "freeforms": free.figures() if free.tp + free.fn else None,
        "main pairing": ratio(*main),
        "fandom right": ratio(verdicts["right"], n_f),
        "fandom confident wrong": ratio(verdicts["wrong"], n_f),
        "fandom abstained": ratio(verdicts["abstained"], n_f),
        "fandom partial (a crossover half missed)": ratio(verdicts["partial"], n_f),
        "fandom counts": dict(verdicts),
        "safe vs mature": ratio(*safe),
        "rating 4-way (AO3 ratings)": ratio(*four),
        "rating given": ratio(*rated),
        "warnings": warn.figures() if warn.tp + warn.fp + warn.fn else None,
        "warnings tp/fp/fn": [warn.tp, warn.fp, warn.fn],
        "misses": misses,
    }
    return out


def reliability(pairs: list[tuple[float, bool]]) -> dict:
    """ECE over BINS equal-width bins, and the table (n, mean confidence, share right)."""
    bins: list[list[tuple[float, bool]]] = [[] for _ in range(BINS)]
    for c, ok in pairs:
        bins[min(BINS - 1, int(c * BINS))].append((c, ok))
    table = []
    ece = 0.0
    for i, b in enumerate(bins):
        if not b:
            continue
        conf = sum(c for c, _ in b) / len(b)
        acc = sum(ok for _, ok in b) / len(b)
        ece += len(b) / len(pairs) * abs(acc - conf)
        table.append({"bin": f"{i / BINS:.1f}-{(i + 1) / BINS:.1f}", "n": len(b),
                      "confidence": round(conf, 3), "right": round(acc, 3)})  # fmt: skip
    # Brier score: unlike the ECE it also rewards telling right from wrong (a map that gives
    # every tag the overall rate has no ECE at all), and it needs no bins.
    brier = sum((c - ok) ** 2 for c, ok in pairs) / len(pairs) if pairs else None
    return {"n": len(pairs), "ece": round(ece, 4) if pairs else None, "table": table,
            "brier": round(brier, 4) if brier is not None else None,
            "precise_at": fit_precise_at(pairs)}  # fmt: skip


def calibration_report(
    stories: list[Story],
    got: dict[str, Got],
    primer: Primer,
    maps_for: Callable[[Story], dict[str, Curve]],
) -> dict:
    """Reliability per tag type, each confidence mapped with the story's fold's maps."""
    by_type: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for s in stories:
        maps = maps_for(s)
        for kind, c, ok in pairs_for_calibration(got[s.key], s.gold, primer):
            m = maps.get(kind)
            by_type[kind].append((m(c) if m else c, ok))
    return {kind: reliability(pairs) for kind, pairs in sorted(by_type.items())}


# -- report --------------------------------------------------------------------------------------

ROWS = [
    ("characters F1", lambda r: (r["characters"] or {}).get("f1")),
    ("characters precision", lambda r: (r["characters"] or {}).get("precision")),
    ("characters recall", lambda r: (r["characters"] or {}).get("recall")),
    ("leads found (wild)", lambda r: r["leads found (wild)"]),
    ("main pairing", lambda r: r["main pairing"]),
    ("fandom right", lambda r: r["fandom right"]),
    ("fandom confident wrong", lambda r: r["fandom confident wrong"]),
    ("fandom abstained", lambda r: r["fandom abstained"]),
    ("safe vs mature", lambda r: r["safe vs mature"]),
    ("rating 4-way (AO3 ratings)", lambda r: r["rating 4-way (AO3 ratings)"]),
    ("rating given (not abstained)", lambda r: r["rating given"]),
    ("warning precision", lambda r: (r["warnings"] or {}).get("precision")),
    ("warning recall", lambda r: (r["warnings"] or {}).get("recall")),
    ("relationships F1", lambda r: (r["relationships"] or {}).get("f1")),
    ("freeforms precision", lambda r: (r["freeforms"] or {}).get("precision")),
]


def _cell(v: float | None) -> str:
    return "—" if v is None else f"{v:.3f}"


def print_table(title: str, results: dict[str, dict]) -> None:
    print(f"\n{title}")
    width = max(12, *(len(c) + 2 for c in results))
    print(f"{'measure':<34}" + "".join(f"{c:>{width}}" for c in results))
    for label, get in ROWS:
        print(f"{label:<34}" + "".join(f"{_cell(get(r)):>{width}}" for r in results.values()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--out", default=".eval/understand.json")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument(
        "--cache", help="pickle of the read stories: reused when present (for quick reruns)"
    )
    parser.add_argument(
        "--write-calibration",
        metavar="PATH",
        help="write the calibration fitted on every story (src/ficsift/understand/data/"
        "calibration.json is the shipped one)",
    )
    opts = parser.parse_args()
    primer = load_primer()
    stories = load_stories(Path(opts.shared), primer, inventory(), cache=opts.cache)
    source_only = source_only_franchises(stories)
    cache: dict = {}

    teachers = [
        (
            t.key,
            TaggedWork(
                sorted(t.gold.fandoms),
                sorted(t.gold.characters),
                ["/".join(sorted(pair)) for pair in t.gold.relationships],
            ),
        )
        for t in stories
        if t.gold.fandoms and not t.gold.text_only
    ]

    def primers(condition: str) -> Callable[[Story], Primer]:
        if condition == LIBRARY:
            return lambda s: with_learned(
                primer_without(primer, fold_of(condition, s, source_only), cache),
                learn(w for key, w in teachers if key != s.key),
            )
        return lambda s: primer_without(primer, fold_of(condition, s, source_only), cache)

    # Stage 1: the fandom candidates' features with the unfitted model, the primer whole and
    # with each story's franchise left out (the two situations a reader's library holds).
    raw = {c: run(stories, primers(c), lambda s: RAW)[0] for c in ("in-sample", "LOFO")}
    rows = fandom_rows(stories, list(raw.values()), primer)
    fitted: dict[tuple[str, str], Calibration] = {}

    # The rating model's rows: (features, the author's rating, on AO3's scale?) of each rated
    # English story, and a digest of its text (one story saved as three files teaches its
    # copies nothing: a fold leaves out every story of the same text).
    rating_rows = {s.key: rating_row(s) for s in stories}

    def fandom_calibration(condition: str) -> Callable[[Story], Calibration]:
        def get(s: Story) -> Calibration:
            key = (condition, s.key if condition != "in-sample" else "")
            if key not in fitted:
                train = [r for t in stories if in_fold(condition, t, s) for r in rows[t.key]]
                digest = rating_rows[s.key][1] if condition != "in-sample" else ""
                rating = fit_rating(
                    [
                        row
                        for t in stories
                        if in_fold(condition, t, s)
                        for row, d in [rating_rows[t.key]]
                        if row is not None and d != digest
                    ]
                )
                fitted[key] = dataclasses.replace(fit_fandom(train), rating=rating)
            return fitted[key]

        return get

    # Stage 2: every condition with its fold's fandom model; other types' raw confidences.
    readings: dict[str, dict[str, Got]] = {}
    throughput = {}
    for condition in CONDITIONS:
        got, seconds, words = run(stories, primers(condition), fandom_calibration(condition))
        readings[condition] = got
        throughput[condition] = words / seconds if seconds else 0.0
    # The maps are fitted on both situations (the fandom known, the fandom left out) as the
    # fandom model is; a fold's on the stories it may learn from.
    pairs = {c: type_pairs(stories, readings[c], primer) for c in ("in-sample", "LOFO")}
    shipped_maps = fit_maps((group_of(s), p[s.key]) for p in pairs.values() for s in stories)

    def maps_for(condition: str) -> Callable[[Story], dict[str, Curve]]:
        if condition == "in-sample":
            return lambda s: shipped_maps
        memo: dict[object, dict[str, Curve]] = {}

        def get(s: Story) -> dict[str, Curve]:
            key: object = (
                s.source
                if condition == "LOSO"
                else work_of(s)
                if condition == "LOWO"
                else frozenset(s.gold.franchises)  # LOFO(+lib)
            )
            if key not in memo:
                memo[key] = fit_maps(
                    (group_of(t), p[t.key])
                    for p in pairs.values()
                    for t in stories
                    if in_fold(condition, t, s)
                )
            return memo[key]

        return get

    # The main pairing is said from the bar the fold's stories teach (under it the story reads
    # as gen): each story's calibrated main-pairing confidence against that bar.
    def main_confidence(got: Got, maps: dict[str, Curve]) -> float:
        curve = maps.get("main pairing")
        return curve(got.main_confidence) if curve else got.main_confidence

    def main_bar_for(condition: str) -> Callable[[Story], float]:
        maps = maps_for(condition)
        memo: dict[object, float] = {}

        def get(s: Story) -> float:
            key = id(maps(s))  # a fold's maps and its bar are fitted on the same stories
            if key not in memo:
                memo[key] = fit_main_bar(
                    [
                        (
                            main_confidence(got, maps(s)),
                            main_right(got, t.gold),
                            main_right(dataclasses.replace(got, main=None), t.gold),
                        )
                        for t in stories
                        if in_fold(condition, t, s)
                        for got in (raw_readings[c][t.key] for c in ("in-sample", "LOFO"))
                        if got.main is not None
                    ]
                )
            return memo[key]

        return get

    raw_readings = {c: dict(readings[c]) for c in ("in-sample", "LOFO")}
    main_bars = {c: main_bar_for(c) for c in CONDITIONS}
    for c in CONDITIONS:
        maps = maps_for(c)
        for s in stories:
            got = readings[c][s.key]
            if got.main is not None and main_confidence(got, maps(s)) < main_bars[c](s):
                readings[c][s.key] = dataclasses.replace(got, main=None, main_confidence=0.0)
    results = {c: score(stories, readings[c], primer) for c in CONDITIONS}
    per_source = {
        src: {
            c: score([s for s in stories if s.source == src], readings[c], primer)
            for c in CONDITIONS
        }
        for src in SOURCES
    }
    calibration = {
        c: calibration_report(stories, readings[c], primer, maps_for(c)) for c in CONDITIONS
    }
    if opts.write_calibration:
        # The exclusion bars from the cross-validated reading: what a guess on a fandom the
        # reader's library does not know earns.
        bars = {k: r["precise_at"] for k, r in calibration["LOFO"].items() if r["precise_at"]}
        fandom = fandom_calibration("in-sample")(stories[0])
        shipped = Calibration(
            fandom=fandom.fandom,
            fandom_clip=fandom.fandom_clip,
            maps=shipped_maps,
            precise_at=bars,
            rating=fandom.rating,
            main_bar=main_bars["in-sample"](stories[0]),
        )
        target = Path(opts.write_calibration)
        target.write_text(json.dumps(shipped.to_json(), indent=1, sort_keys=True) + "\n")
        print(f"wrote {target}")

    words = sum(s.words for s in stories)
    counts = Counter(s.source for s in stories)
    print(
        f"Text-only inference vs author tags: {len(stories)} stories "
        f"({', '.join(f'{counts[s]} {s}' for s in SOURCES)}), {words:,} words"
    )
    print_table("all sources", results)
    for src in SOURCES:
        print_table(f"{src} ({counts[src]} stories)", per_source[src])
    print(
        "\nby folder, in-sample / LOWO / LOFO (characters F1, main pairing, fandom right, "
        "safe-vs-mature):"
    )
    for group in sorted({s.group for s in stories}):
        part = [s for s in stories if s.group == group]
        cells = []
        for c in ("in-sample", "LOWO", "LOFO"):
            r = score(part, readings[c], primer)
            f1 = (r["characters"] or {}).get("f1")
            cells.append(
                " ".join(
                    _cell(v)
                    for v in (f1, r["main pairing"], r["fandom right"], r["safe vs mature"])
                )
            )
        print(f"  {group:<14}{'  |  '.join(cells)}  ({len(part)} stories)")
    print("\nfandom verdicts (right / wrong / abstained / partial):")
    for c in CONDITIONS:
        fc = results[c]["fandom counts"]
        print(
            f"  {c:<10} {fc.get('right', 0)} / {fc.get('wrong', 0)} / "
            f"{fc.get('abstained', 0)} / {fc.get('partial', 0)}"
        )
    print("\nexpected calibration error (ECE, 10 bins) per tag type:")
    kinds = sorted({k for c in CONDITIONS for k in calibration[c]})
    print(f"  {'tag type':<16}" + "".join(f"{c:>16}" for c in CONDITIONS))
    for k in kinds:
        cells = []
        for c in CONDITIONS:
            r = calibration[c].get(k)
            cells.append(f"{_cell(r['ece'])} (n={r['n']})" if r else "—")
        print(f"  {k:<16}" + "".join(f"{x:>16}" for x in cells))
    print("\nBrier score (mean squared error of the confidence; lower is better) per tag type:")
    print(f"  {'tag type':<16}" + "".join(f"{c:>16}" for c in CONDITIONS))
    for k in kinds:
        cells = [_cell((calibration[c].get(k) or {}).get("brier")) for c in CONDITIONS]
        print(f"  {k:<16}" + "".join(f"{x:>16}" for x in cells))
    print(
        f"\nexclusion bar (lowest confidence with precision >= {EXCLUSION_PRECISION} above it; "
        f"{NEVER}: no level that precise; —: too few tags):"
    )
    print(f"  {'tag type':<16}" + "".join(f"{c:>16}" for c in CONDITIONS))
    for k in kinds:
        cells = [str((calibration[c].get(k) or {}).get("precise_at") or "—") for c in CONDITIONS]
        print(f"  {k:<16}" + "".join(f"{x:>16}" for x in cells))
    print("\nreliability, cross-validated (LOFO): bin  n  mean confidence  share right")
    for k in kinds:
        r = calibration["LOFO"].get(k)
        if r:
            rows = "  ".join(
                f"{t['bin']}:{t['n']}/{t['confidence']:.2f}/{t['right']:.2f}" for t in r["table"]
            )
            print(f"  {k:<14} {rows}")
    print(f"\nthroughput (in-sample pass): {throughput['in-sample']:,.0f} words/s on one core")
    if opts.show_misses:
        for c in CONDITIONS:
            print(f"\nmisses, {c}:")
            print("\n".join(f"  {m}" for m in results[c]["misses"]))
    out = Path(opts.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    for table in [results, *per_source.values()]:
        for r in table.values():
            r.pop("misses", None)
    out.write_text(
        json.dumps(
            {
                "stories": len(stories),
                "words": words,
                "words_per_second": round(throughput["in-sample"]),
                "results": results,
                "by_source": per_source,
                "calibration": calibration,
            },
            indent=2,
            default=str,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
