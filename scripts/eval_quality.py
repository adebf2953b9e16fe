"""How the quality score ranks real works, and whether it knows more than raw kudos.

    .venv/bin/python scripts/eval_quality.py --shared ../shared

Data: the DS9 AO3 listing pages (``corpus/ao3-listings-ds9``: kudos, hits, bookmarks,
comments, words, chapters, last-update date per blurb; read with ficsift's own reader) and the
ship CSVs (``corpus/ao3-ships-top-kudos``: kudos and date only, ~1,000 top works per ship).

Printed, and written to ``.eval/quality.json``:

1. Spearman correlation between quality and raw kudos.
2. Movement vs raw kudos: for long, multi-chapter, small-fandom, recent and old works, their
   mean percentile rank under raw kudos and under quality, and their share of the top 10%.
3. The top 10 by quality and by kudos, with the reasons.
4. Held-out check (DS9).  Works are split in two halves by a hash of their AO3 id.  Priors are
   fitted on one half, *without the bookmarks part*, and the other half is scored.  Target:
   each held-out work's bookmarks per hit (works with ≥ 100 hits) — a reader keeping the work
   to come back to, which neither raw kudos nor this variant of the score sees.  We report
   Spearman of the target with raw kudos, raw kudos/hits and quality, overall and within
   one-shots / multi-chapter works, and the pairwise test: among random held-out pairs that
   kudos and quality order differently, how often quality's pick has the higher bookmark
   rate.  Caveat stated in the output: kudos/hits and bookmarks/hits share the hits
   denominator, so raw kudos/hits is the fair baseline for the rate part; raw bookmarks/hits
   is itself lower for many-chapter works (hits count chapter views), which works against
   the score's length correction, so the test is conservative for it.
5. Ships (kudos only): how concentrated the top 500 is in the biggest fandoms, and how
   recent works fare, under raw kudos and under quality (fandom- and age-relative reach).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import random
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from ficsift.model import Status, TagType
from ficsift.read import read_bytes
from ficsift.search.quality import FandomPriors, QualityInput, score, score_value

csv.field_size_limit(sys.maxsize)


# ---------------------------------------------------------------------------- statistics


def ranks(values: Sequence[float]) -> list[float]:
    """Average ranks (ties share their mean rank), 0-based."""
    order = sorted(range(len(values)), key=values.__getitem__)
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2
        i = j + 1
    return out


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    ra, rb = ranks(a), ranks(b)
    n = len(ra)
    ma, mb = sum(ra) / n, sum(rb) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    va = math.sqrt(sum((x - ma) ** 2 for x in ra))
    vb = math.sqrt(sum((y - mb) ** 2 for y in rb))
    return cov / (va * vb) if va and vb else 0.0


def percentiles(values: Sequence[float]) -> list[float]:
    r = ranks(values)
    n = max(len(values) - 1, 1)
    return [x / n for x in r]


# ---------------------------------------------------------------------------- data


def load_ds9(shared: Path) -> list[dict]:
    rows: list[dict] = []
    seen: set[str] = set()
    for path in sorted((shared / "corpus/ao3-listings-ds9").glob("*.html")):
        for doc in read_bytes(str(path), path.read_bytes()):
            key = doc.source.work_key
            if key is None or key in seen:
                continue
            seen.add(key)
            s = doc.stats
            fandoms = [t.name for t in doc.tags_of(TagType.FANDOM)]
            rows.append(
                {
                    "key": key,
                    "title": doc.title or "",
                    "authors": doc.authors,
                    "fandoms": fandoms,
                    "input": QualityInput(
                        kudos=s.kudos,
                        hits=s.hits,
                        bookmarks=s.bookmarks,
                        comments=s.comments,
                        words=s.words or 0,
                        chapters=s.chapters_posted or 1,
                        complete={Status.COMPLETE: True, Status.IN_PROGRESS: False}.get(doc.status),
                        fandom=fandoms[0] if fandoms else None,
                        # Listing blurbs show the last update only: it stands in for age.
                        published=doc.updated,
                        text=None,
                    ),
                }
            )
    return rows


def load_ships(shared: Path) -> list[dict]:
    rows: list[dict] = []
    seen: set[tuple[str, str, str, str]] = set()
    for path in sorted((shared / "corpus/ao3-ships-top-kudos").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                kudos = rec["kudos"].strip().replace(",", "")
                key = (rec["title"], rec["datetime"], kudos, rec["fandom"])
                if key in seen or not kudos.isdigit():
                    continue
                seen.add(key)
                try:
                    published = datetime.strptime(rec["datetime"].strip(), "%d %b %Y").date()
                except ValueError:
                    continue
                rows.append(
                    {
                        "key": "|".join(key),
                        "title": rec["title"],
                        "fandoms": [rec["fandom"]],
                        "ship": rec["relationship"],
                        "input": QualityInput(
                            kudos=int(kudos),
                            hits=None,
                            bookmarks=None,
                            comments=None,
                            words=0,
                            chapters=1,
                            complete=None,
                            fandom=rec["fandom"],
                            published=published.isoformat(),
                            text=None,
                        ),
                    }
                )
    return rows


# ---------------------------------------------------------------------------- report parts


def movement(
    rows: list[dict],
    quality: list[float],
    groups: dict[str, Callable[[dict], bool]],
) -> dict[str, dict[str, float]]:
    kudos = [float(r["input"].kudos or 0) for r in rows]
    pk, pq = percentiles(kudos), percentiles(quality)
    with_hits = all(r["input"].hits for r in rows)
    pr = percentiles([(r["input"].kudos or 0) / (r["input"].hits or 1) for r in rows])
    n = len(rows)
    top = max(1, n // 10)
    top_k = set(sorted(range(n), key=lambda i: -kudos[i])[:top])
    top_q = set(sorted(range(n), key=lambda i: -quality[i])[:top])
    out: dict[str, dict[str, float]] = {}
    for name, member in groups.items():
        idx = [i for i in range(n) if member(rows[i])]
        if not idx:
            continue
        out[name] = {
            "works": len(idx),
            "mean_percentile_kudos": round(sum(pk[i] for i in idx) / len(idx), 3),
            "mean_percentile_quality": round(sum(pq[i] for i in idx) / len(idx), 3),
            **(
                {"mean_percentile_kudos_per_hit": round(sum(pr[i] for i in idx) / len(idx), 3)}
                if with_hits
                else {}
            ),
            "share_of_top10pct_kudos": round(len(top_k.intersection(idx)) / top, 3),
            "share_of_top10pct_quality": round(len(top_q.intersection(idx)) / top, 3),
        }
    return out


def describe(row: dict, q: float) -> dict:
    w: QualityInput = row["input"]
    return {
        "title": row["title"],
        "key": row["key"],
        "fandom": w.fandom,
        "quality": round(q, 3),
        "kudos": w.kudos,
        "hits": w.hits,
        "bookmarks": w.bookmarks,
        "words": w.words,
        "chapters": w.chapters,
        "date": w.published,
    }


def top_lists(rows: list[dict], quality: list[float], priors: FandomPriors, k: int = 10) -> dict:
    by_q = sorted(range(len(rows)), key=lambda i: -quality[i])[:k]
    by_k = sorted(range(len(rows)), key=lambda i: -(rows[i]["input"].kudos or 0))[:k]
    return {
        "by_quality": [
            {**describe(rows[i], quality[i]), "why": score(rows[i]["input"], priors).explain()}
            for i in by_q
        ],
        "by_kudos": [
            {**describe(rows[i], quality[i]), "why": score(rows[i]["input"], priors).explain()}
            for i in by_k
        ],
    }


def held_out(rows: list[dict]) -> dict:
    def half(row: dict) -> int:
        return hashlib.sha256(row["key"].encode()).digest()[0] & 1

    train = [r["input"] for r in rows if half(r) == 0]
    test = [r for r in rows if half(r) == 1 and (r["input"].hits or 0) >= 100]
    priors = FandomPriors.fit(train)
    priors.rates.pop("bookmarks")  # the target must stay unseen
    quality = [score_value(r["input"], priors) for r in test]
    kudos = [float(r["input"].kudos or 0) for r in test]
    kph = [(r["input"].kudos or 0) / (r["input"].hits or 1) for r in test]
    target = [(r["input"].bookmarks or 0) / (r["input"].hits or 1) for r in test]

    def corr(idx: list[int]) -> dict[str, float]:
        t = [target[i] for i in idx]
        return {
            "works": len(idx),
            "raw_kudos": round(spearman([kudos[i] for i in idx], t), 3),
            "raw_kudos_per_hit": round(spearman([kph[i] for i in idx], t), 3),
            "quality_without_bookmarks": round(spearman([quality[i] for i in idx], t), 3),
        }

    everything = list(range(len(test)))
    one_shots = [i for i in everything if test[i]["input"].chapters == 1]
    multi = [i for i in everything if test[i]["input"].chapters >= 5]
    rng = random.Random(4)
    agree = disagree = quality_wins = kph_wins = kph_disagree = 0
    for _ in range(200_000):
        a, b = rng.randrange(len(test)), rng.randrange(len(test))
        if kudos[a] == kudos[b] or quality[a] == quality[b] or target[a] == target[b]:
            continue
        k_pick = a if kudos[a] > kudos[b] else b
        q_pick = a if quality[a] > quality[b] else b
        r_pick = a if kph[a] > kph[b] else b
        better = a if target[a] > target[b] else b
        if k_pick == q_pick:
            agree += 1
        else:
            disagree += 1
            quality_wins += q_pick == better
        if k_pick != r_pick:
            kph_disagree += 1
            kph_wins += r_pick == better
    return {
        "design": (
            "fit on the half of DS9 works whose sha256(id) is even, without the bookmarks part; "
            "score the other half (hits >= 100); target = bookmarks/hits"
        ),
        "train_works": len(train),
        "test_works": len(test),
        "spearman_with_bookmark_rate": {
            "all": corr(everything),
            "one_shots": corr(one_shots),
            "five_plus_chapters": corr(multi),
        },
        "pairs_where_kudos_and_quality_disagree": disagree,
        "quality_pick_has_higher_bookmark_rate": round(quality_wins / max(disagree, 1), 3),
        "pairs_where_kudos_and_raw_rate_disagree": kph_disagree,
        "raw_rate_pick_has_higher_bookmark_rate": round(kph_wins / max(kph_disagree, 1), 3),
    }


def concentration(rows: list[dict], values: list[float], k: int = 500) -> dict:
    top = sorted(range(len(rows)), key=lambda i: -values[i])[:k]
    fandoms = Counter(rows[i]["input"].fandom for i in top)
    years = Counter((rows[i]["input"].published or "")[:4] for i in top)
    name, biggest = fandoms.most_common(1)[0]
    return {
        "fandoms_in_top": len(fandoms),
        "biggest_fandom": name,
        "biggest_fandom_share": round(biggest / k, 3),
        "share_2020_or_later": round(sum(v for y, v in years.items() if y >= "2020") / k, 3),
        "top5_fandoms": fandoms.most_common(5),
    }


# ---------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--out", type=Path, default=Path(".eval/quality.json"))
    args = parser.parse_args()

    ds9 = load_ds9(args.shared)
    priors = FandomPriors.fit(r["input"] for r in ds9)
    quality = [score_value(r["input"], priors) for r in ds9]
    kudos = [float(r["input"].kudos or 0) for r in ds9]
    sizes = Counter(r["input"].fandom for r in ds9)
    as_of = priors.as_of or "9999"
    recent_from = f"{int(as_of[:4]) - 1}{as_of[4:]}"

    def years_old(row: dict) -> float:
        return priors.age_of(row["input"].published)

    ds9_groups: dict[str, Callable[[dict], bool]] = {
        "long (>= 50k words)": lambda r: r["input"].words >= 50_000,
        "multi-chapter (>= 10)": lambda r: r["input"].chapters >= 10,
        "short one-shot (< 2k words)": lambda r: (
            r["input"].chapters == 1 and r["input"].words < 2000
        ),
        "small fandom (main fandom < 50 works here)": lambda r: sizes[r["input"].fandom] < 50,
        "recent (updated in the last year)": lambda r: (r["input"].published or "") >= recent_from,
        "old (> 8 years)": lambda r: years_old(r) > 8,
    }
    ds9_report = {
        "works": len(ds9),
        "as_of": priors.as_of,
        "fitted": {
            name: {
                "trend_logit_rate": dict(
                    zip(
                        ("intercept", "log_chapters", "log_words_k", "age_years"),
                        (round(b, 3) for b in model.beta),
                        strict=True,
                    )
                ),
                "library_mean": round(model.mean, 4),
                "prior_strength_hits": round(model.strength, 1),
            }
            for name, model in priors.rates.items()
        },
        "spearman_quality_vs_kudos": round(spearman(quality, kudos), 3),
        "spearman_quality_vs_kudos_per_hit": round(
            spearman(
                quality,
                [(r["input"].kudos or 0) / max(r["input"].hits or 1, 1) for r in ds9],
            ),
            3,
        ),
        "movement": movement(ds9, quality, ds9_groups),
        "top": top_lists(ds9, quality, priors),
        "held_out": held_out(ds9),
    }

    ships = load_ships(args.shared)
    ship_priors = FandomPriors.fit(r["input"] for r in ships)
    ship_quality = [score_value(r["input"], ship_priors) for r in ships]
    ship_kudos = [float(r["input"].kudos or 0) for r in ships]
    ship_sizes = Counter(r["input"].fandom for r in ships)
    # Audience, not row count, makes a fandom small here: every ship file holds ~1,000 works
    # whatever the fandom's size, so a fandom is "small-audience" when its median work has
    # fewer kudos than the median fandom's median (fandoms with >= 20 works here).
    by_fandom: dict[str | None, list[int]] = {}
    for r in ships:
        by_fandom.setdefault(r["input"].fandom, []).append(r["input"].kudos or 0)
    medians = {f: sorted(v)[len(v) // 2] for f, v in by_fandom.items() if len(v) >= 20}
    cut = sorted(medians.values())[len(medians) // 2]
    small_audience = {f for f, m in medians.items() if m < cut}
    ship_recent = f"{int((ship_priors.as_of or '9999')[:4]) - 1}{(ship_priors.as_of or '')[4:]}"
    ships_report = {
        "works": len(ships),
        "fandoms": len(ship_sizes),
        "small_audience_fandoms": sorted(f for f in small_audience if f),
        "as_of": ship_priors.as_of,
        "spearman_quality_vs_kudos": round(spearman(ship_quality, ship_kudos), 3),
        "movement": movement(
            ships,
            ship_quality,
            {
                "small-audience fandom (median kudos < median)": lambda r: (
                    r["input"].fandom in small_audience
                ),
                "big-audience fandom (median kudos >= median)": lambda r: (
                    r["input"].fandom in medians and r["input"].fandom not in small_audience
                ),
                "recent (last year)": lambda r: (r["input"].published or "") >= ship_recent,
                "old (> 8 years)": lambda r: ship_priors.age_of(r["input"].published) > 8,
            },
        ),
        "top500_by_kudos": concentration(ships, ship_kudos),
        "top500_by_quality": concentration(ships, ship_quality),
        "top": top_lists(ships, ship_quality, ship_priors, k=5),
    }

    report = {"ds9": ds9_report, "ships": ships_report}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print_report(report)
    print(f"\nwritten to {args.out}")


def print_report(report: dict) -> None:
    d = report["ds9"]
    print(f"== quality on DS9 listings: {d['works']:,} works (as of {d['as_of']})")
    for name, fit in d["fitted"].items():
        print(f"  fitted {name}/hit trend: {fit['trend_logit_rate']}")
    print(f"  Spearman(quality, raw kudos)     = {d['spearman_quality_vs_kudos']}")
    print(f"  Spearman(quality, raw kudos/hit) = {d['spearman_quality_vs_kudos_per_hit']}")
    print_movement(d["movement"])
    for label, key in (("by quality", "by_quality"), ("by raw kudos", "by_kudos")):
        print(f"\n  top 10 {label}:")
        for w in d["top"][key]:
            print(
                f"    {w['quality']:.3f}  {w['title'][:44]:44} {w['kudos'] or 0:>6,} kudos "
                f"{w['hits'] or 0:>8,} hits {w['chapters']:>3} ch {w['words']:>8,} w {w['date']}"
            )
            for line in w["why"][1:]:
                print(f"           {line[:150]}")
    h = d["held_out"]
    print(f"\n  held-out: {h['design']}")
    print(f"    train {h['train_works']:,} works, test {h['test_works']:,} works")
    for group, c in h["spearman_with_bookmark_rate"].items():
        print(
            f"    Spearman with bookmarks/hit, {group:<18} (n={c['works']:,}): raw kudos "
            f"{c['raw_kudos']:+.3f}  raw kudos/hit {c['raw_kudos_per_hit']:+.3f}  "
            f"quality {c['quality_without_bookmarks']:+.3f}"
        )
    print(
        f"    pairs kudos and quality order differently: {h['pairs_where_kudos_and_quality_disagree']:,}; "
        f"quality's pick has the higher bookmark rate in {h['quality_pick_has_higher_bookmark_rate']:.1%}"
    )
    print(
        f"    (raw kudos/hit vs kudos, same test: {h['raw_rate_pick_has_higher_bookmark_rate']:.1%} "
        f"of {h['pairs_where_kudos_and_raw_rate_disagree']:,} pairs)"
    )
    print(
        "    caveat: both rates divide by hits; raw kudos/hit is the baseline for that shared noise."
    )
    s = report["ships"]
    print(
        f"\n== ship CSVs (kudos only): {s['works']:,} works, {s['fandoms']} fandoms (as of {s['as_of']})"
    )
    print(f"  Spearman(quality, raw kudos) = {s['spearman_quality_vs_kudos']}")
    print_movement(s["movement"])
    for label, key in (("raw kudos", "top500_by_kudos"), ("quality", "top500_by_quality")):
        c = s[key]
        print(
            f"  top 500 by {label:<9}: {c['fandoms_in_top']} fandoms, biggest {c['biggest_fandom']} "
            f"{c['biggest_fandom_share']:.0%}, from 2020 on {c['share_2020_or_later']:.0%}"
        )
    print("  top 5 by quality:")
    for w in s["top"]["by_quality"]:
        print(f"    {w['quality']:.3f}  {w['title'][:40]:40} {w['kudos']:>6,} kudos  {w['fandom']}")
        for line in w["why"][1:]:
            print(f"           {line[:150]}")


def print_movement(moves: dict[str, dict[str, float]]) -> None:
    print(
        "  movement vs raw kudos (mean percentile rank under raw kudos [raw kudos/hit] → quality;"
        " share of the top 10% under raw kudos → quality):"
    )
    for name, m in moves.items():
        rate = m.get("mean_percentile_kudos_per_hit")
        rate_text = f" [{rate:.2f}]" if rate is not None else ""
        print(
            f"    {name:<44} n={m['works']:>6,}  percentile {m['mean_percentile_kudos']:.2f}{rate_text} → "
            f"{m['mean_percentile_quality']:.2f}   top-10% share {m['share_of_top10pct_kudos']:.1%} → "
            f"{m['share_of_top10pct_quality']:.1%}"
        )


if __name__ == "__main__":
    main()
