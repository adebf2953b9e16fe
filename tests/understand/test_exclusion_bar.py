"""When a guessed tag may hide a work: the measured exclusion bar (issue 12)."""

from __future__ import annotations

from ficsift.model import Tag, TagOrigin, TagType
from ficsift.understand.calibration import (
    EXCLUSION_PRECISION,
    NEVER,
    Calibration,
    acts_on,
    fit_precise_at,
    load_calibration,
)


def test_the_bar_is_the_lowest_confidence_with_precise_guesses_above_it() -> None:
    pairs = [(0.95, True)] * 12 + [(0.8, True)] * 6 + [(0.8, False)] + [(0.5, False)] * 10
    # from 0.8 up: 18 right of 19; from 0.5 up: 18 of 29
    assert fit_precise_at(pairs) == 0.8
    assert fit_precise_at([(0.9, False)] * 20) == NEVER
    assert fit_precise_at([(0.9, True)] * 3) is None  # too few to say


def test_guessed_tags_act_only_from_the_bar_author_tags_always() -> None:
    calibration = Calibration(precise_at={"freeform": 0.7, "main pairing": NEVER})

    def tag(confidence: float, origin: TagOrigin = TagOrigin.INFERRED, **kw: object) -> Tag:
        return Tag(name="Angst", type=TagType.FREEFORM, origin=origin, confidence=confidence, **kw)

    assert acts_on(tag(0.75), calibration=calibration)
    assert not acts_on(tag(0.65), calibration=calibration)
    assert acts_on(tag(0.65), bar=0.6, calibration=calibration)  # the reader's own level
    assert acts_on(tag(0.1, TagOrigin.AUTHOR), calibration=calibration)
    ship = Tag(name="A/B", type=TagType.RELATIONSHIP, origin=TagOrigin.INFERRED, confidence=0.99)
    ship.main = True
    assert not acts_on(ship, calibration=calibration)  # never that precise in the eval
    unjudged = Tag(name="x", type=TagType.WARNING, origin=TagOrigin.INFERRED, confidence=0.95)
    assert acts_on(unjudged, calibration=Calibration())
    assert Calibration().exclusion_bar("warning") == EXCLUSION_PRECISION


def test_the_shipped_calibration_carries_measured_bars() -> None:
    bars = load_calibration().precise_at
    assert 0.0 < bars["character"] <= 1.0 and 0.0 < bars["fandom"] <= 1.0
    assert Calibration.from_json(load_calibration().to_json()).precise_at == bars
