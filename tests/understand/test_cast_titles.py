"""A word that opens several names of one story, and is never a name alone, is a title of the
story's world ("Apprentice Yan", "Apprentice Olms"): the names are Yan and Olms."""

from __future__ import annotations

from collections import defaultdict

from ficsift.understand.cast import _a_person, _strip_story_titles


def _spans(*starts: int, length: int = 14) -> list[tuple[int, int]]:
    return [(s, s + length) for s in starts]


def _tally(
    counts: dict[str, list[tuple[int, int]]],
    initial: dict[str, list[tuple[int, int]]] | None = None,
) -> tuple[dict[str, list[tuple[int, int]]], dict[str, list[tuple[int, int]]]]:
    before: dict[str, list[tuple[int, int]]] = defaultdict(list, initial or {})
    merged: dict[str, list[tuple[int, int]]] = defaultdict(list, counts)
    _strip_story_titles(merged, before)
    return dict(merged), {name: spans for name, spans in before.items() if spans}


def test_a_word_opening_two_names_is_stripped_and_the_spans_follow() -> None:
    counts = {
        "Apprentice Yan": _spans(0, 100),
        "Apprentice Olms": _spans(200, length=15),
        "Yan": [(300, 303)],
    }
    # a sentence-initial mention, counted once the name qualifies, moves with the others
    merged, initial = _tally(counts, {"Apprentice Yan": [(500, 514)]})
    assert set(merged) == {"Yan", "Olms"}
    assert sorted(merged["Yan"]) == [(11, 14), (111, 114), (300, 303)]
    assert merged["Olms"] == [(211, 215)]
    assert initial == {"Yan": [(511, 514)]}


def test_one_name_or_a_word_that_is_a_name_alone_is_left_whole() -> None:
    single = {"Julian Bashir": _spans(0, 50)}
    assert set(_tally(single)[0]) == {"Julian Bashir"}
    # "Willow" is a name alone as well: "Willow Rosenberg" and "Willow Tree" stay as written
    named = {"Willow Rosenberg": _spans(0), "Willow Tree": _spans(40), "Willow": [(90, 96)]}
    assert set(_tally(named)[0]) == set(named)


def _found(text: str, name: str) -> list[tuple[int, int]]:
    spans, at = [], text.find(name)
    while at != -1:
        spans.append((at, at + len(name)))
        at = text.find(name, at + 1)
    return spans


def test_a_place_keeps_the_preposition_before_its_stripped_title() -> None:
    # "at Neue Sanssouci" thrice, "Sanssouci said" twice: once "Neue" is stripped as a title of
    # the story's world, the place is still one written after "at", not a person.
    text = "Sanssouci said no. " * 2 + "We were at Neue Sanssouci. " * 3 + "Neue Welt was far."
    counts = {
        "Neue Sanssouci": _found(text, "Neue Sanssouci"),
        "Neue Welt": _found(text, "Neue Welt"),
        "Sanssouci": [s for s in _found(text, "Sanssouci") if text[s[0] - 5 : s[0]] != "Neue "],
    }
    merged: dict[str, list[tuple[int, int]]] = defaultdict(list, counts)
    moved: dict[int, int] = {}
    _strip_story_titles(merged, defaultdict(list), moved)
    assert len(merged["Sanssouci"]) == 5
    assert not _a_person(text, merged["Sanssouci"], moved)
    assert _a_person(text, merged["Sanssouci"], {})  # without where the names began: a person
