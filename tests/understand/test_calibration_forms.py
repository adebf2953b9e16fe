"""Calibration forms chosen by held-out likelihood (issue 12): the fandom model reads the
posterior's log odds clipped (past some level they grow with a story's length, not with the
chance that the fandom is right), and each other tag type's map is isotonic steps or Platt's
logistic, whichever predicts held-out franchises better."""

from __future__ import annotations

import math

from ficsift.understand.calibration import (
    Calibration,
    Logistic,
    Platt,
    Steps,
    fit_fandom,
    fit_map,
    fit_platt,
    fit_steps,
    load_calibration,
    logit,
    sigmoid,
)


def test_the_fandom_probability_reads_the_log_odds_clipped() -> None:
    calibration = Calibration(fandom=Logistic((1.0, 0.5), 0.0), fandom_clip=3.0)
    assert calibration.fandom_probability((10.0, 2.0)) == sigmoid(3.0 + 1.0)
    assert calibration.fandom_probability((-10.0, 0.0)) == sigmoid(-3.0)
    assert calibration.fandom_probability((1.0, 0.0)) == sigmoid(1.0)
    unclipped = Calibration(fandom=Logistic((1.0, 0.5), 0.0))
    assert unclipped.fandom_probability((10.0, 2.0)) == sigmoid(11.0)


def test_the_clip_survives_the_data_file() -> None:
    calibration = Calibration(fandom=Logistic((0.5, 0.1), -0.2), fandom_clip=10.0)
    again = Calibration.from_json(calibration.to_json())
    assert again.fandom_clip == 10.0
    assert Calibration.from_json(Calibration().to_json()).fandom_clip is None
    assert Calibration.from_json({}).fandom_clip is None


def _rows() -> list[tuple[tuple[float, float], bool, frozenset[str]]]:
    """Six franchises' candidates: below log odds 4 right as often as the odds say; long
    stories pile up odds of 40-80 and are right nine times in ten, no more."""
    rows: list[tuple[tuple[float, float], bool, frozenset[str]]] = []
    for fr in "ABCDEF":
        group = frozenset([fr])
        for x, right, wrong in ((-4.0, 0, 4), (-2.0, 1, 3), (0.0, 2, 2), (2.0, 3, 1), (4.0, 4, 0)):
            rows += [((x, 0.0), True, group)] * right + [((x, 0.0), False, group)] * wrong
        rows += [((40.0 + 8 * i, 0.0), i != 0, group) for i in range(6)]
    return rows


def test_the_clip_is_chosen_by_held_out_likelihood() -> None:
    fitted = fit_fandom(_rows())
    assert fitted.fandom_clip is not None
    flat = fit_fandom(_rows(), clips=(None,))
    assert flat.fandom_clip is None
    # Unclipped, one shallow slope spans -4..80: a candidate at odds 4 reads as a coin toss.
    assert fitted.fandom_probability((4.0, 0.0)) > flat.fandom_probability((4.0, 0.0)) + 0.1
    assert fitted.fandom_probability((60.0, 0.0)) < 0.97


def test_one_franchise_has_nothing_to_hold_out() -> None:
    rows = [r for r in _rows() if r[2] == frozenset(["A"])]
    assert fit_fandom(rows).fandom_clip is None


def test_the_shipped_calibration_has_a_fitted_clip() -> None:
    assert load_calibration().fandom_clip is not None


# -- the other tag types' maps: steps or Platt's logistic, chosen by held-out likelihood ------


def test_platt_rescales_the_log_odds_and_survives_the_data_file() -> None:
    curve = Platt(0.5, 1.0)
    assert curve(0.5) == sigmoid(1.0)
    assert abs(curve(0.9) - sigmoid(1.0 + 0.5 * logit(0.9))) < 1e-12
    calibration = Calibration(
        maps={"main pairing": curve, "character": Steps((0.2, 0.8), (0.3, 0.9))}
    )
    again = Calibration.from_json(calibration.to_json())
    assert again.maps == calibration.maps


def _overconfident(group: int, n: int = 12) -> list[tuple[float, bool]]:
    """A dozen tags of raw confidence 0.3-0.99, right as σ(0.4·logit(raw) - 0.3) says: far
    less sure than the raw confidence (a fixed pattern per group, no randomness)."""
    out = []
    for i in range(n):
        raw = 0.3 + 0.69 * i / (n - 1)
        out.append((raw, (i * 37 + group * 11) % 100 < 100 * sigmoid(0.4 * logit(raw) - 0.3)))
    return out


def _two_levels(group: int) -> list[tuple[float, bool]]:
    """Sixty tags: right 15% of the time below raw 0.5, 85% from there up (no logistic in
    the log odds has that shape)."""
    out = []
    for i in range(60):
        raw = 0.05 + 0.9 * i / 59
        out.append((raw, (i * 37 + group * 11) % 20 < (3 if raw < 0.5 else 17)))
    return out


def _held_out(groups: dict[int, list[tuple[float, bool]]]) -> dict[str, float]:
    scores = {"steps": 0.0, "platt": 0.0}
    for g in groups:
        train = [p for h, ps in groups.items() if h != g for p in ps]
        for name, fit in (("steps", fit_steps), ("platt", fit_platt)):
            m = fit(train)
            assert m is not None
            scores[name] += sum(math.log(m(x) if ok else 1 - m(x)) for x, ok in groups[g])
    return scores


def test_the_map_is_the_form_that_predicts_held_out_groups_better() -> None:
    smooth = {g: _overconfident(g) for g in range(8)}
    scores = _held_out(smooth)
    assert scores["platt"] > scores["steps"]
    assert isinstance(fit_map(smooth), Platt)
    stepped = {g: _two_levels(g) for g in range(4)}
    scores = _held_out(stepped)
    assert scores["steps"] > scores["platt"]
    assert isinstance(fit_map(stepped), Steps)
    # One group: nothing to hold out, the steps as before; too few tags: no map.
    assert isinstance(fit_map({0: [p for ps in smooth.values() for p in ps]}), Steps)
    assert fit_map({0: smooth[0]}) is None
