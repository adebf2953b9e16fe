"""Confidence that is the probability of being right, measured on the shared corpus.

Every inferred tag's raw confidence (a posterior, a score mapped to 0..1) is mapped through a
curve fitted on the shared corpus by ``scripts/eval_understand.py --write-calibration``: how
often tags of that type at that raw confidence agreed with the author's tags.  The fit is
cross-validated there (leave one fandom out, leave one source out) and the figures report
the calibration error of both.

* **fandom** — a logistic regression on five features: the log odds of the gazetteer's
  posterior (:mod:`ficsift.understand.fandoms`), the primer's own score for the fandom (the
  curated primer is right far more often when it is sure), whether the candidate is the
  posterior's first franchise, for that one the share of the story's placed names it
  explains (a story most of whose names are other canons' is seldom the first franchise's,
  however sure the posterior), and for a crossover candidate the primer's score again (its
  own weight there).  The posterior's log odds are
  clipped to ±``fandom_clip`` first: past some level they grow with the story's length, not
  with the chance of being right, and a single slope over the whole range then reads a sure
  story of 2:1 odds as barely better than a guess.  The clip is chosen among
  :data:`FANDOM_CLIPS` by the log-likelihood of the training stories' candidates, each
  franchise's held out in turn (:func:`fit_fandom`).  A fandom is named only when this
  probability reaches :data:`FANDOM_BAR`;
* **other tag types** — a monotone map of the raw confidence: isotonic (steps, interpolated)
  or logistic in the raw confidence's log odds (Platt's), whichever predicts the training
  stories better, each franchise's held out in turn (:func:`fit_map`).  Isotonic steps follow
  any shape but a few dozen tags of one source make them a flat line; the logistic has two
  parameters and keeps the order and the spread of the raw confidences.  A type with too
  little data keeps its raw confidence.

**Acting on a guess.**  A search that excludes or blacklists a tag acts on an inferred one
only from a confidence up: by default :meth:`Calibration.exclusion_bar`, the lowest
confidence above which the eval found at least :data:`EXCLUSION_PRECISION` of that type's
inferred tags right (leave one fandom out), fitted with the rest.  The reader may set another.

The fitted parameters live in ``data/calibration.json`` (a few hundred bytes), read once.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from ficsift.model import Tag, TagOrigin, TagType

DATA_FILE = "calibration.json"
# A wrong fandom costs a reader about twice what "don't know" does: name it at 2:1 odds.
FANDOM_BAR = 2 / 3
# An exclusion acts on a guessed tag where guesses are right this often (issue 12).
EXCLUSION_PRECISION = 0.9
MIN_ABOVE = 10  # tags above a bar the eval must have seen before it trusts the bar
NEVER = 1.01  # an exclusion bar no confidence reaches: guesses of the type never that precise


def logit(p: float) -> float:
    p = min(1 - 1e-9, max(1e-9, p))
    return math.log(p / (1 - p))


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(-50.0, min(50.0, z))))


@dataclass(frozen=True)
class Logistic:
    """p = σ(bias + Σ weight·feature)."""

    weights: tuple[float, ...]
    bias: float

    def __call__(self, features: Sequence[float]) -> float:
        # A feature the model has no weight for (one added after it was fitted) weighs 0.
        weights = self.weights + (0.0,) * max(0, len(features) - len(self.weights))
        return sigmoid(self.bias + sum(w * x for w, x in zip(weights, features, strict=False)))

    def to_json(self) -> dict[str, Any]:
        return {"logistic": list(self.weights), "bias": self.bias}


@dataclass(frozen=True)
class Steps:
    """A monotone map given by its steps (raw confidence → share right), interpolated."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]

    def __call__(self, raw: float) -> float:
        xs, ys = self.xs, self.ys
        if not xs:
            return raw
        if raw <= xs[0]:
            return ys[0]
        if raw >= xs[-1]:
            return ys[-1]
        i = bisect_right(xs, raw) - 1
        span = xs[i + 1] - xs[i]
        t = (raw - xs[i]) / span if span else 0.0
        return ys[i] + t * (ys[i + 1] - ys[i])

    def to_json(self) -> dict[str, Any]:
        return {"steps": [list(self.xs), list(self.ys)]}


@dataclass(frozen=True)
class Platt:
    """p = σ(slope · logit(raw) + bias): a raw confidence's log odds rescaled."""

    slope: float
    bias: float

    def __call__(self, raw: float) -> float:
        return sigmoid(self.bias + self.slope * logit(raw))

    def to_json(self) -> dict[str, Any]:
        return {"platt": [self.slope, self.bias]}


Curve = Steps | Platt


def _curve(data: dict[str, Any]) -> Curve:
    if "platt" in data:
        slope, bias = data["platt"]
        return Platt(float(slope), float(bias))
    return Steps(tuple(data["steps"][0]), tuple(data["steps"][1]))


# The fandom model's features for a candidate (``fandoms.Decision.features``): log odds of the
# posterior, the primer's score, first franchise or not, the share of names it explains, the
# primer's score of a crossover candidate.
UNFITTED_FANDOM = Logistic((1.0, 0.0, 0.0, 0.0, 0.0), 0.0)  # the posterior itself
# Levels the posterior's log odds may be clipped to (None: not clipped); the fit chooses.
FANDOM_CLIPS: tuple[float | None, ...] = (5.0, 10.0, 20.0, None)


def clipped(features: Sequence[float], clip: float | None) -> tuple[float, ...]:
    """The fandom features with the posterior's log odds (the first) clipped to ±clip."""
    if clip is None or not features:
        return tuple(features)
    return (max(-clip, min(clip, features[0])), *features[1:])


RATING_NAMES = ("General Audiences", "Teen And Up Audiences", "Mature", "Explicit")
# Give a rating only at 3:2 odds on its side (safe or mature): a wrong "safe" shows a reader
# what they asked not to see, a wrong "mature" hides a work; no rating costs less than either.
RATING_BAR = 0.6
RATING_L2 = 1.0  # ridge on the rating models' weights (the data are a few hundred stories)


@dataclass(frozen=True)
class RatingModel:
    """The AO3 rating from :func:`ficsift.understand.content.rating_features`, as three
    logistic regressions fitted on authors' ratings (:func:`fit_rating`): P(Mature or
    Explicit), P(Explicit | Mature or Explicit), P(Teen | General or Teen).  Their products
    are the four ratings' probabilities.  ``bar``: the side's probability a rating needs."""

    mature: Logistic
    explicit: Logistic
    teen: Logistic
    bar: float = RATING_BAR

    def probabilities(
        self, features: Sequence[float], mature_prior: float = 0.0
    ) -> dict[str, float]:
        """The four ratings' probabilities; ``mature_prior``: a chance of Mature or Explicit
        the model cannot learn, or-ed with its own."""
        m = 1 - (1 - self.mature(features)) * (1 - mature_prior)
        e, t = self.explicit(features), self.teen(features)
        probs = ((1 - m) * (1 - t), (1 - m) * t, m * (1 - e), m * e)
        return dict(zip(RATING_NAMES, probs, strict=True))

    def to_json(self) -> dict[str, Any]:
        return {
            "mature": self.mature.to_json(),
            "explicit": self.explicit.to_json(),
            "teen": self.teen.to_json(),
            "bar": self.bar,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RatingModel:
        def one(d: dict[str, Any]) -> Logistic:
            return Logistic(tuple(float(w) for w in d["logistic"]), float(d["bias"]))

        return cls(
            one(data["mature"]),
            one(data["explicit"]),
            one(data["teen"]),
            float(data.get("bar", RATING_BAR)),
        )


@dataclass(frozen=True)
class Calibration:
    fandom: Logistic = UNFITTED_FANDOM
    maps: dict[str, Curve] = field(default_factory=dict)  # tag type -> map
    fandom_bar: float = FANDOM_BAR
    model: dict[str, float] = field(default_factory=dict)  # fitted FandomModel parameters
    precise_at: dict[str, float] = field(default_factory=dict)  # tag type -> exclusion bar
    fandom_clip: float | None = None  # the posterior's log odds clipped to ± this first
    rating: RatingModel | None = None  # None: no fitted rating model, no rating guessed
    main_bar: float = 0.0  # a main pairing less sure than this is not said (the story: gen)

    def fandom_probability(self, features: Sequence[float]) -> float:
        """The calibrated probability that a fandom candidate of these features is right."""
        return self.fandom(clipped(features, self.fandom_clip))

    def confidence(self, tag_type: str, raw: float) -> float:
        m = self.maps.get(tag_type)
        return m(raw) if m is not None else raw

    def exclusion_bar(self, tag_type: str) -> float:
        """The confidence from which an inferred tag of ``tag_type`` (a kind of
        :func:`calibration_kind`) is right at least
        :data:`EXCLUSION_PRECISION` of the time.  :data:`NEVER` (above 1) where the eval saw
        enough of them and no level was that precise: a guess alone never excludes; with too
        few to judge, that precision itself (the confidence is a calibrated probability)."""
        return self.precise_at.get(tag_type, EXCLUSION_PRECISION)

    def to_json(self) -> dict[str, Any]:
        return {
            "fandom": self.fandom.to_json(),
            "fandom_bar": self.fandom_bar,
            "fandom_clip": self.fandom_clip,
            "fandom_model": self.model,
            "main_bar": self.main_bar,
            "maps": {k: v.to_json() for k, v in sorted(self.maps.items())},
            "precise_at": dict(sorted(self.precise_at.items())),
            **({"rating_model": self.rating.to_json()} if self.rating else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibration:
        f = data.get("fandom") or {}
        fandom = (
            Logistic(tuple(f["logistic"]), float(f["bias"])) if "logistic" in f else UNFITTED_FANDOM
        )
        maps = {k: _curve(v) for k, v in (data.get("maps") or {}).items()}
        return cls(
            fandom=fandom,
            maps=maps,
            fandom_bar=float(data.get("fandom_bar", FANDOM_BAR)),
            model={k: float(v) for k, v in (data.get("fandom_model") or {}).items()},
            precise_at={k: float(v) for k, v in (data.get("precise_at") or {}).items()},
            fandom_clip=None if data.get("fandom_clip") is None else float(data["fandom_clip"]),
            main_bar=float(data.get("main_bar", 0.0)),
            rating=RatingModel.from_json(data["rating_model"])
            if data.get("rating_model")
            else None,
        )


RAW = Calibration()  # raw confidences, the unfitted fandom model


@cache
def load_calibration() -> Calibration:
    """The shipped calibration (raw confidences if the data file is missing)."""
    path = resources.files("ficsift.understand").joinpath("data", DATA_FILE)
    try:
        return Calibration.from_json(json.loads(path.read_text("utf-8")))
    except FileNotFoundError:
        return RAW


# -- fitting (used by scripts/eval_understand.py) ------------------------------------------------


def fit_steps(pairs: Sequence[tuple[float, bool]], min_n: int = 30) -> Steps | None:
    """Isotonic regression (pool adjacent violators) of rightness on raw confidence, pooled
    into blocks of at least ``min_n // 3`` so a handful of tags cannot make a step; None with
    fewer than ``min_n`` tags."""
    if len(pairs) < min_n:
        return None
    pts = sorted(pairs)
    blocks: list[list[float]] = []  # [sum x, sum y, n]
    floor = max(1, min_n // 3)
    for x, y in pts:
        blocks.append([x, float(y), 1.0])
        while len(blocks) > 1 and (
            blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2] or blocks[-2][2] < floor
        ):
            sx, sy, n = blocks.pop()
            blocks[-1][0] += sx
            blocks[-1][1] += sy
            blocks[-1][2] += n
    xs = tuple(round(b[0] / b[2], 4) for b in blocks)
    # A little shrinkage to the overall rate: a block of ten all-right tags is not certainty.
    rate = sum(y for _, y in pts) / len(pts)
    ys = tuple(round((b[1] + 2 * rate) / (b[2] + 2), 4) for b in blocks)
    return Steps(xs, ys)


def fit_platt(pairs: Sequence[tuple[float, bool]], min_n: int = 30) -> Platt | None:
    """Logistic regression of rightness on the raw confidence's log odds; None with fewer
    than ``min_n`` tags."""
    if len(pairs) < min_n:
        return None
    model = fit_logistic([(logit(x),) for x, _ in pairs], [ok for _, ok in pairs])
    return Platt(model.weights[0], model.bias)


def _pairs_log_likelihood(curve: Curve | None, pairs: Sequence[tuple[float, bool]]) -> float:
    total = 0.0
    for raw, ok in pairs:
        p = min(1 - 1e-6, max(1e-6, curve(raw) if curve is not None else raw))
        total += math.log(p if ok else 1 - p)
    return total


def fit_map(
    groups: Mapping[Hashable, Sequence[tuple[float, bool]]], min_n: int = 30
) -> Curve | None:
    """The map of one tag type from its (raw confidence, right?) pairs by group (a story's
    franchises): isotonic steps or Platt's logistic, whichever scores the higher
    log-likelihood on each group held out in turn, refitted on every pair; with a single
    group, the steps; None with fewer than ``min_n`` pairs."""
    pooled = [p for ps in groups.values() for p in ps]
    if len(pooled) < min_n:
        return None
    held = [g for g, ps in groups.items() if ps]
    if len(held) < 2:
        return fit_steps(pooled, min_n)
    scores = {"steps": 0.0, "platt": 0.0}
    for g in held:
        train = [p for h, ps in groups.items() if h != g for p in ps]
        test = groups[g]
        scores["steps"] += _pairs_log_likelihood(fit_steps(train, min_n), test)
        scores["platt"] += _pairs_log_likelihood(fit_platt(train, min_n), test)
    if scores["platt"] > scores["steps"]:
        return fit_platt(pooled, min_n)
    return fit_steps(pooled, min_n)


def fit_main_bar(rows: Sequence[tuple[float, bool, bool]]) -> float:
    """The confidence from which a main pairing is said, from stories' (its calibrated
    confidence, right if said, right if not — the story is gen): the bar under which saying
    none is right more often than saying it, over every bar the rows offer; the lowest of
    equals (0: always said).  The bar sits halfway between that confidence and the next
    lower one the rows hold: a new story just under the lowest confidence the fit saw said
    is no less likely to be right than that one (the largest margin either side)."""
    best_right, best_bar = sum(said for _, said, _ in rows), 0.0
    levels = sorted({c for c, _, _ in rows})
    for below, bar in zip([0.0, *levels], levels, strict=False):
        right = sum(said if c >= bar else gen for c, said, gen in rows)
        if right > best_right:
            best_right, best_bar = right, (below + bar) / 2
    return best_bar


def fit_precise_at(
    pairs: Sequence[tuple[float, bool]], precision: float = EXCLUSION_PRECISION
) -> float | None:
    """The lowest confidence ``t`` such that the tags at ``t`` or above are right at least
    ``precision`` of the time, at least :data:`MIN_ABOVE` of them; :data:`NEVER` if there is
    none; None with fewer than :data:`MIN_ABOVE` tags to judge by."""
    if len(pairs) < MIN_ABOVE:
        return None
    pts = sorted(pairs, reverse=True)
    best = None
    right = 0
    for n, (c, ok) in enumerate(pts, start=1):
        right += ok
        last = n == len(pts) or pts[n][0] != c
        if last and n >= MIN_ABOVE and right / n >= precision:
            best = c
    return NEVER if best is None else round(best, 3)


def fit_logistic(
    features: Sequence[Sequence[float]], labels: Sequence[bool], l2: float = 0.1, steps: int = 50
) -> Logistic:
    """Logistic regression by Newton's method with a little L2 (not on the bias)."""
    import numpy as np

    x = np.asarray(features, dtype=float)
    y = np.asarray(labels, dtype=float)
    if len(x) == 0:
        return UNFITTED_FANDOM
    x = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x.shape[1])
    reg = np.eye(x.shape[1]) * l2
    reg[-1, -1] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -50, 50)))
        grad = x.T @ (p - y) + reg @ w
        hess = (x.T * (p * (1 - p))) @ x + reg + np.eye(x.shape[1]) * 1e-9
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Logistic(tuple(round(float(v), 5) for v in w[:-1]), round(float(w[-1]), 5))


def _log_likelihood(
    model: Logistic, features: Sequence[Sequence[float]], labels: Sequence[bool]
) -> float:
    total = 0.0
    for x, y in zip(features, labels, strict=True):
        p = min(1 - 1e-9, max(1e-9, model(x)))
        total += math.log(p if y else 1 - p)
    return total


def fit_fandom(
    rows: Sequence[tuple[Sequence[float], bool, frozenset[str]]],
    clips: Sequence[float | None] = FANDOM_CLIPS,
) -> Calibration:
    """The fandom model from candidates' (features, right?, the story's franchises): for each
    clip of :data:`FANDOM_CLIPS`, the logistic fitted with each franchise's stories held out
    in turn scores them; the clip whose held-out log-likelihood is highest is refitted on all
    the rows.  With a single franchise there is nothing to hold out: no clip."""
    labels = [ok for _, ok, _ in rows]
    groups = sorted({fr for _, _, frs in rows for fr in frs})
    best: tuple[float, float | None] | None = None
    if len(groups) > 1:
        for clip in clips:
            score = 0.0
            for fr in groups:
                train = [(clipped(f, clip), ok) for f, ok, frs in rows if fr not in frs]
                test = [(clipped(f, clip), ok) for f, ok, frs in rows if fr in frs]
                if not train:
                    continue
                model = fit_logistic([f for f, _ in train], [ok for _, ok in train])
                score += _log_likelihood(model, [f for f, _ in test], [ok for _, ok in test])
            if best is None or score > best[0]:
                best = (score, clip)
    clip = best[1] if best is not None else None
    model = fit_logistic([clipped(f, clip) for f, _, _ in rows], labels)
    return Calibration(fandom=model, fandom_clip=clip)


def calibration_kind(tag: Tag) -> str | None:
    """Which of the calibration's maps a tag's confidence goes through (None: its own)."""
    if tag.type == TagType.CHARACTER:
        if tag.role is None:
            return "freeform"  # "Vampire Willow Rosenberg": a state, typed a character by AO3
        return "unknown character" if tag.extra.get("original") else "character"
    if tag.type == TagType.RELATIONSHIP:
        return "main pairing" if tag.main else "relationship"
    if tag.type == TagType.WARNING:
        return "warning" if tag.label == "archive" else None
    return {TagType.FREEFORM: "freeform", TagType.RATING: "rating"}.get(tag.type)


def acts_on(tag: Tag, bar: float | None = None, calibration: Calibration | None = None) -> bool:
    """Should an exclusion or a blacklist entry naming ``tag`` act on it?  Always on the
    author's own tag; on a guessed one only from a confidence up: ``bar`` (the reader's
    choice), else the calibration's measured bar for the tag's type (the level where the
    eval found guesses right 90% of the time).  What search calls to hide a work by a tag."""
    if tag.origin != TagOrigin.INFERRED:
        return True
    if bar is None:
        kind = "fandom" if tag.type == TagType.FANDOM else calibration_kind(tag)
        # A type the eval does not judge (trigger labels) gets the precision itself as its bar.
        bar = (calibration or load_calibration()).exclusion_bar(kind or "")
    return (tag.confidence or 0.0) >= bar


def fit_nonnegative(
    features: Sequence[Sequence[float]], labels: Sequence[bool], l2: float = RATING_L2
) -> Logistic:
    """Logistic regression whose weights may not be negative (more of a cue never makes a
    story less mature), with an L2 ridge on the weights; by L-BFGS-B."""
    import numpy as np
    from scipy.optimize import minimize

    x = np.asarray(features, dtype=float)
    y = np.asarray(labels, dtype=float)
    if len(x) == 0 or len(set(labels)) < 2:
        rate = float(y.mean()) if len(y) else 0.5
        return Logistic((0.0,) * (x.shape[1] if x.ndim == 2 else 0), round(logit(rate), 5))
    d = x.shape[1]

    def loss(w: Any) -> tuple[float, Any]:
        z = np.clip(x @ w[:-1] + w[-1], -50, 50)
        p = 1 / (1 + np.exp(-z))
        nll = -np.sum(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))
        grad = np.append(x.T @ (p - y) + l2 * w[:-1], np.sum(p - y))
        return float(nll + 0.5 * l2 * np.sum(w[:-1] ** 2)), grad

    bounds = [(0.0, None)] * d + [(None, None)]
    w = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=bounds).x
    return Logistic(tuple(round(float(v), 5) for v in w[:-1]), round(float(w[-1]), 5))


def fit_rating(rows: Sequence[tuple[Sequence[float], str, bool]]) -> RatingModel | None:
    """The rating model from stories' (rating features, the author's rating, whether that
    rating is on AO3's four-way scale).  Every rated story teaches safe vs mature; a mature
    one, Explicit vs Mature; Teen vs General only a story rated on AO3's scale (an archive's
    "general" spans both).  None without both sides to learn from."""
    rated = [(f, r, ao3) for f, r, ao3 in rows if r in RATING_NAMES]
    if len({r in RATING_NAMES[2:] for _, r, _ in rated}) < 2:
        return None
    mature = [(f, r) for f, r, _ in rated if r in RATING_NAMES[2:]]
    safe = [(f, r) for f, r, ao3 in rated if r in RATING_NAMES[:2] and ao3]
    return RatingModel(
        mature=fit_nonnegative(
            [f for f, _, _ in rated], [r in RATING_NAMES[2:] for _, r, _ in rated]
        ),
        explicit=fit_nonnegative([f for f, _ in mature], [r == "Explicit" for _, r in mature]),
        teen=fit_nonnegative([f for f, _ in safe], [r == RATING_NAMES[1] for _, r in safe]),
    )
