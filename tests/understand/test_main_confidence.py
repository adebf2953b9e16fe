"""The main pairing's raw confidence weighs its lead over the story's next likeliest couple."""

from __future__ import annotations

import itertools

import pytest

from ficsift.model import TagType
from ficsift.understand.infer import _relationship_tags
from ficsift.understand.primer import Primer
from ficsift.understand.relationships import PairReading, RelationshipResult


def _main_confidence(pairs: list[PairReading], primer: Primer) -> float:
    result = RelationshipResult(pairs, ("Ann", "Bea"))
    tags = _relationship_tags(result, [], primer, {"Ann", "Bea", "Cat", "Dee"}, set())
    main = [t for t in tags if t.main and t.type == TagType.RELATIONSHIP]
    assert len(main) == 1
    return main[0].confidence or 0.0


def test_a_couple_alone_keeps_its_confidence(primer: Primer) -> None:
    alone = _main_confidence([PairReading("Ann", "Bea", 30, 24, "/")], primer)
    assert alone > 0.85


def test_a_couple_among_many_is_less_sure(primer: Primer) -> None:
    # A long story whose side couples kiss nearly as often as its main one.
    alone = _main_confidence([PairReading("Ann", "Bea", 30, 24, "/")], primer)
    crowded = _main_confidence(
        [PairReading("Ann", "Bea", 30, 24, "/"), PairReading("Cat", "Dee", 30, 20, "/")], primer
    )
    assert crowded < 0.6 * alone
    # A rival with a few cues barely matters.
    faint = _main_confidence(
        [PairReading("Ann", "Bea", 30, 24, "/"), PairReading("Ann", "Cat", 30, 1, "&")], primer
    )
    assert faint > 0.9 * alone


def test_many_side_couples_add_up(primer: Primer) -> None:
    # No side pair comes close on its own; together they hold as many cues as the main one.
    alone = _main_confidence([PairReading("Ann", "Bea", 30, 24, "/")], primer)
    sides = [PairReading(a, b, 10, 4, "/") for a, b in itertools.combinations("CDEF", 2)]
    many = _main_confidence([PairReading("Ann", "Bea", 30, 24, "/"), *sides], primer)
    assert many < 0.6 * alone


def test_the_bar_is_where_saying_none_is_right_more_often() -> None:
    from ficsift.understand.calibration import fit_main_bar

    # (calibrated confidence, right if said, right if not said: the story is gen)
    sure = [(0.9, True, False)] * 8
    gen_below = [(0.5, False, True)] * 3 + [(0.55, True, False)]  # mostly gen under 0.6
    # the lone right pairing at 0.55 is kept; the bar halfway to the gen stories' 0.5
    assert fit_main_bar(sure + gen_below) == pytest.approx(0.525)
    assert fit_main_bar(sure + [(0.5, True, False)] * 3) == 0.0  # always right: always said
    assert fit_main_bar([]) == 0.0


def test_a_main_pairing_under_the_bar_is_no_main_pairing(primer: Primer) -> None:
    from ficsift.model import TagOrigin
    from ficsift.understand.infer import _main_only_when_sure

    result = RelationshipResult([PairReading("Ann", "Bea", 30, 24, "/")], ("Ann", "Bea"))
    tags = _relationship_tags(result, [], primer, {"Ann", "Bea"}, set())
    (main,) = [t for t in tags if t.main]
    assert main.origin == TagOrigin.INFERRED
    _main_only_when_sure(tags, bar=(main.confidence or 0.0) - 0.01)
    assert main.main  # sure enough
    _main_only_when_sure(tags, bar=(main.confidence or 0.0) + 0.01)
    assert not main.main and main in tags  # the relationship stays, as no main pairing
