"""The fandom model reads the posterior's log odds clipped, the clip chosen by held-out
likelihood (issue 12): past some level the log odds grow with a story's length, not with the
chance that the fandom is right."""

from __future__ import annotations

from ficsift.understand.calibration import (
    Calibration,
    Logistic,
    fit_fandom,
    load_calibration,
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
