"""A word that opens several names of one story, and is never a name alone, is a title of the
story's world ("Apprentice Yan", "Apprentice Olms"): the names are Yan and Olms."""

from __future__ import annotations

from collections import Counter, defaultdict

from ficsift.understand.cast import _strip_story_titles


def _spans(*starts: int, length: int = 14) -> list[tuple[int, int]]:
    return [(s, s + length) for s in starts]


def _tally(
    counts: dict[str, list[tuple[int, int]]],
) -> tuple[dict[str, list[tuple[int, int]]], Counter[str], Counter[str]]:
    initial: dict[str, list[tuple[int, int]]] = defaultdict(list)
    person: Counter[str] = Counter({name: 1 for name in counts})
    place: Counter[str] = Counter()
    merged: dict[str, list[tuple[int, int]]] = defaultdict(list, counts)
    _strip_story_titles(merged, initial, person, place)
    return dict(merged), person, place


def test_a_word_opening_two_names_is_stripped_and_the_spans_follow() -> None:
    counts = {
        "Apprentice Yan": _spans(0, 100),
        "Apprentice Olms": _spans(200, length=15),
        "Yan": [(300, 303)],
    }
    merged, person, _ = _tally(counts)
    assert set(merged) == {"Yan", "Olms"}
    assert sorted(merged["Yan"]) == [(11, 14), (111, 114), (300, 303)]
    assert merged["Olms"] == [(211, 215)]
    assert person["Yan"] == 2 and "Apprentice Yan" not in person


def test_one_name_or_a_word_that_is_a_name_alone_is_left_whole() -> None:
    single = {"Julian Bashir": _spans(0, 50)}
    assert set(_tally(single)[0]) == {"Julian Bashir"}
    # "Willow" is a name alone as well: "Willow Rosenberg" and "Willow Tree" stay as written
    named = {"Willow Rosenberg": _spans(0), "Willow Tree": _spans(40), "Willow": [(90, 96)]}
    assert set(_tally(named)[0]) == set(named)
