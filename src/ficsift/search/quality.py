"""A length-fair quality score in [0, 1] with the reasons it was given.

Pure: stdlib only.  The library fits :class:`FandomPriors` on all of its works, stores them
as JSON, and calls :func:`score` per work; ``ficsift why`` prints :meth:`Quality.explain`.

Engagement (when the source gave stats)
---------------------------------------
AO3 counts a *hit* per visit to a chapter page, so a 40-chapter epic gets many hits per
reader, while a reader leaves kudos once.  Older works also collect hits for years from
drive-by visits, and long works lose readers before the end, where kudos are left.  Raw
kudos therefore rank old, short, one-shot works of big fandoms first, and raw kudos/hits
punishes long, multi-chapter and old works.  The score corrects both:

1. **Effective readers.**  For each rate (kudos, bookmarks, comments per hit) a trend
   ``logit(rate) ~ a + b·log(chapters) + c·log(words) + d·age`` is fitted on the library
   (weighted least squares).  ``hits × exp(b·log(chapters) + c·Δlog(words) + d·Δage)`` is the
   work's hits as if it were a one-chapter work of the library's median length and age:
   the per-chapter hit decay, fitted rather than guessed (on the DS9 listings a 12-chapter
   work's hits are divided by about 2).
2. **Empirical Bayes per fandom.**  The rate over effective readers is smoothed with a Beta
   prior whose mean is the fandom's own mean rate, shrunk toward the whole library's for
   fandoms with few works; its strength (pseudo-readers) comes from the spread of rates
   beyond binomial noise (method of moments).  A work with 3 hits therefore stays at its
   fandom's mean: volume is confidence.
3. **Standing.**  A part's value is the share of the library whose smoothed rate, relative to
   its own fandom's mean, is lower: 0.9 = better than 90% of the library.
4. **Reach.**  log(kudos) against a fitted age curve and the fandom's own level, as a
   standing: popular *for its fandom and age*; the only part when a source gives kudos and
   no hits (the ship CSVs).

Weights: kudos/hits 0.45, bookmarks/hits 0.25, comments 0.10, reach 0.20 (renormalised over
the parts a work has).

Craft (from the story text)
---------------------------
See :func:`craft_signals`: spelling-error proxy (share of lowercase words not in a compact
English word list, ``understand/data/words-en.txt.gz`` built by ``scripts/build_wordlist.py``), dialogue
punctuation, walls of text, lexical variety (MATTR), sentence-length variety.  Each maps to
[0, 1] by fixed, documented bands; with length and completeness they make the craft score.
Works with stats and text blend engagement 0.8 / craft 0.2; works without stats use craft.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ficsift.understand.textops import english_words

__all__ = [
    "FandomPriors",
    "Quality",
    "QualityInput",
    "QualityPart",
    "craft_signals",
    "score",
    "score_value",
]


@dataclass(frozen=True, slots=True)
class QualityInput:
    kudos: int | None
    hits: int | None
    bookmarks: int | None
    comments: int | None
    words: int
    chapters: int
    complete: bool | None
    fandom: str | None  # main fandom (canonical) for per-fandom priors
    published: str | None  # ISO date, for the age adjustment
    text: str | None = None  # story text when the library has it (sampled)


@dataclass(frozen=True, slots=True)
class QualityPart:
    """One ingredient: ``value`` in [0, 1], ``weight`` its share of the score (parts sum to 1)."""

    name: str
    value: float
    weight: float
    detail: str


@dataclass(frozen=True, slots=True)
class Quality:
    score: float  # 0..1
    basis: str  # "engagement" | "craft" | "engagement+craft"
    parts: tuple[QualityPart, ...]

    def explain(self) -> list[str]:
        """Lines for ``ficsift why``: the score, then each part with its reason."""
        lines = [f"quality {self.score:.2f} from {self.basis}"]
        for part in self.parts:
            lines.append(
                f"  {part.name:<16} {part.value:.2f} × {part.weight:.2f}  {part.detail}".rstrip()
            )
        return lines


# --------------------------------------------------------------------------------------
# small numerics (no numpy: the module must import in a blink and stay pure)

_MAX_AGE = 20.0
_FANDOM_PSEUDO = 20.0  # works of evidence before a fandom's own mean outweighs the library's
_RATE_WEIGHTS = {"kudos": 0.45, "bookmarks": 0.25, "comments": 0.10}
_REACH_WEIGHT = 0.20
_ENGAGEMENT_SHARE = 0.8  # with text too: engagement 0.8, craft 0.2


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float] | None:
    """Gaussian elimination with partial pivoting; None when singular."""
    n = len(vector)
    a = [[*row, v] for row, v in zip(matrix, vector, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-12:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col:
                f = a[r][col] / a[col][col]
                for c in range(col, n + 1):
                    a[r][c] -= f * a[col][c]
    return [a[i][n] / a[i][i] for i in range(n)]


def _wls(xs: Sequence[Sequence[float]], ys: Sequence[float], ws: Sequence[float]) -> list[float]:
    k = len(xs[0])
    xtx = [[0.0] * k for _ in range(k)]
    xty = [0.0] * k
    for x, y, w in zip(xs, ys, ws, strict=True):
        for i in range(k):
            wx = w * x[i]
            xty[i] += wx * y
            row = xtx[i]
            for j in range(k):
                row[j] += wx * x[j]
    for i in range(k):
        xtx[i][i] += 1e-6  # ridge against collinear columns (e.g. all one-chapter works)
    return _solve(xtx, xty) or [0.0] * k


class _Standing:
    """An empirical CDF kept as up to 201 quantiles: value → share of the library below."""

    __slots__ = ("qs",)

    def __init__(self, qs: list[float]) -> None:
        self.qs = qs

    @classmethod
    def of(cls, values: list[float]) -> _Standing:
        if not values:
            return cls([])
        values = sorted(values)
        n = len(values)
        points = min(201, n)
        if points == 1:
            return cls([values[0]])
        return cls([values[round(i * (n - 1) / (points - 1))] for i in range(points)])

    def __call__(self, value: float) -> float:
        qs = self.qs
        if not qs:
            return 0.5
        if value <= qs[0]:
            return 0.0
        if value >= qs[-1]:
            return 1.0
        i = bisect_left(qs, value)
        lo, hi = qs[i - 1], qs[i]
        frac = 0.5 if hi == lo else (value - lo) / (hi - lo)
        return (i - 1 + frac) / (len(qs) - 1)


# --------------------------------------------------------------------------------------
# priors


@dataclass(slots=True)
class _RateModel:
    """Trend of one rate per hit over length and age, and its Beta priors per fandom."""

    name: str  # "kudos" | "bookmarks" | "comments"
    beta: list[float]  # intercept, log(chapters), log(words/1000), age years
    mean: float  # library prior mean of successes per effective reader
    strength: float  # library prior strength (pseudo-readers)
    fandoms: dict[str, tuple[float, float, int]]  # fandom → (mean, strength, works)
    standing: _Standing

    def factor(self, chapters: int, words: int, age: float, ref: tuple[float, float]) -> float:
        """Effective readers per hit (≤ 1 for long, multi-chapter or old works)."""
        _, b_ch, b_w, b_age = self.beta
        lw = math.log(max(words, 100) / 1000)
        x = b_ch * math.log(max(chapters, 1)) + b_w * (lw - ref[0]) + b_age * (age - ref[1])
        return min(10.0, max(0.05, math.exp(x)))

    def prior(self, fandom: str | None) -> tuple[float, float, int]:
        if fandom is not None:
            found = self.fandoms.get(fandom)
            if found is not None:
                return found
        return self.mean, self.strength, 0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "beta": self.beta,
            "mean": self.mean,
            "strength": self.strength,
            "fandoms": {k: list(v) for k, v in self.fandoms.items()},
            "standing": self.standing.qs,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> _RateModel:
        return cls(
            name=str(d["name"]),
            beta=[float(b) for b in d["beta"]],
            mean=float(d["mean"]),
            strength=float(d["strength"]),
            fandoms={k: (float(v[0]), float(v[1]), int(v[2])) for k, v in d["fandoms"].items()},
            standing=_Standing([float(q) for q in d["standing"]]),
        )


# The trend fitted on the 10,324 DS9 listing blurbs; used when a library is too small to fit.
_DEFAULT_BETA = {
    "kudos": [-1.887, -0.317, 0.013, -0.085],
    "bookmarks": [-4.695, -0.267, 0.167, -0.056],
    "comments": [-3.881, 0.078, 0.13, -0.149],
}
_MIN_FIT = 30
_BOUNDS = ((-1.0, 0.2), (-1.0, 0.5), (-0.5, 0.5))  # log(chapters), log(words), age


def _key(fandom: str | None) -> str | None:
    return " ".join(fandom.casefold().split()) if fandom else None


@dataclass(slots=True)
class _Row:
    work: QualityInput
    fandom: str | None
    age: float | None


def _successes(work: QualityInput, rate: str) -> int | None:
    """The work's count for ``rate``; 0 when hits are known and the count is not (AO3
    leaves a zero stat out of a blurb), None without hits."""
    if work.hits is None:
        return None
    count = {"kudos": work.kudos, "bookmarks": work.bookmarks, "comments": work.comments}[rate]
    return 0 if count is None else count


class FandomPriors:
    """What the library's works say about their fandoms: fitted by :meth:`fit`, JSON-able."""

    def __init__(
        self,
        *,
        as_of: str | None,
        ref: tuple[float, float],
        rates: dict[str, _RateModel],
        reach_beta: list[float],
        reach_fandoms: dict[str, tuple[float, int]],
        reach_standing: _Standing,
        works: int,
    ) -> None:
        self.as_of = as_of
        self.ref = ref  # median log(words/1000) and median age of the library
        self.rates = rates
        self.reach_beta = reach_beta  # log1p(kudos) ~ a + b·log(age + 0.25)
        self.reach_fandoms = reach_fandoms  # fandom → (offset, works)
        self.reach_standing = reach_standing
        self.works = works
        self._as_of_date = _parse_date(as_of)

    # ---- fitting

    @classmethod
    def fit(cls, rows: Iterable[QualityInput]) -> FandomPriors:
        works = list(rows)
        dates = [d for d in (_parse_date(w.published) for w in works) if d is not None]
        as_of_date = max(dates) if dates else None
        prepared = [
            _Row(w, _key(w.fandom), _age(_parse_date(w.published), as_of_date)) for w in works
        ]
        ages = sorted(r.age for r in prepared if r.age is not None)
        median_age = ages[len(ages) // 2] if ages else 0.0
        for r in prepared:
            if r.age is None:
                r.age = median_age
        lws = sorted(math.log(max(r.work.words, 100) / 1000) for r in prepared)
        ref = (lws[len(lws) // 2] if lws else 0.0, median_age)
        rates = {name: _fit_rate(prepared, name, ref) for name in _RATE_WEIGHTS}
        beta, offsets, standing = _fit_reach(prepared)
        return cls(
            as_of=as_of_date.isoformat() if as_of_date else None,
            ref=ref,
            rates=rates,
            reach_beta=beta,
            reach_fandoms=offsets,
            reach_standing=standing,
            works=len(works),
        )

    # ---- serialising

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "as_of": self.as_of,
            "ref": list(self.ref),
            "works": self.works,
            "rates": {k: v.to_json() for k, v in self.rates.items()},
            "reach": {
                "beta": self.reach_beta,
                "fandoms": {k: list(v) for k, v in self.reach_fandoms.items()},
                "standing": self.reach_standing.qs,
            },
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> FandomPriors:
        reach = d["reach"]
        return cls(
            as_of=d.get("as_of"),
            ref=(float(d["ref"][0]), float(d["ref"][1])),
            rates={k: _RateModel.from_json(v) for k, v in d["rates"].items()},
            reach_beta=[float(b) for b in reach["beta"]],
            reach_fandoms={k: (float(v[0]), int(v[1])) for k, v in reach["fandoms"].items()},
            reach_standing=_Standing([float(q) for q in reach["standing"]]),
            works=int(d.get("works", 0)),
        )

    def age_of(self, published: str | None) -> float:
        age = _age(_parse_date(published), self._as_of_date)
        return self.ref[1] if age is None else age


def _age(published: date | None, as_of: date | None) -> float | None:
    if published is None or as_of is None:
        return None
    return min(_MAX_AGE, max(0.0, (as_of - published).days / 365.25))


def _fit_rate(rows: list[_Row], rate: str, ref: tuple[float, float]) -> _RateModel:
    usable = [
        (r, s)
        for r in rows
        if r.work.hits is not None
        and r.work.hits >= 20
        and (s := _successes(r.work, rate)) is not None
    ]
    if len(usable) >= _MIN_FIT:
        xs = [
            (
                1.0,
                math.log(max(r.work.chapters, 1)),
                math.log(max(r.work.words, 100) / 1000),
                r.age or 0.0,
            )
            for r, _ in usable
        ]
        ys = [
            _logit((min(s, r.work.hits or 0) + 0.5) / ((r.work.hits or 0) + 1.0)) for r, s in usable
        ]
        ws = [(r.work.hits or 0) / ((r.work.hits or 0) + 200.0) for r, _ in usable]
        beta = _wls(xs, ys, ws)
        beta = [beta[0]] + [
            min(hi, max(lo, b)) for b, (lo, hi) in zip(beta[1:], _BOUNDS, strict=True)
        ]
    else:
        beta = list(_DEFAULT_BETA[rate])
    model = _RateModel(rate, beta, 0.0, 0.0, {}, _Standing([]))
    # Rates over effective readers, then Beta priors by the method of moments.
    per_fandom: dict[str | None, list[tuple[float, float]]] = {}
    for r, s in usable:
        eff = (r.work.hits or 0) * model.factor(r.work.chapters, r.work.words, r.age or 0.0, ref)
        if eff >= 1:
            per_fandom.setdefault(r.fandom, []).append((min(s, eff), eff))
    everything = [p for group in per_fandom.values() for p in group]
    model.mean, model.strength = _beta_moments(everything, 0.05, 50.0)
    for fandom, group in per_fandom.items():
        if fandom is None:
            continue
        n = len(group)
        mean, strength = _beta_moments(group, model.mean, model.strength)
        w = n / (n + _FANDOM_PSEUDO)
        mean = w * mean + (1 - w) * model.mean
        strength = math.exp(w * math.log(strength) + (1 - w) * math.log(model.strength))
        model.fandoms[fandom] = (mean, strength, n)
    lifts = []
    for r in rows:
        lift = _lift(model, r.work, r.fandom, r.age or 0.0, ref)
        if lift is not None:
            lifts.append(lift[0])
    model.standing = _Standing.of(lifts)
    return model


def _beta_moments(
    pairs: list[tuple[float, float]], fallback_mean: float, fallback_strength: float
) -> tuple[float, float]:
    """Mean and strength of a Beta prior for rates s/n (readers-weighted, noise removed)."""
    solid = [(s, n) for s, n in pairs if n >= 30]
    if len(solid) < 5:
        total = sum(n for _, n in pairs)
        mean = sum(s for s, _ in pairs) / total if total > 0 else fallback_mean
        return min(0.99, max(1e-4, mean)), fallback_strength
    rates = [s / n for s, n in solid]
    mean = sum(rates) / len(rates)
    mean = min(0.99, max(1e-4, mean))
    observed = sum((r - mean) ** 2 for r in rates) / len(rates)
    noise = sum(mean * (1 - mean) / n for _, n in solid) / len(solid)
    true_var = max(observed - noise, observed * 0.05, 1e-9)
    strength = mean * (1 - mean) / true_var - 1
    return mean, min(1e5, max(2.0, strength))


def _lift(
    model: _RateModel, work: QualityInput, fandom: str | None, age: float, ref: tuple[float, float]
) -> tuple[float, float, float, float, float, int] | None:
    """(log lower-bound/prior mean, posterior mean, prior mean, strength, readers, works).

    The lower bound is the posterior mean less one posterior standard deviation: the less
    evidence a work has, the further it sits below its smoothed rate, so volume is confidence.
    """
    successes = _successes(work, model.name)
    if successes is None or work.hits is None:
        return None
    eff = work.hits * model.factor(work.chapters, work.words, age, ref)
    mean, strength, n = model.prior(fandom)
    a = min(successes, eff) + strength * mean
    total = eff + strength
    posterior = a / total
    sd = math.sqrt(posterior * (1 - posterior) / (total + 1))
    lower = max(posterior - sd, 1e-6)
    return math.log(lower / mean), posterior, mean, strength, eff, n


def _fit_reach(rows: list[_Row]) -> tuple[list[float], dict[str, tuple[float, int]], _Standing]:
    """log1p(kudos) against age (log years), then each fandom's shrunk offset."""
    usable = [r for r in rows if r.work.kudos is not None]
    if len(usable) >= _MIN_FIT:
        xs = [(1.0, math.log((r.age or 0.0) + 0.25)) for r in usable]
        ys = [math.log1p(r.work.kudos or 0) for r in usable]
        beta = _wls(xs, ys, [1.0] * len(usable))
        beta[1] = min(1.5, max(0.0, beta[1]))
    else:
        beta = [3.5, 0.3]
    residuals: dict[str | None, list[float]] = {}
    for r in usable:
        residuals.setdefault(r.fandom, []).append(_reach_residual(beta, r.work, r.age or 0.0))
    offsets = {
        f: (sum(v) / (len(v) + _FANDOM_PSEUDO), len(v))
        for f, v in residuals.items()
        if f is not None
    }
    standing = _Standing.of(
        [
            res - (offsets[f][0] if f is not None else 0.0)
            for f, group in residuals.items()
            for res in group
        ]
    )
    return beta, offsets, standing


def _reach_residual(beta: list[float], work: QualityInput, age: float) -> float:
    return math.log1p(work.kudos or 0) - beta[0] - beta[1] * math.log(age + 0.25)


# --------------------------------------------------------------------------------------
# scoring


def score(work: QualityInput, priors: FandomPriors) -> Quality:
    """The work's quality in [0, 1], with one :class:`QualityPart` per ingredient."""
    return _evaluate(work, priors, True)


def score_value(work: QualityInput, priors: FandomPriors) -> float:
    """``score(work, priors).score`` without writing the explanations (for bulk indexing)."""
    return _evaluate(work, priors, False).score


def _evaluate(work: QualityInput, priors: FandomPriors, details: bool) -> Quality:
    fandom = _key(work.fandom)
    fandom_name = work.fandom or "the library"
    age = priors.age_of(work.published)
    engagement: list[tuple[str, float, float, str]] = []
    for name, weight in _RATE_WEIGHTS.items():
        model = priors.rates.get(name)
        if model is None:
            continue
        lift = _lift(model, work, fandom, age, priors.ref)
        if lift is None:
            continue
        log_lift, posterior, mean, strength, eff, n = lift
        detail = ""
        if details:
            successes = _successes(work, name) or 0
            whose = f"{fandom_name}'s" if n else "the library's"
            detail = (
                f"{successes:,} {name} from {work.hits or 0:,} hits, {eff:,.0f} once adjusted "
                f"for {_length_phrase(work, age)}; smoothed {posterior:.3f} per hit vs "
                f"{whose} {mean:.3f} (at least {math.exp(log_lift):.2f}× as many, allowing "
                f"for chance; the typical rate weighs as much as {strength:,.0f} hits)"
            )
        engagement.append((f"{name}/hits", model.standing(log_lift), weight, detail))
    if work.kudos is not None:
        offset, n = priors.reach_fandoms.get(fandom, (0.0, 0)) if fandom is not None else (0.0, 0)
        residual = _reach_residual(priors.reach_beta, work, age) - offset
        typical = (
            math.expm1(priors.reach_beta[0] + priors.reach_beta[1] * math.log(age + 0.25) + offset)
            if details
            else 0.0
        )
        whose = f"in {fandom_name}" if n else "in the library"
        detail = (
            f"{work.kudos:,} kudos at {age:.1f} years; typical {whose} at that age ≈ {typical:,.0f}"
            if details
            else ""
        )
        engagement.append(("reach", priors.reach_standing(residual), _REACH_WEIGHT, detail))

    craft: list[tuple[str, float, float, str]] = []
    if work.text and work.text.strip():
        craft = _craft_parts(craft_signals(work.text))
    if craft or not engagement:
        craft.append(_length_part(work))

    if engagement and craft:
        basis = "engagement+craft"
        parts = _normalised(engagement, _ENGAGEMENT_SHARE) + _normalised(
            craft, 1 - _ENGAGEMENT_SHARE
        )
    elif engagement:
        basis, parts = "engagement", _normalised(engagement, 1.0)
    else:
        basis, parts = "craft", _normalised(craft, 1.0)
    total = sum(p.value * p.weight for p in parts)
    return Quality(score=min(1.0, max(0.0, total)), basis=basis, parts=tuple(parts))


def _normalised(parts: list[tuple[str, float, float, str]], share: float) -> list[QualityPart]:
    total = sum(w for _, _, w, _ in parts)
    return [
        QualityPart(name, min(1.0, max(0.0, value)), share * w / total, detail)
        for name, value, w, detail in parts
    ]


def _length_phrase(work: QualityInput, age: float) -> str:
    chapters = f"{work.chapters} chapters" if work.chapters != 1 else "1 chapter"
    return f"{chapters}, {work.words:,} words, {age:.1f} years"


def _clamp(x: float) -> float:
    return min(1.0, max(0.0, x))


def _length_part(work: QualityInput) -> tuple[str, float, float, str]:
    length = _clamp(math.log(max(work.words, 1) / 300) / math.log(50_000 / 300))
    status = {True: 1.0, None: 0.6, False: 0.4}[work.complete]
    said = {True: "complete", None: "status unknown", False: "in progress"}[work.complete]
    return (
        "length",
        0.6 * length + 0.4 * status,
        0.15,
        f"{work.words:,} words (full marks from 50,000), {said}",
    )


def _craft_parts(s: dict[str, float]) -> list[tuple[str, float, float, str]]:
    if s["english_share"] < 0.08 or s["sampled_words"] < 50:
        # Not English prose (or too little of it): the word list and the sentence and
        # variety bands mean nothing; only paragraphing is language-neutral.
        return [
            (
                "paragraphing",
                _clamp(1 - s["wall_share"]),
                0.15,
                f"{s['wall_share']:.0%} of words in walls of text; not English prose, so "
                "spelling, variety and dialogue are not judged",
            )
        ]
    parts = [
        (
            "spelling",
            _clamp(1 - (s["spelling_errors"] - 0.003) / 0.027),
            0.30,
            f"{s['spelling_errors']:.1%} of lowercase words not in the word list "
            f"(full marks ≤ 0.3%, none ≥ 3%)",
        ),
        (
            "paragraphing",
            _clamp(1 - s["wall_share"]),
            0.15,
            f"{s['wall_share']:.0%} of words in walls of text (paragraphs over 300 words); "
            f"paragraphs average {s['paragraph_words']:.0f} words",
        ),
        (
            "lexical variety",
            _clamp((s["mattr"] - 0.60) / 0.16),
            0.15,
            # MATTR (moving-average type-token ratio), said in words a reader knows
            f"{s['mattr']:.0%} of any 100 running words are different words (60% → 0, 76% → 1)",
        ),
        (
            "sentence variety",
            _clamp((s["sentence_cv"] - 0.30) / 0.40),
            0.10,
            f"sentence lengths vary by {s['sentence_cv']:.2f} of their mean "
            f"{s['sentence_words']:.1f} words (0.30 → 0, 0.70 → 1)",
        ),
    ]
    if s["dialogue_lines"] >= 5:
        parts.append(
            (
                "dialogue",
                _clamp((s["dialogue_ok"] - 0.6) / 0.4),
                0.15,
                f"{s['dialogue_ok']:.0%} of {s['dialogue_lines']:.0f} quoted lines punctuated "
                f"before the closing quote (60% → 0, 100% → 1)",
            )
        )
    return parts


# --------------------------------------------------------------------------------------
# craft signals

_SAMPLE_CHARS = 120_000  # texts up to ~20k words are read whole
_WINDOWS = 6
_WINDOW_CHARS = 20_000
_MATTR_WINDOW = 100
_WALL_WORDS = 300
_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")
_QUOTED = re.compile(r"“([^”\n]{1,800})”|\"([^\"\n]{1,800})\"")
_PUNCT_BEFORE_CLOSE = frozenset(".,!?…—–-~:;")
_TAG_AFTER_PERIOD = re.compile(
    r"\s+(?:he|she|they|i|we|you|it)\s+(?:said|asked|replied|whispered|muttered|shouted|"
    r"called|answered|added|sighed|laughed|snapped|murmured|told)\b"
)


_FUNCTION_WORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "a",
        "in",
        "that",
        "it",
        "was",
        "he",
        "she",
        "i",
        "you",
        "his",
        "her",
        "for",
        "on",
        "with",
        "as",
        "at",
        "but",
        "not",
        "had",
        "be",
        "is",
        "they",
        "we",
        "have",
        "this",
        "from",
        "or",
        "by",
        "were",
        "all",
        "what",
        "said",
    ]
)


def _sample(text: str) -> str:
    """The whole text when short; else evenly spaced windows cut at line breaks."""
    if len(text) <= _SAMPLE_CHARS:
        return text
    step = (len(text) - _WINDOW_CHARS) / (_WINDOWS - 1)
    pieces = []
    for i in range(_WINDOWS):
        start = int(i * step)
        end = start + _WINDOW_CHARS
        if start:
            cut = text.find("\n", start, start + _WINDOW_CHARS // 4)
            start = cut + 1 if cut >= 0 else start
        cut = text.rfind("\n", end - _WINDOW_CHARS // 4, end)
        end = cut if cut > start else end
        pieces.append(text[start:end])
    return "\n".join(pieces)


def craft_signals(text: str) -> dict[str, float]:
    """Measurements of the writing itself, from a sample of ``text``.

    Keys (all floats):

    ``words``            words in the whole text (whitespace-separated)
    ``sampled_words``    word tokens measured (texts over 120k characters are sampled: six
                         evenly spaced 20k-character windows cut at line breaks)
    ``english_share``    share of tokens that are common English function words ("the",
                         "and", "of" …; about 0.2 in English prose, ~0 in other languages)
    ``spelling_errors``  share of lowercase word tokens (names are capitalised and skipped)
                         not in the English word list, ``'s`` stripped — a spelling-error proxy
    ``dialogue_lines``   quoted passages of 3+ words ("…" or “…”); shorter ones are scare quotes
    ``dialogue_ok``      share of those punctuated before the closing quote (``"Go," she
                         said``, not ``"Go" she said``) and not closed by a period before a
                         dialogue tag (``"Go." she said``); 1.0 when there is no dialogue
    ``wall_share``       share of words in paragraphs (lines) over 300 words
    ``paragraph_words``  mean words per paragraph
    ``mattr``            moving-average type-token ratio over 100-token windows (lexical
                         variety that does not fall with length as a plain TTR does)
    ``sentence_words``   mean words per sentence
    ``sentence_cv``      standard deviation / mean of sentence lengths (monotony is low)
    """
    sample = _sample(text)
    tokens = _TOKEN.findall(sample)
    words = english_words()
    checked = misses = 0
    for token in tokens:
        if len(token) < 2 or not token.islower():
            continue
        word = token.replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        checked += 1
        if word not in words and word.split("'", 1)[0] not in words:
            misses += 1
    lowered = [t.lower() for t in tokens]
    function_words = sum(1 for t in lowered if t in _FUNCTION_WORDS)

    dialogue = ok = 0
    for m in _QUOTED.finditer(sample):
        inner = (m.group(1) or m.group(2) or "").strip()
        if len(inner.split()) < 3:
            continue
        dialogue += 1
        last = inner[-1]
        if last in _PUNCT_BEFORE_CLOSE and not (
            last == "." and _TAG_AFTER_PERIOD.match(sample, m.end())
        ):
            ok += 1

    paragraph_sizes = [len(p.split()) for p in sample.split("\n") if p.strip()]
    total_words = sum(paragraph_sizes)
    walls = sum(n for n in paragraph_sizes if n > _WALL_WORDS)

    sentence_sizes = []
    for paragraph in sample.split("\n"):
        for sentence in _SENTENCE_END.split(paragraph):
            n = len(_TOKEN.findall(sentence))
            if n:
                sentence_sizes.append(n)
    mean_sentence = sum(sentence_sizes) / len(sentence_sizes) if sentence_sizes else 0.0
    if len(sentence_sizes) >= 2 and mean_sentence > 0:
        var = sum((n - mean_sentence) ** 2 for n in sentence_sizes) / len(sentence_sizes)
        sentence_cv = math.sqrt(var) / mean_sentence
    else:
        sentence_cv = 0.0

    return {
        "words": float(len(text.split())),
        "sampled_words": float(len(tokens)),
        "english_share": function_words / len(tokens) if tokens else 0.0,
        "spelling_errors": misses / checked if checked else 0.0,
        "dialogue_lines": float(dialogue),
        "dialogue_ok": ok / dialogue if dialogue else 1.0,
        "wall_share": walls / total_words if total_words else 0.0,
        "paragraph_words": total_words / len(paragraph_sizes) if paragraph_sizes else 0.0,
        "mattr": _mattr(lowered, _MATTR_WINDOW),
        "sentence_words": mean_sentence,
        "sentence_cv": sentence_cv,
    }


def _mattr(tokens: list[str], window: int) -> float:
    """Moving-average type-token ratio; plain TTR when shorter than the window."""
    if not tokens:
        return 0.0
    if len(tokens) <= window:
        return len(set(tokens)) / len(tokens)
    counts: dict[str, int] = {}
    for t in tokens[:window]:
        counts[t] = counts.get(t, 0) + 1
    distinct = len(counts)
    total = distinct
    for i in range(window, len(tokens)):
        gone = tokens[i - window]
        c = counts[gone] - 1
        if c:
            counts[gone] = c
        else:
            del counts[gone]
            distinct -= 1
        new = tokens[i]
        if new in counts:
            counts[new] += 1
        else:
            counts[new] = 1
            distinct += 1
        total += distinct
    return total / ((len(tokens) - window + 1) * window)
