"""The quality score: engagement fairness, smoothing, craft signals, JSON, real AO3 data."""

from __future__ import annotations

import csv
import json
import random
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ficsift.model import Status, TagType
from ficsift.read import read_bytes
from ficsift.search.quality import (
    FandomPriors,
    Quality,
    QualityInput,
    craft_signals,
    score,
    score_value,
)


def work(
    kudos: int | None = 100,
    hits: int | None = 1000,
    *,
    bookmarks: int | None = 10,
    comments: int | None = 20,
    words: int = 5000,
    chapters: int = 1,
    complete: bool | None = True,
    fandom: str | None = "Big Fandom",
    published: str | None = "2020-01-01",
    text: str | None = None,
) -> QualityInput:
    return QualityInput(
        kudos, hits, bookmarks, comments, words, chapters, complete, fandom, published, text
    )


def synthetic_library(seed: int = 1) -> list[QualityInput]:
    """500 works whose kudos per hit fall with chapters (hits count chapter views)."""
    rng = random.Random(seed)
    rows = []
    for i in range(500):
        chapters = rng.choice([1, 1, 1, 2, 5, 10, 20, 40])
        hits = rng.randint(200, 20000)
        rate = rng.uniform(0.05, 0.15) * chapters**-0.4
        fandom = "Big Fandom" if i % 10 else "Other Fandom"
        rows.append(
            work(
                round(hits * rate),
                hits,
                bookmarks=round(hits * rate * 0.15),
                comments=round(hits * 0.01),
                words=chapters * rng.randint(1500, 4000),
                chapters=chapters,
                fandom=fandom,
                published=f"20{rng.randint(12, 22)}-0{rng.randint(1, 9)}-15",
            )
        )
    return rows


@pytest.fixture(scope="module")
def priors() -> FandomPriors:
    return FandomPriors.fit(synthetic_library())


def part(q: Quality, name: str) -> float:
    return next(p.value for p in q.parts if p.name == name)


# ------------------------------------------------------------------ engagement


def test_fitted_hit_decay_is_negative_per_chapter(priors: FandomPriors) -> None:
    # The library was made with rate ∝ chapters^-0.4; the fit must find a decay near it.
    b_chapters = priors.rates["kudos"].beta[1]
    assert -0.6 < b_chapters < -0.2


def test_multi_chapter_work_is_not_punished_for_chapter_hits(priors: FandomPriors) -> None:
    one_shot = work(300, 6000, chapters=1, words=5000)
    epic = work(300, 6000, chapters=30, words=150_000)
    # Same kudos and hits: the epic's hits are spread over 30 chapter pages, so it has
    # fewer readers and a higher kudos rate per reader.
    assert part(score(epic, priors), "kudos/hits") > part(score(one_shot, priors), "kudos/hits")
    assert score(epic, priors).score > score(one_shot, priors).score


def test_three_hits_is_not_top(priors: FandomPriors) -> None:
    lucky = work(3, 3, bookmarks=1, comments=1)
    proven = work(180, 1200, bookmarks=30, comments=40)
    assert score(proven, priors).score > score(lucky, priors).score
    assert score(lucky, priors).score < 0.6


def test_more_evidence_at_the_same_rate_scores_higher(priors: FandomPriors) -> None:
    small = work(30, 200, bookmarks=3, comments=2)
    large = work(1500, 10000, bookmarks=150, comments=100)
    assert part(score(large, priors), "kudos/hits") > part(score(small, priors), "kudos/hits")


def test_small_fandom_prior_is_shrunk_to_the_library() -> None:
    rows = synthetic_library()
    rows.append(work(900, 1000, fandom="Tiny Fandom"))  # one freak work
    fitted = FandomPriors.fit(rows)
    tiny_mean, _, tiny_n = fitted.rates["kudos"].prior("tiny fandom")
    library_mean = fitted.rates["kudos"].mean
    assert tiny_n == 1
    # One work at 0.9 per hit moves the fandom's prior only 1/21 of the way toward it.
    assert abs(tiny_mean - library_mean) < 0.05
    _, _, big_n = fitted.rates["kudos"].prior("big fandom")
    assert big_n > 400


def test_missing_counts_with_hits_are_zero(priors: FandomPriors) -> None:
    # AO3 blurbs leave zero stats out: no bookmarks shown means none.
    q = score(work(100, 1000, bookmarks=None), priors)
    assert "bookmarks/hits" in [p.name for p in q.parts]
    assert part(q, "bookmarks/hits") < part(
        score(work(100, 1000, bookmarks=40), priors), "bookmarks/hits"
    )


def test_kudos_without_hits_uses_reach_only(priors: FandomPriors) -> None:
    q = score(work(500, None, bookmarks=None, comments=None), priors)
    assert q.basis == "engagement"
    assert [p.name for p in q.parts] == ["reach"]


def test_reach_is_relative_to_age() -> None:
    # Kudos pile up with the years: 100 kudos is a lot for a new work, little for an old one.
    rng = random.Random(5)
    rows = []
    for _ in range(300):
        year = rng.randint(2010, 2022)
        kudos = round(30 * (2023 - year) * rng.uniform(0.5, 2.0))
        rows.append(work(kudos, None, bookmarks=None, comments=None, published=f"{year}-06-01"))
    fitted = FandomPriors.fit(rows)
    assert fitted.reach_beta[1] > 0.5
    new = work(100, None, bookmarks=None, comments=None, published="2022-06-01")
    old = work(100, None, bookmarks=None, comments=None, published="2012-06-01")
    assert score(new, fitted).score > 0.6 > 0.2 > score(old, fitted).score


def test_basis_follows_what_is_known(priors: FandomPriors) -> None:
    prose = "She walked to the window and looked out at the rain. " * 30
    assert score(work(None, None, bookmarks=None, comments=None), priors).basis == "craft"
    assert score(work(None, None, bookmarks=None, comments=None, text=prose), priors).basis == (
        "craft"
    )
    assert score(work(text=prose), priors).basis == "engagement+craft"
    assert score(work(), priors).basis == "engagement"


def test_explain_names_every_part(priors: FandomPriors) -> None:
    q = score(work(412, 5800, chapters=12, words=60000, fandom="Other Fandom"), priors)
    lines = q.explain()
    assert lines[0].startswith(f"quality {q.score:.2f} from engagement")
    assert len(lines) == 1 + len(q.parts)
    for p, line in zip(q.parts, lines[1:], strict=True):
        assert p.name in line and p.detail in line
    kudos_detail = next(p.detail for p in q.parts if p.name == "kudos/hits")
    assert "412 kudos from 5,800 hits" in kudos_detail and "Other Fandom's" in kudos_detail


def test_explanations_speak_plainly(priors: FandomPriors) -> None:
    """A reader reads these: no statistician's shorthand."""
    text = " ".join(("The cellar door creaked. " * 40 + "\n\n") * 30)
    q = score(work(412, 5800, chapters=12, words=60000, text=text), priors)
    lines = " ".join(q.explain())
    assert "lexical variety" in lines and "kudos/hits" in lines
    for jargon in ("MATTR", "s.d.", "prior worth", "type-token"):
        assert jargon not in lines


def test_priors_round_trip_through_json(priors: FandomPriors) -> None:
    again = FandomPriors.from_json(json.loads(json.dumps(priors.to_json())))
    for w in synthetic_library(seed=2)[:50]:
        assert score(w, again) == score(w, priors)


def test_tiny_library_falls_back_to_defaults() -> None:
    fitted = FandomPriors.fit([work(10, 100), work(50, 300, chapters=3)])
    assert fitted.rates["kudos"].beta[1] < 0  # the DS9 decay, not a fit on two works
    q = score(work(40, 200, chapters=5), fitted)
    assert 0.0 <= q.score <= 1.0


counts = st.one_of(st.none(), st.integers(0, 100_000))


@settings(max_examples=150, deadline=None)
@given(
    kudos=counts,
    hits=counts,
    bookmarks=counts,
    comments=counts,
    words=st.integers(0, 2_000_000),
    chapters=st.integers(0, 500),
    complete=st.sampled_from([True, False, None]),
    fandom=st.sampled_from(["Big Fandom", "Other Fandom", "Unknown", None, ""]),
    published=st.sampled_from(["2010-05-01", "2031-01-01", "not a date", None]),
)
def test_score_is_bounded_and_weights_sum_to_one(
    priors: FandomPriors,
    kudos: int | None,
    hits: int | None,
    bookmarks: int | None,
    comments: int | None,
    words: int,
    chapters: int,
    complete: bool | None,
    fandom: str | None,
    published: str | None,
) -> None:
    w = QualityInput(
        kudos, hits, bookmarks, comments, words, chapters, complete, fandom, published, None
    )
    q = score(w, priors)
    assert 0.0 <= q.score <= 1.0
    assert abs(sum(p.weight for p in q.parts) - 1.0) < 1e-9
    assert all(0.0 <= p.value <= 1.0 for p in q.parts)
    assert abs(q.score - sum(p.value * p.weight for p in q.parts)) < 1e-9
    assert score_value(w, priors) == q.score


# ------------------------------------------------------------------ craft

CLEAN = (
    '"Get out of my bar," Quark said, and Odo did not move.\n'
    "The colour of the light changed as the station turned. She realised she wasn't "
    "afraid any more; the centre of the Promenade was quiet at this hour.\n"
    '"You know I can\'t do that," Odo answered. "Not tonight."\n'
)
MISSPELT = (
    "teh colour of teh light chnaged as teh station turnd. she realisd she wasnt afriad "
    "any more; the centr of teh promenade was quite at this houre.\n"
)


def test_spelling_proxy_counts_misspellings_not_names_or_british_spelling() -> None:
    clean = craft_signals(CLEAN)
    assert clean["spelling_errors"] == 0.0  # Quark, Odo capitalised; colour, realised, centre
    bad = craft_signals(MISSPELT)
    assert bad["spelling_errors"] > 0.25


def test_dialogue_punctuation() -> None:
    good = '"I will go now," she said.\n"Where are you going?" he asked.\n' * 3
    missing = '"I will go now" she said.\n"Where are you going" he asked.\n' * 3
    period = '"I will go now." she said.\n' * 6
    assert craft_signals(good)["dialogue_ok"] == 1.0
    assert craft_signals(missing)["dialogue_ok"] == 0.0
    assert craft_signals(period)["dialogue_ok"] == 0.0
    assert craft_signals(good)["dialogue_lines"] == 6
    # Scare quotes of one or two words are not dialogue.
    assert craft_signals('It was a "good" day and a "fine thing" too.')["dialogue_lines"] == 0


def test_wall_of_text() -> None:
    sentence = "The ship drifted past the wormhole while the crew slept below. "
    wall = sentence * 60  # ~660 words in one paragraph
    paragraphed = "\n\n".join([sentence * 6] * 10)
    assert craft_signals(wall)["wall_share"] == 1.0
    assert craft_signals(paragraphed)["wall_share"] == 0.0
    assert craft_signals(paragraphed)["paragraph_words"] == pytest.approx(66, abs=1)


def test_lexical_and_sentence_variety() -> None:
    monotone = "The cat sat on the mat. " * 100
    varied = (
        "Kira ran. The Cardassian freighter, listing badly to port, drifted past the "
        "docking ring while Odo watched from the upper pylon with his arms folded. Why? "
        "Nobody on the Promenade could say, though Quark had theories about smugglers, "
        "latinum and the price of Bajoran spring wine. "
    ) * 25
    m, v = craft_signals(monotone), craft_signals(varied)
    assert m["mattr"] < v["mattr"]
    assert m["sentence_cv"] == 0.0
    assert v["sentence_cv"] > 0.5


def test_mattr_equals_ttr_below_the_window() -> None:
    s = craft_signals("one two three two one")
    assert s["mattr"] == pytest.approx(3 / 5)


def test_long_text_is_sampled() -> None:
    rng = random.Random(3)
    vocab = [f"word{i}" for i in range(3000)] + ["the", "and", "of"] * 200
    paragraphs = [" ".join(rng.choices(vocab, k=80)) + "." for _ in range(1300)]
    text = "\n\n".join(paragraphs)  # ~104k words
    s = craft_signals(text)
    assert s["words"] > 100_000
    assert s["sampled_words"] < 25_000


def test_non_english_text_is_not_judged_on_english_spelling(priors: FandomPriors) -> None:
    german = (
        "Er sagte, dass er nicht kommen würde, weil das Wetter schlecht war. "
        "Sie blieb trotzdem auf der Station und wartete.\n"
    ) * 20
    assert craft_signals(german)["english_share"] < 0.08
    q = score(work(None, None, bookmarks=None, comments=None, text=german), priors)
    assert "spelling" not in [p.name for p in q.parts]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=3000))
def test_craft_signals_never_fail(text: str) -> None:
    s = craft_signals(text)
    assert 0.0 <= s["spelling_errors"] <= 1.0
    assert 0.0 <= s["dialogue_ok"] <= 1.0
    assert 0.0 <= s["wall_share"] <= 1.0
    assert 0.0 <= s["mattr"] <= 1.0


def test_craft_score_prefers_clean_prose(priors: FandomPriors) -> None:
    clean = score(work(None, None, bookmarks=None, comments=None, text=CLEAN * 20), priors)
    sloppy = score(work(None, None, bookmarks=None, comments=None, text=MISSPELT * 20), priors)
    assert clean.score > sloppy.score
    assert part(clean, "spelling") > part(sloppy, "spelling")


# ------------------------------------------------------------------ real data


@pytest.fixture(scope="module")
def ds9(corpus: Path) -> dict[str, QualityInput]:
    works: dict[str, QualityInput] = {}
    for path in sorted((corpus / "ao3-listings-ds9").glob("*.html")):
        for doc in read_bytes(str(path), path.read_bytes()):
            key = doc.source.work_key
            if key is None or key in works:
                continue
            s = doc.stats
            fandoms = doc.tags_of(TagType.FANDOM)
            works[key] = QualityInput(
                s.kudos,
                s.hits,
                s.bookmarks,
                s.comments,
                s.words or 0,
                s.chapters_posted or 1,
                doc.status == Status.COMPLETE,
                fandoms[0].name if fandoms else None,
                doc.updated,
                None,
            )
    return works


@pytest.fixture(scope="module")
def ds9_priors(ds9: dict[str, QualityInput]) -> FandomPriors:
    return FandomPriors.fit(ds9.values())


@pytest.mark.parametrize(
    ("long_key", "short_key"),
    [
        # "Inside Out": 26 chapters, 141k words, 755 kudos from 14,852 hits (0.051/hit) vs
        # "Good, Giving, and Game": one 2.5k-word chapter, 826 kudos from 7,193 (0.115/hit).
        ("ao3:1546973", "ao3:14035614"),
        # "Woven From Your Brown Hair": 34 chapters, 90k words, 153 kudos from 2,505 hits vs
        # "Hotflash": 1.6k words, 609 kudos from 6,359 hits.
        ("ao3:4272804", "ao3:11230725"),
    ],
)
def test_ds9_long_epic_outranks_short_work_with_more_kudos(
    ds9: dict[str, QualityInput], ds9_priors: FandomPriors, long_key: str, short_key: str
) -> None:
    long, short = ds9[long_key], ds9[short_key]
    assert long.chapters >= 20 and long.words >= 50_000 and short.chapters == 1
    assert (short.kudos or 0) > (long.kudos or 0)
    # Raw kudos and raw kudos/hit both put the short work first …
    assert (short.kudos or 0) / (short.hits or 1) > (long.kudos or 0) / (long.hits or 1)
    # … but per reader (hits spread over chapter pages) the epic is the better-loved one.
    assert score(long, ds9_priors).score > score(short, ds9_priors).score + 0.1


def test_ds9_low_evidence_works_stay_out_of_the_top(
    ds9: dict[str, QualityInput], ds9_priors: FandomPriors
) -> None:
    scored = sorted(ds9.values(), key=lambda w: score_value(w, ds9_priors), reverse=True)
    assert len(ds9) > 10_000
    # A few dozen hits is little evidence: DS9 has 47 works under 50 hits with a raw rate of
    # 0.25+ kudos per hit (twice the usual), yet at most one of them reaches the top 10% and
    # the top 1% all have hundreds of hits.
    lucky = [
        w for w in ds9.values() if (w.hits or 0) < 50 and (w.kudos or 0) / (w.hits or 1) >= 0.25
    ]
    assert len(lucky) >= 40
    top10 = {id(w) for w in scored[: len(scored) // 10]}
    assert sum(1 for w in lucky if id(w) in top10) <= 1
    assert min(w.hits or 0 for w in scored[: len(scored) // 100]) >= 200


def test_ds9_quality_agrees_with_but_is_not_raw_kudos(
    ds9: dict[str, QualityInput], ds9_priors: FandomPriors
) -> None:
    works = [w for w in ds9.values() if (w.hits or 0) >= 100]
    by_quality = sorted(works, key=lambda w: score_value(w, ds9_priors), reverse=True)[:100]
    by_kudos = sorted(works, key=lambda w: w.kudos or 0, reverse=True)[:100]
    overlap = len({id(w) for w in by_quality} & {id(w) for w in by_kudos})
    assert 10 <= overlap <= 70


def _ship_rows(corpus: Path, name: str) -> list[QualityInput]:
    from datetime import datetime

    csv.field_size_limit(sys.maxsize)
    rows = []
    with (corpus / "ao3-ships-top-kudos" / name).open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            kudos = rec["kudos"].replace(",", "")
            day = datetime.strptime(rec["datetime"].strip(), "%d %b %Y").date().isoformat()
            rows.append(
                work(
                    int(kudos),
                    None,
                    bookmarks=None,
                    comments=None,
                    fandom=rec["fandom"],
                    published=day,
                )
            )
    return rows


def test_ships_reach_is_fandom_relative(corpus: Path) -> None:
    glee = _ship_rows(corpus, "Blaine-Anderson_Kurt-Hummel.csv")
    drarry = _ship_rows(corpus, "Draco-Malfoy_Harry-Potter.csv")
    fitted = FandomPriors.fit(glee + drarry)
    glee_best = max((w for w in glee if w.fandom == "Glee"), key=lambda w: w.kudos or 0)
    # A Harry Potter work with more kudos than Glee's best, published the same year.
    rival = min(
        (
            w
            for w in drarry
            if (w.kudos or 0) > (glee_best.kudos or 0)
            and w.fandom == "Harry Potter - J. K. Rowling"
        ),
        key=lambda w: abs(int((w.published or "0")[:4]) - int((glee_best.published or "0")[:4])),
    )
    assert score(glee_best, fitted).score > score(rival, fitted).score
    # Same kudos, same date: the fandom sets the bar.
    same = replace(glee_best, fandom="Harry Potter - J. K. Rowling")
    assert score(glee_best, fitted).score > score(same, fitted).score
