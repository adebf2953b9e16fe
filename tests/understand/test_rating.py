"""The learned rating (issue 12): fitted from authors' ratings, monotone in its cues, with a
calibrated confidence, and no rating guessed on weak evidence.  Fixtures are made up."""

from __future__ import annotations

import json

import pytest

from ficsift.understand.calibration import (
    RATING_NAMES,
    Calibration,
    Logistic,
    RatingModel,
    fit_nonnegative,
    fit_rating,
    load_calibration,
)
from ficsift.understand.content import (
    RATING_FEATURES,
    analyze,
    infer_rating,
    rating_features,
    rating_probabilities,
)
from ficsift.understand.story import StoryText

N = len(RATING_FEATURES)
QUIET = """\
Ada watered the tomatoes before breakfast and wrote a long letter to her brother about the
weather, the neighbours' new dog and the price of bread. In the afternoon she walked down to
the harbour, bought a paper, and read it on the bench by the lighthouse until the tide came in.
"""
TORTURE = """\
The prisoner hung from the chains in the cell. The guard held the brand in the fire until it
glowed, then pressed it to her arm; the smell of burnt flesh filled the room and her skin
blistered and split. He tortured her until dawn. Blood pooled under her feet, and he broke her
fingers one by one, and when she fainted he cut her arm open and the gash bled and bled.
Her wrists were raw and bleeding where the iron bit, and the bone snapped when he twisted.
"""


def story(*chapters: str) -> StoryText:
    return StoryText(chapters=list(chapters))


def flat(bias: float) -> Logistic:
    return Logistic((0.0,) * N, bias)


def model(mature: float, explicit: float = -3.0, teen: float = -3.0) -> RatingModel:
    """A model that knows no cue: constant probabilities."""
    return RatingModel(flat(mature), flat(explicit), flat(teen))


def test_features_follow_the_cues() -> None:
    quiet, violent = (
        rating_features(analyze(story(QUIET))),
        rating_features(analyze(story(TORTURE))),
    )
    assert len(quiet) == len(violent) == N
    gore = RATING_FEATURES.index("gore peak")
    assert quiet[gore] == 0 and violent[gore] > 2
    assert all(x >= 0 for x in violent)


def test_abstains_when_the_side_is_a_coin_toss() -> None:
    assert infer_rating(story(QUIET), model(0.0)) is None  # P(mature) = 0.5
    sure = infer_rating(story(QUIET), model(-4.0))
    assert sure is not None and sure.name == "General Audiences"
    assert sure.confidence == pytest.approx(
        sum(sure.extra["probabilities"][r] for r in RATING_NAMES[:1]), abs=1e-3
    )


def test_confidence_is_the_probability_of_the_rating_given() -> None:
    tag = infer_rating(story(QUIET), model(-2.0, teen=1.0))
    assert tag is not None and tag.name == "Teen And Up Audiences"
    probs = tag.extra["probabilities"]
    assert sum(probs.values()) == pytest.approx(1.0, abs=2e-3)
    assert tag.confidence == pytest.approx(probs["Teen And Up Audiences"], abs=1e-3)
    assert tag.confidence == pytest.approx(
        (1 - 1 / (1 + 2.718281828**2)) * (1 / (1 + 2.718281828**-1)), abs=2e-3
    )


def test_graphic_violence_is_mature_even_when_the_fit_never_saw_it() -> None:
    m = model(-5.0)
    assert infer_rating(story(QUIET), m).name == "General Audiences"  # type: ignore[union-attr]
    tag = infer_rating(story(TORTURE), m)
    assert tag is not None and tag.name == "Mature"
    assert any("graphic violence" in e.reason for e in tag.evidence)
    probs = rating_probabilities(analyze(story(TORTURE)), m)
    assert probs["Mature"] > 0.6


def test_not_english_or_empty_gets_no_rating() -> None:
    m = model(-4.0)
    assert (
        infer_rating(story("Il pleuvait sur la ville et elle attendait le train. " * 40), m) is None
    )
    assert infer_rating(story(""), m) is None


def test_nonnegative_fit_never_makes_a_cue_count_against() -> None:
    # The second feature is anti-correlated with the label: a free fit would weigh it < 0.
    xs = [(a, b) for a in range(5) for b in range(5)]
    ys = [a + (4 - b) >= 5 for a, b in xs]
    fitted = fit_nonnegative([(float(a), float(b)) for a, b in xs], ys, l2=0.1)
    assert fitted.weights[0] > 0.5
    assert fitted.weights[1] == pytest.approx(0.0, abs=1e-6)
    assert fitted((4.0, 0.0)) > 0.5 > fitted((0.0, 0.0))


def test_fit_rating_learns_the_sides_and_what_each_scale_may_teach() -> None:
    zero, sex, explicit, swear = [0.0] * N, [0.0] * N, [0.0] * N, [0.0] * N
    sex[RATING_FEATURES.index("sexual peak")] = 3.0
    explicit[RATING_FEATURES.index("sexual peak")] = 3.0
    explicit[RATING_FEATURES.index("explicit peak")] = 3.0
    swear[RATING_FEATURES.index("swear peak")] = 2.0
    rows = (
        [(zero, "General Audiences", True)] * 6
        + [(swear, "Teen And Up Audiences", True)] * 6
        # An archive's "general" spans General and Teen: it must not teach Teen vs General.
        + [(swear, "General Audiences", False)] * 30
        + [(sex, "Mature", False)] * 6
        + [(explicit, "Explicit", False)] * 6
        + [(zero, "Not Rated", True)] * 5
    )
    fitted = fit_rating(rows)
    assert fitted is not None
    assert fitted.mature(sex) > 0.5 > fitted.mature(zero)
    assert fitted.explicit(explicit) > 0.5 > fitted.explicit(sex)
    assert fitted.teen(swear) > 0.5 > fitted.teen(zero)
    assert fit_rating([(zero, "General Audiences", True)] * 5) is None  # one side only


def test_the_model_survives_the_calibration_file() -> None:
    m = RatingModel(Logistic((0.5,) * N, -2.0), flat(-1.0), flat(0.5), bar=0.7)
    again = Calibration.from_json(json.loads(json.dumps(Calibration(rating=m).to_json())))
    assert again.rating == m
    assert Calibration.from_json({}).rating is None


def test_the_shipped_calibration_carries_a_fitted_rating_model() -> None:
    shipped = load_calibration().rating
    assert shipped is not None
    assert len(shipped.mature.weights) == N
    assert min(shipped.mature.weights + shipped.explicit.weights + shipped.teen.weights) >= 0


def test_cocking_a_head_is_not_explicit() -> None:
    a = analyze(story("He cocked his head. She cocks her head and cocks an eyebrow at him. " * 5))
    assert not a.hits.get("r.explicit")
    assert analyze(story("his cock was hard")).hits.get("r.explicit")
